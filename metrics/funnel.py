"""Funnel plots (漏斗圖): comparing units or districts of very different sizes fairly.

Each group's rate is plotted against its size with control limits around the agency's
rate that narrow as the size grows (Spiegelhalter, "Funnel plots for comparing
institutional performance", Stat Med 2005;24:1185-1202), so a small unit is not flagged
for noise and a large one not hidden by a rank.

Method:

- target θ0 = Σ events / Σ n over the groups shown (the agency's rate);
- limits from the exact distribution under θ0 (the paper's Appendix A.1.1): for the
  p-th limit (p = 0.025/0.975 for 95%, 0.001/0.999 for 99.8%), r_p is the smallest count
  with P(R ≤ r_p) ≥ p for R ~ Binomial(n, θ0) (proportions) or Poisson(n θ0) (rates per
  resident), interpolated as α = (P(R ≤ r_p) − p) / P(R = r_p) and lower limit
  (r_p − α) / n; the upper limit is the same on the upper tail (k the largest count with
  P(R ≥ k) > q = 1 − p, limit (k + (P(R ≥ k) − q) / P(R = k)) / n), so that a group lies
  strictly outside a limit exactly when its exact tail probability is below the level
  (P(R ≤ y) < p or P(R ≥ y) < q), which is how it is classified; clipped to [0, 1] or
  at 0. Unlike the normal approximation, this does not flag a unit of one or two cases
  for noise (n = 1 at θ0 = 0.914: both 0% and 100% are inside the 95% limits);
- a group's standard error under θ0: s_i = sqrt(θ0 (1 − θ0) / n_i) for proportions, and
  sqrt(θ0 / n_i) for rates per resident (Poisson), on the per-person scale;
  z_i = (y_i − θ0) / s_i (z = 1.960 and 3.090 are the normal quantiles of the two levels);
- over-dispersion (Spiegelhalter, "Handling over-dispersion of performance indicators",
  Qual Saf Health Care 2005;14:347-351): φ = mean of the z_i² after winsorising the z_i at
  their 10th and 90th percentiles; the groups vary more than chance allows when I·φ
  exceeds the 95th percentile of χ² with I − 1 degrees of freedom, and then the limits
  widen by the additive random effect τ² = (I·φ − (I − 1)) / (Σ w_i − Σ w_i² / Σ w_i),
  w_i = 1 / s_i² (τ² = 0 otherwise); over-dispersed, each exact half-width h becomes
  sqrt(h² + z² τ²) (``limits``): the normal θ0 ± z sqrt(s² + τ²) for large n, the exact
  limits again as τ² → 0.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import stats

from metrics import regional, reply_satisfaction, satisfaction, timeliness
from metrics.filters import Filters
from metrics.stats import z_value

PUBLIC_METRICS = ("funnel",)

Z_95 = z_value(0.95)  # 1.960
Z_998 = z_value(0.998)  # 3.090
LEVELS = {"95": (0.025, 0.975, Z_95), "99.8": (0.001, 0.999, Z_998)}  # tails and z
WINSOR = (10, 90)  # percentiles the z-scores are winsorised at for φ

# indicator -> (label, kind, groupings it is defined for)
INDICATORS = {
    "on_time_rate": ("依限辦結率", "proportion", ("unit", "district")),
    "reply_satisfaction": ("陳情回覆滿意度", "proportion", ("unit", "district")),
    "survey_satisfaction": ("調查滿意度", "proportion", ("unit", "district")),
    "petitions_per_10k": ("每萬人陳情件數", "rate", ("district",)),
}
PER = 10_000  # rates per resident are shown per 10,000

ABOVE_998, ABOVE_95, WITHIN, BELOW_95, BELOW_998 = (
    "高於 99.8% 管制界限",
    "高於 95% 管制界限",
    "在管制界限內",
    "低於 95% 管制界限",
    "低於 99.8% 管制界限",
)

COLUMNS = [
    "n", "events", "rate", "target", "z", "lower_95", "upper_95", "lower_998", "upper_998",
    "position", "phi", "tau2", "overdispersed",
]  # fmt: skip


def _distribution(target: float, n: np.ndarray, kind: str):
    """Counts under θ0 at size n: Binomial(n, θ0) or Poisson(n θ0); sizes as used (n
    rounded for the binomial)."""
    if kind == "proportion":
        sizes = np.round(n)
        return stats.binom(sizes, target), sizes
    return stats.poisson(n * target), n


def _variance(target: float, n: np.ndarray, kind: str) -> np.ndarray:
    """A group's variance under θ0 on the per-person scale: θ0 (1 − θ0) / n for
    proportions, θ0 / n for rates per resident (Poisson)."""
    return (target * (1 - target) if kind == "proportion" else target) / n


def _clipped(low: np.ndarray, high: np.ndarray, kind: str) -> tuple[np.ndarray, np.ndarray]:
    """Limits inside [0, 1] for proportions, at or above 0 for rates."""
    if kind == "proportion":
        return np.clip(low, 0.0, 1.0), np.clip(high, 0.0, 1.0)
    return np.maximum(low, 0.0), high


def exact_limits(
    target: float, n: ArrayLike, *, level: str = "95", kind: str = "proportion"
) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper limits at size(s) ``n`` from the Binomial(n, θ0) or Poisson(n θ0)
    distribution, interpolated (Spiegelhalter 2005, Appendix A.1.1; the upper limit on
    the upper tail, see the module docstring). ``level``: "95" or "99.8". NaN where
    n < 1 (proportions) or n ≤ 0."""
    n = np.asarray(n, dtype=float)
    dist, sizes = _distribution(target, np.where(n > 0, n, 1.0), kind)
    valid = (n > 0) & (sizes > 0)
    p_low, p_high = LEVELS[level][:2]
    q = 1 - p_high
    with np.errstate(divide="ignore", invalid="ignore"):
        r = dist.ppf(p_low)  # smallest r with P(R <= r) >= p_low
        low = (r - (dist.cdf(r) - p_low) / dist.pmf(r)) / sizes
        k = dist.isf(q)  # largest r with P(R >= r) > q
        high = (k + (dist.sf(k - 1) - q) / dist.pmf(k)) / sizes
    return _clipped(np.where(valid, low, np.nan), np.where(valid, high, np.nan), kind)


def exact_position(
    events: ArrayLike, n: ArrayLike, target: float, *, kind: str = "proportion"
) -> np.ndarray:
    """Each group's position by its exact tail probability under θ0: below a level's
    lower limit when P(R <= events) < p_low, above its upper when P(R >= events) < 1 -
    p_high; the same as lying strictly outside the interpolated limits."""
    events = np.asarray(events, dtype=float)
    dist, _ = _distribution(target, np.asarray(n, dtype=float), kind)
    lower_tail, upper_tail = dist.cdf(events), dist.sf(events - 1)
    (low998, high998), (low95, high95) = LEVELS["99.8"][:2], LEVELS["95"][:2]
    return np.select(
        [
            upper_tail < 1 - high998,
            upper_tail < 1 - high95,
            lower_tail < low998,
            lower_tail < low95,
        ],
        [ABOVE_998, ABOVE_95, BELOW_998, BELOW_95],
        default=WITHIN,
    )


def limits(
    target: float, n: ArrayLike, *, level: str = "95", tau2: float = 0.0, kind: str = "proportion"
) -> tuple[np.ndarray, np.ndarray]:
    """The funnel's limits at size(s) ``n``: exact (``exact_limits``); when over-dispersed,
    each side's exact half-width h is widened by the random effect on the same scale,
    sqrt(h² + z² τ²) (h ≈ z s for large n, so this is the normal θ0 ± z sqrt(s² + τ²);
    τ² → 0 gives the exact limits back)."""
    low, high = exact_limits(target, n, level=level, kind=kind)
    if tau2 > 0:
        extra = LEVELS[level][2] ** 2 * tau2
        low = target - np.sqrt((target - low) ** 2 + extra)
        high = target + np.sqrt((high - target) ** 2 + extra)
        return _clipped(low, high, kind)
    return low, high


def overdispersion(
    events: ArrayLike, n: ArrayLike, target: float, *, kind: str = "proportion"
) -> tuple[float, float, bool]:
    """(φ, τ², over-dispersed?) of the groups around ``target`` (see the module docstring).
    Groups with n ≤ 0 are left out; fewer than two groups: (NaN, 0, False)."""
    events, n = np.asarray(events, dtype=float), np.asarray(n, dtype=float)
    keep = n > 0
    events, n = events[keep], n[keep]
    groups = len(n)
    if groups < 2 or not 0 < target < (1 if kind == "proportion" else np.inf):
        return float("nan"), 0.0, False
    variance = _variance(target, n, kind)
    z = (events / n - target) / np.sqrt(variance)
    low, high = np.percentile(z, WINSOR)
    phi = float(np.mean(np.clip(z, low, high) ** 2))
    over = groups * phi > stats.chi2.ppf(0.95, groups - 1)
    if not over:
        return phi, 0.0, False
    w = 1 / variance
    tau2 = max(0.0, (groups * phi - (groups - 1)) / (w.sum() - (w**2).sum() / w.sum()))
    return phi, float(tau2), True


def _counts(con: duckdb.DuckDBPyConnection, filters: Filters, indicator: str, by: str):
    """(group keys, n, events) for an indicator, from the metric that defines it; the keys
    are the grouping column (and in_city beside a district)."""
    if indicator == "on_time_rate":
        frame = timeliness.on_time_rate(con, filters, by=by, date_basis="replied")
        n, events = "replied", "on_time"
    elif indicator == "reply_satisfaction":
        frame = reply_satisfaction.reply_satisfaction(con, filters, by=(by,))
        n, events = "rated", "satisfied"
    elif indicator == "survey_satisfaction":
        frame = satisfaction.survey_satisfaction(con, filters, by=(by,))
        n, events = "n", "satisfied"
    else:
        frame = regional.district_counts(con, filters)
        frame = frame[frame["population"].notna() & (frame["row_kind"] == regional.ROW_DISTRICT)]
        n, events = "population", "cases"
    keys = {"district": ["district", "in_city"], "unit": ["agency", "unit"]}[by]
    return frame[keys].reset_index(drop=True), frame[n], frame[events]


def funnel(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    *,
    indicator: str = "on_time_rate",
    by: str = "unit",
) -> pd.DataFrame:
    """漏斗圖: each unit's (or district's) rate against its size, with control limits.

    ``by``: unit (with its agency) or district (in_city beside it). ``indicator``: on_time_rate (依限辦結率 of cases replied in the period, n = replied,
    as in the scorecard), reply_satisfaction (n = rated replies), survey_satisfaction (n
    = valid answers to the overall item), or petitions_per_10k (districts only; n =
    population, shown per 10,000 residents; needs a loaded population table). One row
    per group with n > 0: n, events, rate, target (the rate over all groups shown), z,
    the 95% and 99.8% limits at the group's n, position (高於/低於 95% or 99.8% 管制界限,
    or 在管制界限內), and φ, τ², overdispersed (the same on every row). Method in the
    module docstring; higher is better for every indicator but petitions_per_10k, where
    a district above the limits has more petitions per resident than chance explains.
    Rates and limits are fractions, except petitions_per_10k (per 10,000 residents).
    """
    if not isinstance(by, str) and len(by) == 1:
        by = by[0]
    if indicator not in INDICATORS:
        raise ValueError(f"不支援的漏斗圖指標「{indicator}」；可用：{'、'.join(INDICATORS)}")
    _, kind, groupings = INDICATORS[indicator]
    if by not in groupings:
        raise ValueError(
            f"漏斗圖指標「{indicator}」可依 {'、'.join(groupings)} 分組，不支援「{by}」"
        )
    keys, n, events = _counts(con, filters, indicator, by)
    n = np.asarray(n, dtype=float)
    events = np.asarray(events, dtype=float)
    keep = n > 0
    keys, n, events = keys[keep].reset_index(drop=True), n[keep], events[keep]
    if not len(n):
        return pd.DataFrame(columns=[*keys.columns, *COLUMNS])
    target = events.sum() / n.sum()
    phi, tau2, over = overdispersion(events, n, target, kind=kind)
    rate = events / n
    with np.errstate(divide="ignore", invalid="ignore"):
        variance = _variance(target, n, kind)
        z = np.where(variance > 0, (rate - target) / np.sqrt(variance + tau2), np.nan)
    low95, high95 = limits(target, n, level="95", tau2=tau2, kind=kind)
    low998, high998 = limits(target, n, level="99.8", tau2=tau2, kind=kind)
    if tau2 > 0:
        position = np.select(
            [rate > high998, rate > high95, rate < low998, rate < low95],
            [ABOVE_998, ABOVE_95, BELOW_998, BELOW_95],
            default=WITHIN,
        )
    else:
        position = exact_position(events, n, target, kind=kind)
    scale = PER if kind == "rate" else 1
    return keys.assign(
        **{
            "n": n.astype("int64"),
            "events": events.astype("int64"),
            "rate": rate * scale,
            "target": target * scale,
            "z": z,
            "lower_95": low95 * scale,
            "upper_95": high95 * scale,
            "lower_998": low998 * scale,
            "upper_998": high998 * scale,
            "position": position,
            "phi": phi,
            "tau2": tau2,
            "overdispersed": over,
        }
    )
