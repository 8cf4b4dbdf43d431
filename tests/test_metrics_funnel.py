"""Funnel plot limits (Spiegelhalter 2005) against hand computations.

Case A, four units (n, events): (100, 90), (400, 372), (50, 44), (450, 414): target
θ0 = 920 / 1000 = 0.92, s² = 0.92 × 0.08 / n = 0.0736 / n. z = -0.73721, 0.73721,
-1.04257, 0. Winsorised at the 10th/90th percentiles (linear): -0.95096 and 0.51605,
so the z² are 0.90433, 0.54348, 0, 0.26630 and φ = 0.42853; I·φ = 1.714 < χ²₀.₉₅(3) =
7.815: no over-dispersion, τ² = 0. Unit 3 (n = 50): s = 0.038367, 95% limits
0.92 ± 1.95996 × 0.038367 = (0.844803, 0.995197); 99.8% limits 0.92 ± 3.09023 × 0.038367
= (0.801438, 1.038562 → 1).

Case B, five units of n = 1000 with 700, 800, 900, 950, 600 events: θ0 = 0.79, s² =
0.0001659, z = -6.98747, 0.77639, 8.54023, 12.42216, -14.75131; winsorised at -11.64577
and 10.86939: φ = 376.1307 / 5 = 75.2261, I·φ = 376.13 > χ²₀.₉₅(4) = 9.488: over-dispersed;
w = 6027.728 each, τ² = (376.1307 − 4) / (5w − w) = 0.0154341; 95% limits 0.79 ± 1.95996
× sqrt(0.0001659 + 0.0154341) = (0.545201, 1.034799 → 1).
"""

from __future__ import annotations

import datetime as dt

import pytest
from metrics_fixtures import insert_petitions, petition

from etl.database import memory_db
from metrics.filters import Filters
from metrics.funnel import (
    BELOW_95,
    WITHIN,
    Z_95,
    Z_998,
    control_limits,
    funnel,
    overdispersion,
)


def test_case_a_no_overdispersion_and_limits_at_n_50():
    phi, tau2, over = overdispersion([90, 372, 44, 414], [100, 400, 50, 450], 0.92)
    assert phi == pytest.approx(0.42853, abs=5e-5)
    assert (tau2, over) == (0.0, False)
    assert abs(Z_95 - 1.95996) < 1e-5
    assert abs(Z_998 - 3.09023) < 1e-5
    low, high = control_limits(0.92, 50, z=Z_95)
    assert (float(low), float(high)) == pytest.approx((0.844803, 0.995197), abs=2e-6)
    low, high = control_limits(0.92, 50, z=Z_998)
    assert (float(low), float(high)) == pytest.approx((0.801438, 1.0), abs=2e-6)


def test_case_b_overdispersion_widens_the_limits():
    phi, tau2, over = overdispersion([700, 800, 900, 950, 600], [1000] * 5, 0.79)
    assert over
    assert phi == pytest.approx(75.2261, abs=2e-3)
    assert tau2 == pytest.approx(0.0154341, rel=1e-4)
    low, high = control_limits(0.79, 1000, z=Z_95, tau2=tau2)
    assert (float(low), float(high)) == pytest.approx((0.545201, 1.0), abs=1e-5)


def test_rates_per_resident_use_the_poisson_variance():
    # θ0 = 0.002 per resident (20 per 10,000), n = 50,000: s = sqrt(0.002 / 50,000) =
    # 0.0002; 95% limits 0.002 ± 1.95996 × 0.0002 = (0.00160801, 0.00239199).
    low, high = control_limits(0.002, 50_000, z=Z_95, kind="rate")
    assert (float(low), float(high)) == pytest.approx((0.00160801, 0.00239199), abs=1e-8)


def test_funnel_on_units_from_the_loader():
    # Five units of 20 replied cases, on time 16, 15, 15, 14, 8: θ0 = 68 / 100 = 0.68,
    # s = sqrt(0.68 × 0.32 / 20) = 0.104307. z = 1.15045, 0.67109, 0.67109, 0.19174,
    # -2.68438; winsorised at -1.53393 and 0.95871, φ = 4.20955 / 5 = 0.84191, I·φ = 4.21
    # < 9.488: no over-dispersion. 95% limits 0.68 ± 0.204438 = (0.475562, 0.884438);
    # 99.8% lower 0.68 - 0.322333 = 0.357667. 戊 (0.40) is below 95% but not 99.8%.
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
    assert frame.loc["戊", "lower_95"] == pytest.approx(0.475562, abs=1e-6)
    assert frame.loc["戊", "lower_998"] == pytest.approx(0.357667, abs=1e-6)
    assert frame.loc["甲", "upper_95"] == pytest.approx(0.884438, abs=1e-6)
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
