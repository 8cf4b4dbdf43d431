"""Petitions: from mapped text columns to canonical rows, and the load-time derivations.

Derived once at load time, because every query would otherwise recompute them:
the due date (given, else the deadline policy on the office calendar), the
effective due date after extension, the reply date, working days to reply
(counted from the next working day after receipt) and on-time status.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from etl import pii, validate
from etl.districts import DistrictResolver
from etl.text import halfwidth
from etl.validate import Reasons
from store.vocabulary import SAME_MINUTE_SECONDS, ReplyQuality

KEY = ("source_system", "case_id")
COLUMNS = (
    "source_system", "case_id", "agency", "unit", "channel", "category", "subcategory",
    "district", "district_city", "in_city", "received_at", "received_date", "limit_days",
    "limit_unit", "due_date", "due_date_given", "extended_due_date", "extension_reason", "effective_due_date",
    "first_reply_at", "closed_at", "replied_date", "status", "is_open", "reply_working_days",
    "on_time", "reply_quality", "reply_satisfaction", "petitioner_key", "subject_masked",
)  # fmt: skip
TEXT_FIELDS = ("agency", "unit", "channel", "category", "subcategory", "extension_reason", "status")
LABELS = {
    "case_id": "案件編號",
    "received_at": "受理時間",
    "due_date": "限辦日期",
    "extended_due_date": "展延後期限",
    "first_reply_at": "首次回覆時間",
    "closed_at": "結案時間",
    "reply_satisfaction": "回覆滿意度",
}

# Data quality of a closed case for the timeliness figures (store.vocabulary.ReplyQuality,
# the first that applies): missing dates (no reply/closure date, due date, working days or
# on-time flag), reply or closure before receipt, reply or closure within a minute of
# receipt (system closures, duplicates), else valid; NULL while open. Computed once here
# so that queries over millions of cases read a small integer.
REPLY_QUALITY_SQL = f"""
CASE
  WHEN is_open THEN NULL
  WHEN replied_date IS NULL OR effective_due_date IS NULL
       OR reply_working_days IS NULL OR on_time IS NULL THEN {ReplyQuality.MISSING_DATES:d}
  WHEN replied_date < received_date OR least(first_reply_at, closed_at) < received_at
       THEN {ReplyQuality.REPLY_BEFORE_RECEIPT:d}
  WHEN least(first_reply_at, closed_at) <= received_at + INTERVAL {SAME_MINUTE_SECONDS} SECOND
       THEN {ReplyQuality.SAME_MINUTE:d}
  ELSE {ReplyQuality.VALID:d}
END
"""

# Derivations over the staged rows; {stage} is a fixed temp-table name.
DERIVE_SQL = """
CREATE OR REPLACE TEMP TABLE petitions_derived AS
WITH due AS ({due_sql})
SELECT s.*,
       due.limit_days, due.limit_unit,
       coalesce(s.given_due_date, due.policy_due_date) AS due_date,
       s.given_due_date IS NOT NULL AS due_date_given,
       coalesce(s.extended_due_date, s.given_due_date, due.policy_due_date) AS effective_due_date,
       CAST(coalesce(s.first_reply_at, s.closed_at) AS DATE) AS replied_date
FROM {stage} s JOIN due USING (rid);

CREATE OR REPLACE TEMP TABLE petitions_final AS
SELECT d.*,
       (d.first_reply_at IS NULL AND d.closed_at IS NULL) AS is_open,
       rep.working_day_index - rec.working_day_index AS reply_working_days,
       CASE WHEN d.replied_date IS NULL THEN NULL
            ELSE d.replied_date <= d.effective_due_date END AS on_time
FROM petitions_derived d
LEFT JOIN calendar rec ON rec.day = d.received_date
LEFT JOIN calendar rep ON rep.day = d.replied_date;

CREATE OR REPLACE TEMP TABLE petitions_final AS
SELECT *, {reply_quality} AS reply_quality FROM petitions_final;
"""

# Days since the previous petition of the same petitioner key and category, over all
# petitions of every source (ties ordered by time, source, case id). A load can insert
# an earlier case between two others, so after a load the pairs it touched are
# recomputed (``{scope}``: TRUE for all, or membership in ``repeat_pairs``); only rows
# whose value changes are written.
REPEAT_GAP_SQL = """
UPDATE petitions AS p SET repeat_gap_days = g.gap
FROM (
  SELECT source_system, case_id,
         received_date - lag(received_date) OVER (
           PARTITION BY petitioner_key, category ORDER BY received_at, source_system, case_id
         ) AS gap
  FROM petitions WHERE petitioner_key IS NOT NULL AND {scope}
) AS g
WHERE p.source_system = g.source_system AND p.case_id = g.case_id
  AND p.repeat_gap_days IS DISTINCT FROM g.gap
"""
ALL_PAIRS = "TRUE"
TOUCHED_PAIRS = "hash(petitioner_key, category) IN (SELECT pair FROM repeat_pairs)"

# What a load touches, read before the upsert: the previous version of every existing
# case it replaces (its key, category or receipt date may change), then the petitioner/
# category pairs whose repeat gaps and the months whose counts must be recomputed: those
# of the staged rows and of the replaced versions. hash() treats NULL categories alike,
# as PARTITION BY does; a collision only widens the recomputation.
TOUCHED_SQL = """
CREATE OR REPLACE TEMP TABLE replaced AS
SELECT p.petitioner_key, p.category, p.received_date FROM petitions p
JOIN petitions_final f USING (source_system, case_id);

CREATE OR REPLACE TEMP TABLE repeat_pairs AS
SELECT hash(petitioner_key, category) AS pair FROM petitions_final WHERE petitioner_key IS NOT NULL
UNION
SELECT hash(petitioner_key, category) FROM replaced WHERE petitioner_key IS NOT NULL;

CREATE OR REPLACE TEMP TABLE touched_months AS
SELECT CAST(date_trunc('month', received_date) AS DATE) AS month FROM petitions_final
UNION
SELECT CAST(date_trunc('month', received_date) AS DATE) FROM replaced;
"""

# Recount petition_monthly for some months ({months}: a subquery of month starts) or
# for all of them (ALL_MONTHS).
MONTHLY_SQL = """
DELETE FROM petition_monthly WHERE {months};
INSERT INTO petition_monthly
SELECT CAST(date_trunc('month', received_date) AS DATE) AS month,
       agency, unit, channel, category, subcategory, district, in_city, count(*) AS cases
FROM petitions WHERE {received}
GROUP BY ALL
"""
TOUCHED_MONTHS = {
    "months": "month IN (SELECT month FROM touched_months)",
    "received": "CAST(date_trunc('month', received_date) AS DATE) IN "
    "(SELECT month FROM touched_months)",
}
ALL_MONTHS = {"months": "TRUE", "received": "TRUE"}

# For databases whose petitioner keys are 32-character hex text: the first 16 hex
# characters are the 64-bit key (``pii.petitioner_key``). Used by etl.schema's step 1.
KEY_TO_INTEGER_SQL = """
ALTER TABLE petitions ALTER petitioner_key SET DATA TYPE UBIGINT
USING CAST('0x' || left(petitioner_key, 16) AS UBIGINT)
"""


def prepare(raw: pd.DataFrame, source_system: str, resolver: DistrictResolver, secret: bytes,
            district_from_address: bool, reasons: Reasons,
            formats: Mapping[str, str] | None = None) -> pd.DataFrame:  # fmt: skip
    """Typed canonical columns for every row; problems are added to ``reasons``.
    ``formats``: strptime formats of date fields named by the mapping."""
    formats = formats or {}
    col = lambda name: raw[name] if name in raw else pd.Series("", index=raw.index, dtype=object)  # noqa: E731
    out = pd.DataFrame(index=raw.index)
    out["source_system"] = source_system
    out["case_id"] = validate.required_text(col("case_id"), LABELS["case_id"], reasons)
    for name in TEXT_FIELDS:
        out[name] = col(name).replace("", None)
    out = out.join(
        validate.district_columns(
            col("district"), resolver, reasons, from_address=district_from_address
        )
    )
    received = validate.datetime_column(
        col("received_at"), LABELS["received_at"], reasons, required=True,
        fmt=formats.get("received_at"),
    )  # fmt: skip
    out["received_at"] = received
    out["received_date"] = received.dt.normalize()
    for name in ("due_date", "extended_due_date"):
        out["given_" + name if name == "due_date" else name] = validate.datetime_column(
            col(name), LABELS[name], reasons, fmt=formats.get(name)
        ).dt.normalize()
    for name in ("first_reply_at", "closed_at"):
        stamp = validate.datetime_column(col(name), LABELS[name], reasons, fmt=formats.get(name))
        reasons.add(stamp.notna() & received.notna() & (stamp < received),
                    validate.BEFORE_RECEIPT.format(column=LABELS[name]))  # fmt: skip
        out[name] = stamp
    out["reply_satisfaction"] = validate.satisfaction_score(
        col("reply_satisfaction"), LABELS["reply_satisfaction"], reasons
    )
    out["status"] = out["status"].fillna(
        pd.Series("已結案", index=out.index).where(out["closed_at"].notna(),
        pd.Series("已回覆", index=out.index).where(out["first_reply_at"].notna(), "處理中"))
    )  # fmt: skip
    pii_cols = [
        c
        for c in ("pii_name", "pii_national_id", "pii_phone", "pii_email", "pii_address")
        if c in raw
    ]
    out["petitioner_key"] = pd.array(_keys(raw, secret), dtype="UInt64")
    out["subject_masked"] = _masked_subjects(col("subject"), raw[pii_cols] if pii_cols else None)
    return out


def _masked_subjects(subject: pd.Series, known: pd.DataFrame | None) -> list[str | None]:
    """Masked subjects; the per-row masking runs only where personal data can be.

    A row needs it when a pattern (ID, phone, e-mail, house number) matches its
    half-width form, or when it contains one of its own personal values.
    """
    text = subject.astype(object).to_numpy()
    view = pa.array([halfwidth(t) for t in text], type=pa.string())
    suspect = pc.match_substring_regex(view, pii.ANY_PATTERN).to_numpy(zero_copy_only=False)
    rows = known.itertuples(index=False, name=None) if known is not None else [()] * len(text)
    out: list[str | None] = []
    for t, s, k in zip(text, suspect, rows, strict=True):
        if not t:
            out.append(None)
        elif s or any(v and len(v) >= 2 and (v in t or halfwidth(v) in t) for v in k):
            out.append(pii.mask_text(t, k))
        else:
            out.append(t)
    return out


def _keys(raw: pd.DataFrame, secret: bytes) -> list[int | None]:
    """Keyed-hash petitioner keys from the strongest identifier per row (see ``pii.identity``), vectorised."""
    empty = pd.Series("", index=raw.index, dtype=object)
    get = lambda c: raw[c].astype(object) if c in raw else empty  # noqa: E731
    nid = get("pii_national_id").str.upper().str.strip()
    mail = get("pii_email").str.lower().str.strip()
    tel = get("pii_phone").str.replace(r"\D", "", regex=True)
    name = get("pii_name").str.replace(r"\s", "", regex=True)
    who = ("id:" + nid).where(nid.ne(""), ("mail:" + mail).where(mail.ne(""),
          ("tel:" + tel).where(tel.ne(""), ("name:" + name).where(name.ne(""), ""))))  # fmt: skip
    return [pii.petitioner_key(secret, w) for w in who]
