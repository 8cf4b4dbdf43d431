"""A database written by an older version opens, converts in place and loses nothing."""

from __future__ import annotations

import hashlib

import duckdb

from etl.db import create_schema
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
        create_schema(con)
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
