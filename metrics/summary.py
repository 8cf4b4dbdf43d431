"""Family 7, the monthly summary (每月摘要): headline figures against last month and the
same month last year, each with one generated Traditional Chinese sentence.

Wording lives here in one place. A comparison without data says so (上月無資料) and a
change over zero is not computed: no sentence ever divides by zero.
"""

from __future__ import annotations

import datetime as dt
import math
from functools import partial

import duckdb
import pandas as pd

from metrics import _sql, timeliness, types
from metrics.filters import Filters
from metrics.freshness import data_as_of
from store.months import CALENDARS, ROC_OFFSET

PUBLIC_METRICS = ("monthly_summary",)

COLUMNS = [
    "indicator",
    "label",
    "unit",
    "value",
    "n",
    "detail",
    "previous",
    "previous_label",
    "previous_change",
    "last_year",
    "last_year_label",
    "last_year_change",
    "change_kind",
    "sentence",
]

# Every survey wave under the filters with its response span, latest first.
WAVES_SQL = """
SELECT wave, min(responded_on) AS first_day, max(responded_on) AS last_day
FROM survey_responses WHERE {where}
GROUP BY wave
ORDER BY last_day DESC NULLS LAST, wave DESC
"""

# Every test round under the filters with its span of calls, latest first.
ROUNDS_SQL = """
SELECT round, min(called_at)::DATE AS first_day, max(called_at)::DATE AS last_day
FROM phone_tests WHERE {where}
GROUP BY round
ORDER BY last_day DESC NULLS LAST, round DESC
"""


def _month_label(month: dt.date, calendar: str = "western") -> str:
    """2026年10月, or 民國115年10月 on the ROC calendar."""
    if calendar == "roc":
        return f"民國{month.year - ROC_OFFSET}年{month.month}月"
    return f"{month.year}年{month.month}月"


def _count(value: float) -> str:
    return f"{int(value):,}"


def _pct(value: float) -> str:
    return f"{value * 100:.1f}%"


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _comparison(kind: str, value, other, label: str, unit: str) -> tuple[float | None, str]:
    """The change against ``other`` and its clause, e.g. 較上月增加 5.0%（上月 120 件）."""
    if _missing(other):
        return None, f"{label}無資料"
    if _missing(value):
        return None, ""
    if kind == "relative":
        shown = f"{label} {_count(other)} {unit}"
        if other == 0:
            return None, f"{label}為 0 {unit}，無法計算增減率"
        change = (value - other) / other
        if change == 0:
            return change, f"與{label}持平（{shown}）"
        verb = "增加" if change > 0 else "減少"
        return change, f"較{label}{verb} {abs(change) * 100:.1f}%（{shown}）"
    if kind == "points":  # rates: percentage points
        change = value - other
        shown = f"{label} {_pct(other)}"
        if round(change * 1000) == 0:
            return change, f"與{label}持平（{shown}）"
        verb = "上升" if change > 0 else "下降"
        return change, f"較{label}{verb} {abs(change) * 100:.1f} 個百分點（{shown}）"
    if kind == "count_difference":
        change = value - other
        shown = f"{label} {_count(other)} {unit}"
        if change == 0:
            return change, f"與{label}持平（{shown}）"
        verb = "增加" if change > 0 else "減少"
        return change, f"較{label}{verb} {_count(abs(change))} {unit}（{shown}）"
    change = value - other  # scores
    shown = f"{label} {other:.1f} {unit}"
    if round(change, 1) == 0:
        return change, f"與{label}持平（{shown}）"
    verb = "上升" if change > 0 else "下降"
    return change, f"較{label}{verb} {abs(change):.1f} {unit}（{shown}）"


def _row(
    indicator: str,
    label: str,
    unit: str,
    kind: str,
    head: str,
    figures: tuple,
    labels: tuple[str, str],
    n: int | None = None,
    detail: str | None = None,
) -> dict:
    value, previous, last_year = figures
    prev_change, prev_clause = _comparison(kind, value, previous, labels[0], unit)
    year_change, year_clause = _comparison(kind, value, last_year, labels[1], unit)
    clauses = [c for c in (prev_clause, year_clause) if c]
    sentence = head + ("，" + "，".join(clauses) if clauses and not _missing(value) else "") + "。"
    return {
        "indicator": indicator,
        "label": label,
        "unit": unit,
        "value": value,
        "n": n,
        "detail": detail,
        "previous": previous,
        "previous_label": labels[0],
        "previous_change": prev_change,
        "last_year": last_year,
        "last_year_label": labels[1],
        "last_year_change": year_change,
        "change_kind": kind,
        "sentence": sentence,
    }


class _Months:
    """The month, last month and the same month last year, and which have any data."""

    def __init__(
        self, con: duckdb.DuckDBPyConnection, filters: Filters, month: dt.date, calendar: str
    ) -> None:
        self.this = month
        self.calendar = calendar
        self.previous = _sql.add_months(month, -1)
        self.last_year = _sql.add_months(month, -12)
        first = _sql.first_received(con, filters)
        self.first = _sql.month_start(first) if first else None

    def covered(self, month: dt.date) -> bool:
        return self.first is not None and month >= self.first

    def all(self) -> tuple[dt.date, dt.date, dt.date]:
        return self.this, self.previous, self.last_year

    def window(self, filters: Filters) -> Filters:
        """The filters over the 13 months from the same month last year to this one: each
        figure is computed once by month over it, and the three months picked out."""
        return filters.with_period(self.last_year, _sql.month_end(self.this))


def _month_key(month: dt.date) -> str:
    return month.strftime("%Y-%m")


def _rates_by_month(
    frame: pd.DataFrame, months: _Months, count: str, rate: str
) -> tuple[list[float | None], list[int]]:
    """The rate and its count in this month, last month and last year's month, from a
    metric computed by month over the window (no rate where the count is 0)."""
    rows = {row["month"]: row for row in frame.to_dict("records")}
    rates, counts = [], []
    for month in months.all():
        row = rows.get(_month_key(month))
        n = int(row[count]) if row is not None else 0
        counts.append(n)
        rates.append(float(row[rate]) if n else None)
    return rates, counts


def _received(con, filters: Filters, months: _Months) -> dict:
    frame = types.type_counts(con, months.window(filters), by=("month",))
    counts = dict(zip(frame["month"], frame["cases"], strict=True))
    values = [
        int(counts.get(_month_key(month), 0)) if months.covered(month) else None
        for month in months.all()
    ]
    head = (
        f"本月（{_month_label(months.this, months.calendar)}）受理陳情 {_count(values[0] or 0)} 件"
    )
    return _row(
        "received", "受理陳情件數", "件", "relative", head, tuple(values), ("上月", "去年同月")
    )


def _on_time(con, filters: Filters, months: _Months) -> dict:
    frame = timeliness.on_time_rate(con, months.window(filters), by="month", date_basis="replied")
    rates, counts = _rates_by_month(frame, months, "replied", "on_time_rate")
    if rates[0] is None:
        head = "本月無結案（回覆）案件，未能計算依限辦結率"
    else:
        head = f"本月結案 {_count(counts[0])} 件，依限辦結率 {_pct(rates[0])}"
    return _row(
        "on_time_rate",
        "依限辦結率",
        "%",
        "points",
        head,
        tuple(rates),
        ("上月", "去年同月"),
        n=counts[0],
    )


def _overdue(con, filters: Filters, months: _Months) -> dict:
    # At each month's end, but never past the date the data speaks for: a month the data
    # covers only in part is counted as of its last covered day.
    limit = data_as_of(con, filters) or dt.date.max
    ends = [min(_sql.month_end(month), limit) for month in months.all()]
    frame = timeliness.open_at_dates(con, filters, sorted(set(ends)))
    overdue = dict(zip(frame["as_of"], frame["open_overdue"], strict=True))
    values = [
        int(overdue.get(end, 0)) if months.covered(month) else None
        for month, end in zip(months.all(), ends, strict=True)
    ]
    head = f"月底逾期未結案件 {_count(values[0] or 0)} 件"
    return _row(
        "overdue_open",
        "逾期未結件數",
        "件",
        "count_difference",
        head,
        tuple(values),
        ("上月底", "去年同月底"),
    )


def _reply_satisfaction(con, filters: Filters, months: _Months) -> dict:
    from metrics.reply_satisfaction import reply_satisfaction

    frame = reply_satisfaction(con, months.window(filters), by=("month",))
    rates, counts = _rates_by_month(frame, months, "rated", "rate")
    if rates[0] is None:
        head = "本月受理案件尚無回覆滿意度評分"
    else:
        head = f"本月受理案件回覆滿意度 {_pct(rates[0])}（評分 {_count(counts[0])} 件）"
    return _row(
        "reply_satisfaction",
        "陳情回覆滿意度",
        "%",
        "points",
        head,
        tuple(rates),
        ("上月", "去年同月"),
        n=counts[0],
    )


def _quarter_start(month: dt.date) -> dt.date:
    return dt.date(month.year, 3 * ((month.month - 1) // 3) + 1, 1)


class _Spans:
    """Survey waves or test rounds under the filters, each with its first and last day."""

    def __init__(self, con, filters: Filters, sql: str, applies) -> None:
        where, params = filters.with_period(None, None).where(None, applies=applies)
        self.rows = con.execute(sql.format(where=where), params).fetchall()

    def latest(self, start: dt.date, end: dt.date) -> tuple | None:
        """(name, first day, last day) of the latest one ending in [start, end]."""
        return next((r for r in self.rows if r[2] is not None and start <= r[2] <= end), None)


def _figures(con, filters: Filters, picked: list, compute, key: str) -> dict:
    """The metric rows of the picked waves or rounds, from one call over all their days
    (each lies wholly inside, so its row is the same as over its own days)."""
    found = [p for p in picked if p is not None]
    if not found:
        return {}
    window = filters.with_period(min(p[1] for p in found), max(p[2] for p in found))
    names = {p[0] for p in found}
    frame = compute(con, window, by=(key,))
    return {row[key]: row for row in frame.to_dict("records") if row[key] in names}


def _survey(con, filters: Filters, months: _Months) -> dict | None:
    from metrics.satisfaction import SURVEY_FILTERS, survey_satisfaction

    waves = _Spans(con, filters, WAVES_SQL, SURVEY_FILTERS)
    quarter = _quarter_start(months.this)
    picked = [
        waves.latest(quarter, _sql.month_end(months.this)),
        waves.latest(_sql.add_months(quarter, -3), quarter - dt.timedelta(days=1)),
        waves.latest(_sql.add_months(quarter, -12), _sql.add_months(quarter, -9) - dt.timedelta(1)),
    ]
    rows = _figures(con, filters, picked, survey_satisfaction, "wave")
    rates = [None if p is None or p[0] not in rows else float(rows[p[0]]["rate"]) for p in picked]
    if rates[0] is None:
        return None
    current = rows[picked[0][0]]
    wave, n, error = picked[0][0], int(current["n"]), float(current["max_sampling_error"])
    head = (
        f"{wave} 滿意度調查整體滿意度 {_pct(rates[0])}（有效樣本 {_count(n)}，"
        f"在95%信心水準下，抽樣誤差為正負 {error:.1f} 個百分點）"
    )
    return _row(
        "survey_satisfaction",
        "調查滿意度",
        "%",
        "points",
        head,
        tuple(rates),
        ("上一季", "去年同季"),
        n=n,
        detail=wave,
    )


def _phone(con, filters: Filters, months: _Months) -> dict | None:
    from metrics.phone_tests import PHONE_FILTERS, phone_scores

    rounds = _Spans(con, filters, ROUNDS_SQL, PHONE_FILTERS)
    picked = [
        rounds.latest(months.this, _sql.month_end(months.this)),
        # The latest round that ended before this month (a round spanning the boundary
        # ends in this month, so it is the current one, not the previous).
        rounds.latest(dt.date.min, months.this - dt.timedelta(days=1)),
        rounds.latest(months.last_year, _sql.month_end(months.last_year)),
    ]
    rows = _figures(con, filters, picked, phone_scores, "round")
    scores = [
        None if p is None or p[0] not in rows else float(rows[p[0]]["mean_score"]) for p in picked
    ]
    if scores[0] is None:
        return None
    current = rows[picked[0][0]]
    name, calls, low = picked[0][0], int(current["calls"]), int(current["calls_below_60"])
    head = f"本月電話禮貌測試（{name} 梯次）平均 {scores[0]:.1f} 分（{_count(calls)} 通"
    head += f"，{_count(low)} 通低於 60 分）" if low else "，無低於 60 分者）"
    return _row(
        "phone_score",
        "電話禮貌測試平均分數",
        "分",
        "points_score",
        head,
        tuple(scores),
        ("上一梯次", "去年同月"),
        n=calls,
        detail=name,
    )


def default_month(con: duckdb.DuckDBPyConnection, filters: Filters) -> dt.date:
    """The month of the period end if set, else of the latest receipt in the data."""
    day = filters.end or _sql.latest_received(con, filters)
    if day is None:
        raise ValueError("資料庫中沒有陳情資料，請指定月份")
    return _sql.month_start(day)


def monthly_summary(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    *,
    month: str | dt.date | None = None,
    calendar: str = "western",
) -> pd.DataFrame:
    """每月摘要: the month's headline figures vs last month and the same month last year.

    One row per indicator: received (受理陳情件數, cases received in the month),
    on_time_rate (依限辦結率 of cases replied in the month, fraction), overdue_open
    (open and past due at month end, or at the last date the data speaks for when the
    month is covered only in part, cases), reply_satisfaction (rated replies 4-5 /
    rated, cases received in the month, fraction); survey_satisfaction only when a
    survey wave ended in the month's quarter (compared with the previous quarter's and
    last year's wave) and phone_score only when a test round ended in the month
    (compared with the previous round). ``previous_change``/``last_year_change`` are
    relative changes for received, differences otherwise (``change_kind``); NULL when
    the comparison has no data or is zero (no division by zero). ``sentence`` states
    the row in Traditional Chinese; ``summary_text`` joins them. ``month``: 'YYYY-MM'
    or a date, default the month of the period end or of the latest receipt;
    ``calendar`` "roc" writes the month in sentences as 民國115年10月. The
    period of ``filters`` is replaced by the month; the other filters apply.
    """
    start = _sql.parse_month(month) if month is not None else default_month(con, filters)
    base = filters.with_period(None, None)
    if calendar not in CALENDARS:
        raise ValueError(f"曆法應為 {'、'.join(CALENDARS)} 其中之一：{calendar}")
    months = _Months(con, base, start, calendar)
    parts = (_received, _on_time, _overdue, _reply_satisfaction, _survey, _phone)
    *rows, survey, phone = _sql.concurrently(
        con, [partial(part, filters=base, months=months) for part in parts]
    )
    for optional in (survey, phone):
        if optional is not None:
            rows.append(optional)
    frame = pd.DataFrame(rows, columns=COLUMNS)
    frame.insert(0, "month", start.strftime("%Y-%m"))
    return frame


def summary_text(frame: pd.DataFrame) -> str:
    """The sentences of a ``monthly_summary`` frame as one paragraph."""
    return "".join(frame["sentence"])
