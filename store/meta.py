"""The ``meta`` table: facts about how a database was built (key -> text value)."""

from __future__ import annotations

import duckdb

from store.db import scalar

# Keys in use, one place: what each records.
CALENDAR_HOLIDAYS_VERSION = (
    "calendar.holidays_version"  # `holidays` release that built the calendar
)
PETITIONER_KEY_FINGERPRINT = "petitioner_key.fingerprint"  # identifies the key file in use


def get(con: duckdb.DuckDBPyConnection, key: str) -> str | None:
    """The value stored under ``key``, or None (also when the table does not exist yet)."""
    exists = scalar(con, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'meta'")
    if not exists:
        return None
    return scalar(con, "SELECT value FROM meta WHERE key = ?", [key])


def put(con: duckdb.DuckDBPyConnection, key: str, value: str) -> None:
    con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [key, value])
