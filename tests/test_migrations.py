"""A database written by an older version opens, converts in place and loses nothing."""

from __future__ import annotations

import hashlib

import duckdb
import pytest

from etl.database import prepare
from etl.load import load_file
from tests.conftest import SAMPLE_DATA

PETITIONS = SAMPLE_DATA / "petitions.csv"
MONTHLY = "SELECT * FROM petition_monthly ORDER BY ALL"


def _rows(path, sql="SELECT * FROM petitions ORDER BY source_system, case_id"):
    con = duckdb.connect(str(path), read_only=True)
    try:
        result = con.execute(sql)
        names = [d[0] for d in result.description]
        return [dict(zip(names, row, strict=True)) for row in result.fetchall()]
    finally:
        con.close()


def _make_old(path) -> None:
    """Turn a current database into the issue-2 layout: 32-character hex petitioner keys,
    no reply_quality, repeat_gap_days or petition_monthly, and row hashes of another
    formula."""
    con = duckdb.connect(str(path))
    try:
        # The old key was the 16-byte digest in hex; its first half is the current key.
        con.execute(
            "ALTER TABLE petitions ALTER petitioner_key SET DATA TYPE VARCHAR "
            "USING lpad(to_hex(petitioner_key), 16, '0') || '0123456789abcdef'"
        )
        con.execute("ALTER TABLE petitions DROP COLUMN reply_quality")
        con.execute("ALTER TABLE petitions DROP COLUMN repeat_gap_days")
        con.execute("UPDATE petitions SET row_hash = 'hash of the old formula'")
        con.execute("DROP TABLE petition_monthly")
        # versions were not recorded then
        con.execute("DROP TABLE schema_version")
        con.execute("DROP TABLE meta")
    finally:
        con.close()


def test_an_old_database_converts_to_what_a_fresh_load_gives(db_path):
    load_file(db_path, "petitions", PETITIONS)
    fresh = _rows(db_path)
    fresh_monthly = _rows(db_path, MONTHLY)
    assert any(row["repeat_gap_days"] is not None for row in fresh)  # gaps to restore
    _make_old(db_path)
    con = duckdb.connect(str(db_path))
    try:
        kinds = dict(
            con.execute("SELECT column_name, column_type FROM (DESCRIBE petitions)").fetchall()
        )
        assert kinds["petitioner_key"] == "VARCHAR" and "reply_quality" not in kinds
        prepare(con)
    finally:
        con.close()
    # Same rows and values column by column, the row hashes included.
    assert _rows(db_path) == fresh
    assert _rows(db_path, MONTHLY) == fresh_monthly and len(fresh_monthly) > 100


def test_reloading_after_the_conversion_finds_every_row_unchanged(db_path):
    first = load_file(db_path, "petitions", PETITIONS)
    _make_old(db_path)
    again = load_file(db_path, "petitions", PETITIONS)
    assert (again.rows_loaded, again.rows_updated, again.rows_rejected) == (0, 0, 0)
    assert again.rows_unchanged == first.rows_loaded


def test_old_hex_keys_keep_their_identity_after_conversion():
    # Independent of etl.pii: the old text key and the new integer of the same identity.
    secret, who = b"s" * 32, "id:F123456789"
    old = hashlib.blake2b(who.encode(), key=secret, digest_size=16).hexdigest()
    con = duckdb.connect()
    con.execute("CREATE TABLE petitions (petitioner_key VARCHAR)")
    con.execute("INSERT INTO petitions VALUES (?)", [old])
    from etl.petitions import KEY_TO_INTEGER_SQL
    from etl.pii import petitioner_key

    con.execute(KEY_TO_INTEGER_SQL)
    assert con.execute("SELECT petitioner_key FROM petitions").fetchall() == [
        (petitioner_key(secret, who),)
    ]


def test_an_unversioned_database_gains_every_constraint_and_column_of_a_new_one(tmp_path):
    """Tables written before the version table existed: survey_answers without its score
    CHECK and survey_items without is_overall/position. After the upgrade the schema is
    the one a new database gets, and the stored rows are kept."""
    from etl.schema import SCHEMA_VERSION, current_version

    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    con.execute(
        "CREATE TABLE survey_items (item_code VARCHAR PRIMARY KEY, item_text VARCHAR NOT NULL,"
        " dimension VARCHAR NOT NULL)"
    )
    con.execute(
        "CREATE TABLE survey_answers (source_system VARCHAR NOT NULL, wave VARCHAR NOT NULL,"
        " respondent_id VARCHAR NOT NULL, item_code VARCHAR NOT NULL, score SMALLINT,"
        " answer VARCHAR NOT NULL, PRIMARY KEY (source_system, wave, respondent_id, item_code))"
    )
    con.execute("INSERT INTO survey_items VALUES ('B', 'b', '服務禮儀'), ('A', 'a', '整體')")
    con.execute("INSERT INTO survey_answers VALUES ('s', 'w', 'r1', 'A', 4, '滿意')")
    assert current_version(con) == 0
    prepare(con)
    assert current_version(con) == SCHEMA_VERSION
    with pytest.raises(duckdb.ConstraintException):
        con.execute("INSERT INTO survey_answers VALUES ('s', 'w', 'r2', 'A', 9, '滿意')")
    assert con.execute(
        "SELECT item_code, is_overall, position FROM survey_items ORDER BY item_code"
    ).fetchall() == [("A", True, 0), ("B", False, 1)]
    assert con.execute("SELECT count(*) FROM survey_answers").fetchall() == [(1,)]

    fresh = duckdb.connect()
    prepare(fresh)
    describe = "SELECT table_name, sql FROM duckdb_tables() ORDER BY table_name"
    constraints = (
        "SELECT table_name, constraint_type, constraint_text FROM duckdb_constraints() ORDER BY ALL"
    )
    for sql in (constraints,):
        assert con.execute(sql).fetchall() == fresh.execute(sql).fetchall()
    assert [r[0] for r in con.execute(describe).fetchall()] == [
        r[0] for r in fresh.execute(describe).fetchall()
    ]
    con.close()


def test_a_database_from_a_newer_svcq_is_refused_in_plain_words():
    from etl.schema import SCHEMA_VERSION

    con = duckdb.connect()
    prepare(con)
    con.execute("UPDATE schema_version SET version = ?", [SCHEMA_VERSION + 1])
    with pytest.raises(ValueError, match="較新版本"):
        prepare(con)
