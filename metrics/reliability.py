"""Reliability of the satisfaction scale: Cronbach's alpha per survey wave, computed in SQL.

α = k/(k-1) · (1 - Σ var(itemᵢ) / var(Σ items)), with the item and total variances
taken by DuckDB over the complete respondents, so the respondent x item matrix
never leaves the database.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from metrics import stats
from metrics._sql import UNSPECIFIED
from metrics.filters import Filters
from metrics.satisfaction import PERIOD_COLUMN, SURVEY_FILTERS, check_by
from store.db import scalar

PUBLIC_METRICS = ("survey_reliability",)

# `by` name -> column of survey_responses (respondent-level attributes only).
BY_COLUMNS = {
    "wave": "r.wave",
    "agency": f"coalesce(r.agency, '{UNSPECIFIED}')",
    "unit": f"coalesce(r.unit, '{UNSPECIFIED}')",
    "mode": f"coalesce(r.mode, '{UNSPECIFIED}')",
}

COLUMNS = ["items", "respondents", "complete", "excluded", "alpha", "band"]

# At most this many non-overall items: a respondent's asked/scored items are bit masks.
MAX_ITEMS = 62
# Item scores packed per 128-bit sum: 42 x 3 bits stays below HUGEINT's sign bit.
ITEMS_PER_PACK = 42

# With a restriction on respondents, skip whole waves before aggregating their answers.
WAVE_PREFILTER = "a.wave IN (SELECT r.wave FROM survey_responses r WHERE {where})"

# The items alpha is taken over: one dimension's, else every item but the overall ones.
SCALE_ITEMS = "CASE WHEN CAST(? AS VARCHAR) IS NULL THEN NOT is_overall ELSE dimension = ? END"
ITEM_COUNT_SQL = f"SELECT count(*) FROM survey_items WHERE {SCALE_ITEMS}"  # noqa: S608 (constant)

# One pass over the answers gives, per respondent, the masks of asked and scored
# items, the total, and the item scores packed 3 bits each into 128-bit sums (p0 holds
# items 0-41, p1 items 42-83): a score is 1..5 and each item is answered at most once
# per respondent (primary key), so the sums never carry between items; unpacking is
# (p >> 3·i) & 7. One sum per 42 items instead of one CASE and max() per item makes
# the respondent grouping about a third faster. The respondent attributes and the exact
# filters are joined at respondent level, which is far cheaper than joining every
# answer. g_0, g_1, ... are the grouping columns.
RELIABILITY_SQL = """
WITH it AS (
    SELECT item_code, CAST(row_number() OVER (ORDER BY item_code) - 1 AS INTEGER) AS idx
    FROM survey_items WHERE {scale_items}
),
per AS (
    SELECT a.source_system, a.wave, a.respondent_id,
           bit_or(CAST(1 AS BIGINT) << it.idx) AS asked,
           bit_or(CASE WHEN a.score IS NOT NULL THEN CAST(1 AS BIGINT) << it.idx ELSE 0 END)
               AS scored,
           sum(a.score) AS total, {packed_select}
    FROM survey_answers a
    JOIN it ON it.item_code = a.item_code
    WHERE {prefilter}
    GROUP BY ALL
),
grouped AS (
    SELECT per.*, {g_select}
    FROM per
    JOIN survey_responses r
      ON r.source_system = per.source_system AND r.wave = per.wave
     AND r.respondent_id = per.respondent_id
    WHERE {where}
),
masks AS (
    -- the items asked in the group, and its respondents
    SELECT {g}, bit_or(asked) AS union_mask, count(*) AS respondents
    FROM grouped GROUP BY {g}
),
variances AS (
    -- complete respondents: a 1-5 score on every item asked in their group
    SELECT {g}, count(*) AS complete, var_samp(total) AS total_var,
           {item_var_sum} AS item_var_sum
    FROM grouped JOIN masks USING ({g})
    WHERE grouped.scored = masks.union_mask
    GROUP BY {g}
)
SELECT {g},
       bit_count(masks.union_mask) AS items,
       masks.respondents,
       coalesce(variances.complete, 0) AS complete,
       variances.total_var,
       variances.item_var_sum
FROM masks LEFT JOIN variances USING ({g})
ORDER BY {order}
"""


def _packed_select(m: int) -> str:
    """The packed-score sums p0, p1, ... for ``m`` items (ints only, safe to interpolate)."""
    packs = -(-m // ITEMS_PER_PACK)
    if packs <= 1:
        return "sum(CAST(a.score AS HUGEINT) << (3 * it.idx)) AS p0"
    return ", ".join(
        f"sum(CAST(a.score AS HUGEINT) << (3 * (it.idx % {ITEMS_PER_PACK}))) "
        f"FILTER (WHERE it.idx // {ITEMS_PER_PACK} = {j}) AS p{j}"
        for j in range(packs)
    )


def survey_reliability(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    *,
    by: tuple[str, ...] = ("wave",),
    dimension: str | None = None,
) -> pd.DataFrame:
    """Cronbach's alpha (信度) of a scale of survey items, per wave, with its band.

    Items: those of ``dimension`` if given, else every item the mapping does not mark
    as overall; those answered in the group count (k = items).
    Listwise deletion: only respondents with a 1-5 score on all k items count
    (complete); those with any 無意見/不知道/拒答/未答 or a missing item are excluded
    and counted (excluded = respondents - complete). Sample variances are taken in
    SQL. Unit: alpha (≤ 1, may be negative); band 優良 ≥ .9, 良好 ≥ .8, 可接受 ≥ .7,
    尚可 ≥ .6, else 不佳 (無法計算 when k < 2, complete < 2 or the totals do not vary).
    Grain: one row per ``by`` group (wave, agency, unit, mode). Period on responded_on;
    filters on agency, unit, district.
    """
    by = check_by(by, tuple(BY_COLUMNS))
    names = [f"g_{i}" for i in range(len(by))] or ["g_0"]
    exprs = [BY_COLUMNS[b] for b in by] or ["TRUE"]
    where, params = filters.where(PERIOD_COLUMN, alias="r", applies=SURVEY_FILTERS)
    scale = [dimension, dimension]
    m = scalar(con, ITEM_COUNT_SQL, scale)
    if m > MAX_ITEMS:
        raise ValueError(f"非整體題目超過 {MAX_ITEMS} 題（{m} 題），無法計算 Cronbach's alpha")
    # item indexes and pack numbers are ints from range(), so writing them into the SQL is safe
    sql = RELIABILITY_SQL.format(
        scale_items=SCALE_ITEMS,
        packed_select=_packed_select(m),
        prefilter=WAVE_PREFILTER.format(where=where) if params else "TRUE",
        where=where,
        g_select=", ".join(f"{e} AS {n}" for e, n in zip(exprs, names, strict=True)),
        g=", ".join(names),
        item_var_sum=" + ".join(
            f"coalesce(var_samp(CAST((p{i // ITEMS_PER_PACK} >> {3 * (i % ITEMS_PER_PACK)}) & 7 "
            "AS INTEGER)), 0)"
            for i in range(m)
        )
        or "NULL",
        order=", ".join(f"{n} NULLS LAST" for n in names),
    )
    df = con.execute(sql, [*scale, *params, *params]).df()
    if df.empty:
        return pd.DataFrame(columns=[*by, *COLUMNS])
    items = df["items"].to_numpy(dtype=float)
    complete = df["complete"].to_numpy(dtype=float)
    alpha = stats.cronbach_alpha_from_variances(
        items, df["item_var_sum"].to_numpy(dtype=float), df["total_var"].to_numpy(dtype=float)
    )
    alpha = np.where(complete >= 2, alpha, np.nan)
    out = df[names[: len(by)]].copy()
    out.columns = list(by)
    out["items"] = df["items"].astype("int64")
    out["respondents"] = df["respondents"].astype("int64")
    out["complete"] = df["complete"].astype("int64")
    out["excluded"] = out["respondents"] - out["complete"]
    out["alpha"] = alpha
    out["band"] = [stats.alpha_band(a) for a in alpha]
    return out
