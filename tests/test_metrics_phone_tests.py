"""Family 5, telephone courtesy tests (電話禮貌測試): hand-scored calls on a 3-item rubric.

Rubric v1 (satisfaction_fixtures.RUBRIC): SPD 40, GRT 30, COR 30 points.

    call unit    round   called      SPD GRT COR  total
    C1   民政課  2025-1  2025-03-05   40  30  25    95
    C2   民政課  2025-1  2025-03-06   40  20  20    80
    C3   社會課  2025-1  2025-03-05   20  15  20    55   <- under 60
    C4   社會課  2025-1  2025-03-07   40  30  30   100
    C5   民政課  2025-2  2025-09-10   40  30  30   100
    C6   民政課  2025-2  2025-09-11   40  25  25    90
    C7   社會課  2025-2  2025-09-12   40  30  10    80
"""

from __future__ import annotations

import datetime as dt
import math
from typing import NamedTuple

import pandas as pd
import pytest
from metrics_fixtures import insert_petitions, petition
from satisfaction_fixtures import add_call, add_respondent, add_rubric, add_survey_items

from etl.database import memory_db
from metrics import phone_tests
from metrics.filters import ALL, Filters

SECOND_HALF = Filters(start=dt.date(2025, 7, 1), end=dt.date(2025, 12, 31))

CALLS = [
    ("C1", "民政課", "2025-03-05 10:00", "2025-1", {"SPD": 40, "GRT": 30, "COR": 25}),
    ("C2", "民政課", "2025-03-06 10:00", "2025-1", {"SPD": 40, "GRT": 20, "COR": 20}),
    ("C3", "社會課", "2025-03-05 11:00", "2025-1", {"SPD": 20, "GRT": 15, "COR": 20}),
    ("C4", "社會課", "2025-03-07 11:00", "2025-1", {"SPD": 40, "GRT": 30, "COR": 30}),
    ("C5", "民政課", "2025-09-10 10:00", "2025-2", {"SPD": 40, "GRT": 30, "COR": 30}),
    ("C6", "民政課", "2025-09-11 10:00", "2025-2", {"SPD": 40, "GRT": 25, "COR": 25}),
    ("C7", "社會課", "2025-09-12 10:00", "2025-2", {"SPD": 40, "GRT": 30, "COR": 10}),
]


@pytest.fixture
def con():
    con = memory_db()
    add_rubric(con)
    for call in CALLS:
        add_call(con, *call)
    yield con
    con.close()


class ScoreRow(NamedTuple):
    group: str
    calls: int
    mean: float
    min: float
    below_60: int
    grade: str


SCORE_CASES = {
    "unit": [
        # 民政課 (95 + 80 + 100 + 90) / 4 = 91.25; 社會課 (55 + 100 + 80) / 3 = 78.33
        ScoreRow("民政課", 4, 91.25, 80.0, 0, "優良"),
        ScoreRow("社會課", 3, 235 / 3, 55.0, 1, "普通"),
    ],
    "round": [
        # 2025-1 (95 + 80 + 55 + 100) / 4 = 82.5; 2025-2 (100 + 90 + 80) / 3 = 90
        ScoreRow("2025-1", 4, 82.5, 55.0, 1, "良好"),
        ScoreRow("2025-2", 3, 90.0, 80.0, 0, "優良"),
    ],
    "month": [
        ScoreRow("2025-03", 4, 82.5, 55.0, 1, "良好"),
        ScoreRow("2025-09", 3, 90.0, 80.0, 0, "優良"),
    ],
}


@pytest.mark.parametrize("by", list(SCORE_CASES))
def test_phone_scores_by_hand(con, by: str) -> None:
    df = phone_scores = phone_tests.phone_scores(con, ALL, by=(by,))
    keys = ["agency", "unit"] if by == "unit" else [by]  # a unit with its agency
    assert list(phone_scores.columns) == [
        *keys,
        "calls",
        "mean_score",
        "min_score",
        "calls_below_60",
        "grade",
    ]
    got = [
        ScoreRow(
            r[by], r["calls"], r["mean_score"], r["min_score"], r["calls_below_60"], r["grade"]
        )
        for _, r in df.iterrows()
    ]
    expected = SCORE_CASES[by]
    assert [(g.group, g.calls, g.min, g.below_60, g.grade) for g in got] == [
        (e.group, e.calls, e.min, e.below_60, e.grade) for e in expected
    ]
    assert [g.mean for g in got] == pytest.approx([e.mean for e in expected])


def test_phone_scores_period_and_unit_filters(con) -> None:
    # second half: 民政課 (100 + 90) / 2 = 95; 社會課 80
    df = phone_tests.phone_scores(con, SECOND_HALF)
    assert df[["unit", "calls", "mean_score", "grade"]].values.tolist() == [
        ["民政課", 2, 95.0, "優良"],
        ["社會課", 1, 80.0, "良好"],
    ]
    # districts do not apply to phone tests and are ignored
    only = Filters(units=("社會課",), districts=("鳳山區",))
    assert phone_tests.phone_scores(con, only, by=()).iloc[0]["calls"] == 3
    assert phone_tests.phone_scores(con, Filters(start=dt.date(2030, 1, 1))).empty


@pytest.mark.parametrize(
    ("score", "grade"),
    [
        (100, "優良"),
        (90, "優良"),
        (89.9, "良好"),
        (80, "良好"),
        (79.5, "普通"),
        (70, "普通"),
        (69.9, "待改進"),
        (0, "待改進"),
        (math.nan, "無資料"),
        (None, "無資料"),
    ],
)
def test_grade_bands(score, grade: str) -> None:
    assert phone_tests.phone_grade(score) == grade


def test_low_score_calls(con) -> None:
    df = phone_tests.low_score_calls(con, ALL)
    assert list(df.columns) == [
        "agency",
        "unit",
        "call_id",
        "called_at",
        "round",
        "tester_id",
        "score",
        "grade",
    ]
    assert df[["unit", "call_id", "round", "score"]].values.tolist() == [
        ["社會課", "C3", "2025-1", 55.0]
    ]
    assert df.iloc[0]["called_at"] == pd.Timestamp("2025-03-05 11:00")
    # under 85: C3 (55), then the two 80s by time: C2 (March), C7 (September)
    wider = phone_tests.low_score_calls(con, ALL, threshold=85)
    assert list(wider["call_id"]) == ["C3", "C2", "C7"]
    assert phone_tests.low_score_calls(con, SECOND_HALF).empty


def test_weakest_items_overall(con) -> None:
    # SPD (40*6 + 20) / (40*7) = 260/280 = .9286; GRT 180/210 = .8571; COR 160/210 = .7619
    df = phone_tests.weakest_items(con, ALL)
    assert df[["item_code", "category", "calls", "points", "max_points"]].values.tolist() == [
        ["COR", "服務內容", 7, 160.0, 210.0],
        ["GRT", "電話禮貌", 7, 180.0, 210.0],
        ["SPD", "接聽速度", 7, 260.0, 280.0],
    ]
    assert list(df["achieved_rate"]) == pytest.approx([160 / 210, 180 / 210, 260 / 280])
    assert set(df["rubric_version"]) == {"v1"}


def test_weakest_items_by_unit_with_limit(con) -> None:
    # 民政課: SPD 160/160, GRT 105/120 = .875, COR 100/120 = .8333 -> COR, GRT
    # 社會課: SPD 100/120 = .8333, GRT 75/90 = .8333, COR 60/90 = .6667 -> COR, then the
    #         tie GRT/SPD broken by item code -> GRT
    df = phone_tests.weakest_items(con, ALL, by=("unit",), limit=2)
    assert df[["unit", "item_code"]].values.tolist() == [
        ["民政課", "COR"],
        ["民政課", "GRT"],
        ["社會課", "COR"],
        ["社會課", "GRT"],
    ]
    assert list(df["achieved_rate"]) == pytest.approx([100 / 120, 105 / 120, 60 / 90, 75 / 90])
    with pytest.raises(ValueError, match="正整數"):
        phone_tests.weakest_items(con, ALL, limit=0)


def test_weakest_items_keep_rubric_versions_apart(con) -> None:
    add_rubric(
        con, "v2", [("SPD", "十秒內接聽", "接聽速度", 50.0), ("ANS", "答覆", "服務內容", 50.0)]
    )
    add_call(con, "D1", "社會課", "2025-10-01 09:00", "2025-2", {"SPD": 50, "ANS": 10},
             rubric_version="v2")  # fmt: skip
    df = phone_tests.weakest_items(con, ALL)
    # v2: ANS 10/50 = .2 first; v2's SPD (50/50) is not pooled with v1's SPD (260/280)
    assert df[["rubric_version", "item_code"]].values.tolist()[0] == ["v2", "ANS"]
    spd = df[df["item_code"] == "SPD"].set_index("rubric_version")["achieved_rate"]
    assert spd.to_dict() == pytest.approx({"v1": 260 / 280, "v2": 1.0})
    only_v2 = phone_tests.weakest_items(con, ALL, rubric_version="v2")
    assert list(only_v2["item_code"]) == ["ANS", "SPD"]
    # the call total (60) counts in the scores whatever the version
    by_version = phone_tests.phone_scores(con, ALL, by=("rubric_version",))
    assert by_version.set_index("rubric_version")["mean_score"].to_dict() == pytest.approx(
        {"v1": 600 / 7, "v2": 60.0}
    )


def test_round_change(con) -> None:
    # 民政課 2025-1 (95 + 80) / 2 = 87.5 -> 2025-2 (100 + 90) / 2 = 95: +7.5
    # 社會課 2025-1 (55 + 100) / 2 = 77.5 -> 2025-2 80: +2.5
    df = phone_tests.phone_round_change(con, ALL)
    assert list(df.columns) == [
        "agency",  # a unit is known with its agency
        "unit",
        "round",
        "calls",
        "mean_score",
        "grade",
        "previous_round",
        "previous_mean",
        "change",
    ]
    rows = df.to_dict("records")
    assert [(r["unit"], r["round"], r["mean_score"]) for r in rows] == [
        ("民政課", "2025-1", 87.5),
        ("民政課", "2025-2", 95.0),
        ("社會課", "2025-1", 77.5),
        ("社會課", "2025-2", 80.0),
    ]
    assert [r["change"] for r in rows[1::2]] == pytest.approx([7.5, 2.5])
    assert all(pd.isna(r["previous_mean"]) for r in rows[0::2])


def test_round_change_looks_back_beyond_the_period_and_over_skipped_rounds(con) -> None:
    # 人事室 tested in 2024-2 (70) and 2025-2 (85), skipping 2025-1
    add_call(con, "P1", "人事室", "2024-09-20 10:00", "2024-2", {"SPD": 40, "GRT": 15, "COR": 15})
    add_call(con, "P2", "人事室", "2025-09-20 10:00", "2025-2", {"SPD": 40, "GRT": 30, "COR": 15})
    df = phone_tests.phone_round_change(con, SECOND_HALF)
    assert df[["unit", "round", "previous_round", "previous_mean", "change"]].values.tolist() == [
        ["人事室", "2025-2", "2024-2", 70.0, 15.0],
        ["民政課", "2025-2", "2025-1", 87.5, 7.5],
        ["社會課", "2025-2", "2025-1", 77.5, 2.5],
    ]
    # whole city per round: 2025-1 82.5 -> 2025-2 (100 + 90 + 80 + 85) / 4 = 88.75
    city = phone_tests.phone_round_change(con, SECOND_HALF, by=())
    assert city[["round", "previous_round"]].values.tolist() == [["2025-2", "2025-1"]]
    assert city.iloc[0]["change"] == pytest.approx(88.75 - 82.5)


def test_untested_units(con) -> None:
    add_survey_items(con)
    insert_petitions(
        con,
        [
            petition("2025-03-03 09:00", unit="兵役課", agency="鳳山區公所"),
            petition("2025-03-03 09:00", unit="民政課", agency="三民區公所"),  # other agency
            petition("2025-03-04 09:00", unit="民政課", agency="鳳山區公所"),
        ],
    )
    add_respondent(con, "2025Q1", "R1", {"OVR": "滿意"}, unit="戶政課", agency=None)
    # all of 2025: every 鳳山區公所 unit with calls is tested; 兵役課 never,
    # 三民區公所's 民政課 neither (鳳山's calls do not count for it); 戶政課 has no agency
    # and no call under any agency
    df = phone_tests.untested_units(con, Filters(start=dt.date(2025, 1, 1)))
    assert df["unit"].tolist() == ["民政課", "兵役課", "戶政課"]
    assert df["agency"].tolist()[:2] == ["三民區公所", "鳳山區公所"]
    assert pd.isna(df["agency"].iloc[2])
    assert df["last_called_at"].isna().all()
    # in 2024 nobody was tested: 民政課 and 社會課 show their latest test
    early = phone_tests.untested_units(con, Filters(end=dt.date(2024, 12, 31)))
    last = early.set_index(["agency", "unit"])["last_called_at"].dropna().to_dict()
    assert last == {
        ("鳳山區公所", "民政課"): pd.Timestamp("2025-09-11 10:00"),
        ("鳳山區公所", "社會課"): pd.Timestamp("2025-09-12 10:00"),
    }
    # agency filter narrows the reference list
    fengshan = Filters(start=dt.date(2025, 1, 1), agencies=("鳳山區公所",))
    assert phone_tests.untested_units(con, fengshan)["unit"].tolist() == ["兵役課"]


def test_untested_units_from_an_explicit_list(con) -> None:
    df = phone_tests.untested_units(con, SECOND_HALF, units=("民政課", "會計室", "社會課"))
    assert df["unit"].tolist() == ["會計室"]
    # 社會課's only second-half call is C7 (September); in October-December it is untested
    autumn = Filters(start=dt.date(2025, 10, 1), end=dt.date(2025, 12, 31))
    df = phone_tests.untested_units(con, autumn, units=("社會課",))
    assert df[["unit", "last_round"]].values.tolist() == [["社會課", "2025-2"]]


def test_bad_grouping_is_refused(con) -> None:
    with pytest.raises(ValueError, match="不支援的分組欄位"):
        phone_tests.phone_scores(con, ALL, by=("tester_id",))
    with pytest.raises(ValueError, match="不支援的分組欄位"):
        phone_tests.phone_round_change(con, ALL, by=("round",))
