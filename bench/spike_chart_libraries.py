"""Spike: what a cached rerun costs in the browser per chart library and per table kind.

A minimal standalone Streamlit app (written to a temporary folder; not the dashboard)
draws one of eight variants, chosen by the link's ``?variant=``:

- ``none``: the baseline, a title, a radio (A / B) and one line of text;
- ``plotly``: the baseline and three plotly charts (``st.plotly_chart(fig, theme=None)``
  with the dashboard's config): a 24-point line chart with 2 series, a 15-bar horizontal
  bar chart, a 12-bar vertical bar chart with hover texts;
- ``altair``: the same three charts as ``st.altair_chart`` (Vega-Lite);
- ``vegalite``: the same three charts as ``st.vega_lite_chart`` (hand-written specs);
- ``dataframe``: the baseline and one visible ``st.dataframe`` of 15 rows x 6 columns
  (``hide_index=True, width="stretch"``, as the dashboard's ``data_table``);
- ``table``: the same frame as ``st.table``;
- ``grid_folded``: the baseline and three closed expanders holding that grid each (the
  dashboard's 「數據表」 expanders before they were drawn only once opened);
- ``text_folded``: the same three closed expanders holding a line of text.

Choosing A or B changes every chart's and the table's data. Figures, charts and frames
are cached server side (``st.cache_resource`` / ``st.cache_data``), and each session
switches A -> B -> A before timing, so a timed rerun only brings values seen before: the
server's work is trivial and what is left is the browser.

One server, one Chromium (tests/browser_support.py). Timed with the page's own clock
(performance.now()): from just before the click (bench/bench_dashboard.py has since timed
from the press; here every variant is timed alike) until the page is finished, i.e.
Streamlit's script run has ended (no stale element, the status widget gone, the websocket
answered) and neither the DOM nor a canvas then changes for 500 ms; the time is that of
the last change (the quiet wait is not counted). Also recorded per
rerun: when the last websocket message came, the last DOM change inside a chart (plotly
``.js-plotly-plot``, Vega ``.vega-embed``) and inside the grid (``stDataFrame``), the
number of DOM mutation records, and the main thread's long tasks (over 50 ms) in between.

- Opens by link: per round, each variant is opened once in a fresh browser context (an
  empty HTTP cache: plotly's or Vega's module is fetched and compiled) and once in a
  context whose cache already holds every variant's scripts (a returning visitor).
- Reruns: one page (session) per variant, all kept open; rounds interleave the variants
  (each variant in turn, round after round), each round one click per variant, so slow spells of the shared
  machine spread over all variants alike.

    .venv/bin/python bench/spike_chart_libraries.py [--reruns 15] [--opens 5]
        [--only none vegalite ...] [--out bench/out/spike_chart_libraries.json]

Prints the load average, the UTC time and Markdown tables of medians with the spread
(min-max and the interquartile range).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

VARIANTS = (
    "none",
    "plotly",
    "altair",
    "vegalite",
    "dataframe",
    "table",
    "grid_folded",
    "text_folded",
)

APP_CONFIG = """\
[browser]
gatherUsageStats = false
[client]
toolbarMode = "viewer"
showErrorDetails = "none"
[runner]
postScriptGC = false
[server]
headless = true
fileWatcherType = "none"
runOnSave = false
[theme]
base = "light"
"""

APP = """\
import altair as alt
import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

PLOTLY_CONFIG = {"displaylogo": False, "responsive": True,
                 "modeBarButtonsToRemove": ["lasso2d", "select2d", "autoScale2d"]}
UNITS = [f"單位{i:02d}" for i in range(1, 16)]


@st.cache_data
def frames(choice):
    rng = np.random.default_rng(0 if choice == "A" else 1)
    months = pd.date_range("2024-01-01", periods=24, freq="MS")
    line = pd.DataFrame({
        "month": list(months) * 2,
        "series": ["受理"] * 24 + ["結案"] * 24,
        "value": np.concatenate([rng.integers(300, 900, 24), rng.integers(250, 850, 24)]),
    })
    hbar = pd.DataFrame({"unit": UNITS, "value": rng.uniform(60, 99, 15).round(1)})
    last = months[-12:]
    counts = rng.integers(20, 200, 12)
    vbar = pd.DataFrame({
        "month": [m.strftime("%Y-%m") for m in last], "value": counts,
        "hover": [f"{m:%Y 年 %m 月}：{c} 件，逾期 {c // 7} 件" for m, c in zip(last, counts)],
    })
    table = pd.DataFrame({
        "單位": UNITS, "受理": rng.integers(100, 2000, 15), "結案": rng.integers(100, 2000, 15),
        "逾期": rng.integers(0, 80, 15), "準時率": rng.uniform(0.7, 1, 15).round(3),
        "平均天數": rng.uniform(2, 20, 15).round(1),
    })
    return line, hbar, vbar, table


@st.cache_resource
def plotly_figures(choice):
    line, hbar, vbar, _ = frames(choice)
    layout = dict(height=360, margin=dict(l=10, r=10, t=40, b=10), template="plotly_white")
    f1 = go.Figure(layout=dict(title="每月受理與結案", **layout))
    for name, part in line.groupby("series"):
        f1.add_scatter(x=part["month"], y=part["value"], mode="lines+markers", name=name,
                       hovertemplate="%{x|%Y-%m}：%{y} 件<extra>" + name + "</extra>")
    f2 = go.Figure(go.Bar(x=hbar["value"], y=hbar["unit"], orientation="h",
                          hovertemplate="%{y}：%{x}%<extra></extra>"),
                   layout=dict(title="各單位準時率", **layout))
    f2.update_layout(height=480, yaxis=dict(autorange="reversed"))
    f3 = go.Figure(go.Bar(x=vbar["month"], y=vbar["value"], hovertext=vbar["hover"],
                          hoverinfo="text"), layout=dict(title="近 12 個月", **layout))
    return f1, f2, f3


@st.cache_resource
def altair_charts(choice):
    line, hbar, vbar, _ = frames(choice)
    c1 = alt.Chart(line, title="每月受理與結案").mark_line(point=True).encode(
        x=alt.X("month:T", title=None), y=alt.Y("value:Q", title=None), color="series:N",
        tooltip=[alt.Tooltip("month:T", format="%Y-%m"), "series:N", "value:Q"],
    ).properties(height=360)
    c2 = alt.Chart(hbar, title="各單位準時率").mark_bar().encode(
        x=alt.X("value:Q", title=None), y=alt.Y("unit:N", sort=None, title=None),
        tooltip=["unit:N", "value:Q"],
    ).properties(height=480)
    c3 = alt.Chart(vbar, title="近 12 個月").mark_bar().encode(
        x=alt.X("month:O", title=None), y=alt.Y("value:Q", title=None),
        tooltip=[alt.Tooltip("hover:N", title=None)],
    ).properties(height=360)
    return c1, c2, c3


def vega_specs():
    line = {"title": "每月受理與結案", "height": 360, "mark": {"type": "line", "point": True},
            "encoding": {"x": {"field": "month", "type": "temporal", "title": None},
                         "y": {"field": "value", "type": "quantitative", "title": None},
                         "color": {"field": "series", "type": "nominal"},
                         "tooltip": [{"field": "month", "type": "temporal", "format": "%Y-%m"},
                                     {"field": "series"}, {"field": "value"}]}}
    hbar = {"title": "各單位準時率", "height": 480, "mark": "bar",
            "encoding": {"x": {"field": "value", "type": "quantitative", "title": None},
                         "y": {"field": "unit", "type": "nominal", "sort": None, "title": None},
                         "tooltip": [{"field": "unit"}, {"field": "value"}]}}
    vbar = {"title": "近 12 個月", "height": 360, "mark": "bar",
            "encoding": {"x": {"field": "month", "type": "ordinal", "title": None},
                         "y": {"field": "value", "type": "quantitative", "title": None},
                         "tooltip": [{"field": "hover", "title": None}]}}
    return line, hbar, vbar


variant = st.query_params.get("variant", "none")
st.title("Chart spike")
choice = st.radio("資料", ["A", "B"], horizontal=True, key="choice")
line, hbar, vbar, table = frames(choice)
st.write(f"{variant}：{choice}，合計 {int(table['受理'].sum()):,} 件")
if variant == "plotly":
    for i, fig in enumerate(plotly_figures(choice)):
        st.plotly_chart(fig, theme=None, config=PLOTLY_CONFIG, width="stretch", key=f"p{i}")
elif variant == "altair":
    for i, chart in enumerate(altair_charts(choice)):
        st.altair_chart(chart, width="stretch", key=f"a{i}")
elif variant == "vegalite":
    for i, (data, spec) in enumerate(zip((line, hbar, vbar), vega_specs())):
        st.vega_lite_chart(data, spec, width="stretch", key=f"v{i}")
elif variant == "dataframe":
    st.dataframe(table, hide_index=True, width="stretch")
elif variant == "table":
    st.table(table, hide_index=True)
elif variant == "grid_folded":  # the dashboard's "數據表" expanders: a grid each, closed
    for i in range(3):
        with st.expander(f"數據表 {i + 1}"):
            st.dataframe(table, hide_index=True, width="stretch")
elif variant == "text_folded":  # the same closed expanders holding a line of text
    for i in range(3):
        with st.expander(f"數據表 {i + 1}"):
            st.write(f"{choice} {i}")
"""

# Beside browser_support's observer (which keeps the last DOM change and the websocket's
# messages): the last change inside a chart and inside the grid, the number of mutation
# records, and the main thread's long tasks.
SPIKE_OBSERVER = """
(() => {
  const s = window.__spike = {chart: 0, grid: 0, records: 0, longtasks: []};
  const CHART = '.js-plotly-plot, .vega-embed, [data-testid="stPlotlyChart"], ' +
                '[data-testid="stVegaLiteChart"]';
  new MutationObserver((records) => {
    const now = performance.now();
    s.records += records.length;
    for (const r of records) {
      const el = r.target.nodeType === 1 ? r.target : r.target.parentElement;
      if (!el) continue;
      if (el.closest(CHART)) s.chart = now;
      else if (el.closest('[data-testid="stDataFrame"]')) s.grid = now;
    }
  }).observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) s.longtasks.push([e.startTime, e.duration]);
    }).observe({type: "longtask", buffered: true});
  } catch (e) {}
})();
"""
SPIKE_STATE = """
(start) => {
  const s = window.__spike;
  const busy = s.longtasks.filter(([t]) => t >= start)
    .reduce((sum, [t, d]) => sum + d, 0);
  return {chart: s.chart, grid: s.grid, records: s.records, busy: busy};
}
"""


def context(browser):
    import browser_support as bs

    ctx = bs.new_context(browser)
    ctx.add_init_script(SPIKE_OBSERVER)
    return ctx


def ready(page, variant: str) -> None:
    """The variant's elements are on the page (so 'settled' is not the empty shell)."""
    selector = {"plotly": ".js-plotly-plot", "altair": ".vega-embed",
                "vegalite": ".vega-embed", "dataframe": '[data-testid="stDataFrame"]',
                "table": '[data-testid="stTable"]', "grid_folded": '[data-testid="stExpander"]',
                "text_folded": '[data-testid="stExpander"]'}.get(variant)  # fmt: skip
    if selector:
        page.wait_for_selector(selector, timeout=60_000)


def open_link(ctx, url: str, variant: str) -> dict:
    import browser_support as bs

    page = ctx.new_page()
    page.bring_to_front()
    page.goto(url)
    ready(page, variant)
    total = bs.settle(page)
    state = page.evaluate(SPIKE_STATE, 0)
    sample = {"ms": total, "done_ms": bs.script_done(page), "chart_ms": state["chart"],
              "busy_ms": state["busy"]}  # fmt: skip
    page.close()
    return sample


def pick(page, choice: str) -> None:
    """Click the radio option (its input is visually hidden: the label takes the click)."""
    page.get_by_test_id("stRadioOption").filter(has_text=choice).click()


def rerun(page, choice: str) -> dict:
    import browser_support as bs

    page.bring_to_front()
    page.wait_for_timeout(300)  # whatever bringing it to the front caused, before the clock
    bs.settle(page)
    records = page.evaluate("window.__spike.records")
    before = bs.clock(page)
    pick(page, choice)
    total = bs.after(page, before)
    state = page.evaluate(SPIKE_STATE, before[0])
    start = before[0]
    return {"ms": total, "done_ms": bs.script_done(page) - start,
            "chart_ms": state["chart"] - start if state["chart"] > start else None,
            "grid_ms": state["grid"] - start if state["grid"] > start else None,
            "records": state["records"] - records, "busy_ms": state["busy"]}  # fmt: skip


def run(reruns: int, opens: int, work: Path, variants: tuple[str, ...] = VARIANTS) -> dict:
    import browser_support as bs
    from playwright.sync_api import sync_playwright

    app = work / "spike_app.py"
    app.write_text(APP, encoding="utf-8")
    (work / ".streamlit").mkdir(exist_ok=True)
    (work / ".streamlit" / "config.toml").write_text(APP_CONFIG, encoding="utf-8")
    results: dict = {v: {"open_cold": [], "open_warm": [], "rerun": []} for v in variants}
    with bs.Server(None, work / "streamlit.log", app=app, cwd=work) as server:
        link = f"{server.url}/?variant=".__add__
        with sync_playwright() as playwright:
            browser = bs.launch(playwright)
            try:
                warm = context(browser)
                for variant in variants:  # the server's caches and the warm HTTP cache
                    page = warm.new_page()
                    page.goto(link(variant))
                    ready(page, variant)
                    bs.settle(page)
                    for choice in ("B", "A"):
                        before = bs.clock(page)
                        pick(page, choice)
                        bs.after(page, before)
                    page.close()
                for round_ in range(opens):
                    for variant in variants:
                        cold = context(browser)
                        results[variant]["open_cold"].append(
                            open_link(cold, link(variant), variant)
                        )
                        cold.close()
                        results[variant]["open_warm"].append(
                            open_link(warm, link(variant), variant)
                        )
                    print(f"  opens, round {round_ + 1} done", file=sys.stderr, flush=True)
                pages = {}
                for variant in variants:  # one session each: A -> B -> A, all seen from here
                    page = warm.new_page()
                    page.goto(link(variant))
                    ready(page, variant)
                    bs.settle(page)
                    for choice in ("B", "A"):
                        rerun(page, choice)
                    pages[variant] = page
                for i in range(reruns):
                    choice = "B" if i % 2 == 0 else "A"
                    for variant in variants:
                        results[variant]["rerun"].append(rerun(pages[variant], choice))
                    if (i + 1) % 5 == 0:
                        print(f"  reruns, round {i + 1} done", file=sys.stderr, flush=True)
                warm.close()
            finally:
                browser.close()
    return results


def spread(values: list[float]) -> str:
    values = sorted(values)
    if len(values) >= 4:
        q = statistics.quantiles(values, n=4)
        iqr = f"IQR {q[0]:,.0f}–{q[2]:,.0f}; "
    else:
        iqr = ""
    return f"{statistics.median(values):,.0f} ({iqr}{values[0]:,.0f}–{values[-1]:,.0f})"


def med(samples: list[dict], field: str) -> str:
    values = [s[field] for s in samples if s.get(field) is not None]
    return f"{statistics.median(values):,.0f}" if values else "—"


def report(results: dict) -> str:
    lines = [
        "Reruns with values seen before (ms from the click until the page is finished): "
        "median (interquartile range; min–max); beside it the medians of: the last "
        "websocket message, the last DOM change inside a chart / inside the grid, DOM "
        "mutation records, long tasks (main thread, over 50 ms, summed).",
        "",
        "| variant | reruns | finished | last message | last chart change | last grid change "
        "| mutation records | long tasks |",
        "|---|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for variant in results:
        samples = results[variant]["rerun"]
        lines.append("| " + " | ".join([
            variant, str(len(samples)), spread([s["ms"] for s in samples]),
            med(samples, "done_ms"), med(samples, "chart_ms"), med(samples, "grid_ms"),
            med(samples, "records"), med(samples, "busy_ms"),
        ]) + " |")  # fmt: skip
    lines += [
        "",
        "Opening by link (ms from navigation start until the page is finished): median "
        "(min–max); a fresh browser context (empty HTTP cache) and one whose cache holds "
        "the scripts; long tasks summed over the whole open.",
        "",
        "| variant | opens | empty cache | long tasks | warm cache | long tasks |",
        "|---|--:|--:|--:|--:|--:|",
    ]
    for variant in results:
        cold, warm = results[variant]["open_cold"], results[variant]["open_warm"]
        lines.append("| " + " | ".join([
            variant, str(len(cold)), spread([s["ms"] for s in cold]), med(cold, "busy_ms"),
            spread([s["ms"] for s in warm]), med(warm, "busy_ms"),
        ]) + " |")  # fmt: skip
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reruns", type=int, default=15, help="reruns per variant (>= 7)")
    parser.add_argument("--opens", type=int, default=5, help="opens by link per variant")
    parser.add_argument(
        "--out", type=Path, default=REPO / "bench" / "out" / "spike_chart_libraries.json"
    )
    parser.add_argument("--only", nargs="+", choices=VARIANTS, help="these variants (default: all)")
    args = parser.parse_args()
    started = dt.datetime.now(dt.UTC)
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="spike-chart-") as work:
        results = run(args.reruns, args.opens, Path(work), tuple(args.only or VARIANTS))
    load_after = os.getloadavg()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results), encoding="utf-8")
    import altair
    import plotly
    import streamlit

    print(f"{started:%Y-%m-%d %H:%M}–{dt.datetime.now(dt.UTC):%H:%M} UTC, "
          f"Python {platform.python_version()}, Streamlit {streamlit.__version__}, "
          f"plotly {plotly.__version__}, altair {altair.__version__}, nproc {os.cpu_count()}, "
          f"load average {load_before[0]:.2f} / {load_before[1]:.2f} / {load_before[2]:.2f} "
          f"before, {load_after[0]:.2f} / {load_after[1]:.2f} / {load_after[2]:.2f} after; "
          f"{args.reruns} reruns and {args.opens} opens per variant, interleaved\n")  # fmt: skip
    print(report(results))


if __name__ == "__main__":
    main()
