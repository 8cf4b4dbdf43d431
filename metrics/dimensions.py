"""The values present in the data for each filter dimension, and filter values that
match nothing.

``values`` lists what a filter can usefully offer (the dashboard's choices, the
command line's suggestions); ``unmatched`` says which requested values are absent
from the data, with the closest names present (difflib), so an empty result is
explained instead of silent. Table and column names come only from the fixed maps
below; values are always bound.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Sequence
from dataclasses import dataclass

import duckdb

from metrics import phone_tests, satisfaction
from metrics.filters import FILTER_COLUMNS, Filters

# Data tables, in Traditional Chinese for messages.
TABLES = {
    "petitions": "陳情案件",
    "survey_responses": "滿意度問卷",
    "phone_tests": "電話禮貌測試",
    "survey_items": "滿意度題目",
}

# The Filters fields each data table can be restricted on (the metrics' own lists).
TABLE_FILTERS: dict[str, tuple[str, ...]] = {
    "petitions": tuple(FILTER_COLUMNS),
    "survey_responses": tuple(satisfaction.SURVEY_FILTERS),
    "phone_tests": tuple(phone_tests.PHONE_FILTERS),
}

# Dimension -> the (table, column) pairs holding its values.
DIMENSIONS: dict[str, tuple[tuple[str, str], ...]] = {
    "agencies": (("petitions", "agency"), ("survey_responses", "agency"), ("phone_tests", "agency")),
    "units": (("petitions", "unit"), ("survey_responses", "unit"), ("phone_tests", "unit")),
    "districts": (("petitions", "district"), ("survey_responses", "district")),
    "channels": (("petitions", "channel"),),
    "categories": (("petitions", "category"),),
    "waves": (("survey_responses", "wave"),),
    "items": (("survey_items", "item_code"),),
    "dimensions": (("survey_items", "dimension"),),
    "rounds": (("phone_tests", "round"),),
}  # fmt: skip

LABELS = {
    "agencies": "機關",
    "units": "承辦單位",
    "districts": "行政區",
    "channels": "陳情管道",
    "categories": "陳情類別",
    "waves": "調查波次",
    "items": "題目代碼",
    "dimensions": "構面",
    "rounds": "測試輪次",
}

# The order values are listed in: survey waves in time order, items and dimensions in the
# mapping's order, everything else by name.
ORDER = {
    ("survey_responses", "wave"): "min(responded_on) NULLS LAST, value",
    ("survey_items", "item_code"): "min(position), value",
    ("survey_items", "dimension"): "min(position), value",
}

# The date each data table's period is taken on (the survey and phone metrics' own).
PERIOD_COLUMNS = {
    "petitions": "received_date",
    "survey_responses": satisfaction.PERIOD_COLUMN,
    "phone_tests": phone_tests.PERIOD_COLUMN,
}

VALUES_SQL = """
SELECT {column} AS value FROM {table}
WHERE {column} IS NOT NULL
GROUP BY {column}
ORDER BY {order}
"""
PRESENT_SQL = "SELECT DISTINCT {column} FROM {table} WHERE {column} IN ({marks})"
PERIOD_SQL = """
SELECT count(*), CAST(min({column}) AS DATE), CAST(max({column}) AS DATE) FROM {table}
"""

CLOSEST = 3
CLOSEST_CUTOFF = 0.5


def _pairs(dimension: str, tables: Sequence[str] | None) -> tuple[tuple[str, str], ...]:
    if dimension not in DIMENSIONS:
        raise ValueError(f"沒有「{dimension}」這個篩選維度；可用：{'、'.join(DIMENSIONS)}")
    pairs = DIMENSIONS[dimension]
    if tables is not None:
        unknown = [t for t in tables if t not in TABLES]
        if unknown:
            raise ValueError(f"沒有資料表：{'、'.join(unknown)}")
        pairs = tuple(p for p in pairs if p[0] in tables)
    return pairs


def values(
    con: duckdb.DuckDBPyConnection, dimension: str, *, tables: Sequence[str] | None = None
) -> list[str]:
    """The distinct values of a filter dimension present in the data, without NULLs.

    ``dimension``: agencies, units, districts, channels, categories, waves, items (item
    codes), dimensions (survey dimensions), rounds (phone-test rounds); ``tables``
    limits the tables read (e.g. ``("phone_tests",)`` for the units that were tested).
    Order: waves by first response date, items and dimensions in the mapping's order,
    the rest by name; values from several tables are merged and listed by name.
    """
    pairs = _pairs(dimension, tables)
    found: dict[str, None] = {}
    for table, column in pairs:
        order = ORDER.get((table, column), "value")
        sql = VALUES_SQL.format(table=table, column=column, order=order)
        for (value,) in con.execute(sql).fetchall():
            found.setdefault(str(value), None)
    return sorted(found) if len(pairs) > 1 else list(found)


@dataclass(frozen=True)
class NoMatch:
    """A requested value absent from the data, with the closest values present."""

    dimension: str
    value: str
    closest: tuple[str, ...] = ()

    def message(self) -> str:
        text = f"{LABELS.get(self.dimension, self.dimension)}「{self.value}」不在資料中"
        if self.closest:
            text += f"；最接近的有：{'、'.join(self.closest)}"
        return text


def closest(value: str, candidates: Sequence[str], n: int = CLOSEST) -> tuple[str, ...]:
    """The candidates most like ``value`` (difflib ratio ≥ 0.5), best first; a candidate
    containing the value (鳳山 → 鳳山區) always counts."""
    found = difflib.get_close_matches(value, list(candidates), n=n, cutoff=CLOSEST_CUTOFF)
    containing = [c for c in candidates if value and value in c and c not in found]
    return tuple([*found, *containing][:n])


def missing(
    con: duckdb.DuckDBPyConnection,
    dimension: str,
    requested: Sequence[str],
    *,
    tables: Sequence[str] | None = None,
) -> list[NoMatch]:
    """The requested values of a dimension found in none of ``tables`` (default: every
    table holding it), each with the closest values present."""
    requested = list(dict.fromkeys(str(v) for v in requested))
    if not requested:
        return []
    present: set[str] = set()
    pairs = _pairs(dimension, tables)
    for table, column in pairs:
        marks = ", ".join("?" for _ in requested)
        sql = PRESENT_SQL.format(table=table, column=column, marks=marks)
        present |= {str(v) for (v,) in con.execute(sql, requested).fetchall()}
    absent = [v for v in requested if v not in present]
    if not absent:
        return []
    offered = values(con, dimension, tables=[t for t, _ in pairs])
    return [NoMatch(dimension, v, closest(v, offered)) for v in absent]


def unmatched(
    con: duckdb.DuckDBPyConnection, filters: Filters, tables: Sequence[str]
) -> list[NoMatch]:
    """The filter values (agencies, units, districts, channels, categories) that match
    no row of the given data tables; the period is not considered."""
    out: list[NoMatch] = []
    for name in FILTER_COLUMNS:
        requested = getattr(filters, name)
        holding = [t for t in tables if name in TABLE_FILTERS.get(t, ())]
        if requested and holding:
            out += missing(con, name, requested, tables=holding)
    return out


def inapplicable(filters: Filters, tables: Sequence[str]) -> list[str]:
    """The filter fields set in ``filters`` that none of the data tables has (e.g. a
    channel for survey answers): a metric on those tables would ignore them."""
    return [
        name
        for name in FILTER_COLUMNS
        if getattr(filters, name) and not any(name in TABLE_FILTERS.get(t, ()) for t in tables)
    ]


@dataclass(frozen=True)
class Coverage:
    """How many rows a data table holds and the span of its dates."""

    table: str
    rows: int
    first_day: dt.date | None
    last_day: dt.date | None

    def sentence(self) -> str:
        label = TABLES[self.table]
        if not self.rows:
            return f"資料庫中沒有{label}資料"
        if self.first_day is None:
            return f"{label}共 {self.rows:,} 筆"
        return f"{label}資料期間為 {self.first_day} 至 {self.last_day}，共 {self.rows:,} 筆"


def coverage(con: duckdb.DuckDBPyConnection, table: str) -> Coverage:
    """Rows and date span of a data table (petitions, survey_responses, phone_tests)."""
    if table not in PERIOD_COLUMNS:
        raise ValueError(f"沒有資料表：{table}")
    sql = PERIOD_SQL.format(table=table, column=PERIOD_COLUMNS[table])
    rows, first, last = con.execute(sql).fetchall()[0]
    return Coverage(table, int(rows), first, last)
