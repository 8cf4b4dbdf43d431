"""Benchmark: does loading grow linearly? One year of petitions against four in one file.

Generates, with the seeded sample generator (not timed), the clean template CSV of
one year (12 months, scale 1: about 241,000 rows, 68 MB) and of four years in one
file (48 months: about 962,000 rows, 273 MB). Then, alternating the sizes so that a
busy neighbour hits both alike, it times for each size

- read: ``etl.reader.read_table`` alone (decode, parse, hash);
- load: ``etl.load.load_file`` into a fresh database (read included);

and prints medians and the four-year / one-year ratios. Rows grow 3.99 times, so a
ratio near 4 is linear; the reader that handed pandas a StringIO gave 16 for the read.

``--baseline REF`` also times the read of a former ``etl/reader.py`` (taken from git
at REF, e.g. 45fac1d, the StringIO reader) on the same files, side by side.

Run: .venv/bin/python bench/bench_load_growth.py [--repeat 3] [--baseline 45fac1d]
"""

from __future__ import annotations

import argparse
import importlib.util
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from harness import machine, remove_database, round_done, timed

from etl.load import load_file
from etl.reader import read_table
from etl.samplegen import generate

REPO = Path(__file__).resolve().parent.parent
SIZES = {"1 year": 12, "4 years": 48}


def former_reader(ref: str, work: Path):
    """etl/reader.py as it was at ``ref``, imported under another name."""
    source = subprocess.run(
        ["git", "-C", str(REPO), "show", f"{ref}:etl/reader.py"],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    path = work / f"reader_{ref}.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location(f"reader_{ref}", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--baseline", help="git ref of a former etl/reader.py to time too")
    parser.add_argument("--skip-load", action="store_true", help="time reads only")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="svcq-bench-growth-"))
    try:
        files = {}
        for label, months in SIZES.items():
            t, out = timed(generate, work / label.replace(" ", ""), scale=args.scale,
                           months=months, variants=False)  # fmt: skip
            files[label] = out.petitions
            size = out.petitions.stat().st_size / 1e6
            print(f"generated {label}: {size:.1f} MB in {t:.0f} s", flush=True)
        former = former_reader(args.baseline, work) if args.baseline else None

        times: dict[tuple[str, str], list[float]] = {}
        rows: dict[str, int] = {}
        for i in range(args.repeat):
            for label, path in files.items():
                t, table = timed(read_table, path)
                rows[label] = table.rows_read
                del table
                times.setdefault((label, "read"), []).append(t)
                if former is not None:
                    t, table = timed(former.read_table, path)
                    assert table.rows_read == rows[label]
                    del table
                    times.setdefault((label, f"read ({args.baseline})"), []).append(t)
                if not args.skip_load:
                    db = work / f"{label.replace(' ', '')}-{i}.duckdb"
                    t, result = timed(load_file, db, "petitions", path)
                    assert result.rows_loaded == rows[label] and not result.rows_rejected
                    times.setdefault((label, "load"), []).append(t)
                    remove_database(db)
            round_done(i, args.repeat)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print(f"\n{machine()}")
    one, four = SIZES
    print(f"rows: {one} {rows[one]:,}, {four} {rows[four]:,} "
          f"(x{rows[four] / rows[one]:.2f})")  # fmt: skip
    print(f"\n| what | {one} | {four} | ratio |\n|---|--:|--:|--:|")
    for what in dict.fromkeys(w for _, w in times):
        a, b = (statistics.median(times[(s, what)]) for s in (one, four))
        print(f"| {what}, median of {args.repeat} | {a:.2f} s | {b:.2f} s | {b / a:.1f} |")
    for (size, what), runs in times.items():
        print(f"  {size} {what} runs: {', '.join(f'{x:.2f}' for x in runs)}")


if __name__ == "__main__":
    main()
