"""Build the city-decade benchmark database: ten years of petitions (about 4 million),
surveys and phone tests at the same scale, with the project's own generator and loader.

Run once (not timed as a metric):

    .venv/bin/python bench/build_city_decade.py [PATH] [--years 10] [--scale 1.67]

PATH defaults to bench/out/city_decade.duckdb (git-ignored). Each year is generated
and loaded on its own (``etl.samplegen.generate`` then ``etl.load.load_file``), which
keeps memory near one year's worth. A year is generated with ``--lookahead`` extra
months and trimmed back to the year before loading, so cases received in December
get their replies in January as in real data; without it every year's last weeks
would stay open for ever in the combined database. Case ids embed the month of
receipt (P201601000001), survey respondents the wave (2016Q1-0001) and test calls
the round (PT2016-1-001), so ids never collide across years; the script checks
that every load inserted only new records.

The generator plants one spike (環境與動物保護 / 前鎮區 / 2025-07), inside the
default decade 2016-2025. No population table ships with the project, so the script
loads a clearly labelled synthetic one (the generator's population-band midpoints
scaled to 2.73 million residents) to exercise the per-10,000 rates and their test.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import tempfile
import time
from pathlib import Path

import duckdb
import pandas as pd

from etl.load import load_file
from etl.reference_tables import load_population
from etl.samplegen import generate
from etl.samplegen.formats import write_csv
from etl.samplegen.reference import synthetic_population

DEFAULT_PATH = Path(__file__).resolve().parent / "out" / "city_decade.duckdb"
# (loader kind, SampleFiles attribute, the column whose date decides the year)
KINDS = (
    ("petitions", "petitions", "受理時間"),
    ("surveys", "surveys", "填答日期"),
    ("phone-tests", "phone_tests", "測試時間"),
)
TABLES = (
    "petitions",
    "survey_responses",
    "survey_answers",
    "phone_tests",
    "phone_test_scores",
    "calendar",
    "district_population",
    "batches",
    "rejects",
)


def trim_to_year(path: Path, column: str, year: int) -> int:
    """Keep only the rows of ``path`` whose ``column`` falls in ``year``; returns rows kept."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    keep = frame[(frame[column] >= f"{year}-01-01") & (frame[column] < f"{year + 1}-01-01")]
    write_csv(keep.reset_index(drop=True), path)
    return len(keep)


def write_population(path: Path, as_of: dt.date) -> None:
    write_csv(pd.DataFrame(synthetic_population(as_of)), path)


def build(
    db_path: Path, *, first_year: int, years: int, scale: float, seed: int, lookahead: int
) -> None:
    started = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix="svcq-city-decade-"))
    try:
        for i in range(years):
            year = first_year + i
            t = time.perf_counter()
            files = generate(
                work / str(year),
                scale=scale,
                seed=seed + i,
                start=dt.date(year, 1, 1),
                months=12 + lookahead,
                variants=False,
            )
            generated = time.perf_counter() - t
            parts = []
            for kind, attribute, column in KINDS:
                path = getattr(files, attribute)
                kept = trim_to_year(path, column, year)
                result = load_file(db_path, kind, path)
                if result.rows_updated or result.rows_unchanged:
                    raise SystemExit(
                        f"{year} {kind}: {result.rows_updated} updated and "
                        f"{result.rows_unchanged} unchanged records: ids collide across years"
                    )
                parts.append(f"{kind} {result.rows_loaded:,}/{kept:,}")
                if result.rows_rejected:
                    parts.append(f"({result.rows_rejected:,} rejected)")
            shutil.rmtree(work / str(year))
            print(
                f"{year}: generated in {generated:.1f} s, loaded {' '.join(parts)} "
                f"in {time.perf_counter() - t - generated:.1f} s "
                f"(total {time.perf_counter() - started:.0f} s)",
                flush=True,
            )
        population = work / "population.csv"
        write_population(population, dt.date(first_year + years - 1, 12, 31))
        load_population(db_path, population)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    elapsed = time.perf_counter() - started

    con = duckdb.connect(str(db_path), read_only=True)
    try:
        print(f"\n{db_path} ({db_path.stat().st_size / 1e9:.2f} GB)")
        for table in TABLES:
            rows = con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]  # noqa: S608
            print(f"  {table:<20} {rows:>12,}")
        span = con.execute("SELECT min(received_date), max(received_date) FROM petitions")
        first, last = span.fetchall()[0]
        print(f"  petitions received {first} .. {last}")
    finally:
        con.close()
    print(f"build time: {elapsed:.0f} s ({elapsed / 60:.1f} min)")


def main() -> None:
    parser = argparse.ArgumentParser(
        description="Build the city-decade benchmark database (run once)."
    )
    parser.add_argument("path", nargs="?", type=Path, default=DEFAULT_PATH)
    parser.add_argument("--first-year", type=int, default=2016)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument(
        "--scale", type=float, default=1.67, help="1 = about 20,000 petitions a month"
    )
    parser.add_argument("--seed", type=int, default=20261121)
    parser.add_argument("--lookahead", type=int, default=3, help="extra months generated a year")
    parser.add_argument("--force", action="store_true", help="replace an existing database")
    args = parser.parse_args()

    db_path: Path = args.path
    if db_path.exists():
        if not args.force:
            raise SystemExit(f"{db_path} exists; pass --force to rebuild it")
        for suffix in ("", ".wal", ".key", ".lock", ".loading"):
            db_path.with_name(db_path.name + suffix).unlink(missing_ok=True)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    build(
        db_path,
        first_year=args.first_year,
        years=args.years,
        scale=args.scale,
        seed=args.seed,
        lookahead=args.lookahead,
    )


if __name__ == "__main__":
    main()
