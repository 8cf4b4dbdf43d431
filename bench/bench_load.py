"""Benchmark: loading one year of petitions at scale 1 (about 240,000 rows) from CSV.

Generates the clean template CSV with the seeded sample generator (not timed), then
times `etl.load.load_file` into a fresh database (first load) and into the loaded
database again (idempotent reload: every row unchanged), repeated, and prints
medians. Run: .venv/bin/python bench/bench_load.py [--repeat 3] [--months 12]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from pathlib import Path

import harness

from etl.load import load_file
from etl.samplegen import generate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="svcq-bench-load-") as folder:
        work = Path(folder)
        took, files = harness.timed(
            generate, work / "in", scale=args.scale, months=args.months, variants=False
        )
        print(f"generated {files.petitions.name} in {took:.1f} s "
              f"({files.petitions.stat().st_size / 1e6:.1f} MB)")  # fmt: skip

        first, again, rows = [], [], None
        for i in range(args.repeat):
            db = work / f"run{i}.duckdb"
            took, result = harness.timed(load_file, db, "petitions", files.petitions)
            first.append(took)
            rows = (result.rows_read, result.rows_loaded, result.rows_rejected)
            took, reload = harness.timed(load_file, db, "petitions", files.petitions)
            again.append(took)
            assert reload.rows_unchanged == result.rows_loaded
            harness.remove_database(db)
            harness.round_done(i, args.repeat)

    print(harness.machine())
    print(f"rows read / loaded / rejected: {rows[0]:,} / {rows[1]:,} / {rows[2]:,}")
    print(f"first load, median of {args.repeat}: {statistics.median(first):.2f} s  "
          f"(runs: {', '.join(f'{x:.2f}' for x in first)})")  # fmt: skip
    print(f"reload (all unchanged), median of {args.repeat}: {statistics.median(again):.2f} s  "
          f"(runs: {', '.join(f'{x:.2f}' for x in again)})")  # fmt: skip
    print(f"throughput: {rows[0] / statistics.median(first):,.0f} rows/s")


if __name__ == "__main__":
    main()
