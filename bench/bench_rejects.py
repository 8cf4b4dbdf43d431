"""Benchmark: rejecting a file must cost no more than twice loading it.

A wrong mapping rejects every row. This takes the first ``--rows`` petitions of a
seeded year (scale 1; default 240,000 and, as in the issue, 10,000) and writes them
twice: the clean template CSV, and the same rows with every date column written
month-first with AM/PM (``01/31/2018 02:05:09 PM``, as US 311 exports do), which the
template mapping rejects on every row. Alternating, so that a busy neighbour hits
all alike, it times ``etl.load.load_file`` into a fresh database for

- clean: every row loads;
- rejected, no early stop: ``stop_early=False``, every row is checked, masked and
  stored in ``rejects`` (the reject path itself);
- rejected, early stop: the default, which stops after the first 1,000 rows;

and prints medians and the ratios to the clean load. Target: rejected (no early stop)
at most 2 x clean.

Run: .venv/bin/python bench/bench_rejects.py [--repeat 3] [--rows 10000 240000]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
from pathlib import Path

import pandas as pd
from harness import machine, remove_database, round_done, timed

from etl.load import load_file
from etl.samplegen import generate
from etl.samplegen.formats import write_csv

DATE_COLUMNS = ("受理時間", "限辦日期", "展延後期限", "首次回覆時間", "結案時間")
MONTH_FIRST = "%m/%d/%Y %I:%M:%S %p"
CASES = ("clean", "rejected, no early stop", "rejected, early stop")


def month_first(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for column in DATE_COLUMNS:
        stamps = pd.to_datetime(out[column], errors="coerce")
        out[column] = stamps.dt.strftime(MONTH_FIRST).where(out[column].ne(""), "")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000, 240_000])
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="svcq-bench-rejects-"))
    try:
        year = generate(work / "year", scale=1.0, months=12, variants=False).petitions
        frame = pd.read_csv(year, dtype=str, keep_default_na=False)
        files = {}
        for n in args.rows:
            part = frame.head(n)
            clean, bad = work / f"clean-{n}.csv", work / f"rejected-{n}.csv"
            write_csv(part.reset_index(drop=True), clean)
            write_csv(month_first(part).reset_index(drop=True), bad)
            files[n] = {CASES[0]: (clean, True), CASES[1]: (bad, False), CASES[2]: (bad, True)}
        print(f"generated {', '.join(f'{n:,}' for n in args.rows)} rows", flush=True)

        times: dict[tuple[int, str], list[float]] = {}
        outcome: dict[tuple[int, str], str] = {}
        for i in range(args.repeat):
            for n, cases in files.items():
                for case, (path, stop_early) in cases.items():
                    db = work / f"run-{n}-{i}-{CASES.index(case)}.duckdb"
                    t, result = timed(load_file, db, "petitions", path, stop_early=stop_early)
                    times.setdefault((n, case), []).append(t)
                    outcome[(n, case)] = (
                        f"{result.outcome}: read {result.rows_read:,}, loaded "
                        f"{result.rows_loaded:,}, rejected {result.rows_rejected:,}"
                    )
                    remove_database(db)
            round_done(i, args.repeat)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print(f"\n{machine()}")
    print(f"\n| rows | case | median of {args.repeat} | x clean | outcome |\n|--:|---|--:|--:|---|")
    for n in files:
        base = statistics.median(times[(n, CASES[0])])
        for case in CASES:
            m = statistics.median(times[(n, case)])
            print(f"| {n:,} | {case} | {m:.2f} s | {m / base:.2f} | {outcome[(n, case)]} |")
    for (n, case), runs in times.items():
        print(f"  {n:,} {case} runs: {', '.join(f'{x:.2f}' for x in runs)}")


if __name__ == "__main__":
    main()
