"""metrics.stats against hand arithmetic and against scipy on the same data."""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
import pytest
from scipy import stats as sps

from metrics import stats


class Prop(NamedTuple):
    successes: int
    n: int


WILSON_CASES = [Prop(0, 10), Prop(1, 10), Prop(5, 10), Prop(10, 10), Prop(533, 1068), Prop(1, 1)]


@pytest.mark.parametrize("case", WILSON_CASES, ids=lambda c: f"{c.successes}/{c.n}")
def test_wilson_matches_scipy(case: Prop) -> None:
    low, high = stats.wilson_interval(case.successes, case.n)
    ci = sps.binomtest(case.successes, case.n).proportion_ci(method="wilson")
    assert low == pytest.approx(ci.low, abs=1e-12)
    assert high == pytest.approx(ci.high, abs=1e-12)


def test_wilson_by_hand_at_zero_successes() -> None:
    # p = 0, n = 10: the upper bound is z²/(n + z²) = 3.8415 / 13.8415 = 0.27753
    z2 = stats.z_value() ** 2
    low, high = stats.wilson_interval(0, 10)
    assert low == 0.0
    assert high == pytest.approx(z2 / (10 + z2))
    assert high == pytest.approx(0.27753, abs=1e-5)


def test_intervals_vectorise_and_give_nan_for_empty_groups() -> None:
    low, high = stats.wilson_interval(np.array([2, 0]), np.array([4, 0]))
    assert low[0] < 0.5 < high[0]
    assert math.isnan(low[1]) and math.isnan(high[1])


def test_normal_interval_by_hand() -> None:
    # p = 0.5, n = 100: 0.5 ± 1.959964 * 0.05 = [0.402002, 0.597998]
    low, high = stats.normal_interval(50, 100)
    assert low == pytest.approx(0.5 - 1.959964 * 0.05, abs=1e-6)
    assert high == pytest.approx(0.5 + 1.959964 * 0.05, abs=1e-6)


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (1068, 2.9987),  # 100 * 1.96 * sqrt(0.25 / 1068) = 100 * 1.96 * 0.0152995
        (400, 4.9),  # 100 * 1.96 * 0.025
        (4, 49.0),  # 100 * 1.96 * 0.25
    ],
)
def test_max_sampling_error_pp(n: int, expected: float) -> None:
    assert stats.max_sampling_error_pp(n) == pytest.approx(expected, abs=1e-4)


def test_max_sampling_error_is_nan_without_answers() -> None:
    assert math.isnan(stats.max_sampling_error_pp(0))


class TwoProp(NamedTuple):
    x1: int
    n1: int
    x2: int
    n2: int
    z: float  # by hand, below
    p: float


TWO_PROP_CASES = [
    # pooled 95/200 = .475; se = sqrt(.475*.525*(1/100+1/100)) = .0706222; z = .15/.0706222
    TwoProp(40, 100, 55, 100, 2.12398, 0.033671),
    # pooled 85/200 = .425; se = sqrt(.425*.575*.02) = .0699107; z = .05/.0699107
    TwoProp(40, 100, 45, 100, 0.71519, 0.474477),
    # decline: the sign follows p2 - p1
    TwoProp(55, 100, 40, 100, -2.12398, 0.033671),
]


@pytest.mark.parametrize("case", TWO_PROP_CASES)
def test_two_proportion_ztest_by_hand(case: TwoProp) -> None:
    z, p = stats.two_proportion_ztest(case.x1, case.n1, case.x2, case.n2)
    assert z == pytest.approx(case.z, abs=1e-4)
    assert p == pytest.approx(case.p, abs=1e-5)


@pytest.mark.parametrize("case", TWO_PROP_CASES)
def test_two_proportion_ztest_equals_uncorrected_chi_square(case: TwoProp) -> None:
    table = [[case.x1, case.n1 - case.x1], [case.x2, case.n2 - case.x2]]
    chi2, p, _, _ = sps.chi2_contingency(table, correction=False)
    z, p_ours = stats.two_proportion_ztest(case.x1, case.n1, case.x2, case.n2)
    assert z**2 == pytest.approx(chi2)
    assert p_ours == pytest.approx(p)
    assert p_ours == pytest.approx(2 * sps.norm.sf(abs(z)))


def test_two_proportion_ztest_without_variation_is_nan() -> None:
    z, p = stats.two_proportion_ztest(10, 10, 20, 20)
    assert math.isnan(z) and math.isnan(p)


def _expand(successes, totals, scores):
    """Individual-level (score, outcome) arrays from grouped counts."""
    xs, ys = [], []
    for x, n, s in zip(successes, totals, scores, strict=True):
        xs += [s] * n
        ys += [1] * x + [0] * (n - x)
    return np.array(xs, dtype=float), np.array(ys, dtype=float)


def test_cochran_armitage_by_hand() -> None:
    # n = 10, 10, 10; x = 2, 5, 8; s = 0, 1, 2; p̄ = .5, s̄ = 1
    # Sxx = Σn(s - s̄)² = 10 + 0 + 10 = 20; T = Σx(s - s̄) = -2 + 0 + 8 = 6
    # Var(T) = .25 * 20 = 5; z = 6 / sqrt(5) = 2.683282; slope = 6 / 20 = 0.3
    result = stats.cochran_armitage_trend([2, 5, 8], [10, 10, 10])
    assert result.slope == pytest.approx(0.3)
    assert result.z == pytest.approx(6 / math.sqrt(5))
    assert result.p_value == pytest.approx(2 * sps.norm.sf(6 / math.sqrt(5)))
    assert result.p_value == pytest.approx(0.007290, abs=1e-6)


@pytest.mark.parametrize(
    ("successes", "totals", "scores"),
    [
        ([2, 5, 8], [10, 10, 10], [0, 1, 2]),
        ([30, 41, 39, 52], [80, 95, 70, 90], [0, 1, 2, 3]),
        ([12, 9, 7], [20, 25, 30], [0, 2, 5]),  # uneven spacing, decreasing
    ],
)
def test_cochran_armitage_matches_scipy_on_individual_data(successes, totals, scores) -> None:
    # z² = N·r² (Pearson r of outcome and score); the slope is the OLS slope of y on s.
    s, y = _expand(successes, totals, scores)
    r = sps.pearsonr(s, y).statistic
    fit = sps.linregress(s, y)
    result = stats.cochran_armitage_trend(successes, totals, scores)
    assert result.z**2 == pytest.approx(len(y) * r**2)
    assert result.p_value == pytest.approx(sps.chi2.sf(len(y) * r**2, df=1))
    assert result.slope == pytest.approx(fit.slope)
    assert np.sign(result.z) == np.sign(fit.slope)


def test_cochran_armitage_with_two_groups_is_the_two_proportion_test() -> None:
    trend = stats.cochran_armitage_trend([40, 55], [100, 100])
    z, p = stats.two_proportion_ztest(40, 100, 55, 100)
    assert trend.z == pytest.approx(z)
    assert trend.p_value == pytest.approx(p)


def test_cochran_armitage_vectorised_sums_match_single_series() -> None:
    a = stats.cochran_armitage_trend([2, 5, 8], [10, 10, 10])
    b = stats.cochran_armitage_trend([30, 41, 39, 52], [80, 95, 70, 90])
    # per-series sums N, X, Σns, Σns², Σxs
    v = stats.cochran_armitage_from_sums(
        [30, 335],
        [15, 162],
        [30, 0 * 80 + 95 + 140 + 270],
        [50, 95 + 280 + 810],
        [21, 41 + 78 + 156],
    )
    assert v.z == pytest.approx([a.z, b.z])
    assert v.slope == pytest.approx([a.slope, b.slope])


def test_cochran_armitage_undefined_cases() -> None:
    assert math.isnan(stats.cochran_armitage_trend([5], [10]).z)  # one group
    assert math.isnan(stats.cochran_armitage_trend([0, 0], [10, 10]).z)  # p̄ = 0
    assert math.isnan(stats.cochran_armitage_trend([0, 0], [0, 0]).z)  # no data


# Four respondents x three items, by hand (sample variances, ddof = 1):
#   item 1: 1 2 3 4 -> var 5/3;  item 2: 2 2 4 4 -> 4/3;  item 3: 2 3 3 4 -> 2/3;  Σ = 11/3
#   totals 5 7 10 12 -> mean 8.5, squared deviations 12.25 + 2.25 + 2.25 + 12.25 = 29 -> var 29/3
#   alpha = 3/2 * (1 - (11/3) / (29/3)) = 3/2 * 18/29 = 27/29 = 0.931034
HAND_MATRIX = [[1, 2, 2], [2, 2, 3], [3, 4, 3], [4, 4, 4]]
HAND_ALPHA = 27 / 29

# Textbook data: mtcars columns cyl, gear, carb, hp (Henderson & Velleman 1981, R's
# datasets::mtcars); R's performance::cronbachs_alpha gives 0.09463206 in its tests.
MTCARS = {
    "cyl": [6, 6, 4, 6, 8, 6, 8, 4, 4, 6, 6, 8, 8, 8, 8, 8, 8, 4, 4, 4, 4, 8, 8, 8, 8, 4, 4, 4, 8, 6, 8, 4],
    "gear": [4, 4, 4, 3, 3, 3, 3, 4, 4, 4, 4, 3, 3, 3, 3, 3, 3, 4, 4, 4, 3, 3, 3, 3, 3, 4, 5, 5, 5, 5, 5, 4],
    "carb": [4, 4, 1, 1, 2, 1, 4, 2, 2, 4, 4, 3, 3, 3, 4, 4, 4, 1, 2, 1, 1, 2, 2, 4, 2, 1, 2, 2, 4, 6, 8, 2],
    "hp": [110, 110, 93, 110, 175, 105, 245, 62, 95, 123, 123, 180, 180, 180, 205, 215, 230, 66, 52,
           65, 97, 150, 150, 245, 175, 66, 91, 113, 264, 175, 335, 109],
}  # fmt: skip
MTCARS_ALPHA = 0.09463206


def _alpha_by_formula(m: np.ndarray) -> float:
    k = m.shape[1]
    return k / (k - 1) * (1 - m.var(axis=0, ddof=1).sum() / m.sum(axis=1).var(ddof=1))


def test_cronbach_alpha_by_hand() -> None:
    assert stats.cronbach_alpha(HAND_MATRIX) == pytest.approx(HAND_ALPHA)


def test_cronbach_alpha_on_textbook_data() -> None:
    m = np.array(list(MTCARS.values()), dtype=float).T
    assert m.shape == (32, 4)
    assert stats.cronbach_alpha(m) == pytest.approx(MTCARS_ALPHA, abs=1e-8)


def test_cronbach_alpha_matches_numpy_formula_on_random_likert() -> None:
    rng = np.random.default_rng(7)
    trait = rng.normal(size=(200, 1))
    m = np.clip(np.round(3 + trait + rng.normal(scale=0.8, size=(200, 6))), 1, 5)
    assert stats.cronbach_alpha(m) == pytest.approx(_alpha_by_formula(m))


def test_cronbach_alpha_listwise_deletion() -> None:
    with_gap = [*HAND_MATRIX, [5, math.nan, 1]]
    assert stats.cronbach_alpha(with_gap) == pytest.approx(HAND_ALPHA)


def test_cronbach_alpha_limits() -> None:
    same = [[1, 1, 1], [2, 2, 2], [4, 4, 4]]  # identical items -> 1
    assert stats.cronbach_alpha(same) == pytest.approx(1.0)
    # uncorrelated items with equal variance: Σ var = var(total) -> 0
    orthogonal = [[1, 1], [1, -1], [-1, 1], [-1, -1]]
    assert stats.cronbach_alpha(orthogonal) == pytest.approx(0.0)
    assert math.isnan(stats.cronbach_alpha([[1, 2, 3]]))  # one respondent
    assert math.isnan(stats.cronbach_alpha([[1], [2], [3]]))  # one item
    assert math.isnan(stats.cronbach_alpha([[3, 3], [3, 3]]))  # no variance


@pytest.mark.parametrize(
    ("alpha", "band"),
    [
        (0.95, "優良"),
        (0.9, "優良"),
        (0.8999, "良好"),
        (0.8, "良好"),
        (0.75, "可接受"),
        (0.7, "可接受"),
        (0.65, "尚可"),
        (0.6, "尚可"),
        (0.5999, "不佳"),
        (-0.2, "不佳"),
        (math.nan, "無法計算"),
        (None, "無法計算"),
    ],
)
def test_alpha_band(alpha, band: str) -> None:
    assert stats.alpha_band(alpha) == band


def test_z_value_rejects_bad_confidence() -> None:
    assert stats.z_value(0.95) == pytest.approx(1.959964, abs=1e-6)
    with pytest.raises(ValueError, match="信心水準"):
        stats.z_value(1.5)
