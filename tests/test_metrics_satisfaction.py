"""Family 4, satisfaction (滿意度): survey rates, change, trend, reliability, reply satisfaction.

Every expected value is worked out by hand in a comment; statistics are also checked
against scipy on the same data.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import NamedTuple

import duckdb
import numpy as np
import pytest
from metrics_fixtures import insert_petitions, petition
from satisfaction_fixtures import (
    add_overall_answers,
    add_respondent,
    add_score_matrix,
    add_survey_items,
)
from scipy import stats as sps

from etl.database import memory_db
from metrics import reliability, reply_satisfaction, satisfaction
from metrics.filters import ALL, Filters

Q1, Q2, Q3 = dt.date(2025, 3, 10), dt.date(2025, 6, 10), dt.date(2025, 9, 10)


@pytest.fixture
def con():
    con = memory_db()
    add_survey_items(con)
    yield con
    con.close()


# ---------------------------------------------------------------- survey rate


@pytest.fixture
def one_wave(con):
    # 2025Q1, overall item: 非常滿意, 滿意, 普通, 無意見, 拒答 (one respondent each)
    add_overall_answers(
        con,
        "2025Q1",
        {"非常滿意": 1, "滿意": 1, "普通": 1, "無意見": 1, "拒答": 1},
        responded_on=Q1,
    )
    return con


class RateCase(NamedTuple):
    convention: str
    n: int
    satisfied: int
    rate: float
    max_error: float


RATE_CASES = [
    # Taiwan: 無意見 counts, 拒答 does not: n = 4, satisfied = 2, rate 2/4
    # max error = 100 * 1.96 * sqrt(0.25 / 4) = 49.0
    RateCase("taiwan", 4, 2, 0.5, 49.0),
    # substantive only: n = 3, rate 2/3; max error = 100 * 1.96 * sqrt(0.25 / 3) = 56.58
    RateCase("substantive_only", 3, 2, 2 / 3, 56.5803),
]


@pytest.mark.parametrize("case", RATE_CASES, ids=lambda c: c.convention)
def test_rate_follows_the_convention(one_wave, case: RateCase) -> None:
    df = satisfaction.survey_satisfaction(one_wave, ALL, convention=case.convention)
    assert list(df.columns) == [
        "wave",
        "n",
        "satisfied",
        "rate",
        "ci_low",
        "ci_high",
        "mean_score",
        "max_sampling_error",
    ]
    row = df.iloc[0]
    assert (row["wave"], row["n"], row["satisfied"]) == ("2025Q1", case.n, case.satisfied)
    assert row["rate"] == pytest.approx(case.rate)
    # mean over the substantive answers in both conventions: (5 + 4 + 3) / 3
    assert row["mean_score"] == pytest.approx(4.0)
    assert row["max_sampling_error"] == pytest.approx(case.max_error, abs=1e-3)
    ci = sps.binomtest(case.satisfied, case.n).proportion_ci(method="wilson")
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((ci.low, ci.high))


def test_unanswered_and_unknown_codes_never_count(con) -> None:
    # 滿意, 不知道, 未答: Taiwan n = 2 (滿意 + 不知道), rate 1/2
    add_overall_answers(con, "2025Q1", {"滿意": 1, "不知道": 1, "未答": 1})
    row = satisfaction.survey_satisfaction(con, ALL, by=()).iloc[0]
    assert (row["n"], row["satisfied"], row["rate"]) == (2, 1, 0.5)


@pytest.fixture
def items_wave(con):
    # 2025Q3, three respondents on all four items (ENV1, ETQ1, PRO1, OVR):
    #   R0: 5 4 3 5     R1: 4 2 無意見 4     R2: 2 拒答 5 3
    add_score_matrix(
        con,
        "2025Q3",
        ["ENV1", "ETQ1", "PRO1", "OVR"],
        [[5, 4, 3, 5], [4, 2, "無意見", 4], [2, "拒答", 5, 3]],
        responded_on=Q3,
    )
    return con


class ItemCase(NamedTuple):
    item: str
    dimension: str
    n: int
    satisfied: int
    mean: float


ITEM_CASES = [
    ItemCase("ENV1", "洽公環境", 3, 2, 11 / 3),  # 5 4 2
    ItemCase("ETQ1", "服務禮儀", 2, 1, 3.0),  # 4 2 (拒答 out)
    ItemCase("PRO1", "服務專業性", 3, 1, 4.0),  # 3 無意見 5: n 3, mean over 3 and 5
    ItemCase("OVR", "整體", 3, 2, 4.0),  # 5 4 3
]


def test_by_item_and_dimension(items_wave) -> None:
    by_item = satisfaction.survey_satisfaction(items_wave, ALL, by=("item",), items="all")
    # items in the mapping's order (SURVEY_ITEMS), not alphabetical
    assert list(by_item["item"]) == ["ENV1", "ETQ1", "PRO1", "OVR"]
    assert "item_text" in by_item.columns
    by_item = by_item.set_index("item")
    for case in ITEM_CASES:
        row = by_item.loc[case.item]
        assert (row["n"], row["satisfied"]) == (case.n, case.satisfied), case
        assert row["mean_score"] == pytest.approx(case.mean), case
    by_dim = satisfaction.survey_satisfaction(items_wave, ALL, by=("dimension",), items="all")
    # dimensions in the questionnaire's order, not alphabetical
    assert list(by_dim["dimension"]) == ["洽公環境", "服務禮儀", "服務專業性", "整體"]


def test_items_selection(items_wave) -> None:
    # overall only: the OVR answers 5 4 3 -> 2/3
    overall = satisfaction.survey_satisfaction(items_wave, ALL, by=())
    assert (overall.iloc[0]["n"], overall.iloc[0]["satisfied"]) == (3, 2)
    # all items pooled: n = 3 + 2 + 3 + 3 = 11 answers, satisfied 2 + 1 + 1 + 2 = 6
    pooled = satisfaction.survey_satisfaction(items_wave, ALL, by=(), items="all")
    assert (pooled.iloc[0]["n"], pooled.iloc[0]["satisfied"]) == (11, 6)
    # chosen items: ENV1 + ETQ1 -> n 5, satisfied 3
    chosen = satisfaction.survey_satisfaction(items_wave, ALL, by=(), items=("ENV1", "ETQ1"))
    assert (chosen.iloc[0]["n"], chosen.iloc[0]["satisfied"]) == (5, 3)


def test_filters_and_respondent_groups(con) -> None:
    add_overall_answers(con, "2025Q1", {"滿意": 3, "普通": 1}, unit="民政課", responded_on=Q1)
    add_overall_answers(
        con, "2025Q1", {"滿意": 1, "不滿意": 1}, unit="社會課", mode="電話", responded_on=Q1
    )
    add_overall_answers(con, "2025Q2", {"非常滿意": 2}, unit="社會課", responded_on=Q2)
    by_unit = satisfaction.survey_satisfaction(con, ALL, by=("unit",)).set_index("unit")
    assert by_unit["n"].to_dict() == {"民政課": 4, "社會課": 4}
    assert by_unit["satisfied"].to_dict() == {"民政課": 3, "社會課": 3}
    # period on responded_on: only 2025Q1 answers
    first_half = Filters(start=dt.date(2025, 1, 1), end=dt.date(2025, 3, 31))
    assert list(satisfaction.survey_satisfaction(con, first_half)["wave"]) == ["2025Q1"]
    # unit filter; channel filters do not apply to surveys and are ignored
    only = Filters(units=("社會課",), channels=("1999",))
    df = satisfaction.survey_satisfaction(con, only, by=("wave", "mode"))
    assert df[["wave", "mode", "n"]].values.tolist() == [
        ["2025Q1", "電話", 2],
        ["2025Q2", "臨櫃", 2],
    ]


def test_group_with_only_no_opinion_answers(con) -> None:
    # Taiwan: 無意見 x 2 -> n 2, satisfied 0, rate 0, no mean; substantive only: no row
    add_overall_answers(con, "2025Q1", {"無意見": 2})
    row = satisfaction.survey_satisfaction(con, ALL).iloc[0]
    assert (row["n"], row["satisfied"], row["rate"]) == (2, 0, 0.0)
    assert math.isnan(row["mean_score"])
    assert satisfaction.survey_satisfaction(con, ALL, convention="substantive_only").empty


def test_missing_attributes_show_as_unfilled(con) -> None:
    add_respondent(con, "2025Q1", "X1", {"OVR": "滿意"}, sex=None, district=None)
    df = satisfaction.survey_satisfaction(con, ALL, by=("sex", "district"))
    assert df[["sex", "district"]].values.tolist() == [["未填", "未填行政區"]]


def test_empty_result_keeps_the_columns(con) -> None:
    df = satisfaction.survey_satisfaction(con, ALL, by=("wave", "unit"))
    assert df.empty
    assert list(df.columns)[:4] == ["wave", "agency", "unit", "n"]  # a unit with its agency


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"by": ("channel",)}, "不支援的分組欄位"),
        ({"by": ("wave; DROP TABLE petitions",)}, "不支援的分組欄位"),
        ({"by": ("wave", "wave")}, "重複"),
        ({"convention": "us"}, "不支援的滿意度計算方式"),
        ({"items": "整體"}, "題目須為"),
        ({"items": ()}, "題目須為"),
    ],
)
def test_bad_arguments_are_refused_in_chinese(con, kwargs, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        satisfaction.survey_satisfaction(con, ALL, **kwargs)


@pytest.mark.parametrize(
    ("n", "sentence"),
    [
        (1068, "在95%信心水準下，抽樣誤差為正負3.0個百分點"),  # 1.96 * sqrt(.25/1068) = .029987
        (400, "在95%信心水準下，抽樣誤差為正負4.9個百分點"),  # 1.96 * .025
        (1100, "在95%信心水準下，抽樣誤差為正負3.0個百分點"),  # .029548
    ],
)
def test_sampling_error_sentence(n: int, sentence: str) -> None:
    assert satisfaction.sampling_error_sentence(n) == sentence


def test_sampling_error_sentence_needs_answers() -> None:
    with pytest.raises(ValueError, match="樣本數"):
        satisfaction.sampling_error_sentence(0)


# ---------------------------------------------------------------- change and trend


class ChangeCase(NamedTuple):
    after: dict
    change_pp: float
    z: float
    p_value: float
    verdict: str


CHANGE_CASES = [
    # 40/100 -> 55/100: pooled .475, se .0706222, z = .15/.0706222 = 2.12398, p = .03367
    ChangeCase({"滿意": 55, "普通": 45}, 15.0, 2.12398, 0.033671, "顯著上升"),
    # 40/100 -> 45/100: pooled .425, se .0699107, z = .71519, p = .47448
    ChangeCase({"滿意": 45, "普通": 55}, 5.0, 0.71519, 0.474477, "無顯著差異"),
    # 40/100 -> 25/100: pooled .325, se .0662382, z = -.15/.0662382 = -2.26456, p = .02354
    ChangeCase({"滿意": 25, "不滿意": 75}, -15.0, -2.26456, 0.023539, "顯著下降"),
]


@pytest.mark.parametrize("case", CHANGE_CASES, ids=lambda c: c.verdict)
def test_change_between_two_waves(con, case: ChangeCase) -> None:
    add_overall_answers(con, "2025Q1", {"滿意": 40, "普通": 60}, responded_on=Q1)
    add_overall_answers(con, "2025Q2", case.after, responded_on=Q2)
    row = satisfaction.satisfaction_change(con, ALL).iloc[0]
    assert (row["wave_from"], row["wave_to"]) == ("2025Q1", "2025Q2")
    assert (row["n_from"], row["n_to"]) == (100, 100)
    assert row["change_pp"] == pytest.approx(case.change_pp)
    assert row["z"] == pytest.approx(case.z, abs=1e-4)
    assert row["p_value"] == pytest.approx(case.p_value, abs=1e-5)
    x2 = int(round(row["rate_to"] * 100))
    chi2 = sps.chi2_contingency([[40, 60], [x2, 100 - x2]], correction=False)
    assert row["p_value"] == pytest.approx(chi2.pvalue)
    assert row["verdict"] == case.verdict
    assert bool(row["significant"]) == (case.p_value < 0.05)


def test_change_by_group_marks_missing_waves(con) -> None:
    add_overall_answers(con, "2025Q1", {"滿意": 3, "普通": 1}, unit="民政課", responded_on=Q1)
    add_overall_answers(con, "2025Q2", {"滿意": 1, "普通": 1}, unit="民政課", responded_on=Q2)
    add_overall_answers(con, "2025Q2", {"滿意": 2}, unit="社會課", responded_on=Q2)
    df = satisfaction.satisfaction_change(con, ALL, by=("unit",)).set_index("unit")
    # 民政課 3/4 -> 1/2: -25 points; 社會課 has no 2025Q1 answers
    assert df.loc["民政課", "change_pp"] == pytest.approx(-25.0)
    assert df.loc["民政課", "verdict"] == "無顯著差異"
    assert math.isnan(df.loc["社會課", "n_from"])
    assert df.loc["社會課", "verdict"] == "資料不足"


def test_change_picks_the_last_two_waves_in_time_order(con) -> None:
    # labels that do not sort in time: the dates decide
    add_overall_answers(con, "A-late", {"滿意": 1}, responded_on=Q3)
    add_overall_answers(con, "B-early", {"滿意": 1}, responded_on=Q1)
    add_overall_answers(con, "C-middle", {"滿意": 1}, responded_on=Q2)
    row = satisfaction.satisfaction_change(con, ALL).iloc[0]
    assert (row["wave_from"], row["wave_to"]) == ("C-middle", "A-late")
    assert satisfaction.wave_order(con, ALL) == ["B-early", "C-middle", "A-late"]


def test_change_needs_two_distinct_waves(con) -> None:
    add_overall_answers(con, "2025Q1", {"滿意": 1}, responded_on=Q1)
    assert satisfaction.satisfaction_change(con, ALL).empty
    with pytest.raises(ValueError, match="兩個波次相同"):
        satisfaction.satisfaction_change(con, ALL, wave_from="2025Q1", wave_to="2025Q1")


def _three_waves(con, unit: str = "民政課", counts=((2, 8), (5, 5), (8, 2))) -> None:
    for (sat, unsat), (wave, day) in zip(
        counts, [("2025Q1", Q1), ("2025Q2", Q2), ("2025Q3", Q3)], strict=True
    ):
        add_overall_answers(con, wave, {"滿意": sat, "不滿意": unsat}, unit=unit, responded_on=day)


def test_trend_by_hand_and_against_scipy(con) -> None:
    # 2/10, 5/10, 8/10 at scores 0, 1, 2: Sxx = 20, T = 6, Var(T) = .25 * 20 = 5
    # z = 6 / sqrt(5) = 2.68328, p = .00729; slope = 6 / 20 = .30 -> 30 points per wave
    _three_waves(con)
    row = satisfaction.satisfaction_trend(con, ALL).iloc[0]
    assert (row["waves"], row["first_wave"], row["last_wave"], row["n"]) == (
        3,
        "2025Q1",
        "2025Q3",
        30,
    )
    assert (row["first_rate"], row["last_rate"]) == pytest.approx((0.2, 0.8))
    assert row["slope_pp"] == pytest.approx(30.0)
    assert row["z"] == pytest.approx(6 / math.sqrt(5))
    assert row["p_value"] == pytest.approx(0.007290, abs=1e-6)
    assert row["verdict"] == "顯著上升趨勢"
    # scipy on individual answers: z² = N·r², slope = OLS slope of the 0/1 outcome
    s = np.repeat([0.0, 1.0, 2.0], 10)
    y = np.array([1] * 2 + [0] * 8 + [1] * 5 + [0] * 5 + [1] * 8 + [0] * 2, dtype=float)
    assert row["z"] ** 2 == pytest.approx(30 * sps.pearsonr(s, y).statistic ** 2)
    assert row["slope_pp"] == pytest.approx(100 * sps.linregress(s, y).slope)


def test_trend_by_unit_keeps_wave_spacing(con) -> None:
    _three_waves(con, "民政課", ((5, 5), (5, 5), (5, 5)))
    # 社會課 is missing 2025Q2: its waves score 0 and 2, not 0 and 1
    add_overall_answers(con, "2025Q1", {"滿意": 1, "不滿意": 3}, unit="社會課", responded_on=Q1)
    add_overall_answers(con, "2025Q3", {"滿意": 3, "不滿意": 1}, unit="社會課", responded_on=Q3)
    add_overall_answers(con, "2025Q3", {"滿意": 1}, unit="人事室", responded_on=Q3)
    df = satisfaction.satisfaction_trend(con, ALL, by=("unit",)).set_index("unit")
    assert df.loc["民政課", "slope_pp"] == pytest.approx(0.0)
    assert df.loc["民政課", "verdict"] == "無顯著趨勢"
    # 1/4 at 0, 3/4 at 2: s̄ = 1, Sxx = 4 + 4 = 8, T = -1 + 3 = 2 -> slope .25 per wave
    assert df.loc["社會課", "slope_pp"] == pytest.approx(25.0)
    assert df.loc["社會課", "p_value"] == pytest.approx(
        sps.chi2_contingency([[1, 3], [3, 1]], correction=False).pvalue
    )
    assert df.loc["人事室", "waves"] == 1
    assert df.loc["人事室", "verdict"] == "資料不足"


# ---------------------------------------------------------------- reliability

# Four complete respondents on ENV1, ETQ1, PRO1 (by hand in test_metrics_stats):
# item variances 5/3, 4/3, 2/3 (Σ 11/3); totals 5 7 10 12 -> var 29/3; alpha = 27/29.
ALPHA_MATRIX = [[1, 2, 2], [2, 2, 3], [3, 4, 3], [4, 4, 4]]


def test_reliability_by_hand_with_listwise_deletion(con) -> None:
    # OVR answers vary freely and must be ignored; the fifth respondent said 無意見
    # on ETQ1 and the sixth skipped PRO1: both are excluded
    overall = [5, 1, 4, "拒答"]
    add_score_matrix(
        con,
        "2025Q1",
        ["ENV1", "ETQ1", "PRO1", "OVR"],
        [[*row, o] for row, o in zip(ALPHA_MATRIX, overall, strict=True)] + [[5, "無意見", 1, 5]],
        responded_on=Q1,
    )
    add_respondent(con, "2025Q1", "skipper", {"ENV1": 5, "ETQ1": 5, "OVR": 5})
    df = reliability.survey_reliability(con, ALL)
    assert list(df.columns) == [
        "wave",
        "items",
        "respondents",
        "complete",
        "excluded",
        "alpha",
        "band",
    ]
    row = df.iloc[0]
    assert (row["wave"], row["items"], row["respondents"], row["complete"], row["excluded"]) == (
        "2025Q1",
        3,
        6,
        4,
        2,
    )
    assert row["alpha"] == pytest.approx(27 / 29)
    assert row["band"] == "優良"


def test_reliability_matches_numpy_per_wave(con) -> None:
    rng = np.random.default_rng(11)
    expected = {}
    for wave, noise, day in [("2025Q1", 0.6, Q1), ("2025Q2", 1.5, Q2)]:
        trait = rng.normal(size=(60, 1))
        m = np.clip(np.round(3 + trait + rng.normal(scale=noise, size=(60, 3))), 1, 5)
        rows = [[int(v) for v in r] for r in m]
        rows[0][1] = "不知道"  # one respondent dropped listwise
        add_score_matrix(con, wave, ["ENV1", "ETQ1", "PRO1"], rows, responded_on=day)
        kept = m[1:]
        k = 3
        expected[wave] = (
            k / (k - 1) * (1 - kept.var(axis=0, ddof=1).sum() / kept.sum(axis=1).var(ddof=1))
        )
    df = reliability.survey_reliability(con, ALL).set_index("wave")
    for wave, alpha in expected.items():
        assert df.loc[wave, "alpha"] == pytest.approx(alpha)
        assert df.loc[wave, "complete"] == 59
    assert df.loc["2025Q1", "alpha"] > df.loc["2025Q2", "alpha"]  # less noise, more reliable


def _alpha_by_numpy(m: np.ndarray) -> float:
    """Cronbach's alpha straight from its formula, independent of metrics.stats and SQL."""
    k = m.shape[1]
    return k / (k - 1) * (1 - m.var(axis=0, ddof=1).sum() / m.sum(axis=1).var(ddof=1))


@pytest.mark.parametrize("n_items", [4, 13, 50])
def test_reliability_through_sql_matches_numpy(con, n_items) -> None:
    # 50 items span both 42-item packs of the SQL; every score 1..5 occurs in every item.
    rng = np.random.default_rng(n_items)
    trait = rng.normal(size=(120, 1))
    m = np.clip(np.round(3 + trait + rng.normal(scale=0.9, size=(120, n_items))), 1, 5)
    m[:5] = np.arange(1, 6)[:, None]
    items = [f"Q{i:02d}" for i in range(n_items)]
    con.executemany(
        "INSERT INTO survey_items VALUES (?, ?, '洽公環境', FALSE, ?)",
        [[c, c, n] for n, c in enumerate(items)],
    )
    add_score_matrix(con, "2025Q1", items, m.astype(int).tolist())
    row = reliability.survey_reliability(con, ALL).iloc[0]
    assert row["items"] == n_items
    assert row["complete"] == 120
    assert row["alpha"] == pytest.approx(_alpha_by_numpy(m), abs=1e-10)


def test_answers_outside_the_scale_are_refused_by_the_schema(con) -> None:
    # The packed item scores of survey_reliability rely on 1..5.
    with pytest.raises(duckdb.ConstraintException):
        con.execute("INSERT INTO survey_answers VALUES ('t', 'w', 'r', 'Q', 6, '非常滿意')")


def test_reliability_groups_and_undefined_alpha(con) -> None:
    add_score_matrix(con, "2025Q1", ["ENV1", "ETQ1", "PRO1"], ALPHA_MATRIX, unit="民政課")
    add_respondent(con, "2025Q1", "lone", {"ENV1": 5, "ETQ1": 4, "PRO1": 4}, unit="社會課")
    df = reliability.survey_reliability(con, ALL, by=("wave", "unit")).set_index("unit")
    assert df.loc["民政課", "alpha"] == pytest.approx(27 / 29)
    assert math.isnan(df.loc["社會課", "alpha"])  # one complete respondent
    assert df.loc["社會課", "band"] == "無法計算"
    with pytest.raises(ValueError, match="不支援的分組欄位"):
        reliability.survey_reliability(con, ALL, by=("item",))


# ---------------------------------------------------------------- reply satisfaction


@pytest.fixture
def rated_petitions():
    con = memory_db()
    # 民政課: ratings 5, 4, 2, not rated (replied), open -> cases 5, replied 4, rated 3,
    #         coverage 3/4, satisfied 2, rate 2/3, mean (5 + 4 + 2) / 3 = 3.6667
    # 社會課: ratings 3, 5 -> cases 2, rated 2, satisfied 1, rate 1/2, mean 4
    insert_petitions(
        con,
        [
            petition("2025-03-03 09:00", replied_at="2025-03-04 10:00", unit="民政課",
                     reply_satisfaction=5, reply_working_days=1),
            petition("2025-03-05 09:00", replied_at="2025-03-10 10:00", unit="民政課",
                     reply_satisfaction=4, reply_working_days=3),
            petition("2025-04-01 09:00", replied_at="2025-04-15 10:00", unit="民政課",
                     reply_satisfaction=2, reply_working_days=8),
            petition("2025-04-02 09:00", replied_at="2025-04-25 10:00", unit="民政課",
                     reply_working_days=15),
            petition("2025-04-03 09:00", unit="民政課"),
            petition("2025-03-03 09:00", replied_at="2025-03-03 16:00", unit="社會課",
                     reply_satisfaction=3, reply_working_days=0, channel="1999"),
            petition("2025-04-07 09:00", replied_at="2025-04-14 10:00", unit="社會課",
                     reply_satisfaction=5, reply_working_days=5, channel="1999"),
        ],
    )  # fmt: skip
    yield con
    con.close()


class ReplyCase(NamedTuple):
    group: str
    cases: int
    replied: int
    rated: int
    satisfied: int
    rate: float
    mean: float


def _check(df, key: str, cases: list[ReplyCase]) -> None:
    assert list(df[key]) == [c.group for c in cases]
    for (_, row), case in zip(df.iterrows(), cases, strict=True):
        got = (row["cases"], row["replied"], row["rated"], row["satisfied"])
        assert got == (case.cases, case.replied, case.rated, case.satisfied), case
        if math.isnan(case.rate):
            assert math.isnan(row["rate"]) and math.isnan(row["mean_score"])
        else:
            assert row["rate"] == pytest.approx(case.rate), case
            assert row["mean_score"] == pytest.approx(case.mean), case
            ci = sps.binomtest(case.satisfied, case.rated).proportion_ci(method="wilson")
            assert (row["ci_low"], row["ci_high"]) == pytest.approx((ci.low, ci.high))


def test_reply_satisfaction_by_unit(rated_petitions) -> None:
    df = reply_satisfaction.reply_satisfaction(rated_petitions, ALL)
    _check(
        df,
        "unit",
        [
            ReplyCase("民政課", 5, 4, 3, 2, 2 / 3, 11 / 3),
            ReplyCase("社會課", 2, 2, 2, 1, 0.5, 4.0),
        ],
    )
    assert list(df["coverage"]) == pytest.approx([0.75, 1.0])


def test_reply_satisfaction_by_speed_bucket(rated_petitions) -> None:
    df = reply_satisfaction.reply_satisfaction(rated_petitions, ALL, by=("reply_speed",))
    nan = math.nan
    _check(
        df,
        "reply_speed",
        [
            ReplyCase("0-1個工作日", 2, 2, 2, 1, 0.5, 4.0),  # days 1 (5) and 0 (3)
            ReplyCase("2-3個工作日", 1, 1, 1, 1, 1.0, 4.0),  # 3 days (4)
            ReplyCase("4-6個工作日", 1, 1, 1, 1, 1.0, 5.0),  # 5 days (5)
            ReplyCase("7-10個工作日", 1, 1, 1, 0, 0.0, 2.0),  # 8 days (2)
            ReplyCase("11個工作日以上", 1, 1, 0, 0, nan, nan),  # 12 days, not rated
            ReplyCase("未回覆", 1, 0, 0, 0, nan, nan),  # still open
        ],
    )


def test_reply_satisfaction_custom_buckets_month_and_filters(rated_petitions) -> None:
    assert reply_satisfaction.reply_speed_labels((0, 2)) == [
        "0個工作日",
        "1-2個工作日",
        "3個工作日以上",
    ]
    df = reply_satisfaction.reply_satisfaction(
        rated_petitions, ALL, by=("reply_speed",), speed_edges=(0, 2)
    )
    assert df[["reply_speed", "rated"]].values.tolist() == [
        ["0個工作日", 1],
        ["1-2個工作日", 1],
        ["3個工作日以上", 3],
        ["未回覆", 0],
    ]
    april = Filters(start=dt.date(2025, 4, 1), end=dt.date(2025, 4, 30), channels=("1999",))
    df = reply_satisfaction.reply_satisfaction(rated_petitions, april, by=("month", "unit"))
    assert df[["month", "unit", "rated", "satisfied"]].values.tolist() == [
        ["2025-04", "社會課", 1, 1]
    ]
    with pytest.raises(ValueError, match="遞增"):
        reply_satisfaction.reply_satisfaction(rated_petitions, ALL, speed_edges=(3, 3))
    with pytest.raises(ValueError, match="不支援的分組欄位"):
        reply_satisfaction.reply_satisfaction(rated_petitions, ALL, by=("wave",))


def test_reply_satisfaction_empty(rated_petitions) -> None:
    future = Filters(start=dt.date(2030, 1, 1))
    df = reply_satisfaction.reply_satisfaction(rated_petitions, future, by=("category",))
    assert df.empty and list(df.columns)[:2] == ["category", "cases"]
