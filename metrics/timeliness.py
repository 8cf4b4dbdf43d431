"""Family 1, reply timeliness (回覆時限): on-time rate, open and overdue cases, aging,
reply working days, extensions.

Working days come from the office calendar loaded at ETL time: ``reply_working_days``
is counted from the next working day after receipt (文書處理手冊；行政程序法 §48), and
overdue aging subtracts the calendar's ``working_day_index``, so make-up Saturdays
(補行上班) count and holidays do not.

Closed cases with bad dates are never dropped silently: every function over closed
cases returns ``excluded_missing_dates``, ``excluded_reply_before_receipt`` and
``excluded_same_minute`` beside its figures (see ``QUALITY_SQL``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import duckdb
import numpy as np
import pandas as pd

from etl.db import scalar
from metrics import _sql
from metrics.filters import Filters

PUBLIC_METRICS = ("on_time_rate", "reply_days", "open_cases", "overdue_aging", "extensions")

DATE_BASES = {"received": "received_date", "replied": "replied_date"}

# Data quality of a closed case (0 valid, 1 missing dates, 2 reply before receipt,
# 3 same-minute closure) is computed once at load time: see etl.petitions.REPLY_QUALITY_SQL.
QUALITY_SQL = "reply_quality"

EXCLUSION_COLUMNS = """
  count(*) FILTER (WHERE quality = 1) AS excluded_missing_dates,
  count(*) FILTER (WHERE quality = 2) AS excluded_reply_before_receipt,
  count(*) FILTER (WHERE quality = 3) AS excluded_same_minute
"""

ON_TIME_SQL = """
WITH c AS (
  SELECT {groups} {quality} AS quality, on_time
  FROM petitions
  WHERE NOT is_open AND {where}
)
SELECT {names}
  count(*) FILTER (WHERE quality = 0) AS replied,
  count(*) FILTER (WHERE quality = 0 AND on_time) AS on_time,
  count(*) FILTER (WHERE quality = 0 AND NOT on_time) AS late,
  count(*) FILTER (WHERE quality = 0 AND on_time)
    / nullif(count(*) FILTER (WHERE quality = 0), 0) AS on_time_rate,
  {exclusions}
FROM c {group_by} {order_by}
"""

REPLY_DAYS_SQL = """
WITH c AS (
  SELECT {groups} {quality} AS quality, reply_working_days AS d
  FROM petitions
  WHERE NOT is_open AND {where}
)
SELECT {names}
  count(*) FILTER (WHERE quality = 0) AS replied,
  avg(d) FILTER (WHERE quality = 0) AS mean_working_days,
  max(d) FILTER (WHERE quality = 0) AS max_working_days,
  {exclusions}
FROM c {group_by} {order_by}
"""

# Working days are small integers, so exact quantiles come from a histogram per
# group (one hash aggregate) instead of sorting millions of values twice.
REPLY_DAYS_HISTOGRAM_SQL = """
WITH c AS (
  SELECT {groups} {quality} AS quality, reply_working_days AS d
  FROM petitions
  WHERE NOT is_open AND {where}
)
SELECT {names} d, count(*) AS n FROM c WHERE quality = 0 GROUP BY ALL ORDER BY ALL
"""

# Open at the end of as_of: received by then, and not replied or closed by then. Two
# branches, because each filter alone can be pushed into the scan and an OR cannot.
OPEN_AT = """
open_at AS (
  SELECT * FROM petitions WHERE is_open AND received_date <= ?
  UNION ALL
  SELECT * FROM petitions WHERE NOT is_open AND replied_date > ? AND received_date <= ?
)
"""

OPEN_SQL = """
WITH {open_at}
SELECT {names}
  CAST(? AS DATE) AS as_of,
  count(*) AS open,
  count(*) FILTER (WHERE effective_due_date >= ?) AS open_not_due,
  count(*) FILTER (WHERE effective_due_date < ?) AS open_overdue,
  count(*) FILTER (WHERE effective_due_date IS NULL) AS open_no_due_date
FROM open_at
WHERE {where}
{group_by} {order_by}
"""

# Working days past due = working days after the due date up to and including as_of,
# the difference of the calendar's working_day_index.
AGING_SQL = """
WITH {open_at},
o AS (
  SELECT {groups}
    CAST(? AS INTEGER) - d.working_day_index AS past_due
  FROM open_at p LEFT JOIN calendar d ON d.day = p.effective_due_date
  WHERE p.effective_due_date < ? AND {where}
)
SELECT {names}
  CAST(? AS DATE) AS as_of,
  count(*) AS overdue_open,
  count(*) FILTER (WHERE past_due <= 5) AS aging_le_5,
  count(*) FILTER (WHERE past_due BETWEEN 6 AND 10) AS aging_6_10,
  count(*) FILTER (WHERE past_due BETWEEN 11 AND 30) AS aging_11_30,
  count(*) FILTER (WHERE past_due > 30) AS aging_gt_30,
  count(*) FILTER (WHERE past_due IS NULL) AS aging_outside_calendar,
  max(past_due) AS max_working_days_past_due
FROM o {group_by} {order_by}
"""

AGING_LABELS = {
    "aging_le_5": "逾期 5 個工作天內",
    "aging_6_10": "逾期 6-10 個工作天",
    "aging_11_30": "逾期 11-30 個工作天",
    "aging_gt_30": "逾期逾 30 個工作天",
    "aging_outside_calendar": "期限超出辦公日曆範圍",
}

EXTENSIONS_SQL = """
WITH c AS (
  SELECT {groups}
    extended_due_date IS NOT NULL
      AND (due_date IS NULL OR extended_due_date <> due_date) AS extended,
    is_open, on_time
  FROM petitions
  WHERE {where}
)
SELECT {names}
  count(*) AS cases,
  count(*) FILTER (WHERE extended) AS extended,
  count(*) FILTER (WHERE extended) / nullif(count(*), 0) AS extension_rate,
  count(*) FILTER (WHERE extended AND NOT is_open AND on_time) AS extended_on_time,
  count(*) FILTER (WHERE extended AND NOT is_open AND NOT on_time) AS extended_late,
  count(*) FILTER (WHERE extended AND is_open) AS extended_open
FROM c {group_by} {order_by}
"""


def _date_column(date_basis: str) -> str:
    if date_basis not in DATE_BASES:
        raise ValueError(
            f"期間基準「{date_basis}」不支援；可用：received（受理日）、replied（回覆日）"
        )
    return DATE_BASES[date_basis]


def _closed_query(
    template: str,
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    by: str | Sequence[str],
    date_basis: str,
) -> pd.DataFrame:
    column = _date_column(date_basis)
    groups = _sql.group_columns(by, _sql.petition_keys(column))
    where, params = filters.where(column)
    sql = template.format(
        groups=_sql.select_list(groups),
        names="".join(f"{name}, " for name, _ in groups),
        quality=QUALITY_SQL,
        exclusions=EXCLUSION_COLUMNS,
        where=where,
        group_by=_sql.group_clause(groups),
        order_by=_sql.order_clause(groups),
    )
    return _sql.format_months(con.execute(sql, params).df())


def on_time_rate(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    *,
    by: str | Sequence[str] = (),
    date_basis: str = "received",
) -> pd.DataFrame:
    """依限辦結率: closed cases replied on or before their effective due date.

    on_time_rate = on_time / replied (a fraction 0-1; NULL when nothing was replied),
    where replied counts closed or answered cases with valid dates, on_time those whose
    reply date is on or before the due date after extension (依限辦結) and late the rest
    (逾限辦結). Grain: one row per ``by`` group (month, unit, agency, channel, category,
    subcategory, district), or one row overall. The period applies to the receipt date
    (``date_basis="received"``) or the reply date (``"replied"``). Open cases are not
    counted here (see ``open_cases``); closed cases with missing dates, a reply before
    receipt or a same-minute closure are left out of the rate and counted in
    ``excluded_*`` columns.
    """
    return _closed_query(ON_TIME_SQL, con, filters, by, date_basis)


def reply_days(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    *,
    by: str | Sequence[str] = (),
    date_basis: str = "received",
) -> pd.DataFrame:
    """回覆工作天數: working days from receipt to first reply (else closure).

    Counted on the office calendar from the next working day after receipt to the reply
    date (0 when replied the same day); reports replied (n), the median, 90th percentile
    (linear interpolation, as numpy's default), mean and maximum, in working days. Grain
    and period as ``on_time_rate``. Open cases have no duration and are not counted;
    closed cases with missing dates, a reply before receipt or a same-minute closure are
    left out and counted in ``excluded_*`` columns.
    """
    frame = _closed_query(REPLY_DAYS_SQL, con, filters, by, date_basis)
    histogram = _closed_query(REPLY_DAYS_HISTOGRAM_SQL, con, filters, by, date_basis)
    names = [c for c in frame.columns if c not in REPLY_DAYS_MEASURES]
    quantiles = _histogram_quantiles(
        histogram, names, {"median_working_days": 0.5, "p90_working_days": 0.9}
    )
    frame = (
        frame.merge(quantiles, on=names, how="left") if names else frame.assign(**quantiles.iloc[0])
    )
    return frame[[*names, "replied", "median_working_days", "p90_working_days",
                  "mean_working_days", "max_working_days", *EXCLUSION_NAMES]]  # fmt: skip


REPLY_DAYS_MEASURES = ("replied", "mean_working_days", "max_working_days",
                       "excluded_missing_dates", "excluded_reply_before_receipt", "excluded_same_minute")  # fmt: skip
EXCLUSION_NAMES = REPLY_DAYS_MEASURES[3:]


def _weighted_quantile(values: np.ndarray, counts: np.ndarray, p: float) -> float:
    """numpy's default (linear) quantile of the multiset {values[i] x counts[i]}, values sorted."""
    total = counts.sum()
    if total == 0:
        return float("nan")
    position = (total - 1) * p
    lower, upper = int(np.floor(position)), int(np.ceil(position))
    cumulative = np.cumsum(counts)
    at = lambda rank: values[np.searchsorted(cumulative, rank, side="right")]  # noqa: E731
    return float(at(lower) + (position - lower) * (at(upper) - at(lower)))


def _histogram_quantiles(
    histogram: pd.DataFrame, names: list[str], wanted: dict[str, float]
) -> pd.DataFrame:
    """One row per group (``names``) with the requested quantiles of its histogram (d, n)."""

    def row(part: pd.DataFrame) -> dict:
        values, counts = part["d"].to_numpy(dtype=float), part["n"].to_numpy(dtype=np.int64)
        return {column: _weighted_quantile(values, counts, p) for column, p in wanted.items()}

    if not names:
        return pd.DataFrame([row(histogram)])
    rows = [{**dict(zip(names, key if isinstance(key, tuple) else (key,), strict=True)), **row(part)}
            for key, part in histogram.groupby(names, dropna=False, sort=False)]  # fmt: skip
    return pd.DataFrame(rows, columns=[*names, *wanted])


def default_as_of(con: duckdb.DuckDBPyConnection, filters: Filters) -> dt.date | None:
    """The period end if set, else the latest receipt date in the data (never today)."""
    return filters.end or _sql.latest_received(con, filters)


def _open_filters(filters: Filters, backlog: bool) -> Filters:
    return filters.with_period(None if backlog else filters.start, None)


def open_cases(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    *,
    by: str | Sequence[str] = (),
    as_of: dt.date | None = None,
    backlog: bool = True,
) -> pd.DataFrame:
    """未結案件: cases open at the end of ``as_of``, split into not yet due and overdue.

    A case is open at ``as_of`` when received on or before it and not replied or closed
    by it; it is overdue (逾期未結) when its effective due date (after extension) is
    before ``as_of``, not yet due (未逾期) otherwise, and counted in ``open_no_due_date``
    when it has no due date. Unit: cases. Grain: one row per ``by`` group (month = month
    of receipt). ``as_of`` defaults to the period end, else the latest receipt date in
    the data. With ``backlog=True`` (default) every case received up to ``as_of`` counts
    (the whole backlog); with ``False`` only cases received within the period.
    """
    as_of = as_of or default_as_of(con, filters)
    groups = _sql.group_columns(by, _sql.petition_keys())
    where, params = _open_filters(filters, backlog).where("received_date")
    sql = OPEN_SQL.format(
        names=_sql.select_list(groups),
        open_at=OPEN_AT,
        where=where,
        group_by=_sql.group_clause(groups),
        order_by=_sql.order_clause(groups),
    )
    return _sql.format_months(con.execute(sql, [as_of] * 6 + params).df())


# Open and overdue open cases at several dates in one scan: open at d (received by d,
# not replied or closed by d), overdue when also past due (effective due date before
# d), as OPEN_AT and OPEN_SQL define them. The outer WHERE keeps only rows that can
# count at any date.
OPEN_AT_DATES_SQL = """
SELECT {groups} {counts}
FROM petitions
WHERE received_date <= ? AND (is_open OR replied_date > ?) AND {where}
{group_by} {order_by}
"""
OPEN_AT_DATE = (
    "count(*) FILTER (WHERE received_date <= ? AND (is_open OR replied_date > ?)) AS open_{i}, "
    "count(*) FILTER (WHERE received_date <= ? AND (is_open OR replied_date > ?)"
    " AND effective_due_date < ?) AS overdue_{i}"
)


def open_at_dates(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    dates: Sequence[dt.date],
    *,
    by: str | Sequence[str] = (),
) -> pd.DataFrame:
    """Open and overdue open cases of the whole backlog at each of ``dates``, in one scan.

    Columns ``open_<i>`` and ``overdue_<i>`` are ``open_cases(con, filters, by=by,
    as_of=dates[i])``'s open and open_overdue (backlog=True: the period of ``filters``
    is ignored, the other filters apply). For the composites (scorecard, monthly
    summary) that compare several dates; not a metric of its own. Groups with no open
    case at any of the dates are absent.
    """
    if not dates:
        raise ValueError("至少需要一個日期")
    groups = _sql.group_columns(by, _sql.petition_keys())
    where, params = _open_filters(filters, True).where("received_date")
    sql = OPEN_AT_DATES_SQL.format(
        groups=_sql.select_list(groups),
        counts=", ".join(OPEN_AT_DATE.format(i=i) for i in range(len(dates))),
        where=where,
        group_by=_sql.group_clause(groups),
        order_by=_sql.order_clause(groups),
    )
    args = [d for day in dates for d in (day,) * 5]
    args += [max(dates), min(dates), *params]
    return _sql.format_months(con.execute(sql, args).df())


def overdue_aging(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    *,
    by: str | Sequence[str] = (),
    as_of: dt.date | None = None,
    backlog: bool = True,
) -> pd.DataFrame:
    """逾期案件帳齡: overdue open cases by working days past their due date at ``as_of``.

    Working days past due = working days after the effective due date up to and including
    ``as_of`` (difference of the office calendar's working-day index, so 補行上班
    Saturdays count and holidays do not); buckets aging_le_5 (0-5: a case due on Friday
    and counted on Saturday is overdue by 0 working days), aging_6_10, aging_11_30,
    aging_gt_30, with Chinese labels in ``AGING_LABELS``; a due date outside the calendar
    is counted in aging_outside_calendar, not dropped. Unit: cases. Grain, ``as_of`` and
    ``backlog`` as ``open_cases``; overdue_open equals open_overdue there.
    """
    as_of = as_of or default_as_of(con, filters)
    groups = _sql.group_columns(by, _sql.petition_keys(), alias="p")
    where, params = _open_filters(filters, backlog).where("received_date", alias="p")
    sql = AGING_SQL.format(
        groups=_sql.select_list(groups),
        names="".join(f"{name}, " for name, _ in groups),
        open_at=OPEN_AT,
        where=where,
        group_by=_sql.group_clause(groups),
        order_by=_sql.order_clause(groups),
    )
    as_of_index = scalar(con, "SELECT working_day_index FROM calendar WHERE day = ?", [as_of])
    frame = con.execute(sql, [as_of] * 3 + [as_of_index, as_of, *params, as_of]).df()
    return _sql.format_months(frame)


def extensions(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    *,
    by: str | Sequence[str] = (),
) -> pd.DataFrame:
    """展延: cases whose due date was extended, and how they ended.

    extended = cases with an extended due date different from the original;
    extension_rate = extended / cases (fraction; NULL with no cases); extended_on_time,
    extended_late and extended_open split the extended cases by outcome (on time means
    by the extended date). Unit: cases. Grain: one row per ``by`` group; the period
    applies to the receipt date. Cases without an original due date count as extended
    when an extended date is given.
    """
    groups = _sql.group_columns(by, _sql.petition_keys())
    where, params = filters.where("received_date")
    sql = EXTENSIONS_SQL.format(
        groups=_sql.select_list(groups),
        names="".join(f"{name}, " for name, _ in groups),
        where=where,
        group_by=_sql.group_clause(groups),
        order_by=_sql.order_clause(groups),
    )
    return _sql.format_months(con.execute(sql, params).df())
