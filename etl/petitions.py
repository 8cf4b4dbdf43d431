"""Petitions: from mapped text columns to canonical rows, and the load-time derivations.

Derived once at load time, because every query would otherwise recompute them:
the due date (given, else the deadline policy on the office calendar), the
effective due date after extension, the reply date, working days to reply
(counted from the next working day after receipt) and on-time status.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from etl import pii, validate
from etl.districts import DistrictResolver
from etl.mapping import FIELDS, FREE_TEXT
from etl.text import halfwidth, halfwidth_series
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
# Short coded text, stored as given once masked (a phone typed into 承辦單位 is not kept).
CODE_FIELDS = ("agency", "unit", "channel", "category", "subcategory", "status")
# The free-text fields (etl.mapping.FREE_TEXT) of a petition and the column each is
# stored in, always masked.
MASKED_TEXT = {
    name: {"subject": "subject_masked"}.get(name, name)
    for name in FREE_TEXT
    if name in FIELDS["petitions"]["optional"]
}
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
    out["case_id"] = validate.record_id(col("case_id"), LABELS["case_id"], reasons)
    known = _known_values(raw)
    forms = _distinct_forms(known)
    for name in CODE_FIELDS:
        out[name] = _masked_codes(col(name), forms).replace("", None)
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
    out["petitioner_key"] = pd.array(_keys(raw, secret), dtype="UInt64")
    for name, column in MASKED_TEXT.items():
        out[column] = _masked_texts(col(name), known)
    return out


def _known_values(raw: pd.DataFrame) -> list[tuple[str, ...]]:
    """Each row's own personal values (every [pii] column, ``pii_*``; already half-width
    from etl.mapping), with the given name of a Chinese name besides the whole name
    (王小明 → 小明)."""
    columns = [raw[c].astype(object).to_numpy() for c in raw.columns if c.startswith("pii")]
    if "pii_name" in raw:
        name = pc.replace_substring_regex(
            pa.array(raw["pii_name"].to_numpy(object), type=pa.string()), r"\s", ""
        )
        compound = pc.is_in(pc.utf8_slice_codeunits(name, 0, 2), pa.array(pii.COMPOUND_SURNAMES))
        compound = pc.and_(compound, pc.greater_equal(pc.utf8_length(name), 4))
        given = pc.if_else(
            compound, pc.utf8_slice_codeunits(name, 2), pc.utf8_slice_codeunits(name, 1)
        )
        chinese = pc.match_substring_regex(name, "^[\u4e00-\u9fff]{3,}$")
        columns.append(pc.if_else(chinese, given, "").to_numpy(zero_copy_only=False))
    if not columns:
        return [()] * len(raw)
    return [tuple(v for v in row if v) for row in zip(*columns, strict=True)]


def _distinct_forms(known: list[tuple[str, ...]]) -> frozenset[str]:
    """Every personal value of the file (two characters or more), once."""
    flat = pa.array([v for row in known for v in row], type=pa.string())
    distinct = pc.unique(flat)
    return frozenset(distinct.filter(pc.greater_equal(pc.utf8_length(distinct), 2)).to_pylist())


def _half_width(values: np.ndarray) -> list[str]:
    """Half-width forms; the translation runs only on the values that need it."""
    arr = pa.array(values, type=pa.string(), from_pandas=True)
    wide = pc.match_substring_regex(arr.fill_null(""), _WIDE).to_numpy(zero_copy_only=False)
    return [halfwidth(v) if w else v for v, w in zip(values, wide, strict=True)]


_WIDE = "[\uff01-\uff5e\u3000]"


def _masked_texts(text: pd.Series, known: list[tuple[str, ...]]) -> list[str | None]:
    """Free text, masked; the per-row masking runs only where personal data can be.

    A row needs it when the bulk pre-filter (``pii.ANY_PATTERN``) matches its
    half-width form, or when it contains one of its own personal values. A text that
    holds none of its row's values masks the same in every row, so it is masked once.
    """
    values = text.astype(object).to_numpy()
    views = _half_width(values)
    suspect = pc.match_substring_regex(pa.array(views, type=pa.string()), pii.ANY_PATTERN)
    same: dict[str, str] = {}
    out: list[str | None] = []
    for t, view, s, k in zip(values, views, suspect.to_numpy(zero_copy_only=False), known,
                             strict=True):  # fmt: skip
        if not t:
            out.append(None)
            continue
        hits = tuple(v for v in k if len(v) >= 2 and v in view)
        if hits:
            out.append(pii.mask_text(t, hits))
        elif not s:
            out.append(t)
        else:
            if t not in same:
                same[t] = pii.mask_text(t)
            out.append(same[t])
    return out


# Personal values longer than this are not looked for inside coded fields (a name,
# phone or e-mail is shorter; the patterns still apply).
MAX_KNOWN = 64


def _masked_codes(values: pd.Series, forms: frozenset[str]) -> pd.Series:
    """Coded text masked per distinct value (there are few): by the patterns, and by
    ``forms``, every personal value of any row of the file, wherever one occurs in it."""
    distinct = [v for v in values.unique() if v]
    if not distinct:
        return values
    masked = {}
    for value in distinct:
        view = halfwidth(value)
        found = {
            view[i:j]
            for i in range(len(view))
            for j in range(i + 2, min(len(view), i + MAX_KNOWN) + 1)
            if view[i:j] in forms
        }
        masked[value] = pii.mask_text(value, tuple(found))
    changed = {k: v for k, v in masked.items() if k != v}
    if not changed:
        return values
    hit = values.isin(list(changed))
    return values.where(~hit, values[hit].map(changed))


def _keys(raw: pd.DataFrame, secret: bytes) -> list[int | None]:
    """Keyed-hash petitioner keys from the strongest identifier per row (see ``pii.identity``), vectorised."""
    empty = pd.Series("", index=raw.index, dtype=object)
    get = lambda c: halfwidth_series(raw[c].astype(object)) if c in raw else empty  # noqa: E731
    nid = get("pii_national_id").str.upper().str.strip()
    mail = get("pii_email").str.lower().str.strip()
    tel = get("pii_phone").str.replace(r"\D", "", regex=True)
    name = get("pii_name").str.replace(r"\s", "", regex=True)
    who = ("id:" + nid).where(nid.ne(""), ("mail:" + mail).where(mail.ne(""),
          ("tel:" + tel).where(tel.ne(""), ("name:" + name).where(name.ne(""), ""))))  # fmt: skip
    return [pii.petitioner_key(secret, w) for w in who]
