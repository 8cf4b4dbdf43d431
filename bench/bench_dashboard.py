"""Dashboard render times in a real browser on the city-decade database (issue 9).

Starts `streamlit run dashboard/app.py` on the database (headless, 127.0.0.1) and drives
Debian's Chromium through every page and each of its tabs, timing with the page's own
clock from the click that makes a change (the press that reached the page: for a choice
from a list, the click on the option, not the driver's opening of the list and typing in
it before) or from the navigation, until the page is finished: the app's script
has ended, nothing is stale, and neither the DOM nor any canvas then changes for 500 ms
(the quiet wait is not counted: the time is that of the last change). Two times are kept:
the last change a reader can see (the targets are judged on it) and the last change of
any kind, which adds the data grid's copy of its cells for screen readers (fallback
content inside its canvas, updated some 200 ms after the grid drew them; see
tests/browser_support.py). Every page starts from the same
filters: the last calendar month with petitions received, as a custom period (what 本月
shows at the end of that month). Each run:

- switch: a fresh server; open 資料狀態 by its link, then click each page in the
  navigation (and each of its other tabs) in turn: nothing of that page computed yet; then
  the same round again ("switch, seen": the same filters, everything cached).
- per view (each tab of each page), a fresh server each: a first session opens another
  page (Python's imports and the sidebar's figures are then ready, as on a server in use),
  then a new session opens the view by its link, then makes four filter changes, each undone at once: a unit, a
  district, the period (近 12 個月; undone by choosing 自訂期間 again, whose dates come
  back on the last 12 months, the filters just seen), the language (English). A change
  brings filters never seen; undoing it brings back filters seen before ("seen").

All servers of a run share one port, so the browser keeps Streamlit's and the charts'
scripts in its HTTP cache like a returning visitor's; a first visit (empty cache) is
timed once per run and reported apart.

Targets (issue 9): every page and filter change under 2 s; under 300 ms when the filters
were seen before. Prints Markdown tables of medians over ``--runs`` (at least 3), the
server's script time and its computed metric calls beside each, the slowest metric
functions and the largest result (rows) any metric call returned, which shows that no
page pulls petition rows into pandas.

    .venv/bin/python bench/build_city_decade.py            # once, about 20 minutes
    .venv/bin/python bench/bench_dashboard.py PATH [--runs 3] [--out bench/out/dashboard.json]
    .venv/bin/python bench/bench_dashboard.py PATH --runs 1 --views petitions-types overview
    .venv/bin/python bench/bench_dashboard.py PATH --compare-gc 3   # runner.postScriptGC on/off

The servers are started through this file (``--serve``), which times every script run and
every computed metric call (a cache miss) and logs them with the result's size.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import functools
import importlib
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO))

from dashboard_pages import all_views  # noqa: E402 - tests/ is on the path only from here

# ---------------------------------------------------------------- the server side


def serve(log_path: str, argv: list[str]) -> None:
    """Run streamlit with every computed metric call logged (its time and result size).

    ``dashboard.data`` computes a metric on a cache miss by importing its module and
    looking the function up by name; this hands it modules whose functions are timed, so
    exactly the computed calls are logged (a cache hit never reaches them)."""
    import types

    from dashboard import data

    def timed(fn):
        @functools.wraps(fn)
        def call(*args, **kwargs):
            start = time.perf_counter()
            result = fn(*args, **kwargs)
            record = {"fn": f"{fn.__module__}.{fn.__name__}",
                      "ms": (time.perf_counter() - start) * 1000,
                      "rows": len(result) if hasattr(result, "columns") else None}  # fmt: skip
            with open(log_path, "a", encoding="utf-8") as log:
                log.write(json.dumps(record) + "\n")
            return result

        return call

    class Timed:
        def __init__(self, module) -> None:
            self._module = module

        def __getattr__(self, name: str):
            return timed(getattr(self._module, name))

    data.importlib = types.SimpleNamespace(
        import_module=lambda name: Timed(importlib.import_module(name))
    )
    # every script run, whole (Streamlit's own method; a bench may lean on internals)
    from streamlit.runtime.scriptrunner import script_runner

    run_script = script_runner.ScriptRunner._run_script
    profiles = os.environ.get("SVCQ_BENCH_PROFILE")

    def timed_run(self, rerun_data) -> None:
        profiler = cProfile.Profile() if profiles else None
        start = time.perf_counter()
        if profiler:
            profiler.enable()
        try:
            run_script(self, rerun_data)
        finally:
            ms = (time.perf_counter() - start) * 1000
            if profiler:
                profiler.disable()
                profiler.dump_stats(Path(profiles) / f"run-{time.time_ns()}.prof")
            with open(log_path, "a", encoding="utf-8") as log:
                log.write(json.dumps({"script_ms": ms}) + "\n")

    script_runner.ScriptRunner._run_script = timed_run
    from streamlit.web import cli

    sys.argv = ["streamlit", *argv]
    sys.exit(cli.main())


# ---------------------------------------------------------------- the browser side

# Every page and each of its tabs (tests/dashboard_pages.py), in the order the switch round
# visits them: a page's first tab comes first.
SECTIONS = {view.name: view for view in all_views()}
VIEWS = tuple(SECTIONS)
CHANGES = ("unit", "district", "period", "language")
DISTRICT = "鳳山區"
TARGET_MS, SEEN_TARGET_MS = 2000, 300


class Metrics:
    """Reads what the server logged since the last look."""

    def __init__(self, path: Path) -> None:
        self.path, self.offset = path, 0

    def since(self) -> list[dict]:
        if not self.path.exists():
            return []
        with self.path.open(encoding="utf-8") as log:
            log.seek(self.offset)
            lines = log.readlines()
            self.offset = log.tell()
        return [json.loads(line) for line in lines if line.strip()]


def base_state(db: Path) -> tuple[str, str]:
    """The filters every page starts from and the unit the benchmark chooses: the last
    calendar month with petitions received, as a custom period (what 本月 shows at that
    month's end; a built database's own end date can lie months after its last receipt,
    where 本月 would be empty), and the unit with the most cases in it."""
    import duckdb

    from dashboard.periods import month_end
    from metrics import freshness, types
    from metrics.filters import Filters

    con = duckdb.connect(str(db), read_only=True)
    try:
        month = freshness.months_with_data(con, Filters())[-1]
        counts = types.type_counts(con, Filters(month, month_end(month)), by="unit")
        unit = str(counts.sort_values("cases", ascending=False)["unit"].iloc[0])
    finally:
        con.close()
    return f"period=custom&from={month.isoformat()}&to={month_end(month).isoformat()}", unit


class Driver:
    def __init__(self, page, metrics: Metrics) -> None:
        self.page, self.metrics = page, metrics
        from dashboard.i18n import translate

        self.zh = lambda key: translate("zh", key)

    def _measure(self, act, *, again=lambda: True) -> dict:
        """Time ``act`` from its committing press (a multi-step choice's last click: the
        driver's own steps before it, opening a list and typing in it, are not the app's
        time) until the page settled. A click that started no script run within 10 s (it
        happens, rarely, on a busy machine) is made once more if ``again()`` says its effect
        is missing; the time still counts from the first, and the sample says it was
        retried."""
        import browser_support as bs
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        self.metrics.since()
        before = bs.clock(self.page)
        act()
        pressed = bs.pressed(self.page)  # the committing press: the last one ``act`` made
        start = pressed if pressed > before[0] else before[0]
        retried = False
        try:
            self.page.wait_for_function(bs.ANSWERED, arg=before[1], timeout=10_000)
        except PlaywrightTimeout:
            retried = True
            if again():
                act()
        finished = bs.after(self.page, before) + before[0]
        sample = self._sample(finished - start, bs.script_done(self.page) - start)
        sample["shown_ms"] = bs.shown(self.page) - start
        sample["driver_ms"] = start - before[0]  # the driver's own steps before that press
        sample["retried"] = retried
        return sample

    def _sample(self, total: float, done: float) -> dict:
        records = self.metrics.since()
        calls = [r for r in records if "fn" in r]
        scripts = [r["script_ms"] for r in records if "script_ms" in r]
        return {"ms": total, "done_ms": done, "script_ms": sum(scripts), "reruns": len(scripts),
                "computed": len(calls), "metric_ms": sum(c["ms"] for c in calls),
                "max_rows": max((c["rows"] or 0 for c in calls), default=0),
                "calls": calls}  # fmt: skip

    def open(self, url: str) -> dict:
        import browser_support as bs

        self.metrics.since()
        total = bs.goto(self.page, url)
        sample = self._sample(total, bs.script_done(self.page))
        sample["shown_ms"] = bs.shown(self.page)
        if not sample["computed"]:  # dashboard.data no longer computes as serve() expects
            raise RuntimeError("a cold page computed no metric: the timing hook is not in place")
        return sample

    def switch(self, view: str) -> dict:
        """Go to ``view``: a click on its tab when the page is open (the round comes from
        the page's first tab), else on the page's link (and on the first tab, if another
        was left open)."""
        section = SECTIONS[view]
        if not section.first:
            tab = self.page.get_by_role("tab", name=self.zh(section.tab_key), exact=True)
            return self._measure(tab.click)
        sidebar = self.page.locator('[data-testid="stSidebar"]')
        link = sidebar.get_by_role("link", name=self.zh(section.page_key), exact=True)
        sample = self._measure(link.click)
        if section.tab_key is not None:
            first = self.page.get_by_role("tab", name=self.zh(section.tab_key), exact=True)
            if first.get_attribute("aria-selected") != "true":
                sample = self._measure(first.click)
        return sample

    def _pick(self, label: str, option: str) -> None:
        box = self.page.locator('[data-testid="stSidebar"]').get_by_role(
            "combobox", name=label, exact=True
        )
        box.click()
        box.fill(option)
        self.page.get_by_role("option", name=option, exact=True).click()

    def _chosen(self, key: str, value: str) -> bool:
        from urllib.parse import parse_qs, urlsplit

        return value in parse_qs(urlsplit(self.page.url).query).get(key, [])

    def _remove(self, value: str) -> None:
        self.page.get_by_role("button", name=f"Remove {value}", exact=True).click(timeout=10_000)

    def change(self, kind: str, unit: str) -> tuple[dict, dict]:
        """(the change, undoing it)."""
        page = self.page
        if kind in ("unit", "district"):
            value = unit if kind == "unit" else DISTRICT
            label = self.zh(f"filter.{kind}")
            changed = self._measure(
                lambda: self._pick(label, value), again=lambda: not self._chosen(kind, value)
            )
            page.keyboard.press("Escape")
            if not self._chosen(kind, value):
                raise RuntimeError(f"{value} was not chosen")
            undone = self._measure(
                lambda: self._remove(value), again=lambda: self._chosen(kind, value)
            )
        elif kind == "period":
            label = self.zh("sidebar.period")
            changed = self._measure(lambda: self._pick(label, self.zh("preset.last_12")))
            # back to 自訂期間: Streamlit has dropped the date inputs' state meanwhile, so they
            # come back on their defaults, the last 12 months: the filters just seen
            undone = self._measure(lambda: self._pick(label, self.zh("preset.custom")))
        else:
            radio = page.locator('[data-testid="stSidebar"]').get_by_role
            changed = self._measure(radio("radio", name="English", exact=True).click)
            undone = self._measure(radio("radio", name="中文", exact=True).click)
        return changed, undone


FAILED: list[str] = []  # samples lost to a click the page did not take
WARM_UP = {"data-status": "overview"}  # any other page warms up on data-status


def link(view: str, query: str) -> str:
    return SECTIONS[view].url(query)


def switches(context, running, metrics: Metrics, samples: dict, query: str) -> None:
    """The first visit, then every view reached by a click, twice (nothing computed; seen)."""
    with running:
        page = context.new_page()
        driver = Driver(page, metrics)
        samples["data-status"]["first_visit"] = driver.open(
            f"{running.url}/{link('data-status', query)}"
        )
        for view in VIEWS[:-1]:
            samples[view]["switch"] = driver.switch(view)
        for view in VIEWS:
            samples[view]["switch_seen"] = driver.switch(view)
        page.close()


def one_run(
    db: Path, base: tuple[str, str], out: Path, run: int, port: int, only: tuple[str, ...] = ()
) -> dict:
    """One fresh server for the page switches, then one per view for its link and filters;
    all on one port, so the browser keeps Streamlit's scripts in its HTTP cache between
    them as it would for a returning visitor. ``only``: just these views' links and
    filters (no switch round), for a quick comparison."""
    import browser_support as bs
    from playwright.sync_api import sync_playwright

    samples: dict[str, dict[str, dict]] = {view: {} for view in VIEWS}
    query, unit = base

    def server(name: str) -> tuple[bs.Server, Metrics]:
        log = out.parent / f"metrics-run{run}-{name}.jsonl"
        log.unlink(missing_ok=True)
        launcher = [sys.executable, str(Path(__file__).resolve()), "--serve", str(log)]
        running = bs.Server(db, out.parent / "streamlit.log", port=port, launcher=launcher)
        return running, Metrics(log)

    with sync_playwright() as playwright:
        browser = bs.launch(playwright)
        try:
            context = bs.new_context(browser)  # an empty browser cache: a first visit
            if not only:
                switches(context, *server("switch"), samples, query)
            for view in only or VIEWS:
                running, metrics = server(view)
                with running:
                    warm = context.new_page()  # Python's imports and the sidebar's figures
                    bs.goto(warm, f"{running.url}/{link(WARM_UP.get(view, 'data-status'), query)}")
                    warm.close()
                    page = context.new_page()  # a new session: nothing of this page computed
                    driver = Driver(page, metrics)
                    metrics.since()
                    samples[view]["open"] = driver.open(f"{running.url}/{link(view, query)}")
                    for kind in CHANGES:
                        try:
                            changed, undone = driver.change(kind, unit)
                        except Exception as exc:  # noqa: BLE001 - a lost sample, said out loud
                            FAILED.append(f"run {run}, {view}, {kind}: {type(exc).__name__}")
                            print(f"  {FAILED[-1]}", file=sys.stderr, flush=True)
                            break  # the page is in an unknown state: go on with the next
                        samples[view][kind] = changed
                        samples[view][f"{kind}_seen"] = undone
                    page.close()
                print(f"  run {run}: {view} done", file=sys.stderr, flush=True)
            context.close()
        finally:
            browser.close()
    return samples


def _median(runs: list[dict], view: str, key: str, field: str = "ms") -> float | None:
    values = [r[view][key][field] for r in runs if key in r[view]]
    return statistics.median(values) if values else None


def _cell(value: float | None, target: float | None = None) -> str:
    if value is None:
        return "—"
    return f"{value:,.0f}" + (" ✗" if target is not None and value > target else "")


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _measured(runs: list[dict]) -> list[str]:
    return [view for view in VIEWS if any(r[view] for r in runs)]


def _times(runs: list[dict], field: str) -> list[str]:
    seen_keys = [f"{k}_seen" for k in CHANGES]
    lines = [
        "| page | open by link | switch to it | unit | district | period | language "
        "| switch to it, seen | filters seen before: median (max) |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for view in _measured(runs):
        seen = [v for v in (_median(runs, view, k, field) for k in seen_keys) if v is not None]
        lines.append(_row([
            view, _cell(_median(runs, view, "open", field), TARGET_MS),
            _cell(_median(runs, view, "switch", field), TARGET_MS),
            *[_cell(_median(runs, view, k, field), TARGET_MS) for k in CHANGES],
            _cell(_median(runs, view, "switch_seen", field), SEEN_TARGET_MS),
            f"{_cell(statistics.median(seen), SEEN_TARGET_MS)} ({max(seen):,.0f})" if seen else "—",
        ]))  # fmt: skip
    return lines


def report(runs: list[dict]) -> str:
    seen_keys = [f"{k}_seen" for k in CHANGES]
    lines = [
        "Wall time in the browser (ms), from the committing press (the click on a link, "
        "a radio, a remove button or a list's option) or the navigation until the page is "
        "finished as a reader sees it (its last visible change: DOM or canvas drawing); "
        "medians of the runs; ✗ = over the target.",
        "",
        *_times(runs, "shown_ms"),
        "",
        "The same, until the page's last change of any kind: with the data grid's copy of "
        "its cells for screen readers (fallback content of its canvas, updated some 200 ms "
        "after the grid drew them).",
        "",
        *_times(runs, "ms"),
    ]
    lines += [
        "",
        "Where the time goes (medians, ms): wall time in the browser as seen / the server's script "
        "runs / the metric calls computed in them (count); the rest of the wall time is the "
        "round trip, Streamlit's messages and the browser drawing.",
        "",
        "| page | open by link | switch to it | a filter change (median of 4) "
        "| filters seen before (median of 4) | switch to it, seen |",
        "|---|--:|--:|--:|--:|--:|",
    ]
    for view in _measured(runs):
        cells = [view]
        for keys in (["open"], ["switch"], list(CHANGES), seen_keys, ["switch_seen"]):
            parts = []
            for field in ("shown_ms", "script_ms", "metric_ms", "computed"):
                values = [_median(runs, view, k, field) for k in keys]
                values = [v for v in values if v is not None]
                parts.append(statistics.median(values) if values else None)
            if parts[0] is None:
                cells.append("—")
            else:
                cells.append(
                    f"{parts[0]:,.0f} / {parts[1]:,.0f} / {parts[2]:,.0f} ({parts[3]:.0f})"
                )
        lines.append(_row(cells))
    lines += [
        "",
        "Filters seen before (median of the four, ms, as seen), timed from the committing "
        "press (the targets) and from before the driver began the change (its own steps: "
        "opening a list and typing in it, Playwright's checks before a click):",
        "",
        "| page | from the press | from before the driver's steps |",
        "|---|--:|--:|",
    ]
    for view in _measured(runs):
        pressed = [_median(runs, view, k, "shown_ms") for k in seen_keys]
        steps = [_median(runs, view, k, "driver_ms") for k in seen_keys]
        both = [(p, p + d) for p, d in zip(pressed, steps, strict=True) if p is not None]
        if both:
            lines.append(_row([view, _cell(statistics.median(p for p, _ in both)),
                               _cell(statistics.median(b for _, b in both))]))  # fmt: skip
    calls: dict[str, list[float]] = {}
    largest = (0, "")
    for run in runs:
        for view in VIEWS:
            for sample in run[view].values():
                for call in sample["calls"]:
                    calls.setdefault(call["fn"], []).append(call["ms"])
                    if (call["rows"] or 0) > largest[0]:
                        largest = (call["rows"], call["fn"])
    first = [r["data-status"]["first_visit"]["shown_ms"] for r in runs
             if "first_visit" in r["data-status"]]  # fmt: skip
    retried = sum(s.get("retried", False) for r in runs for v in VIEWS for s in r[v].values())
    top = sorted(calls.items(), key=lambda kv: -statistics.median(kv[1]))[:15]
    if first:
        lines += [
            "",
            f"A first visit (a browser that never loaded the app: Streamlit's and the charts' "
            f"scripts fetched and compiled) to data-status: {statistics.median(first):,.0f} ms.",
        ]
    lines += [
        "",
        f"Largest result of any metric call: {largest[0]:,} rows ({largest[1]}). "
        f"Clicks made twice (no script run within 10 s of the first): {retried}. "
        f"Samples lost: {len(FAILED)}{' (' + '; '.join(FAILED) + ')' if FAILED else ''}.",
        "",
        "Slowest metric functions (their computed calls, ms):",
        "",
        "| function | median | max | calls |",
        "|---|--:|--:|--:|",
    ]
    for name, values in top:
        lines.append(_row([name, f"{statistics.median(values):,.0f}", f"{max(values):,.0f}",
                           str(len(values))]))  # fmt: skip
    return "\n".join(lines)


def compare_gc(db: Path, query: str, rounds: int, out: Path) -> str:
    """Streamlit's ``runner.postScriptGC`` (a full garbage collection after every script
    run, holding the GIL while the run's last messages wait to be sent) on and off, side by
    side: servers alternate, each opens the overview and switches the language back and
    forth ten times (every figure cached, so only the rerun's own cost is left), timed from
    the press until finished as seen, like the main tables."""
    import browser_support as bs
    from playwright.sync_api import sync_playwright

    times: dict[str, list[tuple[float, float]]] = {"true": [], "false": []}
    with sync_playwright() as playwright:
        browser = bs.launch(playwright)
        try:
            for _ in range(rounds):
                for setting in times:
                    os.environ["STREAMLIT_RUNNER_POST_SCRIPT_GC"] = setting
                    with bs.Server(db, out.parent / "streamlit.log") as running:
                        page = bs.new_page(browser)
                        bs.goto(page, f"{running.url}/{link('overview', query)}")
                        for name in ("English", "中文") * 5:  # timed as the main tables are
                            before = bs.clock(page)
                            page.get_by_role("radio", name=name, exact=True).click()
                            bs.after(page, before)
                            start = bs.pressed(page)
                            times[setting].append(
                                (bs.shown(page) - start, bs.script_done(page) - start)
                            )
                        page.context.close()
        finally:
            os.environ.pop("STREAMLIT_RUNNER_POST_SCRIPT_GC", None)
            browser.close()
    lines = ["| runner.postScriptGC | reruns | wall (median ms) | until the run ended |",
             "|---|--:|--:|--:|"]  # fmt: skip
    for setting, values in times.items():
        lines.append(_row([setting, str(len(values)),
                           f"{statistics.median(v[0] for v in values):,.0f}",
                           f"{statistics.median(v[1] for v in values):,.0f}"]))  # fmt: skip
    return "\n".join(lines)


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--serve":
        serve(sys.argv[2], sys.argv[3:])
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("db", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "out" / "dashboard.json")
    parser.add_argument("--views", nargs="+", choices=VIEWS, default=[],
                        help="only these views' links and filters (no switch round)")  # fmt: skip
    parser.add_argument("--compare-gc", type=int, metavar="ROUNDS", default=0,
                        help="only compare runner.postScriptGC on and off, in ROUNDS rounds")  # fmt: skip
    args = parser.parse_args()
    if not args.db.exists():
        sys.exit(f"找不到資料庫 {args.db}：請先執行 bench/build_city_decade.py")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    base = base_state(args.db)
    if args.compare_gc:
        print(compare_gc(args.db, base[0], args.compare_gc, args.out))
        return
    started = dt.datetime.now(dt.UTC)
    load_before = os.getloadavg()
    from browser_support import free_port

    port = free_port()
    only = tuple(args.views)
    runs = [one_run(args.db, base, args.out, i + 1, port, only) for i in range(args.runs)]
    load_after = os.getloadavg()
    args.out.write_text(json.dumps(runs, ensure_ascii=False), encoding="utf-8")
    print(f"{started:%Y-%m-%d %H:%M} UTC, {args.runs} runs, {platform.python_version()}, "
          f"nproc {os.cpu_count()}, load {load_before[0]:.2f} before, {load_after[0]:.2f} "
          f"after; every page opened with ?{base[0]}; unit {base[1]}, district {DISTRICT}; "
          f"medians in ms, ✗ = misses the target "
          f"(2,000 ms; 300 ms when seen)\n")  # fmt: skip
    print(report(runs))


if __name__ == "__main__":
    main()
