"""Benchmark every public metric on the city-decade database against its pandas baseline.

For each function of ``metrics.registry.all_functions()``, called with its default
arguments, times the median of ``--repeat`` runs after ``--warmup`` on a read-only
connection, once with ``Filters()`` (all time) and once with a one-year period (the last
calendar year with petitions, or ``--year``), and the same for the pandas baseline in
``bench/pandas_baseline.py`` on DataFrames read once beforehand (reading not timed).
DuckDB and pandas runs alternate, so load from other processes on a shared machine hits
both alike; the share of CPU other processes used is printed beside each metric. Each
DuckDB result is checked against the baseline's: same columns and rows, numbers
within 1e-9 relative; disagreements are printed, never hidden.

    .venv/bin/python bench/build_city_decade.py          # once, about 6 minutes
    .venv/bin/python bench/bench_metrics.py [PATH] [--repeat 7] [--warmup 1]

Prints a Markdown table (medians in milliseconds, ratio = pandas / DuckDB), the suite
totals and the metrics that miss the targets of issue 3: at most 100 ms per metric at
4 million petitions, and the suite at least 5 times faster than pandas.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pandas_baseline import BASELINES, load_frames  # noqa: E402

from metrics.filters import Filters  # noqa: E402
from metrics.registry import all_functions  # noqa: E402

DEFAULT_PATH = Path(__file__).resolve().parent / "out" / "city_decade.duckdb"
TARGET_MS = 100.0
TARGET_SPEEDUP = 5.0
RTOL = 1e-9
TABLES = ("petitions", "survey_responses", "survey_answers", "phone_tests", "phone_test_scores")


def timed_pair(
    calls: dict[str, Callable[[], pd.DataFrame]], repeat: int, warmup: int
) -> tuple[dict[str, float], dict[str, pd.DataFrame], list[str]]:
    """Median milliseconds, last result and errors of each call, run alternately (DuckDB,
    pandas, DuckDB, ...) so that load from other processes on a shared machine hits both
    alike. A call that raises is reported and not run again."""
    times: dict[str, list[float]] = {name: [] for name in calls}
    results: dict[str, pd.DataFrame] = {}
    errors: list[str] = []
    failed: set[str] = set()
    for i in range(warmup + repeat):
        for name, call in calls.items():
            if name in failed:
                continue
            started = time.perf_counter()
            try:
                results[name] = call()
            except Exception as exc:  # report, keep benchmarking the others
                errors.append(f"{name} error {exc!r}")
                failed.add(name)
                results.pop(name, None)
                continue
            if i >= warmup:
                times[name].append(time.perf_counter() - started)
    medians = {
        name: statistics.median(t) * 1000 if t and name not in failed else np.nan
        for name, t in times.items()
    }
    return medians, results, errors


class CpuShare:
    """The share of the machine's CPU time used by other processes since ``start``."""

    def start(self) -> None:
        self.busy, self.own, self.wall = self._busy(), self._own(), time.perf_counter()

    @staticmethod
    def _busy() -> float:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
        idle = fields[3] + fields[4]
        return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")

    @staticmethod
    def _own() -> float:
        t = os.times()
        return t.user + t.system

    def others(self) -> float:
        busy = self._busy() - self.busy
        own = self._own() - self.own
        wall = time.perf_counter() - self.wall
        return max(busy - own, 0.0) / (wall * (os.cpu_count() or 1))


def _as_float(s: pd.Series) -> np.ndarray | None:
    """The column as floats (NULL as NaN), or None when it is not numeric or boolean."""
    if pd.api.types.is_bool_dtype(s) or pd.api.types.is_numeric_dtype(s):
        return s.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    if s.dtype == object:
        values = [float(v) if isinstance(v, bool | np.bool_) else v for v in s]
        try:
            return pd.to_numeric(pd.Series(values, dtype=object)).to_numpy(dtype=float)
        except (TypeError, ValueError):
            return None
    return None


def _is_temporal(s: pd.Series) -> bool:
    if pd.api.types.is_datetime64_any_dtype(s):
        return True
    first = s.dropna()
    return len(first) > 0 and isinstance(first.iloc[0], dt.date | pd.Timestamp)


def _column_mismatch(a: pd.Series, b: pd.Series) -> str | None:
    """None when the columns agree, else a short description of the first difference."""
    fa, fb = _as_float(a), _as_float(b)
    if fa is not None and fb is not None:
        same = np.isclose(fa, fb, rtol=RTOL, atol=1e-12, equal_nan=True)
    elif _is_temporal(a) or _is_temporal(b):
        ta = pd.to_datetime(pd.Series(a, dtype=object)).to_numpy()
        tb = pd.to_datetime(pd.Series(b, dtype=object)).to_numpy()
        same = (ta == tb) | (pd.isna(ta) & pd.isna(tb))
    else:
        na = [None if pd.isna(v) else str(v) for v in a]
        nb = [None if pd.isna(v) else str(v) for v in b]
        same = np.array([x == y for x, y in zip(na, nb, strict=True)], dtype=bool)
    if same.all():
        return None
    i = int(np.flatnonzero(~same)[0])
    return f"row {i}: {a.iloc[i]!r} vs {b.iloc[i]!r} ({int((~same).sum())} rows differ)"


def agreement(duck: pd.DataFrame, base: pd.DataFrame, partial: bool) -> str:
    """'ok', 'ok (partial ...)' or 'DIFF: ...' for a DuckDB result and its baseline."""
    duck, base = duck.reset_index(drop=True), base.reset_index(drop=True)
    missing = [c for c in duck.columns if c not in base.columns]
    problems = []
    if [c for c in base.columns if c not in duck.columns]:
        problems.append(f"columns only in pandas {[c for c in base.columns if c not in duck]}")
    if missing and not partial:
        problems.append(f"columns missing in pandas {missing}")
    if len(duck) != len(base):
        problems.append(f"{len(duck)} rows vs {len(base)} in pandas")
    else:
        for column in duck.columns:
            if column in base.columns:
                diff = _column_mismatch(duck[column], base[column])
                if diff:
                    problems.append(f"{column} {diff}")
    if problems:
        return "DIFF: " + "; ".join(problems)
    return f"ok (partial: {', '.join(missing)} not compared)" if missing else "ok"


def machine() -> list[str]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory = next(
        line.split()[1]
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    return [
        f"CPU: {cpu}, nproc {os.cpu_count()}, memory {int(memory) / 1024**2:.1f} GiB",
        f"Python {platform.python_version()}, duckdb {duckdb.__version__}, "
        f"pandas {pd.__version__}, numpy {np.__version__}",
    ]


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description="Metric latency vs the pandas baseline.")
    parser.add_argument("path", nargs="?", type=Path, default=DEFAULT_PATH)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--year", type=int, help="one-year period (default: latest year)")
    parser.add_argument("--only", nargs="*", help="metric names to run")
    args = parser.parse_args()
    if not args.path.exists():
        raise SystemExit(f"{args.path} not found; build it with bench/build_city_decade.py")

    con = duckdb.connect(str(args.path), read_only=True)
    for line in machine():
        print(line)
    counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0] for t in TABLES}  # noqa: S608
    print("rows: " + ", ".join(f"{t} {n:,}" for t, n in counts.items()))
    last = con.execute("SELECT max(received_date) FROM petitions").fetchall()[0][0]
    year = args.year or last.year
    periods = {"all": Filters(), "year": Filters(dt.date(year, 1, 1), dt.date(year, 12, 31))}
    print(f"periods: all time; one year {year}-01-01..{year}-12-31")
    print(f"runs: median of {args.repeat} after {args.warmup} warm-up, DuckDB threads "
          f"{con.execute('SELECT current_setting(?)', ['threads']).fetchall()[0][0]}")  # fmt: skip
    started = time.perf_counter()
    frames = load_frames(con)
    print(f"pandas baseline frames read in {time.perf_counter() - started:.1f} s (not timed)")
    print(f"load before: {uptime()}\n", flush=True)

    functions = all_functions()
    missing = [name for name in functions if name not in BASELINES]
    names = [n for n in functions if not args.only or n in args.only]
    rows = []
    cpu, whole = CpuShare(), CpuShare()
    whole.start()
    for name in names:
        fn = functions[name]
        baseline = BASELINES.get(name)
        row = {"metric": name}
        verdicts = []
        for key, filters in periods.items():
            calls = {"DuckDB": lambda fn=fn, filters=filters: fn(con, filters)}
            if baseline is not None:
                calls["pandas"] = lambda b=baseline, filters=filters: b.fn(frames, filters)
            cpu.start()
            medians, results, errors = timed_pair(calls, args.repeat, args.warmup)
            row[f"others_{key}"] = cpu.others()
            row[f"duck_{key}"] = medians["DuckDB"]
            row[f"pandas_{key}"] = medians.get("pandas", np.nan)
            if errors:
                verdicts.append(f"{key}: {'; '.join(errors)}")
            elif len(results) == 2:
                verdict = agreement(results["DuckDB"], results["pandas"], bool(baseline.note))
                verdicts.append(f"{key}: {verdict}")
        row["agreement"] = " / ".join(verdicts) if verdicts else "no baseline"
        row["note"] = baseline.note if baseline else "no baseline"
        rows.append(row)
        print(
            f"{name:<22} duckdb {row['duck_all']:8.1f} {row['duck_year']:8.1f} ms   "
            f"pandas {row['pandas_all']:9.1f} {row['pandas_year']:9.1f} ms   "
            f"others' CPU {row['others_all']:4.0%} {row['others_year']:4.0%}   {row['agreement']}",
            flush=True,
        )
    print(f"\nload after: {uptime()}")
    print(f"other processes used {whole.others():.0%} of the machine's CPU during the run\n")
    report(pd.DataFrame(rows), missing)


def _ms(value: float) -> str:
    return "error" if np.isnan(value) else f"{value:,.1f}"


def _ratio(pandas_ms: float, duck_ms: float) -> str:
    return "–" if np.isnan(pandas_ms) or np.isnan(duck_ms) else f"{pandas_ms / duck_ms:,.1f}x"


def report(table: pd.DataFrame, missing: list[str]) -> None:
    print("| metric | DuckDB all-time ms | DuckDB one-year ms | pandas all-time ms "
          "| pandas one-year ms | ratio all-time | ratio one-year | others' CPU | agreement |")  # fmt: skip
    print("|---|--:|--:|--:|--:|--:|--:|--:|---|")
    for r in table.itertuples():
        mark = " (partial baseline)" if r.note and r.note != "no baseline" else ""
        print(
            f"| {r.metric}{mark} | {_ms(r.duck_all)} | {_ms(r.duck_year)} | "
            f"{_ms(r.pandas_all)} | {_ms(r.pandas_year)} | {_ratio(r.pandas_all, r.duck_all)} "
            f"| {_ratio(r.pandas_year, r.duck_year)} "
            f"| {max(r.others_all, r.others_year):.0%} | {r.agreement} |"
        )
    totals = {c: table[c].sum() for c in ("duck_all", "duck_year", "pandas_all", "pandas_year")}
    print(
        f"| **suite total** | **{_ms(totals['duck_all'])}** | **{_ms(totals['duck_year'])}** "
        f"| **{_ms(totals['pandas_all'])}** | **{_ms(totals['pandas_year'])}** "
        f"| **{_ratio(totals['pandas_all'], totals['duck_all'])}** "
        f"| **{_ratio(totals['pandas_year'], totals['duck_year'])}** | | |"
    )
    both_duck = totals["duck_all"] + totals["duck_year"]
    both_pandas = totals["pandas_all"] + totals["pandas_year"]
    print(f"\nsuite total, both periods: DuckDB {both_duck:,.0f} ms, pandas {both_pandas:,.0f} ms, "
          f"speed-up {both_pandas / both_duck:.1f}x (target ≥ {TARGET_SPEEDUP:.0f}x)")  # fmt: skip
    slow = table[(table["duck_all"] > TARGET_MS) | (table["duck_year"] > TARGET_MS)]
    if slow.empty:
        print(f"every metric at most {TARGET_MS:.0f} ms median in both periods")
    for r in slow.itertuples():
        print(f"over {TARGET_MS:.0f} ms: {r.metric} (all-time {_ms(r.duck_all)} ms, "
              f"one-year {_ms(r.duck_year)} ms)")  # fmt: skip
    for r in table[
        ~table["agreement"].str.fullmatch(r"(all|year): ok.*? / (all|year): ok.*")
    ].itertuples():
        print(f"disagreement or error: {r.metric}: {r.agreement}")
    for r in table[table["note"] != ""].itertuples():
        print(f"{r.metric}: {r.note}")
    for name in missing:
        print(f"no baseline: {name}")


if __name__ == "__main__":
    main()
