"""Family 6, the unit scorecard (單位績效燈號) for the monthly meeting.

For each unit: on-time rate, overdue open cases, survey satisfaction and telephone test
score, each against a target and against the unit's own previous period, and one overall
standing (良好 / 注意 / 需追蹤) so the meeting sees at a glance who needs follow-up.

Standing, from the indicators the unit has enough data for (``MIN_SAMPLE``: a rate of a
handful of cases is noise, not a miss; such figures are shown but not judged, and the
funnel plot (``metrics.funnel``) compares units of every size fairly):
- 需追蹤: two or more targets missed, or any missed badly (``SEVERE_MARGINS``: on-time
  rate or satisfaction 10 percentage points below target, phone score 15 points below,
  more than 5 overdue cases above target);
- 注意: exactly one target missed, not badly;
- 良好: every target met;
- 資料不足: no indicator has data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from functools import partial

import duckdb
import numpy as np
import pandas as pd

from metrics import _sql, timeliness
from metrics.filters import Filters

PUBLIC_METRICS = ("unit_scorecard",)

# Documented defaults; override any of them with ``targets=``.
DEFAULT_TARGETS: dict[str, float] = {
    "on_time_rate": 0.95,  # 依限辦結率 ≥ 95%
    "overdue_open": 0,  # 逾期未結 = 0 件
    "survey_satisfaction": 0.85,  # 調查滿意度 ≥ 85%
    "phone_score": 85.0,  # 電話禮貌測試平均 ≥ 85 分
}
# How far past the target a miss counts as bad (需追蹤 on its own).
SEVERE_MARGINS: dict[str, float] = {
    "on_time_rate": 0.10,
    "overdue_open": 5,
    "survey_satisfaction": 0.10,
    "phone_score": 15.0,
}
LOWER_IS_BETTER = {"overdue_open"}
# indicator -> (the count it rests on, the least count for it to be judged against its target)
MIN_SAMPLE: dict[str, tuple[str, int]] = {
    "on_time_rate": ("replied", 10),
    "survey_satisfaction": ("survey_n", 30),
    "phone_score": ("phone_calls", 1),
}
INDICATORS = ("on_time_rate", "overdue_open", "survey_satisfaction", "phone_score")
LABELS = {
    "on_time_rate": "依限辦結率",
    "overdue_open": "逾期未結",
    "survey_satisfaction": "調查滿意度",
    "phone_score": "電話禮貌測試",
}

# A unit is known by its agency and its name (every 區公所 has a 民政課).
KEY = ["agency", "unit"]


def _keys(frame: pd.DataFrame) -> list[tuple[str, str]]:
    """(agency, unit) of each row."""
    return list(zip(frame["agency"], frame["unit"], strict=True))


GOOD = "良好"
WATCH = "注意"
FOLLOW_UP = "需追蹤"
NO_DATA = "資料不足"
STANDING_ORDER = {FOLLOW_UP: 0, WATCH: 1, GOOD: 2, NO_DATA: 3}


def _period(con: duckdb.DuckDBPyConnection, filters: Filters) -> tuple[dt.date, dt.date]:
    end = filters.end or _sql.latest_received(con, filters)
    if end is None:
        raise ValueError("資料庫中沒有陳情資料，無法決定評比期間")
    start = filters.start or _sql.month_start(end)
    return start, end


def _whole_months(start: dt.date, end: dt.date) -> bool:
    return start.day == 1 and end == _sql.month_end(end)


def previous_period(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """The period just before: the same number of whole months when the period is whole
    calendar months, else the same number of days."""
    if _whole_months(start, end):
        months = (end.year - start.year) * 12 + end.month - start.month + 1
        return _sql.add_months(start, -months), start - dt.timedelta(days=1)
    length = end - start
    prev_end = start - dt.timedelta(days=1)
    return prev_end - length, prev_end


def _petition_figures(
    con: duckdb.DuckDBPyConnection, filters: Filters, start: dt.date, end: dt.date
) -> pd.DataFrame:
    period = filters.with_period(start, end)
    rate = timeliness.on_time_rate(con, period, by="unit", date_basis="replied")
    rate = rate[[*KEY, "replied", "on_time_rate"]]
    overdue = timeliness.open_cases(con, period, by="unit", as_of=end)
    overdue = overdue[[*KEY, "open_overdue"]].rename(columns={"open_overdue": "overdue_open"})
    return _petition_part(rate, overdue)


def _petition_part(rate: pd.DataFrame, overdue: pd.DataFrame) -> pd.DataFrame:
    """Units with cases replied in the period or open at its end; overdue 0 for units
    with replies but nothing open (a unit seen only in surveys or tests stays NULL)."""
    frame = rate.merge(overdue, on=KEY, how="outer")
    frame["overdue_open"] = frame["overdue_open"].fillna(0)
    return frame


def _survey_figures(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    from metrics.satisfaction import survey_satisfaction

    frame = survey_satisfaction(con, filters, by=("unit",))
    frame = frame[[*KEY, "n", "rate"]]
    return frame.rename(columns={"n": "survey_n", "rate": "survey_satisfaction"})


def _phone_figures(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    from metrics.phone_tests import phone_scores

    frame = phone_scores(con, filters, by=("unit",))
    frame = frame[[*KEY, "calls", "mean_score"]]
    return frame.rename(columns={"calls": "phone_calls", "mean_score": "phone_score"})


def _slow_window(filters: Filters, end: dt.date, slow_months: int) -> Filters:
    return filters.with_period(_sql.add_months(_sql.month_start(end), 1 - slow_months), end)


def _figures(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    start: dt.date,
    end: dt.date,
    slow_months: int,
) -> pd.DataFrame:
    """The four indicators of one period, one metric call each (any period)."""
    slow = _slow_window(filters, end, slow_months)
    parts = [
        _petition_figures(con, filters, start, end),
        _survey_figures(con, slow),
        _phone_figures(con, slow),
    ]
    return _combine(parts)


def _figures_by_month(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    periods: list[tuple[dt.date, dt.date]],
    slow_months: int,
) -> list[pd.DataFrame]:
    """The four indicators of several whole-month periods, equal to computing each
    period on its own (``_figures``) with fewer queries: survey and phone scores by unit
    and month over all the slow windows at once, summed per window (rates from summed
    counts, the phone mean from summed scores), open cases at every period end in one
    scan; the on-time rate one call per period. Assembled in plain Python: pandas
    merges cost more than the queries."""
    from metrics.phone_tests import phone_scores
    from metrics.satisfaction import survey_satisfaction

    slow = [_slow_window(filters, end, slow_months) for _, end in periods]
    slow_all = filters.with_period(min(w.start for w in slow), max(w.end for w in slow))
    ends = [end for _, end in periods]
    # On-time rates per period: over long periods two calls by unit beat one by month.
    *rates, open_at, survey, phone = _sql.concurrently(
        con,
        [
            *(
                partial(timeliness.on_time_rate, filters=filters.with_period(*p), by="unit",
                        date_basis="replied")
                for p in periods
            ),
            partial(timeliness.open_at_dates, filters=filters, dates=ends, by="unit"),
            partial(survey_satisfaction, filters=slow_all, by=("unit", "month")),
            partial(phone_scores, filters=slow_all, by=("unit", "month")),
        ],
    )  # fmt: skip
    phone = phone.assign(score_sum=phone["mean_score"] * phone["calls"])
    frames = []
    for (_, end), rate, window in zip(periods, rates, slow, strict=True):
        replied = {
            unit: (n, on_time)
            for unit, n, on_time in zip(_keys(rate), rate["replied"], rate["on_time"], strict=True)
        }
        answers = _sum_months(survey, window.start, window.end, ("n", "satisfied"))
        calls = _sum_months(phone, window.start, window.end, ("calls", "score_sum"))
        at_end = open_at[open_at["as_of"] == end]  # units with a case open at the end
        overdue = dict(zip(_keys(at_end), at_end["open_overdue"], strict=True))
        rows = []
        for unit in sorted({*replied, *overdue, *answers, *calls}):
            r, a, c = replied.get(unit), answers.get(unit), calls.get(unit)
            petitions_seen = r is not None or unit in overdue
            rows.append({
                "agency": unit[0],
                "unit": unit[1],
                "replied": r[0] if r else None,
                "on_time_rate": r[1] / r[0] if r and r[0] else None,
                "overdue_open": overdue.get(unit, 0) if petitions_seen else None,
                "survey_n": a[0] if a else None,
                "survey_satisfaction": a[1] / a[0] if a else None,
                "phone_calls": c[0] if c else None,
                "phone_score": c[1] / c[0] if c else None,
            })  # fmt: skip
        frames.append(_typed(pd.DataFrame(rows, columns=FIGURE_COLUMNS)))
    return frames


FIGURE_COLUMNS = ["agency", "unit", "replied", "on_time_rate", "overdue_open", "survey_n",
                  "survey_satisfaction", "phone_calls", "phone_score"]  # fmt: skip


def _sum_months(
    frame: pd.DataFrame, start: dt.date, end: dt.date, columns: tuple[str, str]
) -> dict[str, tuple[float, float]]:
    """(agency, unit) -> ``columns`` summed over the rows whose month lies in [start, end]."""
    if frame.empty:
        return {}
    month = frame["month"].to_numpy(dtype=object)
    inside = (month >= start.strftime("%Y-%m")) & (month <= end.strftime("%Y-%m"))
    keys = np.empty(int(inside.sum()), dtype=object)
    keys[:] = [k for k, i in zip(_keys(frame), inside, strict=True) if i]
    codes, units = pd.factorize(keys)
    sums = [
        np.bincount(codes, weights=frame[c].to_numpy(dtype=float)[inside], minlength=len(units))
        for c in columns
    ]
    return {unit: (sums[0][i], sums[1][i]) for i, unit in enumerate(units)}


def _combine(parts: list[pd.DataFrame]) -> pd.DataFrame:
    frame = parts[0]
    for part in parts[1:]:
        frame = frame.merge(part, on=KEY, how="outer")
    return _typed(frame)


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    for column in ("replied", "overdue_open", "survey_n", "phone_calls"):
        frame[column] = frame[column].astype("Int64")
    for column in ("on_time_rate", "survey_satisfaction", "phone_score"):
        frame[column] = frame[column].astype("Float64")
    return frame


def _check_targets(targets: Mapping[str, float] | None) -> dict[str, float]:
    merged = dict(DEFAULT_TARGETS)
    for key, value in (targets or {}).items():
        if key not in DEFAULT_TARGETS:
            raise ValueError(f"未知的目標項目「{key}」；可用：{'、'.join(DEFAULT_TARGETS)}")
        merged[key] = float(value)
    return merged


def _format(indicator: str, value: float) -> str:
    if indicator in ("on_time_rate", "survey_satisfaction"):
        return f"{value * 100:.1f}%"
    if indicator == "overdue_open":
        return f"{int(value)} 件"
    return f"{value:.1f} 分"


def _standing(columns: dict, targets: dict[str, float]) -> None:
    """Adds each indicator's target and _met, targets_missed, standing and notes."""
    n = len(columns["unit"])
    misses = np.zeros(n, dtype=int)
    severe = np.zeros(n, dtype=bool)
    known = np.zeros(n, dtype=bool)
    notes: list[list[str]] = [[] for _ in range(n)]
    for name in INDICATORS:
        value = pd.array(columns[name], dtype="Float64").to_numpy(dtype=float, na_value=np.nan)
        target = targets[name]
        has = ~np.isnan(value)
        if name in MIN_SAMPLE:  # too few cases: shown, not judged
            count, least = MIN_SAMPLE[name]
            size = pd.array(columns[count], dtype="Float64").to_numpy(dtype=float, na_value=0)
            has &= size >= least
        if name in LOWER_IS_BETTER:
            missed = has & (value > target)
            bad = has & (value > target + SEVERE_MARGINS[name])
        else:
            missed = has & (value < target)
            bad = has & (value < target - SEVERE_MARGINS[name])
        columns[f"{name}_target"] = np.full(n, target)
        columns[f"{name}_met"] = pd.array(np.where(has, ~missed, None), dtype="boolean")
        misses += missed
        severe |= bad
        known |= has
        for i in np.flatnonzero(missed):
            notes[i].append(
                f"{LABELS[name]} {_format(name, value[i])}（目標 {_format(name, target)}）"
            )
    columns["targets_missed"] = misses
    columns["standing"] = np.select(
        [~known, severe | (misses >= 2), misses == 1], [NO_DATA, FOLLOW_UP, WATCH], default=GOOD
    )
    columns["notes"] = ["；".join(n) for n in notes]


def unit_scorecard(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    *,
    targets: Mapping[str, float] | None = None,
    slow_months: int = 12,
) -> pd.DataFrame:
    """單位績效燈號: per unit, four indicators vs target and vs the previous period, and a standing.

    on_time_rate: 依限辦結率 of cases replied in the period (fraction, ``on_time_rate``
    with date_basis="replied", data-quality exclusions applied); overdue_open: cases
    open and past due at the period end (all received by then); survey_satisfaction:
    survey rate (Taiwan convention, ``survey_satisfaction``) and phone_score: mean test
    score (0-100, ``phone_scores``), both over the ``slow_months`` months ending with
    the period (waves and rounds are sparse). Targets: ``DEFAULT_TARGETS`` unless
    overridden. The previous period has the same length just before (whole months when
    the period is whole months; default period: the month of the latest receipt);
    ``*_prev`` and ``*_change`` (current − previous) are NULL where either is missing.
    Grain: one row per unit seen in any source, worst standing first; a missing
    indicator is NULL and does not count as a miss (standing rules in the module
    docstring).
    """
    merged = _check_targets(targets)
    if slow_months < 1:
        raise ValueError("滿意度與電話測試的統計月數至少為 1")
    start, end = _period(con, filters)
    prev_start, prev_end = previous_period(start, end)
    if _whole_months(start, end):  # the usual case: one query per metric for both
        current, previous = _figures_by_month(
            con, filters, [(start, end), (prev_start, prev_end)], slow_months
        )
    else:
        current = _figures(con, filters, start, end, slow_months)
        previous = _figures(con, filters, prev_start, prev_end, slow_months)
    # Assembled column by column as arrays and turned into a frame once: assigning
    # pandas columns one at a time cost a fifth of the scorecard.
    keys = pd.MultiIndex.from_frame(current[KEY])
    at = pd.MultiIndex.from_frame(previous[KEY]).get_indexer(keys)  # -1: no previous figures
    units = current["unit"].to_numpy(dtype=object)
    columns: dict = {
        "agency": current["agency"].to_numpy(dtype=object),
        "unit": units,
        "period_start": np.full(len(units), start, dtype=object),
        "period_end": np.full(len(units), end, dtype=object),
    }
    for name in ("replied", "survey_n", "phone_calls"):
        columns[name] = current[name].array
    for name in INDICATORS:
        value = current[name].array
        before = previous[name].array.take(at, allow_fill=True)
        columns[name] = value
        columns[f"{name}_prev"] = before
        columns[f"{name}_change"] = value - before
    _standing(columns, merged)
    order = ["agency", "unit", "period_start", "period_end", "replied", "survey_n", "phone_calls"]
    for name in INDICATORS:
        order += [name, f"{name}_target", f"{name}_met", f"{name}_prev", f"{name}_change"]
    order += ["targets_missed", "standing", "notes"]
    frame = pd.DataFrame({name: columns[name] for name in order})
    for name in KEY:
        frame[name] = frame[name].astype(current[name].dtype)
    frame["standing"] = frame["standing"].astype("str")
    frame["notes"] = frame["notes"].astype("str")
    for name in INDICATORS:
        frame[f"{name}_target"] = frame[f"{name}_target"].astype(type(merged[name]))
    rank = frame["standing"].map(STANDING_ORDER).to_numpy()
    frame = frame.take(np.lexsort((units, columns["agency"], rank)))
    return frame.reset_index(drop=True)
