"""The one-sentence overview of the petitions a database holds (``svcq summary``): counts
from ``metrics.inventory``, the on-time rate and open cases from ``metrics.timeliness``,
their one definition each, exclusions said aloud."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

import duckdb
import pandas as pd

from metrics import inventory, timeliness
from metrics.filters import ALL
from store.vocabulary import EXCLUSION_COLUMNS, ReplyQuality

# Why a closed case is left out of the timeliness figures, in words.
EXCLUSION_LABELS = {
    ReplyQuality.MISSING_DATES: "日期缺漏",
    ReplyQuality.REPLY_BEFORE_RECEIPT: "回覆早於受理",
    ReplyQuality.SAME_MINUTE: "受理後一分鐘內即結案",
}


@dataclass(frozen=True)
class Overview:
    petitions: int
    districts: int
    units: int
    closed: int  # closed or replied, valid dates or not
    rated: int  # closed cases counted in the on-time rate
    on_time: int
    on_time_rate: float  # NaN when nothing counts
    excluded: dict[str, int] = field(default_factory=dict)  # label -> cases
    open: int = 0
    as_of: dt.date | None = None


def overview(con: duckdb.DuckDBPyConnection) -> Overview:
    """The petition figures of the whole database (``inventory.coverage`` takes no filters,
    so neither do the rates beside its counts)."""
    counts = inventory.coverage(con)
    rate = timeliness.on_time_rate(con, ALL).iloc[0]
    opened = timeliness.open_cases(con, ALL).iloc[0]
    excluded = {
        EXCLUSION_LABELS[code]: int(rate[column])
        for code, column in EXCLUSION_COLUMNS.items()
        if rate[column]
    }
    value = rate["on_time_rate"]
    as_of = opened["as_of"]
    return Overview(
        petitions=int(counts["petitions"]),
        districts=int(counts["districts"]),
        units=int(counts["units"]),
        closed=int(rate["replied"]) + sum(excluded.values()),
        rated=int(rate["replied"]),
        on_time=int(rate["on_time"]),
        on_time_rate=math.nan if pd.isna(value) else float(value),
        excluded=excluded,
        open=int(opened["open"]),
        as_of=None if pd.isna(as_of) else pd.Timestamp(as_of).date(),
    )


def sentence(o: Overview) -> str:
    """E.g. 陳情 2 件，已結案或回覆 2 件；依限辦結率 0.0%（計入 1 件，依限 0 件；另 1 件不計入：
    受理後一分鐘內即結案 1 件）；截至 2025-03-03 處理中 0 件；涵蓋 1 區、1 個承辦單位。"""
    rate = "—" if math.isnan(o.on_time_rate) else f"{o.on_time_rate:.1%}"
    detail = f"計入 {o.rated:,} 件，依限 {o.on_time:,} 件"
    if o.excluded:
        reasons = "、".join(f"{label} {n:,} 件" for label, n in o.excluded.items())
        detail += f"；另 {sum(o.excluded.values()):,} 件不計入：{reasons}"
    when = f"截至 {o.as_of} " if o.as_of else ""
    return (
        f"陳情 {o.petitions:,} 件，已結案或回覆 {o.closed:,} 件；依限辦結率 {rate}（{detail}）；"
        f"{when}處理中 {o.open:,} 件；涵蓋 {o.districts} 區、{o.units} 個承辦單位。"
    )
