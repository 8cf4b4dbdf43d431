"""The pieces every page is built from: a chart block (title, chart, caption with period,
source and N, the data table and the written definition one click away), headline
tiles, empty and small-sample states, and plain-word errors instead of tracebacks.

Exports (PNG/SVG/PDF/XLSX) will hang off ``chart``: every figure and its table pass
through it already.
"""

from __future__ import annotations

import contextlib
import logging
import traceback
from collections.abc import Callable, Iterator

import pandas as pd
import streamlit as st

from dashboard import charts, definitions, fmt, sidebar
from dashboard.ui import date, lang, period, t
from metrics.dimensions import inapplicable
from reports.tables import html_table, safe_frame

log = logging.getLogger("svcq.dashboard")

# Filters field -> its sidebar key (filter.<key> names it)
FIELD_KEYS = {field: key for key, (field, _) in sidebar.DIMENSION_FILTERS.items()}
SMALL_SAMPLE = 30  # fewer answers than this: 樣本數不足, shown but marked
CHART_UNITS = 15  # units drawn in a bar chart of units; its table lists every one
SHORT_ROWS = 40  # a list on the page up to this many rows is a plain table, not the grid


def caption(*, period: str, source: str, n: int | None = None, note: str | None = None) -> str:
    """期間｜資料來源｜N (｜note)."""
    parts = [t("caption.period", period=period), t("caption.source", source=source)]
    if n is not None:
        parts.append(t("caption.n", n=f"{int(n):,}"))
    if note:
        parts.append(note)
    return t("caption.separator").join(parts)


def chart(
    spec: dict,
    *,
    title: str,
    caption_text: str,
    table: Callable[[], pd.DataFrame],
    metric: str,
    description: str,
    key: str,
    drill: Callable[[list[str]], dict[str, str] | None] | None = None,
    notes: list[str] | None = None,
    level: int = 2,
) -> None:
    """A titled chart with hover values, its caption, its table and its definition.

    ``level``: the title's heading level, 2 for a chart that is a section of its page, 3
    for one inside a section (screen readers navigate by the heading outline).

    ``table`` makes the chart's table, called only while its expander is open (a table
    built on every rerun and never shown cost some 2-3 ms a chart).

    ``spec``: a Vega-Lite chart from ``dashboard.charts``, drawn as wide as the page unless
    it sets its own width. ``drill``: the clicked mark's keys (``charts.KEY_FIELDS``) ->
    the sidebar filters to set (e.g. {"district": "鳳山區"}). ``notes`` are stated under the
    chart (data-quality exclusions, small samples)."""
    (st.header if level == 2 else st.subheader)(title)
    options: dict = {"key": key, "width": "content" if "width" in spec else "stretch"}
    if drill is not None:

        def select() -> None:
            state = st.session_state.get(key) or {}
            picked = (state.get("selection") or {}).get(charts.PICK) or []
            if picked:
                keys = [picked[0][f] for f in charts.KEY_FIELDS if f in picked[0]]
                sidebar.set_filters(drill(keys) or {})

        options |= {"on_select": select, "selection_mode": charts.PICK}
    st.vega_lite_chart(spec=spec, alt=description, theme=None, **options)
    st.caption("  \n".join([caption_text, *(notes or [])]))  # one element, a line each
    table_box = folded(t("block.table", title=title), key=f"{key}:table")
    if table_box is not None:
        with table_box:
            data_table(table())
    definition(metric, title)


def short_table(frame: pd.DataFrame) -> object:
    """A list shown on the page itself (not behind a click): a plain HTML table up to
    ``SHORT_ROWS`` rows (``reports.tables.html_table``), the interactive grid beyond. A
    plain table is text in the page, read by a screen reader as it is drawn, and one
    element for the browser to render again on a rerun: Streamlit's own ``st.table``
    renders every cell as an element of its own (型態與管道's 11 x 6 table of category
    changes: a filter change seen before 262 -> 229 ms, a language switch 649 -> 272;
    docs/performance.md). Counts stay numbers (right-aligned, with thousands
    separators); anything else is formatted before it comes here."""
    if len(frame) > SHORT_ROWS:
        return data_table(frame)
    return st.html(html_table(frame, number=fmt.number))


def data_table(frame: pd.DataFrame, **options) -> object:
    """A table on the page. Cells that a spreadsheet would run as a formula (=, +, -, @)
    are neutralised here, since Streamlit's own table download writes them as shown."""
    return st.dataframe(safe_frame(frame), hide_index=True, width="stretch", **options)


def folded(label: str, *, key: str):
    """An expander whose content is drawn only while it is open (None while closed).

    Opening it reruns the page (everything cached) and draws the content then. A closed
    expander's content costs every rerun as much as an open one's: the browser builds it
    all (some 10 ms per data grid) and the server converts every table (measured in
    docs/performance.md); a page has up to eight of them."""
    box = st.expander(label, key=key, on_change="rerun")
    return box if box.open else None


def definition(metric: str, title: str) -> None:
    """The written definition expander: what is counted, what is excluded, and whether
    higher is better."""
    box = folded(t("block.definition", title=title), key=f"definition:{metric}:{title}")
    if box is None:
        return
    with box:
        direction = definitions.direction(metric)
        text = definitions.definition(metric, lang())
        st.markdown(text + ("\n\n" + t(f"direction.{direction}") if direction else ""))


def empty(message_key: str = "empty.no_data", **values: object) -> None:
    st.info(t(message_key, **values))


def small_sample(n: int | None) -> str | None:
    """The 樣本數不足 note for fewer than 30 answers (the figure is still shown)."""
    if n is not None and n < SMALL_SAMPLE:
        return t("note.small_sample", n=int(n), minimum=SMALL_SAMPLE)
    return None


@contextlib.contextmanager
def guarded() -> Iterator[None]:
    """Run a page body; an expected problem (a metric's ValueError, a missing database)
    is said in plain words, anything else too, never with a traceback on screen."""
    try:
        yield
    except FileNotFoundError:
        st.info(t("empty.no_database"))
    except ValueError as exc:  # metrics explain in Traditional Chinese
        st.warning(t("error.metric", message=str(exc)))
    except Exception as exc:  # noqa: BLE001 - the one place the dashboard catches everything
        # the frames, never the message: an error text may quote a data value
        frames = "".join(traceback.format_tb(exc.__traceback__))
        log.error("dashboard page failed: %s\n%s", type(exc).__name__, frames)
        st.error(t("error.generic"))


def page(title_key: str, tables: tuple[str, ...] = ()) -> sidebar.Selection | None:
    """A page's title and the line every page shows: the date the data runs to (資料截至)
    and the period chosen; notes on filters this page cannot apply (its ``tables`` lack
    that dimension) or link values not in the data. None, with a plain message, when
    there is nothing to show."""
    st.title(t(title_key))
    selection: sidebar.Selection | None = st.session_state.get("selection")
    if selection is None:
        problem = st.session_state.get("db_problem")
        st.warning(problem) if problem else st.info(t("empty.no_database"))
        return None
    st.markdown(
        t("header.as_of", date=date(selection.as_of))
        + t("caption.separator")
        + t("header.period", period=period(selection.filters.start, selection.filters.end))
    )
    for key, value in st.session_state.get("dropped_filters", []):
        st.warning(t("note.dropped_filter", filter=t(f"filter.{key}"), value=value))
    if tables:
        ignored = inapplicable(selection.filters, tables)
        if ignored:
            names = t("caption.list_separator").join(t(f"filter.{FIELD_KEYS[f]}") for f in ignored)
            st.info(t("note.inapplicable", filters=names))
    return selection
