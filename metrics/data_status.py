"""What the database holds and how fresh it is (資料狀態), so a dip in a chart can be told
from a missing load: batches with their accounting, the rules rows were rejected by,
months with no or unusually few petitions, rows outside the city, the office calendar.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from store import meta
from store.db import scalar
from store.vocabulary import NO_DISTRICT, REASON_SEPARATOR, VALUE_QUOTE

PUBLIC_METRICS = (
    "load_batches",
    "reject_rules",
    "monthly_volume",
    "outside_city",
    "calendar_status",
)

BATCHES_SQL = """
SELECT batch_id, kind, file_name, mapping, encoding, rows_read, rows_loaded, rows_updated,
       rows_unchanged, rows_rejected, outcome, started_at, finished_at, data_as_of,
       rows_read = rows_loaded + rows_updated + rows_unchanged + rows_rejected AS balanced
FROM batches ORDER BY batch_id DESC
"""

# A reason names its rule before the first quoted value: 「無法辨識的行政區「X」…」 → the rule.
REJECT_RULES_SQL = """
WITH parts AS (
  SELECT batch_id, unnest(string_split(reason, ?)) AS part FROM rejects WHERE {where}
)
SELECT batch_id, rtrim(split_part(part, ?, 1), '：') AS rule, count(*) AS rows
FROM parts GROUP BY 1, 2
QUALIFY row_number() OVER (PARTITION BY batch_id ORDER BY count(*) DESC, rule) <= ?
ORDER BY batch_id DESC, rows DESC, rule
"""

MONTHLY_SQL = "SELECT month, CAST(sum(cases) AS BIGINT) AS cases FROM petition_monthly GROUP BY 1"

OUTSIDE_SQL = """
SELECT coalesce(district_city, ?) AS city, count(*) AS cases
FROM petitions WHERE in_city IS NOT TRUE GROUP BY 1 ORDER BY cases DESC, city
"""

CALENDAR_SQL = """
SELECT source, count(*) AS days, min(day) AS first_day, max(day) AS last_day,
       count(*) FILTER (WHERE NOT is_working_day) AS days_off
FROM calendar GROUP BY source ORDER BY source
"""

NO_ROWS = "無資料"
FEW_ROWS = "件數異常偏少"
LOW_SHARE = 0.5  # a month under half its neighbours' median is flagged
NEIGHBOURS = 6  # months on each side the median is taken over


def load_batches(con: duckdb.DuckDBPyConnection, filters: object = None) -> pd.DataFrame:
    """載入紀錄: every batch, newest first, with its accounting (rows read = loaded +
    updated + unchanged + rejected; ``balanced`` says it holds, which the schema
    enforces) and the export's extraction date when known. ``filters`` is ignored."""
    return con.execute(BATCHES_SQL).df()


def reject_rules(
    con: duckdb.DuckDBPyConnection,
    filters: object = None,
    *,
    batch_id: int | None = None,
    limit: int = 5,
) -> pd.DataFrame:
    """主要拒絕原因: for each batch (or one), the ``limit`` rules most rows were rejected by.

    A row can break several rules (its reasons are joined by 「；」); each counts once per
    rule. The rule is a reason's text before its first quoted value, so the rejected
    values themselves (already masked) are not grouped on. Columns batch_id, rule, rows.
    """
    where, params = ("batch_id = ?", [batch_id]) if batch_id is not None else ("TRUE", [])
    sql = REJECT_RULES_SQL.format(where=where)
    return con.execute(sql, [REASON_SEPARATOR, *params, VALUE_QUOTE, limit]).df()


def monthly_volume(con: duckdb.DuckDBPyConnection, filters: object = None) -> pd.DataFrame:
    """每月件數與缺漏: petitions received per month from the first month to the last,
    months without any included, each against the median of its ``NEIGHBOURS`` months
    on either side (itself excluded). ``flag`` is 無資料 for an empty month and
    件數異常偏少 under half that median, so a dip from a missing load stands out; a
    month with fewer than three neighbours is not judged. Columns month (first day),
    cases, neighbours_median, flag. ``filters`` is ignored (the whole database)."""
    frame = con.execute(MONTHLY_SQL).df()
    if frame.empty:
        return pd.DataFrame(columns=["month", "cases", "neighbours_median", "flag"])
    months = pd.to_datetime(frame["month"])
    first, last = months.min(), months.max()
    grid = pd.date_range(first, last, freq="MS")
    cases = (
        pd.Series(frame["cases"].to_numpy(), index=months).reindex(grid, fill_value=0).to_numpy()
    )
    medians = np.full(len(grid), np.nan)
    for i in range(len(grid)):
        around = np.r_[cases[max(0, i - NEIGHBOURS) : i], cases[i + 1 : i + 1 + NEIGHBOURS]]
        if len(around) >= 3:
            medians[i] = np.median(around)
    flag = np.where(
        cases == 0, NO_ROWS, np.where(cases < LOW_SHARE * np.nan_to_num(medians), FEW_ROWS, "")
    )
    return pd.DataFrame(
        {
            "month": [d.date() for d in grid],
            "cases": cases.astype("int64"),
            "neighbours_median": medians,
            "flag": pd.Series(flag).replace("", None),
        }
    )


def outside_city(con: duckdb.DuckDBPyConnection, filters: object = None) -> pd.DataFrame:
    """本市以外的案件: petitions whose district lies in another city, by city, and those
    without a district (未填行政區 line). Columns city, cases. Kept, never dropped."""
    return con.execute(OUTSIDE_SQL, [NO_DISTRICT]).df()


def calendar_status(con: duckdb.DuckDBPyConnection, filters: object = None) -> pd.DataFrame:
    """辦公日曆來源: days of the office calendar by source ('holidays' package or a loaded
    'dgpa' 辦公日曆表), their span and days off, and the ``holidays`` version that built
    the package's days (NULL before it was recorded)."""
    frame = con.execute(CALENDAR_SQL).df()
    frame["holidays_version"] = meta.get(con, meta.CALENDAR_HOLIDAYS_VERSION)
    return frame


def batch_exists(con: duckdb.DuckDBPyConnection, batch_id: int) -> bool:
    """Whether a batch of that number was recorded."""
    return bool(scalar(con, "SELECT count(*) FROM batches WHERE batch_id = ?", [batch_id]))
