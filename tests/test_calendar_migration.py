"""Schema step 5: petitions record whether their due date was given by the source.

A database of the step before lacks the flag; the step infers it from what is stored:
a due date equal to what the case's own limit gives on the calendar counts as computed.
A given date that happens to equal the policy's cannot be told apart (documented); the
next reload of its file sets the flag from the file.
"""

from __future__ import annotations

import datetime as dt

import duckdb

from etl import petitions, row_hash
from etl.database import prepare
from etl.load import load_file
from etl.schema import SCHEMA_VERSION, current_version
from tests.template_files import PETITION_COLUMNS, petition, write_rows

CASES = [
    # 1999, no due date in the file: computed (03-04 .. 03-07, 03-10, 03-11).
    petition("C1", "2025-03-03 09:00:00"),
    # 書面 with the office's own 14-day date (03-17), not the policy's 30 days (04-02).
    petition("G1", "2025-03-03 09:00:00", 陳情管道="書面", 限辦日期="2025-03-17"),
    # 書面 with exactly the policy's date: 03-03 + 30 = Wed 04-02, a working day.
    petition("G2", "2025-03-03 09:00:00", 陳情管道="書面", 限辦日期="2025-04-02"),
]
FLAGS = "SELECT case_id, due_date, due_date_given FROM petitions ORDER BY case_id"


def make_step_3(path) -> None:
    """The database as the previous schema left it: no due_date_given column, the row hashes
    over the columns without it, version 3."""
    con = duckdb.connect(str(path))
    con.execute("ALTER TABLE petitions DROP COLUMN due_date_given")
    old_columns = tuple(c for c in petitions.COLUMNS if c != "due_date_given")
    row_hash.refresh(con, "petitions", old_columns)
    con.execute("UPDATE schema_version SET version = 3")
    con.close()


def test_the_step_marks_stored_due_dates_as_well_as_can_be_known(db_path, tmp_path):
    path = write_rows(tmp_path / "p.csv", PETITION_COLUMNS, CASES)
    load_file(db_path, "petitions", path)
    con = duckdb.connect(str(db_path))
    assert con.execute(FLAGS).fetchall() == [
        ("C1", dt.date(2025, 3, 11), False),
        ("G1", dt.date(2025, 3, 17), True),
        ("G2", dt.date(2025, 4, 2), True),
    ]
    con.close()
    make_step_3(db_path)

    con = duckdb.connect(str(db_path))
    assert current_version(con) == 3
    prepare(con)
    assert current_version(con) == SCHEMA_VERSION
    assert con.execute(FLAGS).fetchall() == [
        ("C1", dt.date(2025, 3, 11), False),
        ("G1", dt.date(2025, 3, 17), True),
        ("G2", dt.date(2025, 4, 2), False),  # given = policy: not knowable, taken as computed
    ]
    con.close()

    # The file knows: a reload corrects G2, and only G2.
    again = load_file(db_path, "petitions", path)
    assert (again.rows_updated, again.rows_unchanged) == (1, 2)
    con = duckdb.connect(str(db_path))
    assert con.execute(FLAGS).fetchall()[2] == ("G2", dt.date(2025, 4, 2), True)
    con.close()


def test_the_step_is_idempotent_and_leaves_a_current_database_equal_to_a_fresh_one(
    db_path, tmp_path
):
    path = write_rows(tmp_path / "p.csv", PETITION_COLUMNS, CASES[:2])
    load_file(db_path, "petitions", path)
    con = duckdb.connect(str(db_path))
    fresh = con.execute("SELECT * FROM petitions ORDER BY case_id").fetchall()
    con.close()
    make_step_3(db_path)
    con = duckdb.connect(str(db_path))
    prepare(con)
    from etl.schema import _step_due_date_given

    _step_due_date_given(con)  # again: finds its work done
    assert con.execute("SELECT * FROM petitions ORDER BY case_id").fetchall() == fresh
    con.close()
