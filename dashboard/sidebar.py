"""The sidebar every page shares: language and calendar switches, the period with its
presets, and the dimension filters. Every widget is bound to the URL, so a copied link
reproduces the view, and lives in the entry file, so it survives a page switch."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import streamlit as st

from dashboard import data, periods, urlstate
from dashboard.i18n import LANGUAGES
from dashboard.ui import date, labels, period, t
from metrics import dimensions, freshness
from metrics.filters import Filters
from store.months import CALENDARS, DEFAULT_CALENDAR

# Sidebar filter key (also the URL parameter) -> (Filters field, metrics.dimensions name)
DIMENSION_FILTERS = {
    "agency": ("agencies", "agencies"),
    "unit": ("units", "units"),
    "district": ("districts", "districts"),
    "channel": ("channels", "channels"),
    "category": ("categories", "categories"),
}
LANGUAGE_NAMES = {"zh": "中文", "en": "English"}


@dataclass(frozen=True)
class Selection:
    """What the sidebar chose: the filters every metric takes, and the date the data runs to."""

    filters: Filters
    as_of: dt.date | None  # 資料截至: the latest date the loaded data speaks for
    preset: str


def switches() -> None:
    """Language and calendar; drawn first so every later label uses them."""
    urlstate.restore_choice("lang", LANGUAGES, "zh")
    st.segmented_control(
        "Language / 語言", LANGUAGES, format_func=LANGUAGE_NAMES.get, required=True, key="lang"
    )
    urlstate.remember("lang", "zh")
    urlstate.restore_choice("cal", CALENDARS, DEFAULT_CALENDAR)
    st.segmented_control(
        t("sidebar.calendar"),
        CALENDARS,
        format_func=labels("sidebar.calendar"),
        required=True,
        key="cal",
    )
    urlstate.remember("cal", DEFAULT_CALENDAR)


def _period(as_of: dt.date, first: dt.date) -> tuple[dt.date, dt.date, str]:
    urlstate.restore_choice("period", periods.PRESETS, periods.DEFAULT)
    preset = st.selectbox(
        t("sidebar.period"), periods.PRESETS, format_func=labels("preset"), key="period"
    )
    urlstate.remember("period", periods.DEFAULT)
    if preset != "custom":
        for key in ("from", "to"):
            if key in st.query_params:
                del st.query_params[key]
        start, end = periods.preset_period(preset, as_of)
        st.caption(t("sidebar.period_is", period=period(start, end)))
        return start, end, preset
    default_start = max(periods.preset_period("last_12", as_of)[0], first)
    urlstate.restore_date("from", default_start, first, as_of)
    urlstate.restore_date("to", as_of, first, as_of)
    # the pickers themselves show Western dates (Streamlit's widget); the caption says ROC
    start = st.date_input(t("sidebar.from"), min_value=first, max_value=as_of, key="from")
    end = st.date_input(t("sidebar.to"), min_value=first, max_value=as_of, key="to")
    urlstate.remember("from", dump=lambda d: d.isoformat())
    urlstate.remember("to", dump=lambda d: d.isoformat())
    if start > end:
        st.warning(t("sidebar.bad_range"))
        start, end = end, start
    st.caption(t("sidebar.period_is", period=period(start, end)))
    return start, end, preset


def filters() -> Selection | None:
    """Draw the filters; None when there is no database to filter yet, or one that cannot
    be read (``st.session_state["db_problem"]`` then says why, in plain words)."""
    st.session_state["db_problem"] = None
    st.session_state["dropped_filters"] = []
    if data.stamp() is None:
        return None
    try:
        as_of = data.run(freshness.latest_date, Filters())
    except Exception as exc:  # noqa: BLE001 - a file that is not svcq's database
        st.session_state["db_problem"] = t("empty.bad_database", path=data.env_db_hint(),
                                           reason=type(exc).__name__)  # fmt: skip
        return None
    if as_of is None:
        return None
    months = data.run(freshness.months_with_data, Filters())
    first = months[0] if months else as_of.replace(month=1, day=1)
    st.caption(t("sidebar.data_as_of", date=date(as_of)))
    start, end, preset = _period(as_of, first)
    chosen: dict[str, tuple[str, ...]] = {}
    for key, (field, dimension) in DIMENSION_FILTERS.items():
        options = data.run(dimensions.values, dimension)
        wanted = st.session_state.get(key) or st.query_params.get_all(key)
        unknown = [v for v in wanted if v not in options]  # from a link, or gone after a load
        if unknown:
            st.session_state["dropped_filters"] += [(key, v) for v in unknown]
            if key in st.session_state:
                st.session_state[key] = [v for v in st.session_state[key] if v in options]
        urlstate.restore_many(key, options)
        picked = st.multiselect(t(f"filter.{key}"), options, key=key, placeholder=t("filter.all"))
        urlstate.remember(key)
        chosen[field] = tuple(picked)
    return Selection(Filters(start, end, **chosen), as_of, preset)


def set_filters(chosen: dict[str, str]) -> None:
    """Drill-down: restrict each dimension (e.g. {"district": "鳳山區"}, or a unit with its
    agency) to one value. Called from a chart's selection callback, before the widgets
    are drawn again."""
    for key, value in chosen.items():
        if key in DIMENSION_FILTERS and value:
            st.session_state[key] = [value]
