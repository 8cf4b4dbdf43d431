"""資料狀態 and the helpers the dashboard needs: batches, reject rules, monthly gaps,
rows outside the city, the calendar, months with data, the reply-days distribution."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from metrics_fixtures import SECRET, _mapping, insert_petitions, petition

from etl.database import memory_db
from etl.load import load_table
from etl.reader import Table
from metrics import data_status, freshness, timeliness
from metrics.filters import Filters

D = dt.date
# Petitions per month of 2025 written by hand: April missing, June a dip.
MONTHS = {1: 10, 2: 10, 3: 10, 4: 0, 5: 10, 6: 3, 7: 10, 8: 10, 9: 10}


@pytest.fixture
def con():
    connection = memory_db()
    yield connection
    connection.close()


def test_monthly_volume_marks_a_missing_month_and_a_dip(con):
    insert_petitions(
        con,
        [petition(f"2025-{m:02d}-05 09:00") for m, n in MONTHS.items() for _ in range(n)],
    )
    frame = data_status.monthly_volume(con).set_index("month")
    assert list(frame["cases"]) == list(MONTHS.values())  # April is listed, with 0
    assert frame.loc[D(2025, 4, 1), "flag"] == data_status.NO_ROWS
    # June: neighbours Jan-May and Jul-Sep = 10,10,10,0,10,10,10,10, median 10; 3 < 5
    assert frame.loc[D(2025, 6, 1), "neighbours_median"] == 10
    assert frame.loc[D(2025, 6, 1), "flag"] == data_status.FEW_ROWS
    flagged = {m for m, f in frame["flag"].items() if isinstance(f, str)}
    assert flagged == {D(2025, 4, 1), D(2025, 6, 1)}
    assert freshness.months_with_data(con, Filters()) == [
        D(2025, m, 1) for m, n in MONTHS.items() if n
    ]


def _load_with_rejects(con) -> int:
    mapping = _mapping()
    cols = mapping.source_columns()
    rows = []
    for case, district, received in (
        ("A", "鳳山區", "2025-03-03 09:00"),
        ("B", "火星區", "2025-03-03 09:00"),
        ("C", "火星區", "2025-03-03 09:00"),
        ("D", "鳳山區", "昨天"),
        ("E", "月球區", "前天"),
    ):
        row = dict.fromkeys(cols, "")
        row.update({"案件編號": case, "行政區": district, "受理時間": received})
        rows.append(row)
    table = Table(pd.DataFrame(rows, columns=cols, dtype=object), [1, 2, 3, 4, 5], "utf-8")
    return load_table(con, "petitions", table, mapping, SECRET, file_name="x.csv").batch_id


def test_reject_rules_group_by_rule_not_by_value(con):
    batch = _load_with_rejects(con)
    frame = data_status.reject_rules(con, batch_id=batch)
    got = dict(zip(frame["rule"], frame["rows"], strict=True))
    # 火星區 x2 and 月球區: one rule; 昨天 and 前天: the receipt-date rule
    assert got == {"無法辨識的行政區": 3, "受理時間：日期": 2}
    batches = data_status.load_batches(con)
    row = batches[batches["batch_id"] == batch].iloc[0]
    assert (row["rows_read"], row["rows_loaded"], row["rows_rejected"]) == (5, 1, 4)
    assert bool(row["balanced"])


def test_outside_city_counts_other_cities_and_missing_districts(con):
    insert_petitions(
        con,
        [
            petition("2025-03-03 09:00", district="中正區"),
            petition("2025-03-03 09:00", district="大安區"),
            petition("2025-03-03 09:00"),
            petition("2025-03-03 09:00", district="鳳山區"),
        ],
    )
    got = dict(data_status.outside_city(con).itertuples(index=False, name=None))
    assert got == {"臺北市": 2, "未填行政區": 1}


def test_calendar_status_covers_every_day_once(con):
    frame = data_status.calendar_status(con)
    assert list(frame["source"]) == ["holidays"]
    row = frame.iloc[0]
    assert row["days"] == (row["last_day"] - row["first_day"]).days + 1
    assert 0 < row["days_off"] < row["days"]


def test_reply_day_counts_is_the_distribution_behind_reply_days(con):
    # Received Monday 2025-03-03; replies 0, 1, 1, 4 working days later, and one after
    # 40 calendar days (27 working days: 03-04..04-11 minus 04-03/04 holidays), capped at 20.
    replies = ["2025-03-03 15:00", "2025-03-04 10:00", "2025-03-04 11:00", "2025-03-07 10:00",
               "2025-04-12 10:00"]  # fmt: skip
    insert_petitions(
        con, [petition("2025-03-03 09:00", replied_at=r, due="2025-12-31") for r in replies]
    )
    frame = timeliness.reply_day_counts(con, Filters(), cap=20)
    assert dict(zip(frame["working_days"], frame["cases"], strict=True)) == {
        0: 1, 1: 2, 4: 1, 20: 1,
    }  # fmt: skip
    assert frame["cases"].sum() == timeliness.reply_days(con, Filters()).iloc[0]["replied"]
