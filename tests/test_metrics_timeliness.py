"""Reply timeliness (回覆時限): hand-counted cases on the 2024-2026 office calendar."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from metrics_fixtures import insert_petitions, petition, sample_database

from etl.database import memory_db
from metrics import timeliness
from metrics.filters import Filters
from store.db import connect_readonly

D = dt.date


@pytest.fixture
def con():
    connection = memory_db()
    yield connection
    connection.close()


@dataclass(frozen=True)
class DayCount:
    name: str
    received_at: str
    replied_at: str
    working_days: int


# Working days from the next working day after receipt to the reply, counted by hand
# on the office calendar.
DAY_COUNTS = [
    # 2025-01-25..02-02 off (01-27 an extra day off for the 02-08 make-up Saturday):
    # 02-03..07 (5) + 02-08 補行上班 (6) + 02-10 (7).
    DayCount(
        "lunar new year 2025 with make-up Saturday", "2025-01-24 16:00", "2025-02-10 09:00", 7
    ),
    # 2024-02-17 was a make-up Saturday: 02-17 (1) + 02-19 (2).
    DayCount("make-up Saturday 2024-02-17", "2024-02-16 10:00", "2024-02-19 10:00", 2),
    DayCount("same day", "2025-03-03 09:00", "2025-03-03 15:00", 0),
    DayCount("weekend between", "2025-03-07 09:00", "2025-03-10 09:00", 1),
    # Received on a Saturday off: the next working day is Monday 03-10 (1), 03-11 (2).
    DayCount("received on a day off", "2025-03-08 09:00", "2025-03-11 09:00", 2),
]


@pytest.mark.parametrize("case", DAY_COUNTS, ids=lambda c: c.name)
def test_fixture_working_days_follow_the_office_calendar(con, case):
    insert_petitions(
        con, [petition(case.received_at, replied_at=case.replied_at, due="2026-12-31")]
    )
    got = con.execute("SELECT reply_working_days FROM petitions").fetchall()[0][0]
    assert got == case.working_days


def test_reply_days_median_and_p90_match_numpy(con):
    insert_petitions(
        con,
        [petition(c.received_at, replied_at=c.replied_at, due="2026-12-31") for c in DAY_COUNTS],
    )
    row = timeliness.reply_days(con, Filters()).iloc[0]
    values = [c.working_days for c in DAY_COUNTS]  # 7, 2, 0, 1, 2
    assert row["replied"] == 5
    assert row["median_working_days"] == pytest.approx(np.median(values))  # 2
    assert row["p90_working_days"] == pytest.approx(
        np.percentile(values, 90)
    )  # 2 + 0.6 x (7 - 2) = 5
    assert row["mean_working_days"] == pytest.approx(12 / 5)
    assert row["max_working_days"] == 7


@dataclass(frozen=True)
class Case:
    name: str
    row: dict


# Unit A, received in March 2025, due 2025-03-11 unless stated.
QUALITY_CASES = [
    Case("on time", petition("2025-03-03 09:00", replied_at="2025-03-11 17:00", due="2025-03-11")),
    Case("late", petition("2025-03-03 09:00", replied_at="2025-03-12 09:00", due="2025-03-11")),
    Case(
        "late but extended",
        petition(
            "2025-03-03 09:00",
            replied_at="2025-03-14 09:00",
            due="2025-03-11",
            extended_due_date="2025-03-20",
        ),
    ),
    Case("open", petition("2025-03-03 09:00", due="2025-03-11")),
    Case(
        "same minute",
        petition("2025-03-03 09:00:00", replied_at="2025-03-03 09:00:40", due="2025-03-11"),
    ),
    Case(
        "closed within a minute, replied later",
        petition(
            "2025-03-03 09:00:00",
            replied_at="2025-03-04 09:00",
            closed_at="2025-03-03 09:01:00",
            due="2025-03-11",
        ),
    ),
    # Outside the office calendar (2008-2032) no working days can be counted.
    Case("no working days", petition("2033-03-03 09:00", replied_at="2033-03-04 09:00")),
]


def test_on_time_rate_counts_and_exclusions(con):
    insert_petitions(con, [{**c.row, "unit": "A"} for c in QUALITY_CASES])
    row = timeliness.on_time_rate(con, Filters()).iloc[0]
    # valid: on time, late, late-but-extended (on time by the extended date) -> 2 of 3
    assert (row["replied"], row["on_time"], row["late"]) == (3, 2, 1)
    assert row["on_time_rate"] == pytest.approx(2 / 3)
    assert row["excluded_same_minute"] == 2
    assert row["excluded_reply_before_receipt"] == 0
    assert row["excluded_missing_dates"] == 1


def test_a_reply_before_receipt_is_rejected_at_load_and_excluded_if_stored(con):
    # The loader refuses it (so loaded data never has one) ...
    from metrics_fixtures import SECRET, _mapping

    from etl.load import load_table
    from etl.reader import Table

    mapping = _mapping()
    cols = mapping.source_columns()
    row = dict.fromkeys(cols, "")
    row.update(
        {"案件編號": "X1", "受理時間": "2025-03-03 09:00", "首次回覆時間": "2025-03-01 09:00"}
    )
    table = Table(pd.DataFrame([row], columns=cols, dtype=object), [1], "utf-8")
    result = load_table(con, "petitions", table, mapping, SECRET, file_name="x.csv")
    assert (result.rows_loaded, result.rows_rejected) == (0, 1)
    # ... and a row of that quality kept by an older version is counted apart, not rated.
    insert_petitions(con, [QUALITY_CASES[0].row])
    con.execute("UPDATE petitions SET reply_quality = 2")
    row = timeliness.on_time_rate(con, Filters()).iloc[0]
    assert (row["replied"], row["excluded_reply_before_receipt"]) == (0, 1)


def test_exclusions_are_reported_per_group(con):
    insert_petitions(
        con,
        [{**QUALITY_CASES[0].row, "unit": "A"}, {**QUALITY_CASES[4].row, "unit": "B"}],
    )
    frame = timeliness.on_time_rate(con, Filters(), by="unit").set_index("unit")
    assert frame.loc["A", "replied"] == 1 and frame.loc["A", "excluded_same_minute"] == 0
    assert frame.loc["B", "replied"] == 0 and frame.loc["B", "excluded_same_minute"] == 1
    assert np.isnan(frame.loc["B", "on_time_rate"])


def test_date_basis_moves_a_case_to_its_reply_month(con):
    insert_petitions(
        con, [petition("2025-02-27 09:00", replied_at="2025-03-04 09:00", due="2025-03-07")]
    )
    by_receipt = timeliness.on_time_rate(con, Filters(), by="month")
    by_reply = timeliness.on_time_rate(con, Filters(), by="month", date_basis="replied")
    assert list(by_receipt["month"]) == ["2025-02"]
    assert list(by_reply["month"]) == ["2025-03"]
    march = Filters(D(2025, 3, 1), D(2025, 3, 31))
    assert timeliness.on_time_rate(con, march).iloc[0]["replied"] == 0
    assert timeliness.on_time_rate(con, march, date_basis="replied").iloc[0]["replied"] == 1
    with pytest.raises(ValueError, match="期間基準"):
        timeliness.on_time_rate(con, march, date_basis="closed")


@pytest.mark.parametrize(
    "function",
    [
        timeliness.on_time_rate,
        timeliness.reply_days,
        timeliness.open_cases,
        timeliness.overdue_aging,
        timeliness.extensions,
    ],
)
def test_unknown_by_is_refused_in_chinese(con, function):
    with pytest.raises(ValueError, match="不支援的分組欄位「unit; DROP TABLE petitions」"):
        function(con, Filters(), by=("unit; DROP TABLE petitions",))


def test_by_groups_label_missing_values(con):
    insert_petitions(
        con,
        [
            petition("2025-03-03 09:00", replied_at="2025-03-04 09:00", due="2025-03-11"),
            petition(
                "2025-03-03 09:00",
                replied_at="2025-03-04 09:00",
                due="2025-03-11",
                district="中正區",
                in_city=False,
            ),
            petition(
                "2025-03-03 09:00",
                replied_at="2025-03-04 09:00",
                due="2025-03-11",
                district="鳳山區",
                unit="工務課",
            ),
        ],
    )
    frame = timeliness.on_time_rate(con, Filters(), by=("unit", "district"))
    # another city's district by its name, with in_city beside it
    in_city = [None if pd.isna(v) else bool(v) for v in frame["in_city"]]
    assert set(zip(frame["unit"], frame["district"], in_city, strict=True)) == {
        ("未填", "未填行政區", None),
        ("未填", "中正區", False),
        ("工務課", "鳳山區", True),
    }


OPEN_ROWS = [
    petition("2025-03-03 09:00", due="2025-03-11", case_id="open-due-0311"),
    petition("2025-03-03 09:00", replied_at="2025-03-20 09:00", due="2025-03-11", case_id="r0320"),
    petition("2025-03-12 09:00", due="2025-03-20", case_id="open-due-0320"),
    petition("2025-02-03 09:00", due="2025-02-11", case_id="february-open"),
    # no due date given: the default policy's 30 calendar days end on 04-04, a holiday
    # (兒童節及民族掃墓節), so it is due on Monday 04-07
    petition("2025-03-05 09:00", case_id="policy-due-0407"),
]


@dataclass(frozen=True)
class OpenCase:
    as_of: dt.date
    open: int
    not_due: int
    overdue: int
    no_due: int


@pytest.mark.parametrize(
    "case",
    [
        # 03-10: open-due-0311, r0320 (replied later), policy-due-0407 not due;
        # february-open overdue.
        OpenCase(D(2025, 3, 10), 4, 3, 1, 0),
        # 03-12: + open-due-0320; 0311 and r0320 now overdue, with february-open.
        OpenCase(D(2025, 3, 12), 5, 2, 3, 0),
        # 03-25: r0320 replied; 0311, 0320, february-open overdue; 0407 not due.
        OpenCase(D(2025, 3, 25), 4, 1, 3, 0),
    ],
    ids=lambda c: str(c.as_of),
)
def test_open_cases_as_of(con, case):
    insert_petitions(con, OPEN_ROWS)
    row = timeliness.open_cases(con, Filters(), as_of=case.as_of).iloc[0]
    got = (row["open"], row["open_not_due"], row["open_overdue"], row["open_no_due_date"])
    assert got == (case.open, case.not_due, case.overdue, case.no_due)
    assert row["as_of"].date() == case.as_of


def test_a_case_whose_due_date_lies_beyond_the_calendar_has_none(con):
    # The office calendar ends in 2032: 30 calendar days after 2032-12-20 cannot be placed.
    insert_petitions(con, [petition("2032-12-20 09:00", case_id="late-2032")])
    row = timeliness.open_cases(con, Filters(), as_of=D(2032, 12, 31)).iloc[0]
    assert (row["open"], row["open_no_due_date"]) == (1, 1)


def test_open_cases_default_as_of_and_backlog(con):
    insert_petitions(con, OPEN_ROWS)
    # No period: as of the latest date the data speaks for, the reply of r0320 on 03-20
    # (the last receipt is 03-12), never today.
    assert timeliness.open_cases(con, Filters()).iloc[0]["as_of"].date() == D(2025, 3, 20)
    march = Filters(D(2025, 3, 1), D(2025, 3, 31))
    with_backlog = timeliness.open_cases(con, march).iloc[0]
    assert with_backlog["as_of"].date() == D(2025, 3, 31)
    assert with_backlog["open_overdue"] == 3  # includes february-open
    only_march = timeliness.open_cases(con, march, backlog=False).iloc[0]
    assert only_march["open_overdue"] == 2


@dataclass(frozen=True)
class Aging:
    name: str
    due: str
    as_of: dt.date
    past_due: int
    bucket: str


AGING_CASES = [
    # Friday due, counted on Saturday: overdue, but 0 working days past due.
    Aging("weekend only", "2025-03-07", D(2025, 3, 8), 0, "aging_le_5"),
    # 01-27..02-02 all off: Monday 02-03 is the first working day past due.
    Aging("lunar new year off days", "2025-01-24", D(2025, 2, 3), 1, "aging_le_5"),
    # 02-08 補行上班 counts: 02-08 (1) + 02-10 (2).
    Aging("make-up Saturday 2025", "2025-02-07", D(2025, 2, 10), 2, "aging_le_5"),
    # 2024-02-17 補行上班: 02-17 (1) + 02-19 (2).
    Aging("make-up Saturday 2024", "2024-02-16", D(2024, 2, 19), 2, "aging_le_5"),
    # 02-03..07 (5) + 02-08 (6) + 02-10 (7).
    Aging("across new year", "2025-01-24", D(2025, 2, 10), 7, "aging_6_10"),
    # 01-13..17 (5) + 01-20..24 (10) + 02-03..07 (15) + 02-08 (16) + 02-10 (17).
    Aging("seventeen", "2025-01-10", D(2025, 2, 10), 17, "aging_11_30"),
    # 2026-01-02 (Fri) to 2026-03-02 (Mon): 01-05..30 (20) + 02-02..13 (10; 02-16..20 off
    # for the new year) + 02-23..26 (4; 02-27 off in lieu of 和平紀念日) + 03-02 (1) = 35.
    Aging("over thirty", "2026-01-02", D(2026, 3, 2), 35, "aging_gt_30"),
]


@pytest.mark.parametrize("case", AGING_CASES, ids=lambda c: c.name)
def test_overdue_aging_counts_working_days_on_the_calendar(con, case):
    received = (dt.date.fromisoformat(case.due) - dt.timedelta(days=3)).isoformat()
    insert_petitions(con, [petition(f"{received} 09:00", due=case.due)])
    row = timeliness.overdue_aging(con, Filters(), as_of=case.as_of).iloc[0]
    assert row["overdue_open"] == 1
    assert row["max_working_days_past_due"] == case.past_due
    buckets = ["aging_le_5", "aging_6_10", "aging_11_30", "aging_gt_30", "aging_outside_calendar"]
    assert {b: row[b] for b in buckets} == {b: int(b == case.bucket) for b in buckets}


def test_overdue_aging_matches_open_overdue_by_unit(con):
    rows = [
        petition("2025-01-02 09:00", due=case.due, unit=unit)
        for case, unit in zip(AGING_CASES[4:6], ("甲課", "乙課"), strict=True)
    ]
    rows.append(petition("2025-02-05 09:00", due="2025-02-20", unit="甲課"))  # not yet due
    insert_petitions(con, rows)
    as_of = D(2025, 2, 10)
    aging = timeliness.overdue_aging(con, Filters(), by="unit", as_of=as_of).set_index("unit")
    opened = timeliness.open_cases(con, Filters(), by="unit", as_of=as_of).set_index("unit")
    assert (
        aging["overdue_open"].to_dict()
        == opened["open_overdue"].to_dict()
        == {
            "乙課": 1,
            "甲課": 1,
        }
    )
    assert aging.loc["甲課", "aging_6_10"] == 1 and aging.loc["乙課", "aging_11_30"] == 1


def test_extensions(con):
    insert_petitions(
        con,
        [
            # extended, replied by the extended date
            petition(
                "2025-03-03 09:00",
                replied_at="2025-03-18 09:00",
                due="2025-03-11",
                extended_due_date="2025-03-20",
            ),
            # extended, still open
            petition("2025-03-03 09:00", due="2025-03-11", extended_due_date="2025-03-25"),
            # an "extension" equal to the original due date is not one
            petition(
                "2025-03-03 09:00",
                replied_at="2025-03-12 09:00",
                due="2025-03-11",
                extended_due_date="2025-03-11",
            ),
            petition("2025-03-03 09:00", replied_at="2025-03-05 09:00", due="2025-03-11"),
        ],
    )
    row = timeliness.extensions(con, Filters()).iloc[0]
    assert (row["cases"], row["extended"]) == (4, 2)
    assert row["extension_rate"] == pytest.approx(2 / 4)
    assert (row["extended_on_time"], row["extended_late"], row["extended_open"]) == (1, 0, 1)


def test_filters_restrict_every_function(con):
    insert_petitions(
        con,
        [
            petition("2025-03-03 09:00", replied_at="2025-03-04 09:00", due="2025-03-11", unit="A"),
            petition("2025-03-03 09:00", replied_at="2025-03-20 09:00", due="2025-03-11", unit="B"),
        ],
    )
    only_b = Filters(units=("B",))
    assert timeliness.on_time_rate(con, only_b).iloc[0]["on_time_rate"] == 0
    assert timeliness.reply_days(con, only_b).iloc[0]["replied"] == 1
    assert timeliness.extensions(con, only_b).iloc[0]["cases"] == 1


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    db_path, _ = sample_database(tmp_path_factory)
    connection = connect_readonly(db_path)
    yield connection
    connection.close()


def test_sample_on_time_rate_is_as_generated(sample):
    # The generator replies about 92% of cases on time on the loader's own calendar.
    row = timeliness.on_time_rate(sample, Filters()).iloc[0]
    assert 0.88 < row["on_time_rate"] < 0.96
    by_month = timeliness.on_time_rate(sample, Filters(), by="month")
    assert by_month["replied"].sum() == row["replied"]
    assert list(by_month["month"]) == sorted(by_month["month"])
    assert by_month["month"].str.fullmatch(r"\d{4}-\d{2}").all()


def test_sample_open_and_aging_agree(sample):
    as_of = D(2026, 6, 30)
    opened = timeliness.open_cases(sample, Filters(), by="agency", as_of=as_of)
    aging = timeliness.overdue_aging(sample, Filters(), by="agency", as_of=as_of)
    merged = opened.merge(aging, on="agency", how="left").fillna({"overdue_open": 0})
    assert (merged["open_overdue"] == merged["overdue_open"]).all()
    assert (
        opened["open"] == opened[["open_not_due", "open_overdue", "open_no_due_date"]].sum(axis=1)
    ).all()
    buckets = ["aging_le_5", "aging_6_10", "aging_11_30", "aging_gt_30", "aging_outside_calendar"]
    assert (aging[buckets].sum(axis=1) == aging["overdue_open"]).all()


@pytest.mark.parametrize("by", [(), ("unit",)])
def test_open_at_several_dates_equals_open_cases_at_each(sample, by):
    dates = [D(2025, 1, 31), D(2025, 6, 30), D(2025, 7, 1), D(2025, 12, 31)]
    for filters in (Filters(), Filters(D(2025, 6, 1), D(2025, 6, 30), channels=("1999",))):
        together = timeliness.open_at_dates(sample, filters, dates, by=by)
        assert set(together["as_of"]) == set(dates)
        for day in dates:
            one = timeliness.open_cases(sample, filters, by=by, as_of=day)
            one = one[one["open"] > 0]
            got = together[together["as_of"] == day]
            columns = [*by, "open", "open_overdue"]
            assert sorted(got[columns].itertuples(index=False, name=None)) == sorted(
                one[columns].itertuples(index=False, name=None)
            )
            assert one["open_overdue"].sum() > 0


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["甲", "乙", "丙"]), st.integers(0, 40)), min_size=1, max_size=40
    )
)
def test_reply_day_quantiles_equal_numpy_per_group(cases):
    # Each unit's median and 90th percentile from the SQL histogram against np.quantile
    # (linear, numpy's default) on that unit's raw working days, as the loader stored them
    # for replies 0-40 calendar days after receipt.
    con = memory_db()
    try:
        start = dt.datetime(2025, 3, 3, 9, 0)
        insert_petitions(
            con,
            [
                petition(str(start), replied_at=str(start + dt.timedelta(days=k, hours=1)),
                         due="2025-12-31", unit=unit)
                for unit, k in cases
            ],
        )  # fmt: skip
        raw = con.execute("SELECT unit, reply_working_days AS d FROM petitions").df()
        got = timeliness.reply_days(con, Filters(), by="unit").set_index("unit")
        for unit, values in raw.groupby("unit")["d"]:
            row = got.loc[unit]
            assert row["replied"] == len(values)
            assert row["median_working_days"] == pytest.approx(np.quantile(values, 0.5))
            assert row["p90_working_days"] == pytest.approx(np.quantile(values, 0.9))
            assert row["mean_working_days"] == pytest.approx(values.mean())
            assert row["max_working_days"] == values.max()
        overall = timeliness.reply_days(con, Filters()).iloc[0]
        assert overall["p90_working_days"] == pytest.approx(np.quantile(raw["d"], 0.9))
    finally:
        con.close()


def test_closures_after_the_last_receipt_are_not_open_by_default(con):
    # Receipts end 03-31 but the export was taken later: cases closed in April are closed,
    # not "open at the last receipt". Only the one without a reply is open.
    insert_petitions(
        con,
        [
            petition("2025-03-20 09:00", replied_at="2025-04-08 10:00", due="2025-03-28"),
            petition("2025-03-31 09:00", replied_at="2025-04-03 10:00", due="2025-04-09"),
            petition("2025-03-25 09:00", due="2025-04-02", case_id="still-open"),
        ],
    )
    row = timeliness.open_cases(con, Filters()).iloc[0]
    assert row["as_of"].date() == D(2025, 4, 8)
    assert (row["open"], row["open_overdue"]) == (1, 1)
    aging = timeliness.overdue_aging(con, Filters()).iloc[0]
    assert pd.Timestamp(aging["as_of"]).date() == D(2025, 4, 8) and aging["overdue_open"] == 1


def test_the_exports_own_extraction_date_is_the_default_as_of(tmp_path):
    # A mapping naming the extraction-date column: the data speaks for 2025-04-30 although
    # its last event is 03-31, so the open case is counted, and stated, as of 04-30.
    from etl.load import load_file
    from metrics import freshness
    from store.db import connect_readonly

    mapping = tmp_path / "m.toml"
    mapping.write_text(
        'kind = "petitions"\nsource_system = "x"\n[read]\nas_of_column = "擷取時間"\n'
        '[fields]\ncase_id = "編號"\nreceived_at = "受理"\n'
        'first_reply_at = { column = "回覆", optional = true }\n',
        encoding="utf-8",
    )
    data = tmp_path / "x.csv"
    data.write_text("編號,受理,擷取時間\nA,2025-03-31 09:00,2025-04-30 18:00\n", encoding="utf-8")
    db_path = tmp_path / "x.duckdb"
    result = load_file(db_path, "petitions", data, mapping_path=mapping)
    assert result.rows_loaded == 1 and result.absent_columns == ["回覆"]
    con = connect_readonly(db_path)
    try:
        assert freshness.data_as_of(con, Filters()) == D(2025, 4, 30)
        row = timeliness.open_cases(con, Filters()).iloc[0]
        assert row["as_of"].date() == D(2025, 4, 30) and row["open"] == 1
    finally:
        con.close()
