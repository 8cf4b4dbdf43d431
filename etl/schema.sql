-- svcq canonical model: the one place where tables and their columns are defined.
-- Column names are stable; metrics and the dashboard read only these tables.
-- Times are local Taiwan time (Asia/Taipei) stored as naive TIMESTAMP.
-- This file is always the latest schema; etl/schema.py creates it in a new database
-- and brings an older one here by numbered steps (see docs/architecture.md).

-- ---------------------------------------------------------------- housekeeping

-- The schema version of this database: one row, the number of the last step applied.
CREATE TABLE IF NOT EXISTS schema_version (
    version    INTEGER NOT NULL,
    applied_at TIMESTAMP NOT NULL
);

-- Facts about how the database was built that are not rows of data: which `holidays`
-- version built the calendar, the fingerprint of the petitioner key, ...
CREATE TABLE IF NOT EXISTS meta (
    key   VARCHAR PRIMARY KEY,
    value VARCHAR NOT NULL
);

-- ---------------------------------------------------------------- dimensions

-- Every district the loader can recognise: the configured city's (in_city) and
-- any other city's list supplied by a mapping, so that rows elsewhere are kept
-- and marked rather than rejected.
CREATE TABLE IF NOT EXISTS districts (
    district            VARCHAR NOT NULL,   -- canonical name, e.g. 鳳山區
    city                VARCHAR NOT NULL,   -- e.g. 高雄市
    postal_code         VARCHAR,
    town_code           VARCHAR,            -- MOI 8-digit code, e.g. 64000120
    former_name         VARCHAR,            -- pre-merger name(s), e.g. 鳳山市
    original_city       BOOLEAN,            -- one of the 11 pre-2010 city districts
    mountain_indigenous BOOLEAN,            -- 茂林, 桃源, 那瑪夏
    PRIMARY KEY (city, district)
);

-- Resident population, loaded by the user from the official table
-- (svcq load population FILE). Rates per 10,000 residents only use rows here.
CREATE TABLE IF NOT EXISTS district_population (
    district   VARCHAR NOT NULL,
    population INTEGER NOT NULL,
    as_of      DATE NOT NULL,
    source     VARCHAR NOT NULL,
    PRIMARY KEY (district, as_of)
);

-- Office calendar, one row per day. Built from the `holidays` package (TW) and
-- overridden day by day by the DGPA 辦公日曆表 (svcq load calendar FILE).
-- working_day_index counts working days from the start of the table up to and
-- including the day, so working days between two dates are a subtraction.
CREATE TABLE IF NOT EXISTS calendar (
    day               DATE PRIMARY KEY,
    is_working_day    BOOLEAN NOT NULL,
    reason            VARCHAR,            -- 例假日 / holiday name / 補行上班
    source            VARCHAR NOT NULL,   -- 'holidays' or 'dgpa'
    working_day_index INTEGER NOT NULL
);

-- ---------------------------------------------------------------- petitions

CREATE TABLE IF NOT EXISTS petitions (
    source_system       VARCHAR NOT NULL,   -- from the mapping, e.g. svcq-template, taipei-1999
    case_id             VARCHAR NOT NULL,   -- unique within source_system
    agency              VARCHAR,            -- 機關
    unit                VARCHAR,            -- 承辦單位 / 課室
    channel             VARCHAR,            -- 陳情管道 (1999, 市長信箱, 區長信箱, 網路, 電子郵件, 書面, 臨櫃, 電話, 社群, ...)
    category            VARCHAR,            -- 陳情類別 (main)
    subcategory         VARCHAR,            -- 陳情類別 (sub)
    district            VARCHAR,            -- canonical district name; NULL when not given
    district_city       VARCHAR,            -- city of that district
    in_city             BOOLEAN,            -- district lies in the configured city; NULL when unknown
    received_at         TIMESTAMP NOT NULL, -- 受理時間
    received_date       DATE NOT NULL,
    limit_days          INTEGER,            -- the deadline policy's limit applied
    limit_unit          VARCHAR,            -- 'working' or 'calendar'
    due_date            DATE,               -- given by the source, else computed from the policy
    extended_due_date   DATE,               -- 展延後期限
    extension_reason    VARCHAR,
    effective_due_date  DATE,               -- coalesce(extended_due_date, due_date)
    first_reply_at      TIMESTAMP,          -- 首次回覆
    closed_at           TIMESTAMP,          -- 結案
    replied_date        DATE,               -- date of first reply, else of closure
    status              VARCHAR,            -- source status text, normalised
    is_open             BOOLEAN NOT NULL,   -- no reply and no closure yet
    reply_working_days  INTEGER,            -- working days from the next working day after receipt to replied_date
    on_time             BOOLEAN,            -- replied_date <= effective_due_date; NULL while open
    reply_quality       SMALLINT CHECK (reply_quality BETWEEN 0 AND 3), -- store.vocabulary.ReplyQuality; NULL while open
    reply_satisfaction  SMALLINT,           -- 1 (非常不滿意) .. 5 (非常滿意); NULL when not rated
    repeat_gap_days     INTEGER,            -- days since the previous petition with the same petitioner key and category (any source); NULL if none or no key
    petitioner_key      UBIGINT,            -- keyed BLAKE2b of the petitioner's identity (first 64 bits), for repeat detection only
    subject_masked      VARCHAR,            -- subject with personal data masked
    row_hash            VARCHAR NOT NULL,   -- hash of the canonical record, for idempotent reloads
    batch_id            INTEGER NOT NULL,   -- batch that last inserted or changed the row
    due_date_given      BOOLEAN,            -- due_date came from the source (else from the policy); last, as a migration adds it
    PRIMARY KEY (source_system, case_id)
);

-- Deadline policy in force for the loads (svcq load deadline-policy FILE).
-- The most specific matching row wins: channel+category, then channel, then category, then default.
CREATE TABLE IF NOT EXISTS deadline_policy (
    channel    VARCHAR,            -- NULL = any channel
    category   VARCHAR,            -- NULL = any category
    limit_days INTEGER NOT NULL,
    limit_unit VARCHAR NOT NULL,   -- 'working' or 'calendar'
    note       VARCHAR
);

-- Petitions per month of receipt and combination of the dimensions the metrics filter
-- and group on; maintained by the loader for the months each load touches
-- (etl.petitions.MONTHLY_SQL). About a quarter of the rows of petitions, and read
-- instead of it by the metrics that scan every month of a decade (spikes).
CREATE TABLE IF NOT EXISTS petition_monthly (
    month       DATE NOT NULL,   -- first day of the month of receipt
    agency      VARCHAR,
    unit        VARCHAR,
    channel     VARCHAR,
    category    VARCHAR,
    subcategory VARCHAR,
    district    VARCHAR,
    in_city     BOOLEAN,
    cases       BIGINT NOT NULL
);

-- ---------------------------------------------------------------- surveys

-- Items and their dimensions come from the survey mapping: any dimension names, in the
-- mapping's order (position); is_overall marks the overall question(s), which the
-- headline satisfaction reads and reliability leaves out.
CREATE TABLE IF NOT EXISTS survey_items (
    item_code  VARCHAR PRIMARY KEY,
    item_text  VARCHAR NOT NULL,
    dimension  VARCHAR NOT NULL,    -- e.g. 洽公環境 / 服務禮儀 / 服務專業性 / 服務措施 / 整體
    is_overall BOOLEAN NOT NULL,
    position   INTEGER NOT NULL     -- order of the item in its mapping
);

CREATE TABLE IF NOT EXISTS survey_responses (
    source_system VARCHAR NOT NULL,
    wave          VARCHAR NOT NULL,     -- e.g. 2025Q3
    respondent_id VARCHAR NOT NULL,
    agency        VARCHAR,
    unit          VARCHAR,
    mode          VARCHAR,              -- 臨櫃 / 電話 / 網路
    district      VARCHAR,              -- respondent's district, canonical
    in_city       BOOLEAN,
    sex           VARCHAR,              -- 男 / 女 / NULL
    age_group     VARCHAR,              -- e.g. 20-29歲
    responded_on  DATE,
    row_hash      VARCHAR NOT NULL,
    batch_id      INTEGER NOT NULL,
    PRIMARY KEY (source_system, wave, respondent_id)
);

CREATE TABLE IF NOT EXISTS survey_answers (
    source_system VARCHAR NOT NULL,
    wave          VARCHAR NOT NULL,
    respondent_id VARCHAR NOT NULL,
    item_code     VARCHAR NOT NULL,
    score         SMALLINT CHECK (score BETWEEN 1 AND 5), -- 1 (非常不滿意) .. 5 (非常滿意); NULL for non-substantive answers
    answer        VARCHAR NOT NULL,     -- 非常滿意 / 滿意 / 普通 / 不滿意 / 非常不滿意 / 無意見 / 不知道 / 拒答 / 未答
    PRIMARY KEY (source_system, wave, respondent_id, item_code)
);

-- ---------------------------------------------------------------- phone tests

CREATE TABLE IF NOT EXISTS phone_rubric (
    rubric_version VARCHAR NOT NULL,
    item_code      VARCHAR NOT NULL,
    item_text      VARCHAR NOT NULL,
    category       VARCHAR NOT NULL,    -- 接聽速度 / 電話禮貌 / 服務內容 / 轉接處理
    max_points     DOUBLE NOT NULL,     -- points of the 0-100 total
    PRIMARY KEY (rubric_version, item_code)
);

CREATE TABLE IF NOT EXISTS phone_tests (
    source_system  VARCHAR NOT NULL,
    call_id        VARCHAR NOT NULL,
    agency         VARCHAR,
    unit           VARCHAR NOT NULL,
    called_at      TIMESTAMP NOT NULL,
    round          VARCHAR NOT NULL,    -- e.g. 2025-1 (first round of 2025)
    tester_id      VARCHAR,
    rubric_version VARCHAR NOT NULL,
    total_score    DOUBLE NOT NULL,     -- sum of points, 0-100
    row_hash       VARCHAR NOT NULL,
    batch_id       INTEGER NOT NULL,
    PRIMARY KEY (source_system, call_id)
);

CREATE TABLE IF NOT EXISTS phone_test_scores (
    source_system VARCHAR NOT NULL,
    call_id       VARCHAR NOT NULL,
    item_code     VARCHAR NOT NULL,
    points        DOUBLE NOT NULL,
    max_points    DOUBLE NOT NULL,
    PRIMARY KEY (source_system, call_id, item_code)
);

-- ---------------------------------------------------------------- bookkeeping

CREATE SEQUENCE IF NOT EXISTS batch_ids START 1;

CREATE TABLE IF NOT EXISTS batches (
    batch_id      INTEGER PRIMARY KEY,
    kind          VARCHAR NOT NULL,     -- petitions / surveys / phone-tests / calendar / population / deadline-policy
    file_name     VARCHAR NOT NULL,
    file_sha256   VARCHAR NOT NULL,
    mapping       VARCHAR,
    encoding      VARCHAR,
    rows_read     INTEGER NOT NULL,
    rows_loaded   INTEGER NOT NULL,     -- new records
    rows_updated  INTEGER NOT NULL,     -- existing records that changed
    rows_unchanged INTEGER NOT NULL,    -- existing records identical to the file
    rows_rejected INTEGER NOT NULL,
    started_at    TIMESTAMP NOT NULL,
    finished_at   TIMESTAMP NOT NULL,
    outcome       VARCHAR NOT NULL,     -- success / partial
    data_as_of    DATE,                 -- the export's extraction date, when its mapping names one
    CHECK (rows_read = rows_loaded + rows_updated + rows_unchanged + rows_rejected)
);

CREATE TABLE IF NOT EXISTS rejects (
    batch_id   INTEGER NOT NULL,
    row_number INTEGER NOT NULL,        -- 1-based data row in the file (header not counted)
    raw        VARCHAR NOT NULL,        -- the row as JSON {column: value}, personal data masked
    reason     VARCHAR NOT NULL,        -- plain Traditional Chinese
    PRIMARY KEY (batch_id, row_number)
);
