"""Monthly summary (每月摘要): figures against last month and last year, and the sentences."""

from __future__ import annotations

import datetime as dt

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
from metrics import summary
from metrics.filters import Filters
from store.db import connect_readonly

D = dt.date


@pytest.fixture
def con():
    connection = memory_db()
    yield connection
    connection.close()


def _cases(month: str, n: int, *, late: int = 0, open_: int = 0, ratings=()) -> list[dict]:
    """n cases received on the 3rd and due the 11th: replied the 4th, the last ``late`` of
    the replied ones on the 12th, and the last ``open_`` never; ``ratings`` go to the first."""
    rows = []
    for i in range(n):
        replied = None if i >= n - open_ else f"{month}-{'12' if i >= n - open_ - late else '04'}"
        rows.append(
            petition(
                f"{month}-03 09:00",
                replied_at=f"{replied} 09:00" if replied else None,
                due=f"{month}-11",
                reply_satisfaction=ratings[i] if i < len(ratings) else None,
            )
        )
    return rows


def _office(con) -> None:
    insert_petitions(
        con,
        [
            # March 2025: 10 received; 8 on time, 1 late, 1 open (overdue); rated 5,5,5,5,1.
            *_cases("2025-03", 10, late=1, open_=1, ratings=(5, 5, 5, 5, 1)),
            # February 2025: 8 received; 7 on time, 1 open (overdue); none rated.
            *_cases("2025-02", 8, open_=1),
            # March 2024: 12 received, all on time; rated 4, 4.
            *_cases("2024-03", 12, ratings=(4, 4)),
        ],
    )


def test_petition_sentences(con):
    _office(con)
    frame = summary.monthly_summary(con, Filters(), month="2025-03")
    assert list(frame["indicator"]) == [
        "received",
        "on_time_rate",
        "overdue_open",
        "reply_satisfaction",
    ]
    sentences = frame.set_index("indicator")["sentence"]
    # 10 vs 8: +25.0%; vs 12: −16.7%.
    assert sentences["received"] == (
        "本月（2025年3月）受理陳情 10 件，較上月增加 25.0%（上月 8 件），"
        "較去年同月減少 16.7%（去年同月 12 件）。"
    )
    # 8 / 9 = 88.9% vs 7 / 7 = 100% both months: −11.1 points.
    assert sentences["on_time_rate"] == (
        "本月結案 9 件，依限辦結率 88.9%，較上月下降 11.1 個百分點（上月 100.0%），"
        "較去年同月下降 11.1 個百分點（去年同月 100.0%）。"
    )
    # Open and overdue at the month end: February's and March's = 2; end of February 1;
    # end of March 2024 none.
    assert sentences["overdue_open"] == (
        "月底逾期未結案件 2 件，較上月底增加 1 件（上月底 1 件），"
        "較去年同月底增加 2 件（去年同月底 0 件）。"
    )
    # 4 of 5 rated 4-5 = 80%; February none rated; March 2024 2 of 2.
    assert sentences["reply_satisfaction"] == (
        "本月受理案件回覆滿意度 80.0%（評分 5 件），上月無資料，"
        "較去年同月下降 20.0 個百分點（去年同月 100.0%）。"
    )


def test_figures(con):
    _office(con)
    frame = summary.monthly_summary(con, Filters(), month=D(2025, 3, 17)).set_index("indicator")
    assert (frame["month"] == "2025-03").all()
    received = frame.loc["received"]
    assert (received["value"], received["previous"], received["last_year"]) == (10, 8, 12)
    assert received["previous_change"] == pytest.approx(0.25)
    assert received["last_year_change"] == pytest.approx(-2 / 12)
    on_time = frame.loc["on_time_rate"]
    assert on_time["value"] == pytest.approx(8 / 9) and on_time["n"] == 9
    assert on_time["previous_change"] == pytest.approx(8 / 9 - 1)
    assert pd.isna(frame.loc["reply_satisfaction", "previous_change"])
    assert summary.summary_text(frame.reset_index()).startswith("本月（2025年3月）受理陳情 10 件")


def test_first_month_and_zero_previous_month(con):
    insert_petitions(con, [*_cases("2024-03", 2), *_cases("2024-05", 3)])
    first = summary.monthly_summary(con, Filters(), month="2024-03").set_index("indicator")
    assert first.loc["received", "sentence"] == (
        "本月（2024年3月）受理陳情 2 件，上月無資料，去年同月無資料。"
    )
    assert pd.isna(first.loc["received", "previous"])
    # April 2024 had no petition: a real zero, but no percentage over it.
    after_gap = summary.monthly_summary(con, Filters(), month="2024-05").set_index("indicator")
    assert after_gap.loc["received", "sentence"] == (
        "本月（2024年5月）受理陳情 3 件，上月為 0 件，無法計算增減率，去年同月無資料。"
    )
    assert after_gap.loc["received", "previous"] == 0
    assert pd.isna(after_gap.loc["received", "previous_change"])
    gap = summary.monthly_summary(con, Filters(), month="2024-04").set_index("indicator")
    assert gap.loc["on_time_rate", "sentence"] == "本月無結案（回覆）案件，未能計算依限辦結率。"


def test_survey_and_phone_rows_only_when_they_happened(con):
    _office(con)
    insert_survey(
        con,
        [("2025Q1", f"r{i}", "甲課", "2025-03-15", 5 if i < 9 else 2, "滿意") for i in range(10)],
    )
    insert_phone_calls(
        con,
        [
            ("甲課", "2024-10-04 10:00", "2024-2", 80.0),
            ("甲課", "2025-03-04 10:00", "2025-1", 86.0),
            ("乙課", "2025-03-05 10:00", "2025-1", 55.0),
        ],
    )
    march = summary.monthly_summary(con, Filters(), month="2025-03").set_index("indicator")
    # 9 of 10 satisfied; maximum sampling error 1.96 x sqrt(0.25 / 10) = 31.0 points.
    assert march.loc["survey_satisfaction", "sentence"] == (
        "2025Q1 滿意度調查整體滿意度 90.0%（有效樣本 10，在95%信心水準下，抽樣誤差為正負 31.0 個百分點），"
        "上一季無資料，去年同季無資料。"
    )
    # Round 2025-1: (86 + 55) / 2 = 70.5, vs round 2024-2's 80.0.
    assert march.loc["phone_score", "sentence"] == (
        "本月電話禮貌測試（2025-1 梯次）平均 70.5 分（2 通，1 通低於 60 分），"
        "較上一梯次下降 9.5 分（上一梯次 80.0 分），去年同月無資料。"
    )
    # February: no test round, and the wave ended in March, after February.
    february = summary.monthly_summary(con, Filters(), month="2025-02")
    assert "survey_satisfaction" not in set(february["indicator"])
    assert "phone_score" not in set(february["indicator"])


def test_month_defaults_and_errors(con):
    _office(con)
    assert summary.monthly_summary(con, Filters())["month"].iloc[0] == "2025-03"
    assert summary.monthly_summary(con, Filters(end=D(2025, 2, 20)))["month"].iloc[0] == "2025-02"
    with pytest.raises(ValueError, match="格式應為 YYYY-MM"):
        summary.monthly_summary(con, Filters(), month="三月")
    with pytest.raises(ValueError, match="沒有陳情資料"):
        summary.monthly_summary(memory_db(), Filters())


def test_sample_summary_reads_as_sentences(tmp_path_factory):
    db_path, _ = sample_database(tmp_path_factory)
    sample = connect_readonly(db_path)
    frame = summary.monthly_summary(sample, Filters(), month="2026-06")
    assert {"received", "on_time_rate", "overdue_open", "reply_satisfaction"} <= set(
        frame["indicator"]
    )
    assert frame["sentence"].str.endswith("。").all()
    received = frame.set_index("indicator").loc["received"]
    count = sample.execute(
        "SELECT count(*) FROM petitions WHERE received_date BETWEEN '2026-06-01' AND '2026-06-30'"
    ).fetchall()[0][0]
    assert received["value"] == count
    assert received["sentence"].startswith(f"本月（2026年6月）受理陳情 {count:,} 件")
    sample.close()


def test_overdue_in_a_month_the_data_covers_in_part_is_counted_at_its_last_day(con):
    # The data ends on 03-20 (the last reply). A case due 03-25 and still open is not yet
    # overdue on 03-20; counting at 03-31 would call it overdue without data to say so.
    insert_petitions(
        con,
        [
            petition("2025-03-03 09:00", due="2025-03-10"),
            petition("2025-03-03 09:00", due="2025-03-25"),
            petition("2025-03-03 09:00", replied_at="2025-03-20 10:00", due="2025-03-10"),
        ],
    )
    frame = summary.monthly_summary(con, Filters(), month="2025-03").set_index("indicator")
    assert frame.loc["overdue_open", "value"] == 1


def test_the_sentence_names_the_month_on_the_chosen_calendar(con):
    insert_petitions(con, [petition("2025-03-03 09:00")])
    western = summary.monthly_summary(con, Filters(), month="2025-03")
    roc = summary.monthly_summary(con, Filters(), month="2025-03", calendar="roc")
    assert western["sentence"].iloc[0].startswith("本月（2025年3月）受理陳情 1 件")
    assert roc["sentence"].iloc[0].startswith("本月（民國114年3月）受理陳情 1 件")
    with pytest.raises(ValueError, match="曆法"):
        summary.monthly_summary(con, Filters(), month="2025-03", calendar="lunar")
