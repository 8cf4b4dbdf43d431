"""What every page shares at run time: the chosen language and calendar, ``t()``, and
formatting bound to them. Reads the sidebar's widgets from the session state."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from dashboard import fmt
from dashboard.i18n import DEFAULT, LANGUAGES, translate
from store.months import CALENDARS, add_months
from store.vocabulary import NO_DISTRICT, UNSPECIFIED


def lang() -> str:
    value = st.session_state.get("lang")
    return value if value in LANGUAGES else DEFAULT


def calendar() -> str:
    value = st.session_state.get("cal")
    return value if value in CALENDARS else "roc"


def t(key: str, **values: object) -> str:
    return translate(lang(), key, **values)


def month(day: dt.date) -> str:
    return fmt.month(day, lang(), calendar())


def month_short(day: dt.date) -> str:
    return fmt.month_short(day, lang(), calendar())


def date(day: dt.date | None) -> str:
    return fmt.date(day, lang(), calendar())


def period(start: dt.date, end: dt.date) -> str:
    return fmt.period(start, end, lang(), calendar())


def points(value: object) -> str:
    return fmt.points(lang(), value)


def yes_no(value: object) -> str:
    """是 / 否 / — (missing), never a truth test of pd.NA."""
    if fmt.missing(value):
        return "—"
    return t("value.yes") if bool(value) else t("value.no")


TREND_MONTHS = 12


def trend_period(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """The window a monthly trend is drawn over: the period itself when it spans three
    months or more, else the twelve months ending with it (one point is no trend)."""
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    if months >= 3:
        return start, end
    return add_months(end, 1 - TREND_MONTHS), end


def labels(prefix: str):
    """A widget's format_func: the catalog text of ``prefix.<option>`` in the language of
    this run (bound now: Streamlit may call it outside the run, e.g. in tests)."""
    chosen = lang()
    return lambda value: translate(chosen, f"{prefix}.{value}")


def month_labels():
    """format_func for months, bound to this run's language and calendar."""
    chosen, cal = lang(), calendar()
    return lambda day: fmt.month(day, chosen, cal)


def unit_label(agency: object, unit: object) -> str:
    """A unit as readers know it: its name with its agency (各區公所都有民政課)."""
    return t("label.unit_of", unit=unit, agency=agency)


def unit_keys(frame) -> list[tuple[str, str]]:
    """(agency, unit) of each row, to ride on a chart's bars for drill-down."""
    return list(zip(frame["agency"].astype(str), frame["unit"].astype(str), strict=True))


def drill_unit(keys: list[str]) -> dict[str, str]:
    """The filters a clicked unit bar sets: its agency and its name (its keys)."""
    return {"agency": keys[0], "unit": keys[1]} if len(keys) >= 2 else {}


def shown(value: object) -> str:
    """A grouped value as read: the labels metrics give missing values (未填, 未填行政區)
    in the reader's language; data values as loaded."""
    if value == NO_DISTRICT:
        return t("value.no_district")
    if value == UNSPECIFIED:
        return t("value.unspecified")
    return str(value)
