"""Calendar-month arithmetic, one definition for the loader's sample generator, the
metrics and the dashboard's period presets."""

from __future__ import annotations

import datetime as dt

ROC_OFFSET = 1911  # 民國 year = Western year - 1911
CALENDARS = ("roc", "western")  # how a date is shown: 民國 114 年 or 2025
DEFAULT_CALENDAR = "roc"


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(day: dt.date, months: int) -> dt.date:
    """The first day of the month ``months`` after ``day``'s month."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def month_end(day: dt.date) -> dt.date:
    return add_months(day, 1) - dt.timedelta(days=1)


def parse_month(month: str | dt.date) -> dt.date:
    """'2025-03' or any date in the month -> the month's first day."""
    if isinstance(month, dt.date):
        return month_start(month)
    try:
        return dt.datetime.strptime(month.strip()[:7], "%Y-%m").date()
    except ValueError:
        raise ValueError(f"月份「{month}」格式應為 YYYY-MM") from None
