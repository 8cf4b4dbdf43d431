"""Unit scorecard (單位績效燈號): targets, previous period and standing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
import pytest
from metrics_fixtures import (
    insert_petitions,
    insert_phone_calls,
    insert_survey,
    petition,
    sample_database,
)

from etl.database import memory_db
from metrics import scorecard
from metrics.filters import Filters
from store.db import connect_readonly

D = dt.date
MARCH = Filters(D(2025, 3, 1), D(2025, 3, 31))


@pytest.fixture
def con():
    connection = memory_db()
    yield connection
    connection.close()


def _replied(unit: str, month: str, on_time: int, late: int) -> list[dict]:
    """Cases received on the 3rd, due on the 11th; replied the 4th (on time) or 12th (late)."""
    return [
        petition(
            f"{month}-03 09:00",
            replied_at=f"{month}-{'04' if i < on_time else '12'} 09:00",
            due=f"{month}-11",
            unit=unit,
        )
        for i in range(on_time + late)
    ]


def _overdue(unit: str, n: int) -> list[dict]:
    return [petition("2025-03-03 09:00", due="2025-03-11", unit=unit) for _ in range(n)]


def _survey(unit: str, satisfied: int, n: int, day: str = "2025-03-15") -> list[tuple]:
    wave = f"{day[:4]}Q1"
    return [
        (wave, f"{unit}{i}", unit, day, *((5, "非常滿意") if i < satisfied else (2, "不滿意")))
        for i in range(n)
    ]


def _office(con) -> None:
    insert_petitions(
        con,
        [
            *_replied("甲課", "2025-03", 19, 1),  # 95%: met exactly
            *_replied("甲課", "2025-02", 10, 0),  # February: 100%
            *_replied("乙課", "2025-03", 9, 1),  # 90%: 5 points short
            *_replied("丙課", "2025-03", 8, 2),  # 80%: 15 points short, badly
            *_replied("戊課", "2025-03", 9, 1),  # 90%, and one overdue case: two misses
            *_overdue("戊課", 1),
        ],
    )
    insert_survey(
        con,
        [
            *_survey("甲課", 27, 30),  # 90% (30 answers: enough to be judged)
            *_survey("乙課", 27, 30),
            *_survey("丙課", 27, 30),
            *_survey("丁課", 24, 30),  # 80%: 5 points short
            *_survey("戊課", 27, 30),
            *_survey("甲課", 21, 30, day="2024-03-15"),  # outside the 12 months: ignored
            *_survey("庚課", 1, 10),  # 10%, but 10 answers: shown, not judged
        ],
    )
    insert_phone_calls(
        con,
        [
            ("甲課", "2025-03-04 10:00", "2025-1", 90.0),
            ("甲課", "2025-03-05 10:00", "2025-1", 94.0),  # mean 92
            ("乙課", "2025-03-04 10:00", "2025-1", 88.0),
            ("丙課", "2025-03-04 10:00", "2025-1", 86.0),
            ("己課", "2025-03-04 10:00", "2025-1", 65.0),  # 20 points short, badly
        ],
    )


@dataclass(frozen=True)
class Standing:
    unit: str
    standing: str
    missed: int
    note: str


STANDINGS = [
    Standing("甲課", scorecard.GOOD, 0, ""),
    Standing("乙課", scorecard.WATCH, 1, "依限辦結率 90.0%（目標 95.0%）"),
    Standing("丙課", scorecard.FOLLOW_UP, 1, "依限辦結率 80.0%（目標 95.0%）"),
    Standing("丁課", scorecard.WATCH, 1, "調查滿意度 80.0%（目標 85.0%）"),
    Standing(
        "戊課", scorecard.FOLLOW_UP, 2, "依限辦結率 90.0%（目標 95.0%）；逾期未結 1 件（目標 0 件）"
    ),
    Standing("己課", scorecard.FOLLOW_UP, 1, "電話禮貌測試 65.0 分（目標 85.0 分）"),
]


@pytest.mark.parametrize("case", STANDINGS, ids=lambda c: c.unit)
def test_standing(con, case):
    _office(con)
    row = scorecard.unit_scorecard(con, MARCH).set_index("unit").loc[case.unit]
    assert (row["standing"], row["targets_missed"], row["notes"]) == (
        case.standing,
        case.missed,
        case.note,
    )


def test_figures_and_previous_period(con):
    _office(con)
    frame = scorecard.unit_scorecard(con, MARCH)
    # Worst first: 需追蹤 (丙, 己, 戊 by name), 注意, 良好, then 庚 with too few answers.
    assert list(frame["standing"]) == ["需追蹤"] * 3 + ["注意"] * 2 + ["良好", "資料不足"]
    row = frame.set_index("unit").loc["甲課"]
    assert (row["period_start"], row["period_end"]) == (D(2025, 3, 1), D(2025, 3, 31))
    assert row["replied"] == 20 and row["on_time_rate"] == pytest.approx(0.95)
    assert row["on_time_rate_prev"] == pytest.approx(1.0)  # February
    assert row["on_time_rate_change"] == pytest.approx(-0.05)
    assert row["survey_satisfaction"] == pytest.approx(0.9) and row["survey_n"] == 30
    assert row["phone_score"] == pytest.approx(92.0) and row["phone_calls"] == 2
    assert row["overdue_open"] == 0 and row["overdue_open_met"]
    # 丁課 has only a survey: the petition and phone indicators are missing, not zero.
    only_survey = frame.set_index("unit").loc["丁課"]
    assert pd.isna(only_survey["on_time_rate"]) and pd.isna(only_survey["overdue_open"])
    assert pd.isna(only_survey["phone_score"]) and pd.isna(only_survey["on_time_rate_met"])


def test_targets_can_be_changed(con):
    _office(con)
    relaxed = scorecard.unit_scorecard(con, MARCH, targets={"on_time_rate": 0.9})
    row = relaxed.set_index("unit").loc["乙課"]
    assert row["standing"] == scorecard.GOOD and row["on_time_rate_target"] == 0.9
    with pytest.raises(ValueError, match="未知的目標項目「speed」"):
        scorecard.unit_scorecard(con, MARCH, targets={"speed": 1})


def test_default_period_is_the_latest_month(con):
    _office(con)
    frame = scorecard.unit_scorecard(con, Filters())
    assert frame["period_start"].iloc[0] == D(2025, 3, 1)
    assert frame["period_end"].iloc[0] == D(2025, 3, 3)  # the latest receipt


@pytest.mark.parametrize(
    ("start", "end", "previous"),
    [
        (D(2025, 3, 1), D(2025, 3, 31), (D(2025, 2, 1), D(2025, 2, 28))),
        (D(2025, 1, 1), D(2025, 3, 31), (D(2024, 10, 1), D(2024, 12, 31))),
        (D(2024, 3, 1), D(2024, 3, 31), (D(2024, 2, 1), D(2024, 2, 29))),
        # Not whole months: the same number of days (10) just before.
        (D(2025, 3, 10), D(2025, 3, 19), (D(2025, 2, 28), D(2025, 3, 9))),
    ],
)
def test_previous_period(start, end, previous):
    assert scorecard.previous_period(start, end) == previous


def test_sample_scorecard(tmp_path_factory):
    db_path, _ = sample_database(tmp_path_factory)
    sample = connect_readonly(db_path)
    frame = scorecard.unit_scorecard(sample, Filters(D(2026, 6, 1), D(2026, 6, 30)))
    # one row per unit of an agency: every 區公所's 民政課 is its own unit
    assert not frame.duplicated(["agency", "unit"]).any()
    offices = sample.execute(
        "SELECT count(DISTINCT agency) FROM ("
        "SELECT agency FROM petitions WHERE unit = '民政課' UNION ALL "
        "SELECT agency FROM survey_responses WHERE unit = '民政課' UNION ALL "
        "SELECT agency FROM phone_tests WHERE unit = '民政課')"
    ).fetchall()[0][0]
    assert (frame["unit"] == "民政課").sum() <= offices and (frame["unit"] == "民政課").sum() > 1
    assert set(frame["standing"]) <= set(scorecard.STANDING_ORDER)
    # Worst first, and the number of misses agrees with the *_met columns.
    assert frame["standing"].map(scorecard.STANDING_ORDER).is_monotonic_increasing
    met = frame[[f"{n}_met" for n in scorecard.INDICATORS]]
    assert (met.eq(False).sum(axis=1) == frame["targets_missed"]).all()
    assert frame["survey_satisfaction"].notna().any() and frame["phone_score"].notna().any()
    sample.close()


@pytest.mark.parametrize(
    "periods",
    [
        [(D(2026, 6, 1), D(2026, 6, 30)), (D(2026, 5, 1), D(2026, 5, 31))],
        [(D(2025, 10, 1), D(2025, 12, 31)), (D(2025, 7, 1), D(2025, 9, 30))],
    ],
)
def test_whole_month_figures_equal_one_call_per_period(tmp_path_factory, periods):
    # The monthly sums (one query per metric for both periods) against the plain path
    # (each metric called for each period on its own), with an agency filter as well.
    db_path, _ = sample_database(tmp_path_factory)
    sample = connect_readonly(db_path)
    try:
        for filters in (Filters(), Filters(agencies=("高雄市政府工務局", "高雄市政府民政局"))):
            together = scorecard._figures_by_month(sample, filters, periods, 12)
            for (start, end), got in zip(periods, together, strict=True):
                alone = scorecard._figures(sample, filters, start, end, 12)
                assert len(alone) > 3
                got = got.sort_values("unit").reset_index(drop=True)
                alone = alone[got.columns].sort_values("unit").reset_index(drop=True)
                pd.testing.assert_frame_equal(got, alone, check_exact=False, rtol=1e-12)
    finally:
        sample.close()


def test_a_rate_of_a_handful_of_cases_is_shown_but_not_judged(con):
    # 5 replied, 3 on time: 60% is far below 95%, but 5 cases are noise (MIN_SAMPLE 10)
    insert_petitions(con, _replied("小課", "2025-03", 3, 2))
    row = scorecard.unit_scorecard(con, MARCH).set_index("unit").loc["小課"]
    assert row["on_time_rate"] == pytest.approx(0.6) and row["replied"] == 5
    assert pd.isna(row["on_time_rate_met"]) and row["targets_missed"] == 0
    assert row["standing"] == scorecard.GOOD  # its overdue count (0) is judged and met
