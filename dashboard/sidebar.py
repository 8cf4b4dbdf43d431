"""The sidebar every page shares: language and calendar switches, the period with its
presets, and the dimension filters. Every widget is bound to the URL, so a copied link
reproduces the view, and lives in the entry file, so it survives a page switch."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import streamlit as st

from dashboard import data, fmt, periods
from dashboard.i18n import LANGUAGES
from dashboard.ui import t
from metrics import dimensions, freshness
from metrics.filters import Filters

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
    st.segmented_control(
        "Language / 語言",
        LANGUAGES,
        format_func=LANGUAGE_NAMES.get,
        default="zh",
        required=True,
        key="lang",
        bind="query-params",
    )
    st.segmented_control(
        t("sidebar.calendar"),
        fmt.CALENDARS,
        format_func=lambda c: t(f"sidebar.calendar.{c}"),
        default="roc",
        required=True,
        key="cal",
        bind="query-params",
    )


def _period(as_of: dt.date) -> tuple[dt.date, dt.date, str]:
    preset = st.selectbox(
        t("sidebar.period"),
        periods.PRESETS,
        format_func=lambda p: t(f"preset.{p}"),
        key="period",
        bind="query-params",
    )
    if preset != "custom":
        start, end = periods.preset_period(preset, as_of)
        st.caption(t("sidebar.period_is", period=fmt.period(start, end, _lang(), _cal())))
        return start, end, preset
    default_start, _ = periods.preset_period("last_12", as_of)
    start = st.date_input(
        t("sidebar.from"), value=default_start, max_value=as_of, key="from", bind="query-params"
    )
    end = st.date_input(
        t("sidebar.to"), value=as_of, max_value=as_of, key="to", bind="query-params"
    )
    if start > end:
        st.warning(t("sidebar.bad_range"))
        start, end = end, start
    return start, end, preset


def _lang() -> str:
    return st.session_state.get("lang") or "zh"


def _cal() -> str:
    return st.session_state.get("cal") or "roc"


def filters() -> Selection | None:
    """Draw the filters; None when there is no database to filter yet."""
    if data.stamp() is None:
        return None
    as_of = data.run(freshness.data_as_of, Filters())
    if as_of is None:
        return None
    st.caption(t("sidebar.data_as_of", date=fmt.date(as_of, _lang(), _cal())))
    start, end, preset = _period(as_of)
    chosen: dict[str, tuple[str, ...]] = {}
    for key, (field, dimension) in DIMENSION_FILTERS.items():
        options = data.run(dimensions.values, dimension)
        picked = st.multiselect(
            t(f"filter.{key}"),
            options,
            key=key,
            bind="query-params",
            placeholder=t("filter.all"),
        )
        chosen[field] = tuple(picked)
    return Selection(Filters(start, end, **chosen), as_of, preset)


def set_filter(key: str, value: str) -> None:
    """Drill-down: restrict the dimension ``key`` (e.g. district) to ``value``. Called from
    a chart's selection callback, before the widgets are drawn again."""
    if key in DIMENSION_FILTERS and value:
        st.session_state[key] = [value]
