"""Numbers and dates the Taiwan way, in Chinese or English, ROC or Western years.

Pure functions (no Streamlit) so they are tested directly: thousands separators, one
decimal for percentages, percentage points for changes of rates, 民國 years when the
calendar switch says so, in every label, axis and caption.
"""

from __future__ import annotations

import datetime as dt

from dashboard.i18n import translate
from reports.tables import missing  # fmt.missing: one definition for pages and tables
from store.months import ROC_OFFSET

MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def number(value: object, decimals: int = 0) -> str:
    """12,345 (or 12,345.6 with decimals); — when missing."""
    if missing(value):
        return "—"
    return f"{float(value):,.{decimals}f}"


def percent(value: object) -> str:
    """A fraction as a percentage with one decimal: 0.953 -> 95.3%."""
    return "—" if missing(value) else f"{float(value) * 100:.1f}%"


def points(lang: str, value: object) -> str:
    """A change of a rate in percentage points, signed: +1.2 個百分點 / +1.2 pp."""
    if missing(value):
        return "—"
    return translate(lang, "unit.points", value=f"{float(value) * 100:+.1f}")


def year(day: dt.date, calendar: str) -> int:
    return day.year - ROC_OFFSET if calendar == "roc" else day.year


def month(day: dt.date, lang: str, calendar: str) -> str:
    """民國114年9月 / 2025年9月 / Sep 114 (ROC) / Sep 2025."""
    if lang == "en":
        prefix = "ROC " if calendar == "roc" else ""
        return f"{MONTHS_EN[day.month - 1]} {prefix}{year(day, calendar)}"
    prefix = "民國" if calendar == "roc" else ""
    return f"{prefix}{year(day, calendar)}年{day.month}月"


def month_short(day: dt.date, lang: str, calendar: str) -> str:
    """For chart axes: 114/09 or 2025-09 (the same in both languages)."""
    if calendar == "roc":
        return f"{year(day, calendar)}/{day.month:02d}"
    return f"{day.year}-{day.month:02d}"


def date(day: dt.date | None, lang: str, calendar: str) -> str:
    """民國114年9月30日 / 2025年9月30日 / 30 Sep ROC 114 / 30 Sep 2025; — when missing."""
    if day is None or missing(day):
        return "—"
    if isinstance(day, dt.datetime):
        day = day.date()
    if lang == "en":
        prefix = "ROC " if calendar == "roc" else ""
        return f"{day.day} {MONTHS_EN[day.month - 1]} {prefix}{year(day, calendar)}"
    prefix = "民國" if calendar == "roc" else ""
    return f"{prefix}{year(day, calendar)}年{day.month}月{day.day}日"


def period(start: dt.date, end: dt.date, lang: str, calendar: str) -> str:
    """A period for captions: 民國114年9月1日至9月30日 style, or a month when whole."""
    whole_month = start.day == 1 and (end + dt.timedelta(days=1)).day == 1
    if whole_month and start.replace(day=1) == end.replace(day=1):
        return month(start, lang, calendar)
    return translate(
        lang, "period.range", start=date(start, lang, calendar), end=date(end, lang, calendar)
    )
