"""Petition types and channels (陳情型態): counts, changes, top N, repeats and spikes."""

from __future__ import annotations

import datetime as dt
import math
import statistics
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest
from metrics_fixtures import insert_petitions, petition, sample_database
from scipy import stats

from etl.database import memory_db
from etl.samplegen import PLANTED_SPIKE
from metrics import spikes, types
from metrics.filters import Filters
from store.db import connect_readonly

D = dt.date
MARCH = Filters(D(2025, 3, 1), D(2025, 3, 31))


@pytest.fixture
def con():
    connection = memory_db()
    yield connection
    connection.close()


def _n(day: str, n: int, **fields) -> list[dict]:
    return [petition(f"{day} 10:00", **fields) for _ in range(n)]


def _mix(con) -> None:
    """March 2025: 交通 4 (1999 3, 網路 1), 環境 3 (1999), no category 1 (臨櫃) = 8.
    Earlier: 交通 2 in February 2025, 交通 5 in March 2024."""
    insert_petitions(
        con,
        [
            *_n("2025-03-03", 3, category="交通", channel="1999"),
            *_n("2025-03-04", 1, category="交通", channel="網路"),
            *_n("2025-03-05", 3, category="環境", channel="1999"),
            *_n("2025-03-06", 1, channel="臨櫃"),
            *_n("2025-02-10", 2, category="交通", channel="1999"),
            *_n("2024-03-10", 5, category="交通", channel="1999"),
        ],
    )


def test_type_counts_and_shares(con):
    _mix(con)
    frame = types.type_counts(con, MARCH).set_index("category")
    assert frame["cases"].to_dict() == {"交通": 4, "環境": 3, "未填": 1}
    assert frame.loc["交通", "share"] == pytest.approx(4 / 8)
    channels = types.type_counts(con, MARCH, by="channel").set_index("channel")
    assert channels["cases"].to_dict() == {"1999": 6, "網路": 1, "臨櫃": 1}


def test_type_counts_share_within_month(con):
    _mix(con)
    frame = types.type_counts(con, Filters(), by=("month", "category"))
    feb = frame[frame["month"] == "2025-02"]
    assert list(feb["share"]) == [1.0]  # the only category that month
    march = frame[frame["month"] == "2025-03"].set_index("category")
    assert march.loc["環境", "share"] == pytest.approx(3 / 8)
    with pytest.raises(ValueError, match="至少一個分組欄位"):
        types.type_counts(con, MARCH, by=())


@dataclass(frozen=True)
class Change:
    category: str
    month: str
    cases: int
    prev: float | None
    last_year: float | None
    mom: float | None
    yoy: float | None


CHANGES = [
    # 交通: 4 vs February's 2 (+100%) and March 2024's 5 (−20%).
    Change("交通", "2025-03", 4, 2, 5, 1.0, -0.2),
    # 環境: 3 vs 0 in February and 0 in March 2024: changes over zero are not computed.
    Change("環境", "2025-03", 3, 0, 0, None, None),
    Change("未填", "2025-03", 1, 0, 0, None, None),
]


@pytest.mark.parametrize("case", CHANGES, ids=lambda c: c.category)
def test_type_changes(con, case):
    _mix(con)
    frame = types.type_changes(con, MARCH)
    row = frame[(frame["category"] == case.category) & (frame["month"] == case.month)].iloc[0]
    assert row["cases"] == case.cases
    assert row["prev_month_cases"] == case.prev
    assert row["last_year_cases"] == case.last_year
    for column, expected in (("mom_change", case.mom), ("yoy_change", case.yoy)):
        if expected is None:
            assert pd.isna(row[column])
        else:
            assert row[column] == pytest.approx(expected)


def test_type_changes_before_the_data_is_missing_not_zero(con):
    _mix(con)
    frame = types.type_changes(con, Filters(D(2024, 3, 1), D(2024, 4, 30)))
    traffic = frame[frame["category"] == "交通"].set_index("month")
    # The data start in March 2024: February 2024 and 2023 are no data, not zero.
    assert pd.isna(traffic.loc["2024-03", "prev_month_cases"])
    assert pd.isna(traffic.loc["2024-03", "last_year_cases"])
    assert pd.isna(traffic.loc["2024-03", "mom_change"])
    # April 2024 had no petitions: zero, and the change from March is −100%.
    assert traffic.loc["2024-04", "cases"] == 0
    assert traffic.loc["2024-04", "mom_change"] == pytest.approx(-1.0)
    with pytest.raises(ValueError, match="不支援的分組欄位"):
        types.type_changes(con, MARCH, by="month")


def test_top_categories(con):
    _mix(con)
    frame = types.top_categories(con, MARCH, n=2)
    assert list(frame["rank"]) == [1, 2]
    assert list(frame["category"]) == ["交通", "環境"]
    assert list(frame["cumulative_share"]) == pytest.approx([4 / 8, 7 / 8])
    tie = types.top_categories(con, Filters(D(2025, 3, 3), D(2025, 3, 5)), n=5, by="channel")
    # 1999: 6, 網路: 1 -> ranked by count
    assert list(tie["channel"]) == ["1999", "網路"]


@dataclass(frozen=True)
class Repeat:
    name: str
    rows: list
    cases: int
    with_key: int
    repeats: int


REPEATS = [
    Repeat(
        "30 days apart is a repeat, 31 is not",
        [
            petition("2025-03-01 10:00", petitioner_key=1, category="交通"),
            petition("2025-03-31 10:00", petitioner_key=1, category="交通"),  # 30 days
            petition("2025-05-01 10:00", petitioner_key=1, category="交通"),  # 31 days
        ],
        3,
        3,
        1,
    ),
    Repeat(
        "another category is not a repeat",
        [
            petition("2025-03-01 10:00", petitioner_key=1, category="交通"),
            petition("2025-03-02 10:00", petitioner_key=1, category="環境"),
        ],
        2,
        2,
        0,
    ),
    Repeat(
        "no key cannot repeat and is outside the rate",
        [
            petition("2025-03-01 10:00", category="交通"),
            petition("2025-03-01 11:00", category="交通"),
            petition("2025-03-02 10:00", petitioner_key=2, category="交通"),
            petition("2025-03-03 10:00", petitioner_key=2, category="交通"),
        ],
        4,
        2,
        1,
    ),
]


@pytest.mark.parametrize("case", REPEATS, ids=lambda c: c.name)
def test_repeat_petitions(con, case):
    insert_petitions(con, case.rows)
    row = types.repeat_petitions(con, Filters()).iloc[0]
    assert (row["cases"], row["cases_with_key"], row["repeat_cases"]) == (
        case.cases,
        case.with_key,
        case.repeats,
    )
    assert row["repeat_rate"] == pytest.approx(case.repeats / case.with_key)


def test_repeat_looks_back_before_the_period_and_across_units(con):
    insert_petitions(
        con,
        [
            petition("2025-02-20 10:00", petitioner_key=1, category="交通", unit="甲"),
            petition("2025-03-05 10:00", petitioner_key=1, category="交通", unit="乙"),
            petition("2025-03-06 10:00", petitioner_key=1, category="交通", unit="乙"),
        ],
    )
    frame = types.repeat_petitions(con, Filters(D(2025, 3, 1), D(2025, 3, 31), units=("乙",)))
    row = frame.iloc[0]
    # Both March petitions repeat: the first repeats February's (to another unit).
    assert (row["cases"], row["repeat_cases"], row["repeat_petitioners"]) == (2, 2, 1)
    shorter = types.repeat_petitions(
        con, Filters(D(2025, 3, 1), D(2025, 3, 31)), repeat_window_days=7
    )
    assert shorter.iloc[0]["repeat_cases"] == 1  # 13 days is beyond a 7-day window
    with pytest.raises(ValueError, match="至少為 1"):
        types.repeat_petitions(con, MARCH, repeat_window_days=0)


# ---------------------------------------------------------------- spikes


def _series_rows(seed: int, spike: int) -> pd.DataFrame:
    """Three years of monthly Poisson counts for 2 categories x 3 districts, with a
    summer season (July and August x1.4); ``spike`` extra cases in 環境/旗山區 May 2024."""
    rng = np.random.default_rng(seed)
    base = {"交通": 30, "環境": 20}
    weight = {"鳳山區": 1.0, "三民區": 0.8, "旗山區": 0.2}
    rows = []
    for year in (2023, 2024, 2025):
        for month in range(1, 13):
            season = 1.4 if month in (7, 8) else 1.0
            for category, b in base.items():
                for district, w in weight.items():
                    n = rng.poisson(b * w * season)
                    if (year, month, category, district) == (2024, 5, "環境", "旗山區"):
                        n += spike
                    rows += [
                        (f"{year}-{month:02d}-{1 + i % 28:02d} 09:00", category, district)
                        for i in range(n)
                    ]
    return pd.DataFrame(rows, columns=["received_at", "category", "district"])


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_spike_is_found_and_ordinary_months_are_not(con, seed):
    insert_petitions(con, _series_rows(seed, spike=25))
    flagged = spikes.spikes(con, Filters())
    assert list(zip(flagged["category"], flagged["district"], flagged["month"], strict=True)) == [
        ("環境", "旗山區", "2024-05")
    ]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_no_spike_no_flag_including_the_summer_season(con, seed):
    insert_petitions(con, _series_rows(seed, spike=0))
    assert spikes.spikes(con, Filters()).empty


def test_spike_statistics_match_scipy_and_period_limits_months(con):
    insert_petitions(con, _series_rows(1, spike=25))
    frame = spikes.spikes(con, Filters(D(2024, 5, 1), D(2024, 5, 31)), only_flagged=False)
    assert set(frame["month"]) == {"2024-05"}
    assert len(frame) == 6  # 2 categories x 3 districts
    tested = frame[frame["tested"]]
    expected_p = stats.poisson.sf(tested["cases"] - 1, tested["expected"])
    assert list(tested["p_value"]) == pytest.approx(list(expected_p))
    # Bonferroni over the cells that could be flagged: a baseline and at least 10 cases.
    eligible = int((tested["cases"] >= 10).sum())
    assert 0 < eligible < 6  # 旗山區's small series stay below the minimum
    assert list(tested["p_adjusted"]) == pytest.approx(list(np.minimum(expected_p * eligible, 1)))
    z = (tested["cases"] - tested["expected"]) / tested["spread"]
    assert list(tested["z"]) == pytest.approx(list(z))
    assert (tested["spread"] >= np.sqrt(tested["expected"])).all()


def test_spike_baseline_is_the_rolling_median_of_the_neighbouring_months(con):
    # Recomputed in plain Python from the returned cases and seasonal factors: median and
    # MAD of the deseasonalised counts of up to 12 months on each side within the series,
    # the month itself left out.
    insert_petitions(con, _series_rows(2, spike=25))
    frame = spikes.spikes(con, Filters(), only_flagged=False)
    checked = 0
    for _, one in frame.groupby(["category", "district"]):
        one = one.sort_values("month").reset_index(drop=True)
        y = list(one["cases"] / one["seasonal_factor"])
        for i, row in one.iterrows():
            around = y[max(0, i - 12) : i] + y[i + 1 : i + 13]
            assert row["baseline_months"] == len(around)
            median = statistics.median(around)
            mad = statistics.median(abs(v - median) for v in around)
            assert row["expected"] == pytest.approx(median * row["seasonal_factor"])
            spread = max(1.4826 * mad * row["seasonal_factor"], math.sqrt(row["expected"]), 1)
            assert row["spread"] == pytest.approx(spread)
            checked += 1
    assert checked == len(frame) > 100


def test_spike_needs_a_minimum_count_and_a_baseline(con):
    # 茂林區 has 1 交通 case a month and 8 in January 2025: far above its baseline but under
    # the default minimum of 10. 鳳山區's steady 20 a month give 交通 its season.
    rows = []
    for month in [f"2024-{m:02d}" for m in range(1, 13)] + ["2025-01"]:
        rows += _n(f"{month}-10", 1, category="交通", district="茂林區")
        rows += _n(f"{month}-11", 20, category="交通", district="鳳山區")
    rows += _n("2025-01-10", 7, category="交通", district="茂林區")
    insert_petitions(con, rows)
    assert spikes.spikes(con, Filters()).empty
    flagged = spikes.spikes(con, Filters(), min_count=5)
    assert list(zip(flagged["district"], flagged["month"], flagged["cases"], strict=True)) == [
        ("茂林區", "2025-01", 8)
    ]
    # With a longer baseline required than the data has, nothing is tested.
    untested = spikes.spikes(
        con, Filters(), min_count=5, min_baseline_months=20, only_flagged=False
    )
    assert not untested["tested"].any()
    with pytest.raises(ValueError, match="不支援的分組欄位"):
        spikes.spikes(con, Filters(), series=("month",))


# ---------------------------------------------------------------- the sample generator


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    db_path, files = sample_database(tmp_path_factory)
    connection = connect_readonly(db_path)
    yield connection, files
    connection.close()


def test_the_generators_planted_spike_is_the_only_one_found(sample):
    con, files = sample
    assert files.spike == PLANTED_SPIKE  # the planted month lies in the generated period
    flagged = spikes.spikes(con, Filters())
    assert list(zip(flagged["category"], flagged["district"], flagged["month"], strict=True)) == [
        (PLANTED_SPIKE.category, PLANTED_SPIKE.district, PLANTED_SPIKE.month.strftime("%Y-%m"))
    ]
    # Looking at the spike's month alone finds it too; the month before finds nothing.
    month = PLANTED_SPIKE.month
    assert len(spikes.spikes(con, Filters(month, month.replace(day=28)))) == 1
    before = month.replace(month=month.month - 1)
    assert spikes.spikes(con, Filters(before, before.replace(day=28))).empty


def test_type_metrics_run_on_the_sample(sample):
    con, _ = sample
    total = con.execute("SELECT count(*) FROM petitions").fetchall()[0][0]
    counts = types.type_counts(con, Filters())
    assert counts["cases"].sum() == total
    assert counts["share"].sum() == pytest.approx(1.0)
    top = types.top_categories(con, Filters(), n=4)
    assert list(top["rank"]) == [1, 2, 3, 4]
    assert top["cumulative_share"].is_monotonic_increasing
    repeats = types.repeat_petitions(con, Filters(), by="category")
    assert (repeats["repeat_cases"] <= repeats["cases_with_key"]).all()
    changes = types.type_changes(con, Filters(), by="channel")
    assert changes["cases"].sum() == total


def test_type_changes_count_whole_months(con):
    _mix(con)
    mid_month = types.type_changes(con, Filters(D(2025, 3, 15), D(2025, 3, 20)))
    assert mid_month.set_index("category").loc["交通", "cases"] == 4  # all of March
