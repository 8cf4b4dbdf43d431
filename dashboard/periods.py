"""Period presets of the sidebar, anchored on the date the data runs to (not today): a
database loaded last month still opens on its own latest month."""

from __future__ import annotations

import datetime as dt

from store.months import add_months, month_end, month_start

PRESETS = ("this_month", "last_month", "this_quarter", "this_year", "last_12", "custom")
DEFAULT = "this_month"


def preset_period(preset: str, anchor: dt.date) -> tuple[dt.date, dt.date]:
    """(start, end) of a preset given the date the data runs to. Periods end at the
    anchor at the latest (the data says nothing later, and open cases are counted as of
    the period end); 上月 is the whole month before the anchor's."""
    if preset == "this_month":
        return month_start(anchor), anchor
    if preset == "last_month":
        start = add_months(anchor, -1)
        return start, month_end(start)
    if preset == "this_quarter":
        return dt.date(anchor.year, 3 * ((anchor.month - 1) // 3) + 1, 1), anchor
    if preset == "this_year":
        return dt.date(anchor.year, 1, 1), anchor
    if preset == "last_12":
        return add_months(anchor, -11), anchor
    raise ValueError(f"unknown preset {preset!r}")
