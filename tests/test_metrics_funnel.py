"""Funnel plot limits (Spiegelhalter 2005) against hand computations.

Case A, four units (n, events): (100, 90), (400, 372), (50, 44), (450, 414): target
θ0 = 920 / 1000 = 0.92, s² = 0.92 × 0.08 / n = 0.0736 / n. z = -0.73721, 0.73721,
-1.04257, 0. Winsorised at the 10th/90th percentiles (linear): -0.95096 and 0.51605,
so the z² are 0.90433, 0.54348, 0, 0.26630 and φ = 0.42853; I·φ = 1.714 < χ²₀.₉₅(3) =
7.815: no over-dispersion, τ² = 0.

Case B, five units of n = 1000 with 700, 800, 900, 950, 600 events: θ0 = 0.79, s² =
0.0001659, z = -6.98747, 0.77639, 8.54023, 12.42216, -14.75131; winsorised at -11.64577
and 10.86939: φ = 376.1307 / 5 = 75.2261, I·φ = 376.13 > χ²₀.₉₅(4) = 9.488: over-dispersed;
w = 6027.728 each, τ² = (376.1307 − 4) / (5w − w) = 0.0154341; normal 95% limits 0.79 ±
1.95996 × sqrt(0.0001659 + 0.0154341) = (0.545201, 1.034799 → 1).

Exact limits (Appendix A.1.1) are checked against the binomial and Poisson pmf summed
term by term in the test.
"""

from __future__ import annotations

import datetime as dt
from math import comb, exp, factorial

import pytest
from metrics_fixtures import insert_petitions, petition

from etl.database import memory_db
from metrics.filters import Filters
from metrics.funnel import (
    ABOVE_95,
    BELOW_95,
    BELOW_998,
    WITHIN,
    Z_95,
    Z_998,
    exact_limits,
    exact_position,
    funnel,
    limits,
    overdispersion,
)


def test_case_a_no_overdispersion_and_limits_at_n_50():
    phi, tau2, over = overdispersion([90, 372, 44, 414], [100, 400, 50, 450], 0.92)
    assert phi == pytest.approx(0.42853, abs=5e-5)
    assert (tau2, over) == (0.0, False)
    assert abs(Z_95 - 1.95996) < 1e-5
    assert abs(Z_998 - 3.09023) < 1e-5


def _binomial_limit(n: int, target: float, p: float) -> float:
    """Spiegelhalter's interpolated lower limit, summing the pmf term by term from 0."""
    below = cumulative = 0.0
    for r in range(n + 1):
        below, cumulative = (
            cumulative,
            cumulative + comb(n, r) * target**r * (1 - target) ** (n - r),
        )
        if cumulative >= p:
            return (r - (cumulative - p) / (cumulative - below)) / n
    return 1.0


def _binomial_upper(n: int, target: float, p: float) -> float:
    """The upper limit on the upper tail, summing the pmf term by term from n down."""
    q, tail = 1 - p, 0.0
    for k in range(n, -1, -1):
        term = comb(n, k) * target**k * (1 - target) ** (n - k)
        tail += term
        if tail > q:
            return (k + (tail - q) / term) / n
    return 0.0


def _poisson_pmf(mean: float, r: int) -> float:
    return exp(-mean) * mean**r / factorial(r)


def _poisson_limit(n: float, target: float, p: float) -> float:
    mean, cumulative, r = n * target, 0.0, 0
    while True:
        cumulative += _poisson_pmf(mean, r)
        if cumulative >= p:
            return (r - (cumulative - p) / _poisson_pmf(mean, r)) / n
        r += 1


def _poisson_upper(n: float, target: float, p: float) -> float:
    # P(R >= k) = 1 - P(R <= k - 1); k the largest count with P(R >= k) > 1 - p
    mean, q, k, below = n * target, 1 - p, 0, 0.0
    while 1 - (below + _poisson_pmf(mean, k)) > q:
        below += _poisson_pmf(mean, k)
        k += 1
    return (k + (1 - below - q) / _poisson_pmf(mean, k)) / n


@pytest.mark.parametrize("n, target", [(1, 0.914), (7, 0.5), (20, 0.68), (50, 0.92), (333, 0.97)])
def test_exact_limits_match_the_pmf_summed_by_hand(n, target):
    for level, (p_low, p_high) in (("95", (0.025, 0.975)), ("99.8", (0.001, 0.999))):
        low, high = exact_limits(target, n, level=level)
        assert float(low) == pytest.approx(max(0.0, _binomial_limit(n, target, p_low)), abs=1e-9)
        assert float(high) == pytest.approx(min(1.0, _binomial_upper(n, target, p_high)), abs=1e-9)


def test_exact_poisson_limits_for_rates_per_resident():
    # 20 per 10,000 residents in a district of 3,000: mean 6 cases.
    for level, (p_low, p_high) in (("95", (0.025, 0.975)), ("99.8", (0.001, 0.999))):
        low, high = exact_limits(0.002, 3_000, level=level, kind="rate")
        assert float(low) == pytest.approx(max(0.0, _poisson_limit(3_000, 0.002, p_low)), rel=1e-9)
        assert float(high) == pytest.approx(_poisson_upper(3_000, 0.002, p_high), rel=1e-9)


def test_a_unit_of_one_case_is_not_flagged_for_noise():
    # θ0 = 0.914, n = 1: P(R = 0) = 0.086 > 0.025, so the 95% lower limit is below 0 and a
    # unit whose only case was late (0%) is inside it, as is one whose only case was on
    # time (P(R >= 1) = 0.914); the normal approximation put the lower limit at
    # 0.914 − 1.96 × sqrt(0.914 × 0.086) = 0.364 and flagged the first.
    low, high = limits(0.914, 1, level="95")
    assert (float(low), float(high)) == (0.0, 1.0)
    assert list(exact_position([0, 1], [1, 1], 0.914)) == [WITHIN, WITHIN]


def test_the_position_is_the_exact_tail_probability():
    # n = 50 at θ0 = 0.914: P(R = 50) = 0.914^50 = 0.01121, between 0.001 and 0.025: above
    # the 95% limit, not the 99.8% one. P(R <= 40) summed by hand below; 3 of 50 is far
    # below both.
    assert 0.001 < 0.914**50 < 0.025
    below_40 = sum(comb(50, r) * 0.914**r * 0.086 ** (50 - r) for r in range(41))
    expected_40 = BELOW_998 if below_40 < 0.001 else BELOW_95 if below_40 < 0.025 else WITHIN
    positions = exact_position([50, 40, 3], [50, 50, 50], 0.914)
    assert list(positions) == [ABOVE_95, expected_40, BELOW_998]
    # strictly outside the drawn limits exactly when flagged
    low, high = exact_limits(0.914, 50, level="95")
    assert float(high) < 50 / 50 and float(low) > 3 / 50
    assert (float(low) > 40 / 50) == (expected_40 != WITHIN)


def test_over_dispersed_limits_widen_the_exact_half_width_by_the_random_effect():
    phi, tau2, over = overdispersion([700, 800, 900, 950, 600], [1000] * 5, 0.79)
    assert over and tau2 == pytest.approx(0.0154341, rel=1e-4)
    # Case B at n = 1000, θ0 = 0.79, τ² = 0.0154341: exact 95% lower limit l (pmf summed by
    # hand), half-width h = 0.79 − l, widened to sqrt(h² + 1.95996² τ²). Close to the normal
    # limit 0.545201 of case B (h ≈ 1.96 s at this n); the upper side clips at 1.
    tau2 = 0.0154341
    h = 0.79 - _binomial_limit(1000, 0.79, 0.025)
    low, high = limits(0.79, 1000, level="95", tau2=tau2)
    assert float(low) == pytest.approx(0.79 - (h**2 + 1.95996**2 * tau2) ** 0.5, abs=1e-5)
    assert float(low) == pytest.approx(0.545201, abs=2e-4)
    assert float(high) == 1.0
    # τ² → 0 gives the exact limits back (no jump to the normal approximation)
    low, high = limits(0.79, 1000, level="95", tau2=1e-14)
    exact_low, exact_high = exact_limits(0.79, 1000, level="95")
    assert (float(low), float(high)) == pytest.approx(
        (float(exact_low), float(exact_high)), abs=1e-6
    )


def test_funnel_on_units_from_the_loader():
    # Five units of 20 replied cases, on time 16, 15, 15, 14, 8: θ0 = 68 / 100 = 0.68,
    # s = sqrt(0.68 × 0.32 / 20) = 0.104307. z = 1.15045, 0.67109, 0.67109, 0.19174,
    # -2.68438; winsorised at -1.53393 and 0.95871, φ = 4.20955 / 5 = 0.84191, I·φ = 4.21
    # < 9.488: no over-dispersion. Exact limits at n = 20 (``_binomial_limit``, the pmf
    # summed by hand): 95% (0.442223, 0.848545), 99.8% lower 0.311660. 戊 (0.40) is below
    # 95% but not 99.8%.
    rows = []
    for unit, on_time in (("甲", 16), ("乙", 15), ("丙", 15), ("丁", 14), ("戊", 8)):
        for i in range(20):
            due = "2025-03-20" if i < on_time else "2025-03-04"
            rows.append(petition("2025-03-03 09:00", replied_at="2025-03-10 10:00", due=due,
                                 unit=unit))  # fmt: skip
    con = memory_db()
    try:
        insert_petitions(con, rows)
        frame = funnel(con, Filters(dt.date(2025, 3, 1), dt.date(2025, 3, 31))).set_index("unit")
    finally:
        con.close()
    assert frame["target"].iloc[0] == pytest.approx(0.68)
    assert frame["phi"].iloc[0] == pytest.approx(0.84191, abs=1e-5)
    assert not frame["overdispersed"].any() and (frame["tau2"] == 0).all()
    assert frame.loc["戊", "z"] == pytest.approx(-2.68438, abs=1e-5)
    assert frame.loc["戊", "lower_95"] == pytest.approx(0.442223, abs=1e-6)
    assert frame.loc["戊", "lower_998"] == pytest.approx(0.311660, abs=1e-6)
    assert frame.loc["甲", "upper_95"] == pytest.approx(0.898545, abs=1e-6)
    assert frame.loc["戊", "position"] == BELOW_95
    assert set(frame.drop(index="戊")["position"]) == {WITHIN}


def test_unknown_indicator_or_grouping_is_refused_in_plain_words():
    con = memory_db()
    try:
        with pytest.raises(ValueError, match="不支援的漏斗圖指標"):
            funnel(con, Filters(), indicator="speed")
        with pytest.raises(ValueError, match="不支援"):
            funnel(con, Filters(), indicator="petitions_per_10k", by="unit")
        assert funnel(con, Filters()).empty
    finally:
        con.close()
