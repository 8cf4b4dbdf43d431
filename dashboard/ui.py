"""What every page shares at run time: the chosen language and calendar, ``t()``, and
formatting bound to them. Reads the sidebar's widgets from the session state."""

from __future__ import annotations

import datetime as dt
import threading

import streamlit as st

from dashboard import fmt
from dashboard.i18n import DEFAULT, LANGUAGES, translate
from store.months import CALENDARS, DEFAULT_CALENDAR, add_months
from store.vocabulary import NO_DISTRICT, UNSPECIFIED

# This run's language and calendar, once the switches are drawn (``settle``): ``t`` is
# called some 600 times in a run of 總覽 and each read of the session state takes tens of
# microseconds. A thread-local, since each session's script runs in a thread of its own.
_RUN = threading.local()


def _chosen(key: str, allowed: tuple[str, ...], default: str) -> str:
    value = st.session_state.get(key)
    return value if value in allowed else default


def _choice() -> tuple[str, str]:
    """(language, calendar): this run's, once settled, else read now."""
    choice = getattr(_RUN, "choice", None)
    return choice or (
        _chosen("lang", LANGUAGES, DEFAULT),
        _chosen("cal", CALENDARS, DEFAULT_CALENDAR),
    )


def settle() -> None:
    """Read the language and calendar once for the rest of this run (after the switches)."""
    unsettle()
    _RUN.choice = _choice()


def unsettle() -> None:
    """Forget a previous run's choice (a rerun may reuse its thread): read them again."""
    _RUN.choice = None


def lang() -> str:
    return _choice()[0]


def calendar() -> str:
    return _choice()[1]


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
