"""The row hash that tells an unchanged record from a changed one on reload.

A 64-bit hash of the whole record, taken over the values as the target table stores
them: each staged column is cast to the table's own column type first. So the hash of a
stored row can be recomputed from the table alone, which lets a schema migration that
changes a column's type refresh the hashes instead of making the next reload of an
unchanged file report every row as updated. It is only ever compared with the previous
version of the same key, so a collision would need an update to land on the same 64
bits by chance.
"""

from __future__ import annotations

import re

import duckdb

_TYPE = re.compile(r"[A-Z][A-Z0-9_]*(\(\d+(, ?\d+)?\))?")


def column_types(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, str]:
    """Column name -> declared type of a table of the canonical schema."""
    rows = con.execute(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_name = ? AND table_schema = 'main'",
        [table],
    ).fetchall()
    types = dict(rows)
    for column, kind in types.items():
        if not _TYPE.fullmatch(kind):  # catalog text goes into SQL: plain type names only
            raise ValueError(f"internal: unexpected type {kind!r} of {table}.{column}")
    return types


def expression(types: dict[str, str], columns: tuple[str, ...], extra: tuple[str, ...] = ()) -> str:
    """SQL for the hash of ``columns`` cast to ``types``, plus ``extra`` columns as they
    are (values of the record kept outside the table, e.g. a child table's signature).
    Column names come from the loader's fixed lists, never from input."""
    typed = [f"CAST({c} AS {types[c]})" for c in columns]
    return f"CAST(hash({', '.join([*typed, *extra])}) AS VARCHAR)"


def refresh(con: duckdb.DuckDBPyConnection, table: str, columns: tuple[str, ...]) -> None:
    """Recompute every stored row hash of ``table`` from its own columns (for migrations
    of tables whose hash covers no extra columns)."""
    sql = expression(column_types(con, table), columns)
    con.execute(f"UPDATE {table} SET row_hash = {sql}")  # noqa: S608 (fixed names from the caller)
