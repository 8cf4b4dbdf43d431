"""Small statistical helpers for the metric families: pure numpy/scipy on arrays.

No database, no pandas. Proportions are fractions in [0, 1]; the sampling error is
the one quantity given in percentage points, because that is how it is quoted
(「抽樣誤差為正負3.0個百分點」). Functions accept scalars or numpy arrays and
broadcast; undefined results (n = 0, zero variance) are NaN, never an exception.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike
from scipy.stats import norm

# Helpers, not metrics: nothing here takes (con, filters), so the CLI lists none of it.
PUBLIC_METRICS: tuple[str, ...] = ()
__all__ = [
    "band",
    "z_value",
    "wilson_interval",
    "normal_interval",
    "max_sampling_error_pp",
    "two_proportion_ztest",
    "cochran_armitage_trend",
    "cochran_armitage_from_sums",
    "cronbach_alpha",
    "cronbach_alpha_from_variances",
    "alpha_band",
    "TrendResult",
]

# Cronbach's alpha bands (George & Mallery's usual cut-offs), highest first.
ALPHA_BANDS: tuple[tuple[float, str], ...] = (
    (0.9, "優良"),
    (0.8, "良好"),
    (0.7, "可接受"),
    (0.6, "尚可"),
)
ALPHA_BAND_POOR = "不佳"
ALPHA_BAND_UNDEFINED = "無法計算"

# The literal 1.96 of the Taiwan sampling-error convention (not norm.ppf(0.975)).
SAMPLING_ERROR_Z = 1.96


class TrendResult(NamedTuple):
    slope: float | np.ndarray  # change in proportion per unit of score (per wave)
    z: float | np.ndarray
    p_value: float | np.ndarray


def z_value(confidence: float = 0.95) -> float:
    """Two-sided standard normal quantile: 1.959964 for 95%."""
    if not 0 < confidence < 1:
        raise ValueError(f"信心水準須介於 0 與 1 之間：{confidence}")
    return float(norm.ppf(0.5 + confidence / 2))


def _ratio(num: ArrayLike, den: ArrayLike) -> np.ndarray:
    num = np.asarray(num, dtype=float)
    den = np.asarray(den, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)


def wilson_interval(
    successes: ArrayLike, n: ArrayLike, confidence: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for a binomial proportion (no continuity correction).

    Same as ``scipy.stats.binomtest(k, n).proportion_ci(method="wilson")``. Unlike the
    normal (Wald) interval it stays inside [0, 1] and behaves at p near 0 or 1 and
    small n. NaN where n = 0.
    """
    z = z_value(confidence)
    n = np.asarray(n, dtype=float)
    p = _ratio(successes, n)
    safe_n = np.where(n > 0, n, 1.0)
    denom = 1 + z**2 / safe_n
    centre = (p + z**2 / (2 * safe_n)) / denom
    half = z / denom * np.sqrt(p * (1 - p) / safe_n + z**2 / (4 * safe_n**2))
    return np.clip(centre - half, 0.0, 1.0), np.clip(centre + half, 0.0, 1.0)


def normal_interval(
    successes: ArrayLike, n: ArrayLike, confidence: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Normal-approximation (Wald) interval p ± z·sqrt(p(1-p)/n), clipped to [0, 1]."""
    z = z_value(confidence)
    n = np.asarray(n, dtype=float)
    p = _ratio(successes, n)
    half = z * np.sqrt(p * (1 - p) / np.where(n > 0, n, 1.0))
    return np.clip(p - half, 0.0, 1.0), np.clip(p + half, 0.0, 1.0)


def max_sampling_error_pp(n: ArrayLike, z: float = SAMPLING_ERROR_Z) -> float | np.ndarray:
    """Maximum sampling error in percentage points: 100 · z · sqrt(0.25 / n).

    The worst case p = 0.5 of simple random sampling; n = 1,068 gives 3.0. NaN for n = 0.
    """
    n = np.asarray(n, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(n > 0, 100 * z * np.sqrt(0.25 / np.where(n > 0, n, 1.0)), np.nan)
    return float(out) if out.ndim == 0 else out


def two_proportion_ztest(
    x1: ArrayLike, n1: ArrayLike, x2: ArrayLike, n2: ArrayLike
) -> tuple[np.ndarray, np.ndarray]:
    """Pooled two-proportion z-test of p2 - p1; returns (z, two-sided p-value).

    z = (p2 - p1) / sqrt(p(1-p)(1/n1 + 1/n2)) with p = (x1 + x2) / (n1 + n2); z² equals
    the Pearson chi-square of the 2x2 table without continuity correction. NaN when
    either n is 0 or the pooled proportion is 0 or 1 (no variation to test).
    """
    x1, n1, x2, n2 = (np.asarray(v, dtype=float) for v in (x1, n1, x2, n2))
    p1, p2 = _ratio(x1, n1), _ratio(x2, n2)
    pooled = _ratio(x1 + x2, n1 + n2)
    with np.errstate(divide="ignore", invalid="ignore"):
        se = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
        z = np.where(se > 0, (p2 - p1) / np.where(se > 0, se, 1.0), np.nan)
    return z, 2 * norm.sf(np.abs(z))


def cochran_armitage_from_sums(
    n_total: ArrayLike, x_total: ArrayLike, s_sum: ArrayLike, s2_sum: ArrayLike, xs_sum: ArrayLike
) -> TrendResult:
    """The Cochran-Armitage trend test from per-series sums, vectorised over series.

    With groups i of a series (nᵢ answers, xᵢ successes, score sᵢ), the arguments are
    N = Σnᵢ, X = Σxᵢ, Σnᵢsᵢ, Σnᵢsᵢ² and Σxᵢsᵢ; see ``cochran_armitage_trend``.
    """
    big_n, x, s1, s2, xs = (
        np.asarray(v, dtype=float) for v in (n_total, x_total, s_sum, s2_sum, xs_sum)
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        p_bar = _ratio(x, big_n)
        s_bar = _ratio(s1, big_n)
        sxx = s2 - s1 * s_bar
        t = xs - s_bar * x
        # guard against tiny negative rounding when every answer shares one score
        sxx = np.where(sxx > 1e-12 * np.maximum(s2, 1.0), sxx, 0.0)
        slope = _ratio(t, sxx)
        var_t = p_bar * (1 - p_bar) * sxx
        z = np.where(var_t > 0, t / np.sqrt(np.where(var_t > 0, var_t, 1.0)), np.nan)
    p_value = 2 * norm.sf(np.abs(z))
    if slope.ndim == 0:
        return TrendResult(float(slope), float(z), float(p_value))
    return TrendResult(slope, z, p_value)


def cochran_armitage_trend(
    successes: ArrayLike, totals: ArrayLike, scores: ArrayLike | None = None
) -> TrendResult:
    """Cochran-Armitage test for a linear trend in proportions over ordered groups.

    ``scores`` default to 0, 1, 2, ... (equally spaced groups, e.g. survey waves).
    T = Σ xᵢ(sᵢ - s̄), Var(T) = p̄(1-p̄)·Σ nᵢ(sᵢ - s̄)² with s̄ = Σnᵢsᵢ/N, z = T / sqrt(Var(T)),
    two-sided p from the normal. The slope T / Σ nᵢ(sᵢ - s̄)² is the least-squares
    slope of the 0/1 outcome on the score, i.e. the change in proportion per step;
    z² = N·r² with r the Pearson correlation of outcome and score over individuals.
    With two groups it is the pooled two-proportion z-test. NaN when fewer than two
    groups have data or p̄ is 0 or 1 (then the slope is still given when defined).
    """
    x = np.asarray(successes, dtype=float)
    n = np.asarray(totals, dtype=float)
    s = np.arange(len(n), dtype=float) if scores is None else np.asarray(scores, dtype=float)
    if not (x.shape == n.shape == s.shape):
        raise ValueError("成功數、樣本數與分數的長度須相同")
    return cochran_armitage_from_sums(
        n.sum(), x.sum(), (n * s).sum(), (n * s * s).sum(), (x * s).sum()
    )


def cronbach_alpha_from_variances(
    k: ArrayLike, sum_item_variances: ArrayLike, total_variance: ArrayLike
) -> float | np.ndarray:
    """α = k/(k-1) · (1 - Σ var(itemᵢ) / var(total)); NaN when k < 2 or var(total) = 0.

    The variances must share one convention (both sample or both population).
    """
    k = np.asarray(k, dtype=float)
    ratio = _ratio(sum_item_variances, total_variance)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(k >= 2, k / np.where(k >= 2, k - 1, 1.0) * (1 - ratio), np.nan)
    return float(out) if out.ndim == 0 else out


def cronbach_alpha(matrix: ArrayLike) -> float:
    """Cronbach's alpha of a respondents x items matrix of scores (no missing values).

    Rows holding any NaN are dropped first (listwise deletion). Sample variances
    (ddof = 1). NaN with fewer than two items or two complete rows.
    """
    m = np.asarray(matrix, dtype=float)
    if m.ndim != 2:
        raise ValueError("Cronbach's alpha 需要「受訪者 x 題目」的二維矩陣")
    m = m[~np.isnan(m).any(axis=1)]
    if m.shape[0] < 2 or m.shape[1] < 2:
        return math.nan
    return cronbach_alpha_from_variances(
        m.shape[1], m.var(axis=0, ddof=1).sum(), m.sum(axis=1).var(ddof=1)
    )


def band(value: float | None, cuts, below: str, missing: str) -> str:
    """The label of the first (cut, label) in ``cuts`` (descending) that ``value`` reaches;
    ``below`` under the last cut, ``missing`` for None or NaN."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return missing
    return next((label for cut, label in cuts if value >= cut), below)


def alpha_band(alpha: float | None) -> str:
    """The reliability band of an alpha: 優良 ≥ .9, 良好 ≥ .8, 可接受 ≥ .7, 尚可 ≥ .6, else 不佳."""
    return band(alpha, ALPHA_BANDS, ALPHA_BAND_POOR, ALPHA_BAND_UNDEFINED)
