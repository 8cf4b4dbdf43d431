"""Family 3 (continued), spike detection (異常增加): months in which a monthly series,
by default one (category, district) pair, rose far above its own seasonal baseline.

Method, over monthly counts aggregated in SQL (from petition_monthly, kept at load);
the zero-filled grid of series x months (about 51,000 cells for a decade by category
and district), the seasonal factors and the rolling baseline are numpy on that grid:

1. Seasonal factor s(month of year): for the series' first column (the category, over
   all districts) the mean count in that calendar month / its mean monthly count; for a
   one-column series, from all petitions matching the filters. A whole category's
   aggregate moves little when one district spikes, so the factor keeps the spike.
2. Baseline: the series' deseasonalised counts y = n / s in the ``baseline_months``
   months on each side of the tested month, the tested month itself excluded; expected
   = median(y) x s, spread = max(1.4826 x MAD(y) x s, sqrt(expected), 1) (the Poisson
   floor keeps small series from flagging noise; 1.4826 x MAD estimates a standard
   deviation robustly).
3. robust z = (n − expected) / spread; Poisson one-sided p = P(N >= n | expected),
   Bonferroni-adjusted over the series-months of the period that could be flagged (a
   baseline and at least ``min_count`` cases). Cells below the minimum are screened out
   by rule, which keeps the correction from drowning a real spike among thousands of
   near-empty cells; the robust z stays the main criterion.

A month is flagged when n >= ``min_count``, z >= ``z_threshold`` and the adjusted p is
below ``alpha``; series-months with fewer than ``min_baseline_months`` baseline months
are reported untested, never flagged.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import NamedTuple

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from numpy.lib.stride_tricks import sliding_window_view
from scipy import stats

from metrics import _sql
from metrics.filters import Filters

PUBLIC_METRICS = ("spikes",)

SERIES_COLUMNS = ("category", "subcategory", "channel", "district", "unit", "agency")

# Monthly counts per series, with the series numbered in name order (sid).
SPIKES_SQL = """
WITH base AS (
  SELECT {groups} year(month) * 12 + month(month) - 1 AS m, CAST(sum(cases) AS BIGINT) AS n
  FROM petition_monthly WHERE {where} GROUP BY ALL
),
keys AS (
  SELECT {names}, CAST(row_number() OVER (ORDER BY {names}) - 1 AS BIGINT) AS sid
  FROM (SELECT DISTINCT {names} FROM base)
)
SELECT {key_names}, k.sid, b.m, b.n FROM base b JOIN keys k ON {key_join}
"""


def spikes(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    *,
    series: str | Sequence[str] = ("category", "district"),
    min_count: int = 10,
    z_threshold: float = 4.0,
    alpha: float = 0.01,
    baseline_months: int = 12,
    min_baseline_months: int = 6,
    only_flagged: bool = True,
) -> pd.DataFrame:
    """異常增加: months where a series' petitions far exceed its own seasonal baseline.

    Grain: one row per series (``series`` columns, default category and district) and
    month of the period (all months in the data when no period is set); with
    ``only_flagged`` (default) only flagged rows, largest z first. Columns: cases,
    expected (seasonal baseline, cases), spread, robust z, p_value (Poisson, one-sided),
    p_adjusted (Bonferroni over the eligible series-months), tested, flagged. The baseline
    uses the data outside the period too (``baseline_months`` on each side, the month
    itself excluded); NULL categories or districts form their own series (未填). See the
    module docstring for the method.
    """
    allowed = {k: v for k, v in _sql.petition_groupings().items() if k in SERIES_COLUMNS}
    groups = _sql.group_columns(series, allowed)
    if not groups:
        raise ValueError("異常增加偵測需要至少一個序列欄位")
    if baseline_months < 1 or min_baseline_months < 1:
        raise ValueError("基準月數至少為 1")
    names = [name for name, _ in groups]
    counts = _monthly_counts(con, filters, groups, baseline_months)
    grid = _grid(counts, names, seasons_by_first=len(_sql.normalise_by(series)) > 1)
    start = _month_index(filters.start) if filters.start else 0
    end = _month_index(filters.end) if filters.end else 10**6
    rule = _Rule(min_count, z_threshold, alpha, int(baseline_months), min_baseline_months)
    scored = _score(grid, start, end, rule, only_flagged)
    out = _frame(grid, scored)
    if only_flagged:
        out = out.sort_values("z", ascending=False).reset_index(drop=True)
    return out


class _Rule(NamedTuple):
    min_count: int
    z_threshold: float
    alpha: float
    window: int  # baseline months on each side
    min_baseline_months: int


def _monthly_counts(
    con: duckdb.DuckDBPyConnection, filters: Filters, groups: list, baseline_months: int
) -> pa.Table:
    """Cases per series and month, as Arrow: only the months a baseline can reach are
    read (with no period, all of them). Arrow, not .df(): turning ~50,000 rows of names
    into Python strings cost more than the query; numbers go to numpy, names are taken
    for the returned rows only."""
    names = [name for name, _ in groups]
    first = last = None
    if filters.start:
        first = _sql.add_months(filters.start, -baseline_months)
    if filters.end:
        last = _sql.add_months(filters.end, baseline_months + 1) - dt.timedelta(days=1)
    where, params = filters.with_period(first, last).where("month")
    sql = SPIKES_SQL.format(
        groups=_sql.select_list(groups),
        where=where,
        names=", ".join(names),
        key_names=", ".join(f"k.{n}" for n in names),
        key_join=" AND ".join(f"b.{n} IS NOT DISTINCT FROM k.{n}" for n in names),
    )
    return con.sql(sql, params=params).to_arrow_table()


class _Scored(NamedTuple):
    at: np.ndarray  # flat grid positions of the returned rows
    cases: np.ndarray
    factor: np.ndarray
    baseline_months: np.ndarray
    expected: np.ndarray
    spread: np.ndarray
    z: np.ndarray
    p_value: np.ndarray
    p_adjusted: np.ndarray
    tested: np.ndarray
    flagged: np.ndarray


def _score(grid: _Grid, start: int, end: int, rule: _Rule, only_flagged: bool) -> _Scored:
    """Baseline, robust z and adjusted p for the series-months of [start, end] (month
    indexes); with ``only_flagged`` only flagged ones are returned."""
    m, span, window = grid.months, grid.n.shape[1], rule.window
    # Flat positions in the series x months grid whose month lies in the period.
    columns = np.flatnonzero((m >= start) & (m <= end))
    keep = (np.arange(grid.n.shape[0])[:, None] * span + columns[None, :]).ravel()
    # A row's baseline months are the neighbours that exist on each side.
    position = keep % span if span else keep
    count = np.minimum(position, window) + np.minimum(span - 1 - position, window)
    cases = grid.n.ravel()[keep]
    tested = count >= rule.min_baseline_months
    eligible = tested & (cases >= rule.min_count)
    # Only the series-months that can be flagged need a baseline when only those are
    # returned; the Bonferroni family is counted from all of them either way.
    need = np.flatnonzero(eligible) if only_flagged else np.arange(len(keep))
    median, mad = _window_median_mad(grid.y, keep[need], window)
    factor = np.nan_to_num(grid.factor.ravel()[keep[need]], nan=1.0)
    expected = median * factor
    with np.errstate(all="ignore"):
        spread = np.fmax(np.fmax(1.4826 * mad * factor, np.sqrt(expected)), 1.0)
        z = (cases[need] - expected) / spread
    # p-values only where a flag is still possible (or everywhere, when all rows return).
    candidates = tested[need] & ((z >= rule.z_threshold) if only_flagged else True)
    p_value = _p_values(cases[need], expected, candidates)
    p_adjusted = np.minimum(p_value * max(int(eligible.sum()), 1), 1.0)
    flagged = eligible[need] & (z >= rule.z_threshold) & (p_adjusted < rule.alpha)
    rows = np.flatnonzero(flagged) if only_flagged else np.arange(len(need))
    return _Scored(
        at=keep[need[rows]], cases=cases[need[rows]], factor=factor[rows],
        baseline_months=count[need[rows]], expected=expected[rows], spread=spread[rows],
        z=z[rows], p_value=p_value[rows], p_adjusted=p_adjusted[rows],
        tested=tested[need[rows]], flagged=flagged[rows],
    )  # fmt: skip


def _frame(grid: _Grid, scored: _Scored) -> pd.DataFrame:
    """The returned rows: the series' names, the month and the scores."""
    span = grid.n.shape[1]
    at = scored.at
    out = grid.keys.take(at // span if span else at).to_pandas()
    out["month"] = [
        f"{v // 12:04d}-{v % 12 + 1:02d}" for v in grid.months[at % span if span else at]
    ]
    out["cases"] = scored.cases.astype("int64")
    out["seasonal_factor"] = scored.factor
    out["baseline_months"] = scored.baseline_months.astype("int64")
    for name in ("expected", "spread", "z", "p_value", "p_adjusted", "tested", "flagged"):
        out[name] = getattr(scored, name)
    return out


class _Grid(NamedTuple):
    keys: pa.Table  # the series' names, one row per series in sid order
    months: np.ndarray  # month index (year x 12 + month - 1) of each column
    n: np.ndarray  # cases, series x months, zero-filled
    factor: np.ndarray  # seasonal factor per cell (NaN when the season has no cases)
    y: np.ndarray  # deseasonalised counts n / factor (n where there is no factor)


def _grid(counts: pa.Table, names: list[str], *, seasons_by_first: bool) -> _Grid:
    """The zero-filled series x months grid and its seasonal factors.

    Months run from the first to the last month with cases under the filters. The
    factor of a calendar month is, for the season group (the series' first column when
    several were asked for, else all series together; in_city beside a district is not one), the mean of that group's monthly
    totals in that calendar month divided by the mean of those means.
    """
    sid = np.asarray(counts.column("sid").combine_chunks(), dtype="int64")
    m = np.asarray(counts.column("m").combine_chunks(), dtype="int64")
    if not len(sid):
        empty = np.empty((0, 0))
        return _Grid(counts.select(names).slice(0, 0), np.empty(0, "int64"), empty, empty, empty)
    series = int(sid.max()) + 1
    lo = int(m.min())
    months = np.arange(lo, int(m.max()) + 1)
    n = np.zeros((series, len(months)))
    n[sid, m - lo] = np.asarray(counts.column("n").combine_chunks(), dtype=float)
    first_rows = np.unique(sid, return_index=True)[1]  # sid 0, 1, ... in order
    keys = counts.select(names).take(first_rows)
    if seasons_by_first:
        group = pc.dictionary_encode(keys.column(names[0]).combine_chunks()).indices
        group = np.asarray(group, dtype="int64")
    else:
        group = np.zeros(series, dtype="int64")
    totals = np.zeros((int(group.max()) + 1, len(months)))
    np.add.at(totals, group, n)
    moy = months % 12
    present = np.unique(moy)
    means = np.full((len(totals), 12), np.nan)
    for k in present:
        means[:, k] = totals[:, moy == k].mean(axis=1)
    overall = np.nanmean(means, axis=1, keepdims=True)
    with np.errstate(all="ignore"):
        by_moy = np.where(overall > 0, means / overall, np.nan)
    factor = by_moy[group][:, moy]
    with np.errstate(all="ignore"):
        y = np.where(factor > 0, n / factor, n)
    return _Grid(keys, months, n, factor, y)


def _window_median_mad(
    y: np.ndarray, rows: np.ndarray, window: int
) -> tuple[np.ndarray, np.ndarray]:
    """Median and MAD of y over ``window`` months each side within the series, the month
    itself excluded (as DuckDB's median/mad over ROWS ... EXCLUDE CURRENT ROW would), at
    the flat grid positions ``rows``; ``y`` is the series x months matrix."""
    if not len(rows):
        return np.empty(0), np.empty(0)
    padded = np.pad(y, ((0, 0), (window, window)), constant_values=np.nan)
    windows = sliding_window_view(padded, 2 * window + 1, axis=1)
    span = y.shape[1]
    values = np.delete(windows[rows // span, rows % span], window, axis=1)
    count = (~np.isnan(values)).sum(axis=1)
    median = _row_median(values, count)
    mad = _row_median(np.abs(values - median[:, None]), count)
    return median, mad


def _row_median(values: np.ndarray, count: np.ndarray) -> np.ndarray:
    """Median of each row's non-NaN values (``count`` of them; NaN when none)."""
    ordered = np.sort(np.where(np.isnan(values), np.inf, values), axis=1)
    rows = np.arange(len(values))
    lo = ordered[rows, np.maximum(count - 1, 0) // 2]
    hi = ordered[rows, count // 2]
    return np.where(count > 0, (lo + hi) / 2, np.nan)


def _p_values(cases: np.ndarray, expected: np.ndarray, tested: np.ndarray) -> np.ndarray:
    """Poisson one-sided P(N >= cases | expected) for the tested series-months."""
    p_value = np.full(len(cases), np.nan)
    positive = tested & (expected > 0)
    p_value[positive] = stats.poisson.sf(cases[positive] - 1, expected[positive])
    # An expected count of zero makes any case impossible under the baseline.
    zero = tested & (expected <= 0)
    p_value[zero] = np.where(cases[zero] > 0, 0.0, 1.0)
    return p_value


def _month_index(day: dt.date) -> int:
    return day.year * 12 + day.month - 1
