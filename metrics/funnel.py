"""Funnel plots (漏斗圖): comparing units or districts of very different sizes fairly.

Each group's rate is plotted against its size with control limits around the agency's
rate that narrow as the size grows (Spiegelhalter, "Funnel plots for comparing
institutional performance", Stat Med 2005;24:1185-1202), so a small unit is not flagged
for noise and a large one not hidden by a rank.

Method (normal approximation, as in the paper's over-dispersion treatment):

- target θ0 = Σ events / Σ n over the groups shown (the agency's rate);
- a group's standard error under θ0: s_i = sqrt(θ0 (1 − θ0) / n_i) for proportions, and
  sqrt(θ0 / n_i) for rates per resident (Poisson), on the per-person scale;
- z_i = (y_i − θ0) / s_i; limits θ0 ± z_p · sqrt(s_i² + τ²) for p = 95% (z = 1.960) and
  99.8% (z = 3.090), clipped to [0, 1] for proportions;
- over-dispersion (Spiegelhalter, "Handling over-dispersion of performance indicators",
  Qual Saf Health Care 2005;14:347-351): φ = mean of the z_i² after winsorising the z_i at
  their 10th and 90th percentiles; the groups vary more than chance allows when I·φ
  exceeds the 95th percentile of χ² with I − 1 degrees of freedom, and then the limits
  widen by the additive random effect τ² = (I·φ − (I − 1)) / (Σ w_i − Σ w_i² / Σ w_i),
  w_i = 1 / s_i² (τ² = 0 otherwise).
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import stats

from metrics import regional, reply_satisfaction, satisfaction, timeliness
from metrics.filters import Filters

PUBLIC_METRICS = ("funnel",)

Z_95 = float(stats.norm.ppf(0.975))  # 1.960
Z_998 = float(stats.norm.ppf(0.999))  # 3.090
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


def control_limits(
    target: float, n: ArrayLike, *, z: float, tau2: float = 0.0, kind: str = "proportion"
) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper control limits at size(s) ``n`` around ``target``: target ± z ·
    sqrt(s² + τ²), s² = target(1 − target)/n (proportion) or target/n (rate per person).
    Proportions are clipped to [0, 1], rates at 0. NaN where n ≤ 0."""
    n = np.asarray(n, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        variance = (target * (1 - target) if kind == "proportion" else target) / n
        half = z * np.sqrt(variance + tau2)
    half = np.where(n > 0, half, np.nan)
    low, high = target - half, target + half
    if kind == "proportion":
        return np.clip(low, 0.0, 1.0), np.clip(high, 0.0, 1.0)
    return np.maximum(low, 0.0), high


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
    variance = (target * (1 - target) if kind == "proportion" else target) / n
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
        variance = (target * (1 - target) if kind == "proportion" else target) / n
        z = np.where(variance > 0, (rate - target) / np.sqrt(variance + tau2), np.nan)
    low95, high95 = control_limits(target, n, z=Z_95, tau2=tau2, kind=kind)
    low998, high998 = control_limits(target, n, z=Z_998, tau2=tau2, kind=kind)
    position = np.select(
        [rate > high998, rate > high95, rate < low998, rate < low95],
        [ABOVE_998, ABOVE_95, BELOW_998, BELOW_95],
        default=WITHIN,
    )
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
