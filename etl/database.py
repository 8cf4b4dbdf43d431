"""The loader's way into the database: a private write copy with the schema up to date
and the reference rows in place (districts, office calendar, deadline policy)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import duckdb

from etl import calendar, deadlines, districts, schema
from store import db


def prepare(con: duckdb.DuckDBPyConnection) -> None:
    """Create or upgrade the schema, then fill the reference tables on first use."""
    schema.upgrade(con)
    districts.ensure_reference(con)
    calendar.ensure_calendar(con)
    deadlines.ensure_default_policy(con)


@contextlib.contextmanager
def write_session(path: Path | str) -> Iterator[duckdb.DuckDBPyConnection]:
    """``store.db.write_session`` on a prepared database: all or nothing."""
    with db.write_session(path) as con:
        prepare(con)
        yield con


def memory_db() -> duckdb.DuckDBPyConnection:
    """A fresh in-memory database with the schema and reference rows, for tests and benchmarks."""
    con = duckdb.connect(":memory:")
    prepare(con)
    return con
