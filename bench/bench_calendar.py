"""Benchmark: recomputing stored cases after the office calendar changes.

On a copy of a loaded database (default: the city-decade one, about 4 million
petitions, built by bench/build_city_decade.py; ``--sample`` loads the committed
sample instead), times, as medians of ``--repeat`` runs:

- ``no-op``: ``calendar.ensure_calendar`` when the recorded `holidays` release is the
  installed one (what every write session pays);
- ``upgrade``: the rebuild after a `holidays` upgrade, from a calendar as release 0.87
  left it (2025-09-29 and 2025-10-24 working days) to the current one, with the
  recomputation of the cases those days touch;
- ``typhoon``: ``calendar.apply_overrides`` of one weekday off in the middle of the data
  (a 辦公日曆表 of one row), with its recomputation;
- ``all days``: ``deadlines.recompute`` over the whole calendar (every case derived again,
  none changing): the worst case, e.g. a file covering every year;
- ``load calendar``: the whole ``svcq load calendar`` of that one-row file, including the
  write session's copy of the database file;
- ``step 5``: the schema migration that adds due_date_given to an existing database.

Run: .venv/bin/python bench/bench_calendar.py [PATH | --sample] [--repeat 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import statistics
import tempfile
from pathlib import Path

import duckdb
import pandas as pd
from harness import machine, timed

from etl import calendar, deadlines, petitions, row_hash, schema
from etl.load import load_file
from etl.reference_tables import load_calendar
from store import meta

DEFAULT_PATH = Path(__file__).resolve().parent / "out" / "city_decade.duckdb"
SAMPLE = Path(__file__).resolve().parent.parent / "sample_data" / "petitions.csv"
OLD_RELEASE_DAYS = (dt.date(2025, 9, 29), dt.date(2025, 10, 24))


def as_old_release(con: duckdb.DuckDBPyConnection) -> None:
    """The calendar as `holidays` 0.87 built it, the cases derived on it (not timed)."""
    for day in OLD_RELEASE_DAYS:
        con.execute("UPDATE calendar SET is_working_day = TRUE, reason = NULL WHERE day = ?", [day])
    con.execute(calendar.REINDEX_SQL)
    deadlines.recompute(con, min(OLD_RELEASE_DAYS), max(OLD_RELEASE_DAYS))
    meta.put(con, meta.CALENDAR_HOLIDAYS_VERSION, "0.87")


def typhoon_day(con: duckdb.DuckDBPyConnection, i: int) -> pd.DataFrame:
    """A weekday working day in the middle of the data, a different one per run."""
    day = con.execute(
        """
        SELECT day FROM calendar
        WHERE is_working_day AND isodow(day) <= 5
          AND day >= (SELECT min(received_date)
                             + CAST((max(received_date) - min(received_date)) // 2 AS INTEGER)
                      FROM petitions)
        ORDER BY day LIMIT 1 OFFSET ?
        """,
        [7 * i],
    ).fetchall()[0][0]
    return pd.DataFrame({"day": [day], "is_working_day": [False], "reason": ["颱風停止上班"]})


def to_step_3(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("ALTER TABLE petitions DROP COLUMN due_date_given")
    row_hash.refresh(con, "petitions", tuple(c for c in petitions.COLUMNS if c != "due_date_given"))
    con.execute("UPDATE schema_version SET version = 3")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("path", nargs="?", type=Path, default=DEFAULT_PATH)
    parser.add_argument("--sample", action="store_true", help="the committed sample instead")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="svcq-bench-calendar-"))
    db = work / "bench.duckdb"
    if args.sample:
        load_file(db, "petitions", SAMPLE)
    else:
        shutil.copyfile(args.path, db)
    con = duckdb.connect(str(db))
    schema.upgrade(con)
    calendar.ensure_calendar(con)
    cases = con.execute("SELECT count(*) FROM petitions").fetchall()[0][0]
    print(machine(f"DuckDB {duckdb.__version__}"))
    print(f"database: {args.path if not args.sample else SAMPLE.name}: {cases:,} petitions")

    runs: dict[str, list[float]] = {}
    changed: dict[str, list[int]] = {}

    def record(name: str, seconds: float, count: int | None = None) -> None:
        runs.setdefault(name, []).append(seconds)
        if count is not None:
            changed.setdefault(name, []).append(count)

    for i in range(args.repeat):
        record("no-op", timed(lambda: calendar.ensure_calendar(con))[0])
        as_old_release(con)
        seconds, change = timed(lambda: calendar.ensure_calendar(con))
        record("upgrade", seconds, change.petitions_changed)
        frame = typhoon_day(con, i)
        seconds, result = timed(lambda frame=frame: calendar.apply_overrides(con, frame))
        record("typhoon", seconds, result.petitions_changed)
        seconds, count = timed(
            lambda: deadlines.recompute(
                con, dt.date(calendar.FIRST_YEAR, 1, 1), dt.date(calendar.LAST_YEAR, 12, 31)
            )
        )
        record("all days", seconds, count)
    con.execute("CHECKPOINT")
    con.close()

    for i in range(args.repeat):
        file = work / f"typhoon{i}.csv"
        c = duckdb.connect(str(db), read_only=True)
        day = typhoon_day(c, args.repeat + i)["day"][0]
        c.close()
        file.write_text(f"西元日期,星期,是否放假,備註\n{day:%Y%m%d},,2,颱風停止上班\n", "utf-8")
        seconds, result = timed(lambda file=file: load_calendar(db, file))
        record("load calendar", seconds, result.petitions_changed)

    for _ in range(args.repeat):
        con = duckdb.connect(str(db))
        to_step_3(con)
        seconds, _ = timed(lambda con=con: schema.upgrade(con))
        record("step 5", seconds)
        con.close()

    print(f"{'what':<14} {'median s':>9}  runs (s)                 cases changed")
    for name, values in runs.items():
        count = ", ".join(f"{c:,}" for c in changed.get(name, []))
        listed = ", ".join(f"{v:.3f}" for v in values)
        print(f"{name:<14} {statistics.median(values):>9.3f}  {listed:<24} {count}")
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
