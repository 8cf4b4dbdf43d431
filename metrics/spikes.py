"""Family 3 (continued), spike detection (異常增加): months in which a monthly series,
by default one (category, district) pair, rose far above its own seasonal baseline.

Method, over monthly counts (zero-filled) aggregated in SQL; the rolling baseline runs
in numpy on that small monthly grid:

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

import duckdb
import numpy as np
import pandas as pd
from scipy import stats

from metrics import _sql
from metrics.filters import Filters

PUBLIC_METRICS = ("spikes",)

SERIES_COLUMNS = ("category", "subcategory", "channel", "district", "unit", "agency")

SPIKES_SQL = """
WITH base AS (
  SELECT {groups} year(received_date) * 12 + month(received_date) - 1 AS m, count(*) AS n
  FROM petitions WHERE {where} GROUP BY ALL
),
bounds AS (SELECT min(m) AS lo, max(m) AS hi FROM base),
months AS (SELECT unnest(range(lo, hi + 1)) AS m FROM bounds),
keys AS (SELECT DISTINCT {names} FROM base),
grid AS (
  SELECT {key_names}, mo.m, coalesce(b.n, 0) AS n
  FROM keys k CROSS JOIN months mo
  LEFT JOIN base b ON b.m = mo.m {key_join}
),
season_totals AS (SELECT {season_key} AS sk, m, sum(n) AS total FROM grid GROUP BY ALL),
season_means AS (
  SELECT sk, m % 12 AS moy, avg(total) AS moy_mean FROM season_totals GROUP BY sk, moy
),
season AS (
  SELECT sk, moy,
         CASE WHEN avg(moy_mean) OVER (PARTITION BY sk) > 0
              THEN moy_mean / avg(moy_mean) OVER (PARTITION BY sk) END AS factor
  FROM season_means
),
deseasonalised AS (
  SELECT g.*, s.factor,
         CASE WHEN s.factor > 0 THEN g.n / s.factor ELSE g.n END AS y
  FROM grid g JOIN season s ON s.sk = {grid_season_key} AND s.moy = g.m % 12
)
SELECT {names}, m, n, factor, y FROM deseasonalised ORDER BY {names}, m
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
    season_key = names[0] if len(names) > 1 else "'全部'"
    # Only the months a baseline can reach are read; with no period, all of them.
    first = last = None
    if filters.start:
        first = _sql.add_months(filters.start, -baseline_months)
    if filters.end:
        last = _sql.add_months(filters.end, baseline_months + 1) - dt.timedelta(days=1)
    where, params = filters.with_period(first, last).where("received_date")
    sql = SPIKES_SQL.format(
        groups=_sql.select_list(groups),
        where=where,
        names=", ".join(names),
        key_names=", ".join(f"k.{n}" for n in names),
        key_join="".join(f" AND b.{n} = k.{n}" for n in names),
        season_key=season_key,
        grid_season_key=f"g.{names[0]}" if len(names) > 1 else "'全部'",
        window=int(baseline_months),
    )
    start = _month_index(filters.start) if filters.start else 0
    end = _month_index(filters.end) if filters.end else 10**6
    grid = con.execute(sql, params).df()
    frame = _baseline(grid, names, int(baseline_months), start, end)
    frame["month"] = [f"{m // 12:04d}-{m % 12 + 1:02d}" for m in frame["month"]]
    return _score(frame, min_count, z_threshold, alpha, min_baseline_months, only_flagged)


def _baseline(
    grid: pd.DataFrame, names: list[str], window: int, start: int, end: int
) -> pd.DataFrame:
    """Rolling baseline over the small zero-filled monthly grid (sorted by series, month):
    median and MAD of y over ``window`` months each side within the series, the month
    itself excluded, as DuckDB's median/mad over ROWS ... EXCLUDE CURRENT ROW would."""
    y = grid["y"].to_numpy(dtype=float)
    rows = len(y)
    series = grid.groupby(names, sort=False, dropna=False).ngroup().to_numpy()
    # Pad every position with the `window` neighbours on each side, NaN outside the series.
    offsets = np.concatenate([np.arange(-window, 0), np.arange(1, window + 1)])
    idx = np.arange(rows)[:, None] + offsets[None, :]
    inside = (idx >= 0) & (idx < rows)
    idx_clipped = np.clip(idx, 0, max(rows - 1, 0))
    inside &= series[idx_clipped] == series[:, None] if rows else inside
    values = np.where(inside, y[idx_clipped] if rows else 0.0, np.nan)
    count = inside.sum(axis=1).astype("int64")
    base_y = _row_median(values, count)
    mad_y = _row_median(np.abs(values - base_y[:, None]), count)
    m = grid["m"].to_numpy()
    keep = (m >= start) & (m <= end)
    factor = grid["factor"].to_numpy(dtype=float)
    factor_or_one = np.where(np.isnan(factor), 1.0, factor)
    expected = base_y * factor_or_one
    with np.errstate(all="ignore"):
        spread = np.fmax(np.fmax(1.4826 * mad_y * factor_or_one, np.sqrt(expected)), 1.0)
        z = (grid["n"].to_numpy(dtype=float) - expected) / spread
    out = grid.loc[:, names].copy()
    out["month"] = m
    out["cases"] = grid["n"].to_numpy()
    out["seasonal_factor"] = factor_or_one
    out["baseline_months"] = count
    out["expected"] = expected
    out["spread"] = spread
    out["z"] = z
    return out[keep].reset_index(drop=True)


def _row_median(values: np.ndarray, count: np.ndarray) -> np.ndarray:
    """Median of each row's non-NaN values (``count`` of them; NaN when none)."""
    if not len(values):
        return np.empty(0)
    ordered = np.sort(np.where(np.isnan(values), np.inf, values), axis=1)
    rows = np.arange(len(values))
    lo = ordered[rows, np.maximum(count - 1, 0) // 2]
    hi = ordered[rows, count // 2]
    return np.where(count > 0, (lo + hi) / 2, np.nan)


def _month_index(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def _score(
    frame: pd.DataFrame,
    min_count: int,
    z_threshold: float,
    alpha: float,
    min_baseline_months: int,
    only_flagged: bool,
) -> pd.DataFrame:
    cases = frame["cases"].to_numpy(dtype=float)
    expected = frame["expected"].to_numpy(dtype=float)
    tested = (frame["baseline_months"].to_numpy() >= min_baseline_months) & ~np.isnan(expected)
    p_value = np.full(len(frame), np.nan)
    positive = tested & (expected > 0)
    p_value[positive] = stats.poisson.sf(cases[positive] - 1, expected[positive])
    # An expected count of zero makes any case impossible under the baseline.
    p_value[tested & (expected <= 0)] = np.where(cases[tested & (expected <= 0)] > 0, 0.0, 1.0)
    out = frame.copy()
    out["p_value"] = p_value
    # The Bonferroni family: the series-months that could be flagged at all.
    eligible = tested & (cases >= min_count)
    out["p_adjusted"] = np.minimum(p_value * max(int(eligible.sum()), 1), 1.0)
    out["tested"] = tested
    out["flagged"] = (
        eligible
        & (frame["z"].to_numpy(dtype=float) >= z_threshold)
        & (out["p_adjusted"].to_numpy() < alpha)
    )
    if only_flagged:
        out = out[out["flagged"]].sort_values("z", ascending=False).reset_index(drop=True)
    return out
