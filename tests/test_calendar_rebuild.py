"""The calendar over time: a new `holidays` release rebuilds the package's days, a loaded
辦公日曆表 overrides days, and in both cases the stored cases' due dates, working days to
reply and on-time status are recomputed in place, to what a fresh load would give.

Expected values are counted by hand on the official 2025 calendar (114年辦公日曆表,
修正版): Sun 09-28 教師節 with Mon 09-29 補假; Mon 10-06 中秋節; Fri 10-10 國慶日;
Fri 10-24 補假 for Sat 10-25 光復節. The "old" calendar is the one `holidays` < 0.88
built: 09-29 and 10-24 working days.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from etl import calendar, schema
from etl.load import load_file
from etl.reference_tables import load_calendar
from store import meta
from tests.conftest import query
from tests.template_files import PETITION_COLUMNS, petition, write_rows

D = dt.date
DERIVED = "due_date, effective_due_date, reply_working_days, on_time, reply_quality"
CASES = [
    # 1999: 6 working days. Old: 09-26, 09-29, 09-30, 10-01, 10-02, 10-03 -> due 10-03 and a
    # reply on 10-07 is the 7th working day, late. New: 09-26, 09-30 .. 10-03, 10-07 -> due
    # 10-07, 6 working days, on time.
    petition("P1", "2025-09-25 09:00:00", 首次回覆時間="2025-10-07 09:00:00"),
    # 書面: 30 calendar days: 08-29 + 30 = Sun 09-28 -> old: Mon 09-29; new: Tue 09-30.
    # Reply 09-30: old 22 working days (Sep 1-26: 20, 09-29, 09-30), late; new 21, on time.
    petition("P3", "2025-08-29 09:00:00", 陳情管道="書面", 結案時間="2025-09-30 15:00:00"),
    # The source's own due date stays; only the working days to reply change (old 6, new 5).
    petition(
        "P5",
        "2025-09-22 09:00:00",
        陳情管道="書面",
        限辦日期="2025-09-29",
        首次回覆時間="2025-09-30 09:00:00",
    ),
    # Open: old due 10-07 (09-29 .. 10-03 are five, then 10-07), new 10-08.
    petition("P6", "2025-09-26 09:00:00"),
    # Received 10-22: 10-23, 10-24, 10-27 .. 10-30 -> due 10-30 when 10-24 is a working day.
    petition("P2", "2025-10-22 09:00:00", 首次回覆時間="2025-10-30 09:00:00"),
    # Far from the changed days: untouched (03-04 .. 03-07, 03-10, 03-11; 2 working days).
    petition("P4", "2025-03-03 09:00:00", 首次回覆時間="2025-03-05 09:00:00"),
]
OLD = {
    "P1": (D(2025, 10, 3), D(2025, 10, 3), 7, False, 0),
    "P3": (D(2025, 9, 29), D(2025, 9, 29), 22, False, 0),
    "P5": (D(2025, 9, 29), D(2025, 9, 29), 6, False, 0),
    "P6": (D(2025, 10, 7), D(2025, 10, 7), None, None, None),
    "P2": (D(2025, 10, 30), D(2025, 10, 30), 6, True, 0),
    "P4": (D(2025, 3, 11), D(2025, 3, 11), 2, True, 0),
}
NEW = {
    **OLD,
    "P1": (D(2025, 10, 7), D(2025, 10, 7), 6, True, 0),
    "P3": (D(2025, 9, 30), D(2025, 9, 30), 21, True, 0),
    "P5": (D(2025, 9, 29), D(2025, 9, 29), 5, False, 0),
    "P6": (D(2025, 10, 8), D(2025, 10, 8), None, None, None),
}


def derived(con: duckdb.DuckDBPyConnection) -> dict[str, tuple]:
    rows = con.execute(f"SELECT case_id, {DERIVED} FROM petitions").fetchall()
    return {r[0]: r[1:] for r in rows}


def derived_in(path) -> dict[str, tuple]:
    """``derived`` of the database file at ``path``, opened read-only."""
    return {r[0]: r[1:] for r in query(path, f"SELECT case_id, {DERIVED} FROM petitions")}


def open_db(path):
    return duckdb.connect(str(path))


def set_days(con, days: dict[dt.date, bool], source: str) -> None:
    """Edit calendar rows by hand, then renumber the working days as the product does."""
    for day, working in days.items():
        con.execute(
            "UPDATE calendar SET is_working_day = ?, reason = NULL, source = ? WHERE day = ?",
            [working, source, day],
        )
    con.execute(calendar.REINDEX_SQL)


@pytest.fixture
def old_database(db_path, tmp_path):
    """A database as `holidays` 0.87 left it: 09-29 and 10-24 working days from the package,
    the cases derived on that calendar; and one day overridden by a loaded 辦公日曆表
    (10-24 a working day, source 'dgpa'), which a rebuild must leave alone."""
    path = write_rows(tmp_path / "p.csv", PETITION_COLUMNS, CASES)
    con = open_db(db_path)
    from etl.database import prepare

    prepare(con)
    set_days(con, {D(2025, 9, 29): True}, "holidays")
    set_days(con, {D(2025, 10, 24): True}, "dgpa")
    con.close()
    load_file(db_path, "petitions", path)
    con = open_db(db_path)
    assert derived(con) == OLD
    meta.put(con, meta.CALENDAR_HOLIDAYS_VERSION, "0.87")
    con.close()
    return path


def test_a_new_holidays_release_rebuilds_its_days_and_recomputes_the_cases(db_path, old_database):
    con = open_db(db_path)
    schema.upgrade(con)
    change = calendar.ensure_calendar(con)
    assert change.days_changed == [D(2025, 9, 29)]  # 10-24 is the 辦公日曆表's: it stays
    assert change.days_added == []
    assert change.petitions_changed == 4  # P1, P3, P5, P6
    assert derived(con) == NEW
    assert con.execute(
        "SELECT day, is_working_day, source FROM calendar WHERE day IN (?, ?) ORDER BY day",
        [D(2025, 9, 29), D(2025, 10, 24)],
    ).fetchall() == [(D(2025, 9, 29), False, "holidays"), (D(2025, 10, 24), True, "dgpa")]
    assert meta.get(con, meta.CALENDAR_HOLIDAYS_VERSION) == calendar.holidays_version()
    # The version is recorded: the next session has nothing to do.
    assert calendar.ensure_calendar(con) is None
    con.close()


def test_after_the_rebuild_a_reload_finds_every_case_unchanged(db_path, old_database):
    # The recomputed rows carry the row hash a fresh load gives them.
    again = load_file(db_path, "petitions", old_database)  # the write session rebuilds first
    assert (again.rows_loaded, again.rows_updated, again.rows_unchanged) == (0, 0, len(CASES))
    assert derived_in(db_path) == NEW


def test_the_recomputed_database_equals_one_loaded_on_the_new_calendar(db_path, old_database,
                                                                       tmp_path):  # fmt: skip
    fresh = tmp_path / "fresh.duckdb"
    con = open_db(fresh)
    from etl.database import prepare

    prepare(con)
    set_days(con, {D(2025, 10, 24): True}, "dgpa")
    con.close()
    load_file(fresh, "petitions", old_database)
    load_file(db_path, "petitions", tmp_path / "p.csv")  # rebuilds, then finds all unchanged
    everything = "SELECT * FROM petitions ORDER BY case_id"
    assert query(db_path, everything) == query(fresh, everything)


# ---------------------------------------------------------------- a loaded 辦公日曆表


def write_dgpa(path, rows: list[tuple[str, str, str, str]], encoding: str = "utf-8-sig"):
    lines = ["西元日期,星期,是否放假,備註"] + [",".join(r) for r in rows]
    path.write_text("\r\n".join(lines) + "\r\n", encoding=encoding)
    return path


def test_a_loaded_office_calendar_recomputes_the_cases_it_touches(db_path, tmp_path):
    cases = [
        # 1999 received Mon 09-29 (a day off): 09-30, 10-01, 10-02, 10-03, 10-07, 10-08 -> due
        # 10-08; with Fri 10-03 a typhoon day off: 10-09 (10-10 is 國慶日 anyway).
        petition("T1", "2025-09-29 09:00:00", 首次回覆時間="2025-10-09 09:00:00"),
        # Received 09-01, closed 10-08: Sep 2-30 has 20 working days (09-29 off), Oct 1-3
        # 3, 10-07, 10-08 2: 25; without 10-03: 24.
        petition("T2", "2025-09-01 09:00:00", 陳情管道="書面", 結案時間="2025-10-08 09:00:00"),
        # Replied before the typhoon, due 10-08 before and 10-09 after: on time either way,
        # but the due date changes.
        petition("T3", "2025-09-29 10:00:00", 首次回覆時間="2025-09-30 09:00:00"),
        # Received after the changed day: untouched.
        petition("T4", "2025-10-06 09:00:00", 首次回覆時間="2025-10-07 09:00:00"),
    ]
    path = write_rows(tmp_path / "p.csv", PETITION_COLUMNS, cases)
    load_file(db_path, "petitions", path)
    before = derived_in(db_path)
    assert before["T1"][:4] == (D(2025, 10, 8), D(2025, 10, 8), 7, False)
    assert before["T2"][2] == 25
    assert before["T3"][:4] == (D(2025, 10, 8), D(2025, 10, 8), 1, True)

    dgpa = write_dgpa(tmp_path / "typhoon.csv", [("20251003", "五", "2", "颱風停止上班")])
    result = load_calendar(db_path, dgpa)

    assert result.days_changed == [D(2025, 10, 3)]
    assert result.petitions_changed == 3
    after = derived_in(db_path)
    assert after["T1"][:4] == (D(2025, 10, 9), D(2025, 10, 9), 6, True)
    assert after["T2"][2] == 24
    assert after["T3"][:4] == (D(2025, 10, 9), D(2025, 10, 9), 1, True)
    assert after["T4"] == before["T4"]
    again = load_file(db_path, "petitions", path)
    assert again.rows_unchanged == len(cases)


def test_a_change_far_from_every_case_recomputes_nothing(db_path, tmp_path):
    path = write_rows(tmp_path / "p.csv", PETITION_COLUMNS, CASES)
    load_file(db_path, "petitions", path)
    dgpa = write_dgpa(tmp_path / "far.csv", [("20310314", "五", "2", "測試")])
    result = load_calendar(db_path, dgpa)
    assert (result.days_changed, result.petitions_changed) == ([D(2031, 3, 14)], 0)


def test_a_given_due_date_is_never_recomputed(db_path, tmp_path):
    # Given 09-29 (a day off in the new calendar): the source's date stands.
    path = write_rows(tmp_path / "p.csv", PETITION_COLUMNS, [CASES[2]])
    load_file(db_path, "petitions", path)
    load_calendar(db_path, write_dgpa(tmp_path / "c.csv", [("20250929", "一", "0", "")]))
    assert query(db_path, "SELECT due_date, due_date_given FROM petitions") == [
        (D(2025, 9, 29), True)
    ]


def test_an_older_schema_is_marked_on_the_old_calendar_before_the_rebuild(db_path, old_database):
    # A database of schema step 3 and holidays 0.87 at once: the due dates must be judged
    # given or computed on the calendar they were computed on (P3's 09-29 is the old
    # policy date: computed, so recomputed to 09-30), and only then the calendar rebuilt.
    from etl.database import prepare
    from tests.test_calendar_migration import make_step_3

    make_step_3(db_path)
    con = open_db(db_path)
    prepare(con)
    flags = dict(con.execute("SELECT case_id, due_date_given FROM petitions").fetchall())
    assert flags == {"P1": False, "P2": False, "P3": False, "P4": False, "P5": True, "P6": False}
    assert derived(con) == NEW
    con.close()
