"""Regional distribution (地域分佈): counts, shares, rates per 10,000 and the test."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from metrics_fixtures import insert_petitions, petition, sample_database, set_population
from scipy import stats

from etl.database import memory_db
from metrics import regional
from metrics.filters import Filters
from store.db import connect_readonly

D = dt.date
MARCH = Filters(D(2025, 3, 1), D(2025, 3, 31))


@pytest.fixture
def con():
    connection = memory_db()
    yield connection
    connection.close()


def _rows(district: str | None, n: int, **fields) -> list[dict]:
    return [petition("2025-03-05 10:00", district=district, **fields) for _ in range(n)]


def _city(con) -> None:
    """鳳山區 20, 三民區 20, 旗山區 10, Taipei's 中正區 3 and 大安區 1, no district 2 = 56."""
    insert_petitions(
        con,
        [
            *_rows("鳳山區", 20, category="交通"),
            *_rows("三民區", 20, category="環境"),
            *_rows("旗山區", 10, category="環境"),
            *_rows("中正區", 3, in_city=False, district_city="臺北市", category="交通"),
            *_rows("大安區", 1, in_city=False, district_city="臺北市", category="環境"),
            *_rows(None, 2, category="交通"),
        ],
    )


def test_every_row_kept_with_its_own_line(con):
    _city(con)
    frame = regional.district_counts(con, MARCH)
    # every district of the city, then the other city's by name, then no district
    assert len(frame) == 38 + 3
    assert frame["cases"].sum() == 56
    tail = frame.tail(3)
    assert list(tail["district"]) == ["中正區", "大安區", "未填行政區"]
    assert list(tail["cases"]) == [3, 1, 2]
    assert list(tail["row_kind"]) == ["其他縣市", "其他縣市", "未填行政區"]
    assert [None if pd.isna(v) else bool(v) for v in tail["in_city"]] == [False, False, None]
    assert frame["in_city"].head(38).all()
    by_name = frame.set_index("district")
    assert by_name.loc["鳳山區", "share"] == pytest.approx(20 / 56)
    assert by_name.loc["中正區", "share"] == pytest.approx(3 / 56)
    assert by_name.loc["鼓山區", "cases"] == 0  # a district without cases is still listed
    assert frame["share"].sum() == pytest.approx(1.0)
    assert frame["district"].iloc[0] == "鹽埕區"  # MOI town-code order, 64000010 first


def test_without_population_rates_are_null_with_a_reason(con):
    _city(con)
    frame = regional.district_counts(con, MARCH).set_index("district")
    assert frame["per_10k"].isna().all()
    assert frame["city_per_10k"].isna().all()
    assert frame.loc["鳳山區", "rate_note"] == regional.NOTE_NO_POPULATION
    assert frame.loc["中正區", "rate_note"] == regional.NOTE_OTHER_CITY
    assert frame.loc["未填行政區", "rate_note"] == regional.NOTE_NO_DISTRICT
    assert frame["above_city"].isna().all()


def test_rates_and_the_test_match_scipy(con):
    _city(con)
    # Invented test figures (not real populations).
    population = {"鳳山區": 100_000, "三民區": 100_000, "旗山區": 10_000}
    set_population(con, population)
    frame = regional.district_counts(con, MARCH).set_index("district")
    # City: 50 in-city cases over 210,000 residents = 2.381 per 10,000.
    city = 50 / 210_000 * 10_000
    assert frame.loc["旗山區", "per_10k"] == pytest.approx(10.0)  # 10 / 10,000 x 10,000
    assert frame.loc["鳳山區", "per_10k"] == pytest.approx(2.0)
    assert frame.loc["鳳山區", "city_per_10k"] == pytest.approx(city)
    assert frame.loc["旗山區", "rate_ratio"] == pytest.approx(10.0 / city)
    cases = {"鳳山區": 20, "三民區": 20, "旗山區": 10}
    expected_p = [
        stats.binomtest(cases[d], 50, population[d] / 210_000, alternative="greater").pvalue
        for d in cases
    ]
    got_p = [frame.loc[d, "p_value"] for d in cases]
    assert got_p == pytest.approx(expected_p)
    adjusted = stats.false_discovery_control(expected_p, method="bh")
    assert [frame.loc[d, "p_adjusted"] for d in cases] == pytest.approx(list(adjusted))
    assert frame.loc["旗山區", "above_city"]
    assert not frame.loc["鳳山區", "above_city"]
    assert not frame.loc["三民區", "above_city"]
    assert frame.loc["鼓山區", "rate_note"] == regional.NOTE_NO_POPULATION
    assert pd.isna(frame.loc["鼓山區", "above_city"])


def test_population_is_the_latest_figure_up_to_the_period_end(con):
    _city(con)
    set_population(con, {"鳳山區": 100_000}, as_of=D(2024, 12, 31), source="舊")
    set_population(con, {"鳳山區": 50_000}, as_of=D(2025, 12, 31), source="新")
    row = regional.district_counts(con, MARCH).set_index("district").loc["鳳山區"]
    assert (row["population"], row["population_source"]) == (100_000, "舊")
    later = Filters(D(2026, 1, 1), D(2026, 1, 31))
    row = regional.district_counts(con, later).set_index("district").loc["鳳山區"]
    assert (row["population"], row["cases"]) == (50_000, 0)
    earlier = Filters(D(2024, 1, 1), D(2024, 1, 31))
    row = regional.district_counts(con, earlier).set_index("district").loc["鳳山區"]
    assert np.isnan(row["per_10k"]) and row["rate_note"] == regional.NOTE_NO_POPULATION


def test_district_filter_keeps_the_whole_city_rate(con):
    _city(con)
    set_population(con, {"鳳山區": 100_000, "三民區": 100_000, "旗山區": 10_000})
    whole = regional.district_counts(con, MARCH).set_index("district")
    only = regional.district_counts(
        con, Filters(D(2025, 3, 1), D(2025, 3, 31), districts=("旗山區",))
    )
    assert list(only["district"]) == ["旗山區"]
    row = only.iloc[0]
    assert row["city_per_10k"] == pytest.approx(whole.loc["旗山區", "city_per_10k"])
    assert row["p_adjusted"] == pytest.approx(whole.loc["旗山區", "p_adjusted"])


def test_other_filters_apply(con):
    _city(con)
    frame = regional.district_counts(
        con, Filters(D(2025, 3, 1), D(2025, 3, 31), categories=("交通",))
    ).set_index("district")
    # 交通: 鳳山區 20, 中正區 3 (Taipei), no district 2.
    assert frame["cases"].sum() == 25
    assert frame.loc["三民區", "cases"] == 0
    assert frame.loc["鳳山區", "share"] == pytest.approx(20 / 25)


def test_category_by_district(con):
    _city(con)
    frame = regional.category_by_district(con, MARCH)
    cells = {(r.category, r.district): r for r in frame.itertuples()}
    assert not cells[("交通", "中正區")].in_city and cells[("環境", "旗山區")].in_city
    assert cells[("環境", "旗山區")].cases == 10
    # 環境: 三民區 20 + 旗山區 10 + 大安區 1 = 31
    assert cells[("環境", "旗山區")].share_in_group == pytest.approx(10 / 31)
    assert cells[("環境", "旗山區")].share_in_district == pytest.approx(1.0)
    assert cells[("交通", "中正區")].cases == 3
    assert cells[("環境", "大安區")].share_in_district == pytest.approx(1.0)
    assert cells[("交通", "未填行政區")].cases == 2
    assert frame["cases"].sum() == 56
    with pytest.raises(ValueError, match="不支援的分組欄位"):
        regional.category_by_district(con, MARCH, by="district")


def test_sample_every_petition_has_a_line(tmp_path_factory):
    db_path, _ = sample_database(tmp_path_factory)
    sample = connect_readonly(db_path)
    total = sample.execute("SELECT count(*) FROM petitions").fetchall()[0][0]
    frame = regional.district_counts(sample, Filters())
    assert frame["cases"].sum() == total
    assert frame["share"].sum() == pytest.approx(1.0)
    cross = regional.category_by_district(sample, Filters())
    assert cross["cases"].sum() == total
    sample.close()


def test_a_district_filter_finds_another_citys_district_by_its_name(con):
    _city(con)
    frame = regional.district_counts(
        con, Filters(D(2025, 3, 1), D(2025, 3, 31), districts=("大安區",))
    )
    assert list(frame["district"]) == ["大安區"] and list(frame["cases"]) == [1]
    assert frame["per_10k"].isna().all()  # rates are for the city's own districts only
