"""Shared fixtures: a database path per test, and the committed sample files; ``query``
reads a database file."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

REPO = Path(__file__).resolve().parent.parent
SAMPLE_DATA = REPO / "sample_data"
TAIPEI_SAMPLE = SAMPLE_DATA / "taipei-1999-dispatch-2026-04.csv"


def query(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    """The rows ``sql`` gives on the database file ``db``, opened read-only."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """Where a test's database lives; the HMAC key file is created beside it."""
    return tmp_path / "svcq.duckdb"


@pytest.fixture(scope="session")
def sample_db(tmp_path_factory) -> Path:
    """The committed sample (sample_data/*.csv, scale 0.02) loaded once per session."""
    from etl.load import load_file

    path = tmp_path_factory.mktemp("sample-db") / "sample.duckdb"
    for kind, name in (("petitions", "petitions.csv"), ("surveys", "surveys.csv"),
                       ("phone-tests", "phone_tests.csv")):  # fmt: skip
        result = load_file(path, kind, SAMPLE_DATA / name)
        assert result.rows_rejected == 0, (name, result.top_reasons)
    return path
