"""Small reference tables the user loads whole: office calendar, population, deadline policy.

Each replaces or overrides its table in one write session, so a bad file changes
nothing. Errors are ``ValueError`` with a Chinese message naming file and row. A file is
taken whole or not at all, so no row is ever rejected; a load that succeeds is recorded
in ``batches`` like the other kinds (kind 'calendar', 'population', 'deadline-policy'),
its rows read = new + updated + unchanged.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from etl import calendar, database, deadlines, districts
from etl.dates import DateError, parse_datetime
from etl.reader import Table, read_table
from store.db import scalar

POPULATION_COLUMNS = ("district", "population", "as_of", "source")


@dataclass
class ReferenceLoad:
    """The accounting of one reference-table load, as recorded in ``batches``: rows read
    = new (rows_loaded) + changed (rows_updated) + identical (rows_unchanged)."""

    batch_id: int
    kind: str
    file_name: str
    rows_read: int
    rows_loaded: int
    rows_updated: int
    rows_unchanged: int
    rows_rejected: int = 0
    seconds: float = 0.0

    @property
    def outcome(self) -> str:
        return "success"


@dataclass
class CalendarLoad(ReferenceLoad):
    """A 辦公日曆表 load. Rows are days; a day is updated when its working status, reason
    or source changes (a day from the ``holidays`` package becomes a 辦公日曆表 day).
    ``days_changed``: days whose working status changed; ``reverted_days``: weekdays off
    the file turns back into working days (the file may be outdated: warn and name them);
    ``petitions_changed``: cases whose due date, working days to reply or on-time status
    were recomputed to a new value."""

    days_changed: list[dt.date] = field(default_factory=list)
    reverted_days: list[dt.date] = field(default_factory=list)
    petitions_changed: int = 0


@dataclass
class PolicyLoad(ReferenceLoad):
    """A deadline-policy load; rows are keyed by (channel, category). ``rows_removed``:
    rules of the previous policy that the file no longer has."""

    rows_removed: int = 0


BATCH_SQL = (
    "INSERT INTO batches (batch_id, kind, file_name, file_sha256, mapping, encoding, rows_read, "
    "rows_loaded, rows_updated, rows_unchanged, rows_rejected, started_at, finished_at, outcome) "
    "VALUES (?, ?, ?, ?, NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def _record(con: duckdb.DuckDBPyConnection, result: ReferenceLoad, table: Table,
            started: dt.datetime, clock: float) -> None:  # fmt: skip
    """Give ``result`` a batch number and write its row in ``batches``."""
    result.batch_id = int(scalar(con, "SELECT nextval('batch_ids')"))
    con.execute(
        BATCH_SQL,
        [result.batch_id, result.kind, result.file_name, table.sha256, table.encoding,
         result.rows_read, result.rows_loaded, result.rows_updated, result.rows_unchanged,
         result.rows_rejected, started, dt.datetime.now(), result.outcome],
    )  # fmt: skip
    result.seconds = time.perf_counter() - clock


# ---------------------------------------------------------------- office calendar


def load_calendar(db_path: Path, path: Path) -> CalendarLoad:
    """Override the office calendar with the DGPA file, then recompute the cases whose
    due dates or on-time status the changed days touch."""
    started, clock = dt.datetime.now(), time.perf_counter()
    table = read_table(path)
    frame = calendar.dgpa_frame(table, path.name)
    with database.write_session(db_path) as con:
        change = calendar.apply_overrides(con, frame)
        result = CalendarLoad(
            batch_id=0,
            kind="calendar",
            file_name=path.name,
            rows_read=change.days_read,
            rows_loaded=change.days_new,
            rows_updated=change.days_updated,
            rows_unchanged=change.days_unchanged,
            days_changed=change.days_changed,
            reverted_days=change.reverted_days,
            petitions_changed=change.petitions_changed,
        )
        _record(con, result, table, started, clock)
    return result


# ---------------------------------------------------------------- population


def read_population(path: Path) -> pd.DataFrame:
    return population_frame(read_table(path), path.name)


def population_frame(table: Table, name: str) -> pd.DataFrame:
    frame = table.frame
    missing = [c for c in POPULATION_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(
            f"{name} 缺少欄位：{'、'.join(missing)}（人口檔需有 district, population, as_of, source）"
        )
    if table.malformed:
        number, cells = table.malformed[0]
        raise ValueError(f"{name} 第 {number} 列：有 {len(cells)} 個欄位，與標題列不符")
    resolver = districts.resolver_for()
    rows, seen = [], {}
    for i, rec in zip(table.row_numbers, frame.to_dict("records"), strict=True):
        hit = resolver.resolve(rec["district"])
        if hit is None or not hit.in_city:
            raise ValueError(f"{name} 第 {i} 列：無法辨識的行政區「{rec['district']}」")
        text = str(rec["population"]).replace(",", "").strip()
        if not text.isdigit() or int(text) <= 0:
            raise ValueError(f"{name} 第 {i} 列：人口數「{rec['population']}」應為正整數")
        try:
            as_of = parse_datetime(rec["as_of"])
        except DateError as exc:
            raise ValueError(f"{name} 第 {i} 列：{exc}") from None
        if as_of is None or not str(rec["source"]).strip():
            raise ValueError(f"{name} 第 {i} 列：as_of（資料日期）與 source（來源）都必須填寫")
        key = (hit.district, as_of.date())
        if key in seen:
            raise ValueError(
                f"{name} 第 {i} 列：{hit.district} 在 {as_of.date()} 的人口與第 {seen[key]} 列重複"
            )
        seen[key] = i
        rows.append((hit.district, int(text), as_of.date(), str(rec["source"]).strip()))
    return pd.DataFrame(rows, columns=list(POPULATION_COLUMNS))


POPULATION_COUNTS_SQL = """
SELECT count(*) FILTER (WHERE p.district IS NULL),
       count(*) FILTER (WHERE p.population <> f.population OR p.source <> f.source),
       count(*) FILTER (WHERE p.population = f.population AND p.source = f.source)
FROM population_file f LEFT JOIN district_population p USING (district, as_of)
"""


def load_population(db_path: Path, path: Path) -> ReferenceLoad:
    """Add or replace population figures by (district, as_of); other dates stay."""
    started, clock = dt.datetime.now(), time.perf_counter()
    table = read_table(path)
    frame = population_frame(table, path.name)
    with database.write_session(db_path) as con:
        con.register("population_file", frame)
        new, updated, unchanged = con.execute(POPULATION_COUNTS_SQL).fetchall()[0]
        con.unregister("population_file")
        con.executemany(
            "INSERT OR REPLACE INTO district_population VALUES (?, ?, ?, ?)", frame.values.tolist()
        )
        result = ReferenceLoad(0, "population", path.name, len(frame), int(new), int(updated),
                               int(unchanged))  # fmt: skip
        _record(con, result, table, started, clock)
    return result


# ---------------------------------------------------------------- deadline policy


def load_deadline_policy(db_path: Path, path: Path) -> PolicyLoad:
    """Replace the deadline policy; it applies to cases loaded from now on (stored cases
    keep the limit they were loaded with)."""
    started, clock = dt.datetime.now(), time.perf_counter()
    table = read_table(path)
    if table.malformed:
        number, cells = table.malformed[0]
        raise ValueError(f"{path.name} 第 {number} 列：有 {len(cells)} 個欄位，與標題列不符")
    with database.write_session(db_path) as con:
        change = deadlines.replace_policy(con, table.frame, row_numbers=table.row_numbers)
        result = PolicyLoad(0, "deadline-policy", path.name, change.rows, change.new,
                            change.updated, change.unchanged, rows_removed=change.removed)  # fmt: skip
        _record(con, result, table, started, clock)
    return result
