"""Creating the schema and bringing older databases up to it, by numbered steps.

``etl/schema.sql`` is always the latest schema. A new database gets it whole and is
stamped with ``SCHEMA_VERSION``. A database made by an earlier version holds its number
in ``schema_version`` (none at all before versions were recorded: version 0) and is
brought forward by running every later step of ``STEPS`` in order, inside the loader's
private copy, so a failed upgrade leaves the live file as it was. Steps are idempotent:
a step may find part of its work already done.

To add a migration: append a step with the next number, make it idempotent, change
``schema.sql`` to the resulting schema, and add a test that builds a database as the
previous version left it and checks it ends equal to a fresh one (tests/test_migrations.py).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources

import duckdb

from etl import deadlines, petitions, row_hash
from store.db import scalar
from store.vocabulary import OVERALL_DIMENSION


def schema_sql() -> str:
    return resources.files("etl").joinpath("schema.sql").read_text(encoding="utf-8")


def table_definitions() -> dict[str, str]:
    """Table name -> its ``CREATE TABLE`` statement in schema.sql, in file order."""
    out = {}
    code = re.sub(r"--[^\n]*", "", schema_sql())  # comments hold semicolons; the DDL no strings
    for statement in code.split(";"):
        body = statement.strip()
        m = re.match(r"CREATE TABLE IF NOT EXISTS (\w+)", body)
        if m:
            out[m.group(1)] = body
    return out


def _tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    rows = con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'"
    ).fetchall()
    return {r[0] for r in rows}


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, str]:
    rows = con.execute(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_name = ? AND table_schema = 'main' ORDER BY ordinal_position",
        [table],
    ).fetchall()
    return dict(rows)


def current_version(con: duckdb.DuckDBPyConnection) -> int | None:
    """The database's schema version: None for an empty database, 0 for one made
    before versions were recorded."""
    tables = _tables(con)
    if "schema_version" in tables:
        version = scalar(con, "SELECT max(version) FROM schema_version")
        if version is not None:
            return int(version)
    return 0 if tables - {"schema_version", "meta"} else None


# ---------------------------------------------------------------- the steps


def _step_integer_keys(con: duckdb.DuckDBPyConnection) -> None:
    """Petitioner keys stored as 32-character hex text become 64-bit integers."""
    if _columns(con, "petitions").get("petitioner_key") == "VARCHAR":
        con.execute(petitions.KEY_TO_INTEGER_SQL)


# Values for columns an older table lacks, when a NOT NULL column is added by a rebuild.
REBUILD_DEFAULTS = {
    ("survey_items", "is_overall"): f"dimension = '{OVERALL_DIMENSION}'",
    ("survey_items", "position"): "CAST(row_number() OVER (ORDER BY item_code) - 1 AS INTEGER)",
}


def rebuild_table(con: duckdb.DuckDBPyConnection, table: str) -> None:
    """Recreate ``table`` from its current definition, keeping its rows: it gains every
    column and constraint a new database has (DuckDB cannot add constraints in place).
    Columns it lacks take ``REBUILD_DEFAULTS`` or NULL; a row that breaks a constraint
    stops the upgrade with DuckDB's message naming the constraint."""
    definition = table_definitions()[table]
    new = f"{table}__rebuilt"
    con.execute(definition.replace(f"IF NOT EXISTS {table}", new, 1))
    old_columns = _columns(con, table)
    names, values = [], []
    for column in _columns(con, new):
        if column in old_columns:
            names.append(column)
            values.append(column)
        elif (table, column) in REBUILD_DEFAULTS:
            names.append(column)
            values.append(REBUILD_DEFAULTS[(table, column)])
    # table and column names come from schema.sql and the catalog, never from input
    con.execute(
        f"INSERT INTO {new} ({', '.join(names)}) SELECT {', '.join(values)} FROM {table}"  # noqa: S608
    )
    con.execute(f"DROP TABLE {table}")
    con.execute(f"ALTER TABLE {new} RENAME TO {table}")


def _step_rebuild_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Every table of the current schema, with every column and constraint: missing
    tables are created, existing ones rebuilt."""
    existing = _tables(con)
    con.execute(schema_sql())  # creates what is missing; existing tables are untouched
    for table in table_definitions():
        if table in existing and table not in ("schema_version",):
            rebuild_table(con, table)


def _step_derived(con: duckdb.DuckDBPyConnection) -> None:
    """Recompute what the loader derives and older versions lacked: reply quality of
    closed cases, repeat gaps, the monthly counts, and the petitions' row hashes (taken
    over the stored column types, so reloading an unchanged file finds every row
    unchanged)."""
    con.execute(
        f"UPDATE petitions SET reply_quality = {petitions.REPLY_QUALITY_SQL} "  # noqa: S608
        "WHERE reply_quality IS NULL AND NOT is_open"
    )
    row_hash.refresh(con, "petitions", petitions.COLUMNS)
    con.execute(petitions.REPEAT_GAP_SQL.format(scope=petitions.ALL_PAIRS))
    con.execute(petitions.MONTHLY_SQL.format(**petitions.ALL_MONTHS))


def _step_batch_as_of(con: duckdb.DuckDBPyConnection) -> None:
    """batches.data_as_of: the export's own extraction date (NULL for earlier loads)."""
    con.execute("ALTER TABLE batches ADD COLUMN IF NOT EXISTS data_as_of DATE")


def _step_due_date_given(con: duckdb.DuckDBPyConnection) -> None:
    """Petitions record whether their due date came from the source or from the policy, so
    that a change of the office calendar recomputes only the computed ones. Rows stored
    before are marked as well as can be known (``deadlines.mark_given_due_dates``: a due
    date equal to the policy's on the calendar of the time counts as computed), and every
    row hash is retaken, since the hash now covers the flag."""
    con.execute("ALTER TABLE petitions ADD COLUMN IF NOT EXISTS due_date_given BOOLEAN")
    deadlines.mark_given_due_dates(con)
    row_hash.refresh(con, "petitions", petitions.COLUMNS)


@dataclass(frozen=True)
class Step:
    number: int
    description: str
    apply: Callable[[duckdb.DuckDBPyConnection], None]


STEPS = (
    Step(1, "陳情人代碼由文字改為 64 位元整數", _step_integer_keys),
    Step(2, "每個資料表補齊欄位與限制條件", _step_rebuild_tables),
    Step(3, "重算衍生欄位：回覆資料品質、重複陳情間隔、每月件數", _step_derived),
    Step(4, "載入紀錄加上匯出檔的資料截止日", _step_batch_as_of),
    Step(5, "記錄限辦日期來自原始資料或期限規則", _step_due_date_given),
)
SCHEMA_VERSION = STEPS[-1].number


def upgrade(con: duckdb.DuckDBPyConnection) -> list[Step]:
    """Create the schema in an empty database, or bring an older one to ``SCHEMA_VERSION``.

    Returns the steps applied (none for a new or current database). Raises ValueError
    (Traditional Chinese) for a database made by a newer svcq.
    """
    version = current_version(con)
    if version is None:
        con.execute(schema_sql())
        _stamp(con, SCHEMA_VERSION)
        return []
    if version > SCHEMA_VERSION:
        raise ValueError(
            f"資料庫由較新版本的 svcq 建立（結構版本 {version}，本版僅支援到 {SCHEMA_VERSION}）；"
            "請更新 svcq 後再使用"
        )
    applied = [step for step in STEPS if step.number > version]
    con.execute(schema_sql())  # new tables of the current schema (IF NOT EXISTS)
    for step in applied:
        step.apply(con)
    if applied:
        _stamp(con, SCHEMA_VERSION)
    return applied


def _stamp(con: duckdb.DuckDBPyConnection, version: int) -> None:
    con.execute("DELETE FROM schema_version")
    con.execute("INSERT INTO schema_version VALUES (?, ?)", [version, dt.datetime.now()])
