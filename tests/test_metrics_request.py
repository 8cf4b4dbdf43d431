"""metrics.request and metrics.dimensions: what a user asks for becomes one metric call,
options a metric does not take are refused in words, and values that match nothing in
the data are named with the closest values present."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from etl.database import memory_db
from etl.dates import parse_datetime
from metrics import dimensions, request, satisfaction, timeliness
from metrics.filters import Filters
from tests.satisfaction_fixtures import add_respondent, add_survey_items

D = dt.date


def roc(text: str) -> dt.date:
    return parse_datetime(text).date()


# ---------------------------------------------------------------- build


def test_the_default_metric_is_the_familys_first():
    call = request.build("timeliness")
    assert call.function is timeliness.on_time_rate
    assert call.filters == Filters() and call.options == {}
    assert call.title == "timeliness / on_time_rate"


def test_values_become_filters_and_options():
    call = request.build(
        "satisfaction", "survey_satisfaction", by=["item", "wave"], start="114/01/01",
        end="2025-06-30", units=[" 民政課 ", "民政課", ""], districts=["鳳山區"],
        items=["ENV1", "ENV2"], convention="substantive_only", dimension="洽公環境",
        parse_date=roc,
    )  # fmt: skip
    assert call.function is satisfaction.survey_satisfaction
    assert call.filters == Filters(D(2025, 1, 1), D(2025, 6, 30), units=("民政課",),
                                   districts=("鳳山區",))  # fmt: skip
    assert call.options == {
        "by": ("item", "wave"),
        "items": ("ENV1", "ENV2"),
        "convention": "substantive_only",
        "dimension": "洽公環境",
    }


@pytest.mark.parametrize(
    ("given", "expected"),
    [((), None), (["overall"], "overall"), (["all"], "all"), (["OVR"], ("OVR",))],
)
def test_item_sets_and_codes(given, expected):
    call = request.build("satisfaction", items=given)
    assert call.options.get("items") == expected


def test_month_is_its_first_day():
    assert request.build("summary", month="2026-09", parse_date=roc).options == {
        "month": D(2026, 9, 1)
    }
    assert request.build("summary", month="115/09", parse_date=roc).options["month"] == D(
        2026, 9, 1
    )
    assert request.build("summary", month=D(2026, 9, 17)).options["month"] == D(2026, 9, 1)


@pytest.mark.parametrize(
    ("kwargs", "phrase"),
    [
        ({"family": "nosuch"}, "沒有「nosuch」這個指標類別"),
        ({"family": "timeliness", "metric": "nosuch"}, "沒有指標 nosuch"),
        ({"family": "timeliness", "items": ["ENV1"]}, "on_time_rate 不接受題目（--item）"),
        ({"family": "timeliness", "dimension": "服務禮儀"}, "不接受構面（--dimension）"),
        ({"family": "timeliness", "month": "2026-09"}, "不接受月份（--month）"),
        (
            {"family": "satisfaction", "metric": "survey_reliability", "items": ["ENV1"]},
            "survey_reliability 不接受題目（--item）",
        ),
        ({"family": "scorecard", "by": ["unit"]}, "unit_scorecard 不接受分組（--by）"),
        ({"family": "satisfaction", "channels": ["1999"]}, "沒有陳情管道（--channel）"),
        ({"family": "phone-tests", "districts": ["鳳山區"]}, "沒有行政區（--district）"),
        ({"family": "data-status", "units": ["民政課"]}, "load_batches 描述整個資料庫"),
        ({"family": "satisfaction", "items": ["all", "ENV1"]}, "不能與其他題目代碼一起指定"),
        ({"family": "satisfaction", "convention": "us"}, "不支援的滿意度計算方式：us"),
        ({"family": "timeliness", "start": "2025/13/01"}, "無法解析"),
        ({"family": "timeliness", "start": "2025-02-01", "end": "2025-01-01"}, "晚於迄日"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_refusals_are_plain_chinese_value_errors(kwargs, phrase):
    with pytest.raises(ValueError, match=phrase.replace("(", r"\(").replace(")", r"\)")):
        request.build(**kwargs)


def test_every_metric_module_names_its_tables():
    from metrics import registry

    modules = {fn.__module__ for fn in registry.all_functions().values()}
    assert modules <= set(request.MODULE_TABLES), modules - set(request.MODULE_TABLES)


# ---------------------------------------------------------------- the data's values


@pytest.fixture
def survey_con():
    con = memory_db()
    add_survey_items(con)  # ENV1 洽公環境, ETQ1 服務禮儀, PRO1 服務專業性, OVR 整體 (in this order)
    add_respondent(con, "春季", "r1", {"OVR": 5, "ENV1": 4}, responded_on="2025-04-10")
    add_respondent(con, "秋季", "r2", {"OVR": 2, "ENV1": 3}, responded_on="2024-10-10",
                   unit="社會課", district="三民區")  # fmt: skip
    yield con
    con.close()


def test_values_in_time_and_mapping_order(survey_con):
    # 秋季 2024 comes before 春季 2025, although 春 sorts before 秋 by code point
    assert dimensions.values(survey_con, "waves") == ["秋季", "春季"]
    assert dimensions.values(survey_con, "items") == ["ENV1", "ETQ1", "PRO1", "OVR"]
    assert dimensions.values(survey_con, "dimensions") == ["洽公環境", "服務禮儀", "服務專業性", "整體"]  # fmt: skip
    assert dimensions.values(survey_con, "units") == ["民政課", "社會課"]
    assert dimensions.values(survey_con, "units", tables=["phone_tests"]) == []
    with pytest.raises(ValueError, match="沒有「colour」這個篩選維度"):
        dimensions.values(survey_con, "colour")


def test_closest_names():
    # difflib ratio 2·2/5 = 0.8 for 鳳山區, 2·1/5 = 0.4 for 鼓山區 (below the 0.5 cut-off)
    assert dimensions.closest("鳳山", ["三民區", "鳳山區", "鼓山區"]) == ("鳳山區",)
    assert dimensions.closest("都市建設與發屜", ["都市建設與發展", "警政與消防事務"]) == (
        "都市建設與發展",
    )
    assert dimensions.closest("完全不同", ["三民區"]) == ()


def test_problems_name_what_matches_nothing(survey_con):
    call = request.build("satisfaction", units=["民政課", "民正課"], districts=["鳳山"])
    assert call.problems(survey_con) == [
        "承辦單位「民正課」不在資料中；最接近的有：民政課",
        "行政區「鳳山」不在資料中；最接近的有：鳳山區",
    ]
    assert request.build("satisfaction", units=["民政課"]).problems(survey_con) == []


def test_problems_with_items_and_dimensions(survey_con):
    codes = request.build("satisfaction", items=["ENV1", "ENV9"]).problems(survey_con)
    assert codes == ["題目代碼「ENV9」不在資料中；最接近的有：ENV1"]
    dim = request.build("satisfaction", "survey_reliability", dimension="服務禮義")
    assert dim.problems(survey_con) == ["構面「服務禮義」不在資料中；最接近的有：服務禮儀"]


def test_a_choice_that_finds_no_item_says_so():
    con = memory_db()
    add_survey_items(con, [("ENV1", "洽公場所整潔明亮", "洽公環境")])  # no overall item
    [problem] = request.build("satisfaction").problems(con)
    assert problem.startswith("整體題（對照檔的 overall_dimension）在資料中沒有任何題目")
    assert "可用構面：洽公環境" in problem
    assert request.build("satisfaction", dimension="洽公環境").problems(con) == []
    empty = memory_db()
    assert request.build("satisfaction").problems(empty) == [
        "資料庫中沒有滿意度調查題目；請先載入問卷（svcq load surveys）。"
    ]


def test_the_reason_for_an_empty_result(survey_con):
    call = request.build("satisfaction", start=D(2030, 1, 1))
    assert call.run(survey_con).empty
    assert call.empty_reason(survey_con) == (
        "沒有符合條件的資料（期間自 2030-01-01 起）。"
        "滿意度問卷資料期間為 2024-10-10 至 2025-04-10，共 2 筆。"
    )
    nothing = request.build("phone-tests")
    assert nothing.empty_reason(survey_con).startswith("資料庫中沒有電話禮貌測試資料")


def test_run_is_the_function_on_the_filters(survey_con):
    call = request.build("satisfaction", by=["wave"], items=["ENV1"], convention="taiwan")
    expected = satisfaction.survey_satisfaction(
        survey_con, Filters(), by=("wave",), items=("ENV1",), convention="taiwan"
    )
    got = call.run(survey_con)
    assert got.equals(expected)
    # by hand: 秋季 ENV1 = 3 (not satisfied), 春季 ENV1 = 4 (satisfied)
    assert dict(zip(got["wave"], got["rate"], strict=True)) == {"秋季": 0.0, "春季": 1.0}


def test_values_are_bound_not_interpolated(survey_con):
    hostile = "民政課') OR 1=1; DROP TABLE survey_items; --"
    [problem] = request.build("satisfaction", units=[hostile]).problems(survey_con)
    assert "不在資料中" in problem
    assert isinstance(survey_con, duckdb.DuckDBPyConnection)
    assert dimensions.values(survey_con, "items")  # the table is still there
