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
import pandas as pd

from metrics import _sql
from metrics.filters import Filters
from metrics.freshness import data_as_of
from store import vocabulary
from store.db import scalar
from store.vocabulary import ReplyQuality

PUBLIC_METRICS = (
    "on_time_rate", "reply_days", "reply_day_counts", "open_cases", "overdue_aging", "extensions",
)  # fmt: skip

DATE_BASES = {"received": "received_date", "replied": "replied_date"}

# Data quality of a closed case (store.vocabulary.ReplyQuality) is computed once at load
# time; the figures count valid cases and report the others by code, never drop them.
QUALITY_SQL = "reply_quality"
VALID = int(ReplyQuality.VALID)

EXCLUSION_COLUMNS = ",".join(
    f"\n  count(*) FILTER (WHERE quality = {code:d}) AS {name}"
    for code, name in vocabulary.EXCLUSION_COLUMNS.items()
)
# The same counts from a histogram of (quality, n) rows.
HISTOGRAM_EXCLUSIONS = ",".join(
    f"\n    CAST(coalesce(sum(n) FILTER (WHERE quality = {code:d}), 0) AS BIGINT) AS {name}"
    for code, name in vocabulary.EXCLUSION_COLUMNS.items()
)

ON_TIME_SQL = """
WITH c AS (
  SELECT {groups} {quality} AS quality, on_time
  FROM petitions
  WHERE NOT is_open AND {where}
)
SELECT {names}
  count(*) FILTER (WHERE quality = {valid}) AS replied,
  count(*) FILTER (WHERE quality = {valid} AND on_time) AS on_time,
  count(*) FILTER (WHERE quality = {valid} AND NOT on_time) AS late,
  count(*) FILTER (WHERE quality = {valid} AND on_time)
    / nullif(count(*) FILTER (WHERE quality = {valid}), 0) AS on_time_rate,
  {exclusions}
FROM c {group_by} {order_by}
"""

# Working days are small integers, so exact quantiles come from a histogram per group
# (one hash aggregate) instead of sorting millions of values: with the running count of
# each group's histogram in d order, the value of rank r is the smallest d whose running
# count exceeds r, and numpy's linear quantile at p interpolates between the values of
# ranks floor((n - 1)p) and ceil((n - 1)p). Mean, maximum and the exclusions come from
# the same histogram, so only one row per group leaves DuckDB.
REPLY_DAYS_SQL = """
WITH c AS (
  SELECT {groups} {quality} AS quality, reply_working_days AS d
  FROM petitions
  WHERE NOT is_open AND {where}
),
h AS (SELECT {names} quality, d, count(*) AS n FROM c GROUP BY ALL),
valid AS (
  SELECT *, sum(n) OVER ({partition} ORDER BY d ROWS UNBOUNDED PRECEDING) AS upto,
         sum(n) OVER ({partition}) AS total
  FROM h WHERE quality = {valid}
),
q AS (
  SELECT {names}
    {quantiles}
  FROM valid {group_by}
),
t AS (
  SELECT {names}
    CAST(coalesce(sum(n) FILTER (WHERE quality = {valid}), 0) AS BIGINT) AS replied,
    sum(d * n) FILTER (WHERE quality = {valid}) / sum(n) FILTER (WHERE quality = {valid}) AS mean_working_days,
    max(d) FILTER (WHERE quality = {valid}) AS max_working_days,
    {histogram_exclusions}
  FROM h {group_by}
)
SELECT t.*, {quantile_names} FROM t {join} {order_by}
"""

# One quantile: the values at the two ranks around (n - 1)p and the interpolation.
QUANTILE_SQL = """
    min(d) FILTER (WHERE upto > floor((total - 1) * {p})) + (any_value(total - 1) * {p}
      - floor(any_value(total - 1) * {p}))
      * (min(d) FILTER (WHERE upto > ceil((total - 1) * {p}))
         - min(d) FILTER (WHERE upto > floor((total - 1) * {p}))) AS {name}"""
QUANTILES = {"median_working_days": 0.5, "p90_working_days": 0.9}


# The cases that can be open at some date in [earliest, latest]: open now and received
# by latest, or replied after earliest. Two branches, because each filter alone can be
# pushed into the scan and an OR cannot. ``until`` is the reply date (none while open):
# a case is open at the end of d when received_date <= d < until. The one definition of
# "open at a date" for open_cases, open_at_dates and overdue_aging.
OPEN_CANDIDATES = """
candidates AS (
  SELECT {groups} received_date, DATE '9999-12-31' AS until, effective_due_date AS due
  FROM petitions WHERE is_open AND received_date <= ? AND {where}
  UNION ALL
  SELECT {groups} received_date, replied_date, effective_due_date
  FROM petitions WHERE NOT is_open AND replied_date > ? AND received_date <= ? AND {where}
)"""


def _candidates_args(latest: dt.date, earliest: dt.date, params: list) -> list:
    return [latest, *params, earliest, latest, *params]


# Working days past due = working days after the due date up to and including as_of,
# the difference of the calendar's working_day_index.
AGING_SQL = """
WITH {candidates},
o AS (
  SELECT {names}
    CAST(? AS INTEGER) - d.working_day_index AS past_due
  FROM candidates c LEFT JOIN calendar d ON d.day = c.due
  WHERE c.due < ?
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
        valid=VALID,
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
    column = _date_column(date_basis)
    groups = _sql.group_columns(by, _sql.petition_keys(column))
    where, params = filters.where(column)
    names = [name for name, _ in groups]
    sql = REPLY_DAYS_SQL.format(
        groups=_sql.select_list(groups),
        names="".join(f"{name}, " for name in names),
        quality=QUALITY_SQL,
        valid=VALID,
        histogram_exclusions=HISTOGRAM_EXCLUSIONS,
        where=where,
        partition=f"PARTITION BY {', '.join(names)}" if names else "",
        # p are the fixed fractions of QUANTILES, safe to write into the SQL
        quantiles=",".join(QUANTILE_SQL.format(p=p, name=n) for n, p in QUANTILES.items()),
        group_by=_sql.group_clause(groups),
        quantile_names=", ".join(f"q.{n}" for n in QUANTILES),
        join=f"LEFT JOIN q USING ({', '.join(names)})" if names else "CROSS JOIN q",
        order_by=_sql.order_clause([(f"t.{n}", "") for n in names]),
    )
    frame = _sql.format_months(con.execute(sql, params).df())
    return frame[[*names, "replied", "median_working_days", "p90_working_days",
                  "mean_working_days", "max_working_days", *EXCLUSION_NAMES]]  # fmt: skip


EXCLUSION_NAMES = tuple(vocabulary.EXCLUSION_COLUMNS.values())


DAY_COUNTS_SQL = """
SELECT {groups} least(reply_working_days, ?) AS working_days, count(*) AS cases
FROM petitions
WHERE NOT is_open AND reply_quality = ? AND {where}
GROUP BY ALL ORDER BY ALL
"""


def reply_day_counts(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    *,
    by: str | Sequence[str] = (),
    date_basis: str = "received",
    cap: int = 30,
) -> pd.DataFrame:
    """回覆工作天數分布: replied cases by working days to reply (the distribution behind
    ``reply_days``). working_days 0, 1, 2, ... with every value above ``cap`` counted at
    ``cap`` (shown as "cap or more"); only cases with valid dates (the exclusions of
    ``on_time_rate``, reported there); days with no case are absent. Grain: one row per
    ``by`` group and working-day value; period as ``on_time_rate``."""
    if cap < 1:
        raise ValueError("分布上限至少為 1 個工作天")
    column = _date_column(date_basis)
    groups = _sql.group_columns(by, _sql.petition_keys(column))
    where, params = filters.where(column)
    sql = DAY_COUNTS_SQL.format(groups=_sql.select_list(groups), where=where)
    return _sql.format_months(con.execute(sql, [int(cap), VALID, *params]).df())


def default_as_of(con: duckdb.DuckDBPyConnection, filters: Filters) -> dt.date | None:
    """The period end if set, else the latest date the data speaks for
    (``metrics.freshness.data_as_of``: receipts, replies, closures or the export's own
    extraction date; never today)."""
    return filters.end or data_as_of(con, filters)


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
    of receipt). ``as_of`` defaults to the period end, else the latest date the data
    speaks for (``default_as_of``) and is stated in the ``as_of`` column. With ``backlog=True`` (default) every case received up to ``as_of`` counts
    (the whole backlog); with ``False`` only cases received within the period.
    """
    as_of = as_of or default_as_of(con, filters)
    frame = open_at_dates(con, filters, [as_of], by=by, backlog=backlog)
    if frame.empty and not _sql.normalise_by(by):  # one row overall, even with nothing open
        frame = pd.DataFrame([{"as_of": as_of, **dict.fromkeys(OPEN_COUNTS, 0)}])
    frame["as_of"] = pd.to_datetime(frame["as_of"])
    return frame


# Open cases at several dates in one pass: the candidates range-joined to the dates,
# cheaper than one filtered count per date; overdue when the effective due date (after
# extension) is before the date.
OPEN_AT_DATES_SQL = """
WITH {candidates},
dates AS (SELECT unnest(CAST(? AS DATE[])) AS as_of)
SELECT {names} dates.as_of,
  count(*) AS open,
  count(*) FILTER (WHERE due >= dates.as_of) AS open_not_due,
  count(*) FILTER (WHERE due < dates.as_of) AS open_overdue,
  count(*) FILTER (WHERE due IS NULL) AS open_no_due_date
FROM candidates c JOIN dates ON c.received_date <= dates.as_of AND c.until > dates.as_of
GROUP BY ALL ORDER BY ALL
"""
OPEN_COUNTS = ("open", "open_not_due", "open_overdue", "open_no_due_date")


def open_at_dates(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    dates: Sequence[dt.date],
    *,
    by: str | Sequence[str] = (),
    backlog: bool = True,
) -> pd.DataFrame:
    """``open_cases`` at each of ``dates`` in one pass (``as_of`` as a date).

    One row per ``by`` group and date with at least one open case. For the composites
    (scorecard, monthly summary) that compare several dates, and for ``open_cases``.
    """
    if not dates:
        raise ValueError("至少需要一個日期")
    groups = _sql.group_columns(by, _sql.petition_keys())
    where, params = _open_filters(filters, backlog).where("received_date")
    sql = OPEN_AT_DATES_SQL.format(
        candidates=OPEN_CANDIDATES.format(groups=_sql.select_list(groups), where=where),
        names="".join(f"{name}, " for name, _ in groups),
    )
    args = [*_candidates_args(max(dates), min(dates), params), list(dates)]
    frame = _sql.format_months(con.execute(sql, args).df())
    frame["as_of"] = pd.to_datetime(frame["as_of"]).dt.date  # the dates as given
    return frame


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
    groups = _sql.group_columns(by, _sql.petition_keys())
    where, params = _open_filters(filters, backlog).where("received_date")
    sql = AGING_SQL.format(
        candidates=OPEN_CANDIDATES.format(groups=_sql.select_list(groups), where=where),
        names="".join(f"{name}, " for name, _ in groups),
        group_by=_sql.group_clause(groups),
        order_by=_sql.order_clause(groups),
    )
    as_of_index = scalar(con, "SELECT working_day_index FROM calendar WHERE day = ?", [as_of])
    args = [*_candidates_args(as_of, as_of, params), as_of_index, as_of, as_of]
    return _sql.format_months(con.execute(sql, args).df())


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
