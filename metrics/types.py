"""Family 3, petition types and channels (陳情型態): counts and shares, month-over-month
and year-over-year change, top categories, repeat petitions.

Spike detection, the other half of this family, lives in ``metrics.spikes``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import duckdb
import pandas as pd

from metrics import _sql
from metrics.filters import Filters

PUBLIC_METRICS = ("type_counts", "type_changes", "top_categories", "repeat_petitions")

COUNTS_SQL = """
SELECT {groups} count(*) AS cases,
       count(*) / sum(count(*)) OVER ({share_partition}) AS share
FROM petitions WHERE {where}
{group_by} {order_by}
"""

# A grid of (group, month) over the period's months, each with its count, the previous
# month's and the same month's a year before (zero where no petition, NULL where the
# month lies before the first month of data, so "no data" differs from "none").
CHANGES_SQL = """
WITH counts AS (
  SELECT {groups} date_trunc('month', received_date) AS m, count(*) AS cases
  FROM petitions WHERE {where} GROUP BY ALL
),
keys AS (SELECT DISTINCT {names_only} FROM counts),
months AS (
  SELECT unnest(generate_series(CAST(? AS DATE), CAST(? AS DATE), INTERVAL 1 MONTH))::DATE AS m
),
grid AS (SELECT * FROM keys CROSS JOIN months),
first_month AS (SELECT CAST(? AS DATE) AS f)
SELECT {grid_names} strftime(g.m, '%Y-%m') AS month,
       coalesce(c0.cases, 0) AS cases,
       CASE WHEN g.m - INTERVAL 1 MONTH >= f THEN coalesce(c1.cases, 0) END AS prev_month_cases,
       CASE WHEN g.m - INTERVAL 12 MONTH >= f THEN coalesce(c12.cases, 0) END
         AS last_year_cases
FROM grid g CROSS JOIN first_month
LEFT JOIN counts c0 ON c0.m = g.m {join0}
LEFT JOIN counts c1 ON c1.m = g.m - INTERVAL 1 MONTH {join1}
LEFT JOIN counts c12 ON c12.m = g.m - INTERVAL 12 MONTH {join12}
ORDER BY {order_names} g.m
"""

TOP_SQL = """
WITH c AS (
  SELECT {groups} count(*) AS cases FROM petitions WHERE {where} {group_by}
),
ranked AS (
  SELECT row_number() OVER (ORDER BY cases DESC, {names}) AS rank, {names}, cases,
         cases / sum(cases) OVER () AS share
  FROM c
)
SELECT rank, {names}, cases, share,
       sum(share) OVER (ORDER BY rank ROWS UNBOUNDED PRECEDING) AS cumulative_share
FROM ranked WHERE rank <= ? ORDER BY rank
"""

# A petition repeats when the same petitioner key filed one in the same category at
# most `window` days earlier (by receipt date). Earlier petitions just before the period
# count as the earlier one, and so do petitions outside the dimension filters (the same
# person writing about the same matter to another unit is still repeating).
# The gap to the previous petition of the same petitioner and category is computed
# at load time over all petitions (etl.petitions.REPEAT_GAP_SQL), so earlier petitions
# outside the period or the filters still count, and this is one filtered scan; the
# keys are 64-bit integers (etl.pii.petitioner_key), cheap to count distinct.
REPEATS_SQL = """
WITH totals AS (
  SELECT {groups}
    count(*) AS cases,
    count(*) FILTER (WHERE petitioner_key IS NOT NULL) AS cases_with_key,
    count(*) FILTER (WHERE repeat_gap_days <= ?) AS repeat_cases
  FROM petitions WHERE {where}
  {group_by}
),
petitioners AS (
  -- A DISTINCT under FILTER would hash every row's key; only repeats need it.
  SELECT {groups} count(DISTINCT petitioner_key) AS repeat_petitioners
  FROM petitions WHERE repeat_gap_days <= ? AND {where}
  {group_by}
)
SELECT {total_names}
  t.cases, t.cases_with_key, t.repeat_cases,
  t.repeat_cases / nullif(t.cases_with_key, 0) AS repeat_rate,
  coalesce(r.repeat_petitioners, 0) AS repeat_petitioners
FROM totals t LEFT JOIN petitioners r ON {join}
{order_by}
"""


def type_counts(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    *,
    by: str | Sequence[str] = ("category",),
) -> pd.DataFrame:
    """陳情型態件數: petitions and their share by category, subcategory, channel, ….

    cases = petitions received in the period; share = cases / all petitions matching the
    filters (fraction), or within each month when ``by`` includes month. Grain: one row
    per ``by`` group (month, unit, agency, channel, category, subcategory, district);
    NULL values are grouped as 未填 (districts as 未填行政區 / 其他縣市), never dropped.
    """
    groups = _sql.group_columns(by, _sql.petition_keys())
    if not groups:
        raise ValueError("陳情型態件數需要至少一個分組欄位")
    where, params = filters.where("received_date")
    partition = "PARTITION BY month" if any(n == "month" for n, _ in groups) else ""
    sql = COUNTS_SQL.format(
        groups=_sql.select_list(groups),
        share_partition=partition,
        where=where,
        group_by=_sql.group_clause(groups),
        order_by=_sql.order_clause(groups),
    )
    return _sql.format_months(con.execute(sql, params).df())


def _change(current: pd.Series, previous: pd.Series) -> pd.Series:
    previous = previous.astype("Float64")
    return (current - previous) / previous.where(previous != 0)


def _data_bounds(
    con: duckdb.DuckDBPyConnection, filters: Filters
) -> tuple[dt.date, dt.date] | None:
    """First and last receipt dates under the dimension filters (period ignored)."""
    where, params = filters.with_period(None, None).where(None)
    rows = con.execute(
        f"SELECT min(received_date), max(received_date) FROM petitions WHERE {where}",  # noqa: S608
        params,
    ).fetchall()
    return None if rows[0][0] is None else rows[0]


def type_changes(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    *,
    by: str | Sequence[str] = ("category",),
) -> pd.DataFrame:
    """月增減與年增減: each month's petitions vs the previous month and a year before.

    One row per ``by`` group (category, subcategory, channel, unit, agency, district)
    and month of the period (months with no petition show 0). mom_change = (cases −
    prev_month_cases) / prev_month_cases and yoy_change likewise against
    last_year_cases (fractions). A comparison month before the first month in the data
    has NULL counts (no data, not zero), and a change over a zero or missing month is
    NULL: never a division by zero. Months are whole calendar months: a period that
    starts or ends mid-month covers those months in full.
    """
    allowed = {k: v for k, v in _sql.petition_groupings().items() if k != "month"}
    groups = _sql.group_columns(by, allowed)
    if not groups:
        raise ValueError("月增減需要至少一個分組欄位")
    bounds = _data_bounds(con, filters)
    names = [name for name, _ in groups]
    columns = ["month", "cases", "prev_month_cases", "last_year_cases"]
    if bounds is None:
        return pd.DataFrame(columns=[*names, *columns, "mom_change", "yoy_change"])
    first_month = _sql.month_start(bounds[0])
    start = _sql.month_start(filters.start or bounds[0])
    end = _sql.month_start(filters.end or bounds[1])
    lookback = filters.with_period(_sql.add_months(start, -12), _sql.month_end(end))
    where, params = lookback.where("received_date")
    sql = CHANGES_SQL.format(
        groups=_sql.select_list(groups),
        names_only=", ".join(names),
        where=where,
        grid_names="".join(f"g.{n}, " for n in names),
        join0="".join(f" AND c0.{n} IS NOT DISTINCT FROM g.{n}" for n in names),
        join1="".join(f" AND c1.{n} IS NOT DISTINCT FROM g.{n}" for n in names),
        join12="".join(f" AND c12.{n} IS NOT DISTINCT FROM g.{n}" for n in names),
        order_names="".join(f"g.{n}, " for n in names),
    )
    frame = con.execute(sql, [*params, start, end, first_month]).df()
    frame["mom_change"] = _change(frame["cases"], frame["prev_month_cases"])
    frame["yoy_change"] = _change(frame["cases"], frame["last_year_cases"])
    return frame


def top_categories(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    *,
    n: int = 10,
    by: str = "category",
) -> pd.DataFrame:
    """前 N 大陳情類別: the ``n`` largest categories (or subcategories, channels, units).

    rank (1 = most petitions; ties broken by name), cases, share of all petitions
    matching the filters, and cumulative_share down the ranking (fractions). NULL values
    rank as 未填; by district, in_city is listed beside the name. Grain: one row per ranked value, at most ``n`` rows.
    """
    allowed = {k: v for k, v in _sql.petition_groupings().items() if k != "month"}
    if not isinstance(by, str):
        raise ValueError("前 N 名只接受一個分組欄位")
    groups = _sql.group_columns(by, allowed)
    if n < 1:
        raise ValueError("前 N 名的 N 至少為 1")
    where, params = filters.where("received_date")
    sql = TOP_SQL.format(
        groups=_sql.select_list(groups),
        names=", ".join(name for name, _ in groups),
        where=where,
        group_by=_sql.group_clause(groups),
    )
    return con.execute(sql, [*params, n]).df()


def repeat_petitions(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    *,
    by: str | Sequence[str] = (),
    repeat_window_days: int = 30,
) -> pd.DataFrame:
    """重複陳情: petitions by a petitioner who filed in the same category shortly before.

    A petition is a repeat when the same petitioner key has an earlier petition in the
    same category received at most ``repeat_window_days`` days before it (receipt
    dates; earlier petitions just before the period or outside the dimension filters
    count as the earlier one). repeat_rate = repeat_cases / cases_with_key (fraction;
    petitions without a key cannot be matched and are reported in cases −
    cases_with_key, not as non-repeats); repeat_petitioners = distinct keys with at
    least one repeat. Grain: one row per ``by`` group.
    """
    if repeat_window_days < 1:
        raise ValueError("重複陳情的間隔天數至少為 1")
    groups = _sql.group_columns(by, _sql.petition_keys())
    where, params = filters.where("received_date")
    names = [name for name, _ in groups]
    sql = REPEATS_SQL.format(
        groups=_sql.select_list(groups),
        where=where,
        group_by=_sql.group_clause(groups),
        order_by=_sql.order_clause([(f"t.{n}", e) for n, e in groups]) if groups else "",
        total_names="".join(f"t.{n}, " for n in names),
        join=" AND ".join(f"r.{n} IS NOT DISTINCT FROM t.{n}" for n in names) or "TRUE",
    )
    args = [repeat_window_days, *params, repeat_window_days, *params]
    frame = con.execute(sql, args).df()
    return _sql.format_months(frame)
