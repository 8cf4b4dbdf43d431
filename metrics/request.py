"""What a user asked for, as a metric call: family, metric, grouping, period, filters and
options become one function, one ``Filters`` and its keyword arguments.

The command line (``svcq metrics``) and the dashboard both build their calls here, so
an option is checked once, in one wording: a metric is given only the options it
accepts, and any other is refused with a plain Traditional Chinese ``ValueError``.
``MetricRequest.problems`` then says, before or beside a result, which requested
values match nothing in the data (with the closest names present), so an empty
result is never silent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import duckdb
import pandas as pd

from metrics import dimensions, registry
from metrics.filters import Filters
from metrics.reliability import ITEM_COUNT_SQL
from metrics.satisfaction import CONVENTIONS, items_clause
from store.db import scalar
from store.months import month_start

# The data tables each metric module reads, for checking filters against the data.
MODULE_TABLES: dict[str, tuple[str, ...]] = {
    "metrics.timeliness": ("petitions",),
    "metrics.regional": ("petitions",),
    "metrics.types": ("petitions",),
    "metrics.spikes": ("petitions",),
    "metrics.reply_satisfaction": ("petitions",),
    "metrics.satisfaction": ("survey_responses",),
    "metrics.reliability": ("survey_responses",),
    "metrics.phone_tests": ("phone_tests",),
    "metrics.scorecard": ("petitions", "survey_responses", "phone_tests"),
    "metrics.funnel": ("petitions", "survey_responses"),
    "metrics.summary": ("petitions", "survey_responses", "phone_tests"),
    "metrics.data_status": (),  # the load bookkeeping: no filters apply
}

# Options a metric may accept (keyword argument -> how the user names it).
OPTIONS = {
    "by": "分組（--by）",
    "month": "月份（--month）",
    "items": "題目（--item）",
    "convention": "滿意度計算方式（--convention）",
    "dimension": "構面（--dimension）",
}
# Filters fields -> how the user names them.
FILTER_OPTIONS = {
    "agencies": "機關（--agency）",
    "units": "承辦單位（--unit）",
    "districts": "行政區（--district）",
    "channels": "陳情管道（--channel）",
    "categories": "陳情類別（--category）",
}
ITEM_SETS = {"overall": "整體題", "all": "全部題目"}

DateParser = Callable[[str], dt.date]


def _iso_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"日期「{text}」無法解析；請寫成 2025-01-31") from None


@dataclass(frozen=True)
class MetricRequest:
    """One metric call: ``run(con)`` is ``function(con, filters, **options)``."""

    family: str
    name: str
    function: Callable[..., pd.DataFrame]
    filters: Filters
    options: dict[str, object] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return f"{self.family} / {self.name}"

    @property
    def tables(self) -> tuple[str, ...]:
        """The data tables the metric reads."""
        return MODULE_TABLES[self.function.__module__]

    def run(self, con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
        return self.function(con, self.filters, **self.options)

    def problems(self, con: duckdb.DuckDBPyConnection) -> list[str]:
        """Why the result may be empty or partial, in Traditional Chinese: filter values,
        item codes and a dimension that match nothing in the data (with the closest
        names present), and an item choice that finds no survey item. Empty when every
        requested value exists (the period is not considered)."""
        out = [m.message() for m in dimensions.unmatched(con, self.filters, self.tables)]
        if registry.accepts(self.function, "items") or registry.accepts(self.function, "dimension"):
            out += _item_problems(con, self.function, self.options)
        return out

    def empty_reason(self, con: duckdb.DuckDBPyConnection) -> str:
        """What to say when the result has no rows: the data's span, or that none is loaded."""
        spans = [dimensions.coverage(con, t) for t in self.tables]
        if not spans:
            return "資料庫中還沒有這項資料。"
        if not any(s.rows for s in spans):
            return "；".join(s.sentence() for s in spans) + "。請先載入資料（svcq load）。"
        period = _period_text(self.filters)
        held = "；".join(s.sentence() for s in spans if s.rows)
        return f"沒有符合條件的資料{period}。{held}。"


def _period_text(filters: Filters) -> str:
    if filters.start and filters.end:
        return f"（期間 {filters.start} 至 {filters.end}）"
    if filters.start:
        return f"（期間自 {filters.start} 起）"
    if filters.end:
        return f"（期間至 {filters.end} 止）"
    return ""


def _item_problems(con: duckdb.DuckDBPyConnection, function: Callable, options: dict) -> list[str]:
    if not scalar(con, "SELECT count(*) FROM survey_items"):
        return ["資料庫中沒有滿意度調查題目；請先載入問卷（svcq load surveys）。"]
    items, dimension = options.get("items"), options.get("dimension")
    out = []
    if isinstance(items, tuple):
        out += [m.message() for m in dimensions.missing(con, "items", items)]
    if dimension is not None:
        out += [m.message() for m in dimensions.missing(con, "dimensions", [dimension])]
    if out:
        return out
    if registry.accepts(function, "items"):
        where, params = items_clause(items, dimension)
        found = scalar(con, f"SELECT count(*) FROM survey_items i WHERE {where}", params)  # noqa: S608 (items_clause binds values)
    else:  # reliability: the dimension's items, else every item but the overall ones
        found = scalar(con, ITEM_COUNT_SQL, [dimension, dimension])
    if found:
        return []
    offered = "、".join(dimensions.values(con, "dimensions"))
    if isinstance(items, tuple):
        chosen = f"題目 {'、'.join(items)} 之中屬於構面「{dimension}」的"
    elif dimension is not None:
        chosen = f"構面「{dimension}」"
    elif registry.accepts(function, "items") and items in (None, "overall"):
        chosen = "整體題（對照檔的 overall_dimension）"
    else:  # reliability's default scale
        chosen = "整體題以外的題目"
    return [f"{chosen}在資料中沒有任何題目；可用構面：{offered}（以 --dimension 或 --item 選擇）。"]


def _texts(values: Sequence[str] | str | None) -> tuple[str, ...]:
    if values is None:
        return ()
    if isinstance(values, str):
        values = (values,)
    return tuple(dict.fromkeys(v.strip() for v in values if v is not None and v.strip()))


def _date(value: dt.date | str | None, parse: DateParser) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value.date() if isinstance(value, dt.datetime) else value
    if not value.strip():
        return None
    return parse(value)


def _month(value: dt.date | str | None, parse: DateParser) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        day = _date(value, parse)
        return month_start(day) if day else None
    text = value.strip()
    # "2026-09" or "115/09": the first day of that month
    return month_start(parse(text + "-01" if len(text) <= 7 else text))


def _items(values: Sequence[str] | str | None) -> str | tuple[str, ...] | None:
    codes = _texts(values)
    if not codes:
        return None
    special = [c for c in codes if c in ITEM_SETS]
    if special and len(codes) > 1:
        raise ValueError(
            f"題目「{special[0]}」（{ITEM_SETS[special[0]]}）不能與其他題目代碼一起指定"
        )
    return special[0] if special else codes


def accepted_options(function: Callable) -> tuple[str, ...]:
    """Which of the request's options (by, month, items, convention, dimension) a metric
    function takes; the dashboard shows only these."""
    return tuple(o for o in OPTIONS if registry.accepts(function, o))


def build(
    family: str,
    metric: str | None = None,
    *,
    by: Sequence[str] | str | None = None,
    start: dt.date | str | None = None,
    end: dt.date | str | None = None,
    agencies: Sequence[str] = (),
    units: Sequence[str] = (),
    districts: Sequence[str] = (),
    channels: Sequence[str] = (),
    categories: Sequence[str] = (),
    month: dt.date | str | None = None,
    items: Sequence[str] | str | None = None,
    convention: str | None = None,
    dimension: str | None = None,
    parse_date: DateParser = _iso_date,
) -> MetricRequest:
    """The metric call for a family and metric (default: the family's first) with its
    grouping, period, filters and options; raises ValueError in Traditional Chinese.

    Dates may be ``datetime.date`` or text; text is read by ``parse_date`` (default ISO
    2025-01-31; the command line passes the loader's ROC/Western parser, which metrics
    may not import). ``month`` is a date or "YYYY-MM" (its first day is used).
    ``items``: item codes, or one of "overall" / "all". Only options the metric accepts
    may be given (``by`` may also be empty); filters must apply to a table the metric
    reads (a survey has no channel).
    """
    available = registry.functions(family)
    name = metric or next(iter(available), None)
    if name not in available:
        raise ValueError(f"「{family}」沒有指標 {name}；可用：{'、'.join(available)}")
    function = available[name]
    filters = Filters(
        _date(start, parse_date),
        _date(end, parse_date),
        _texts(agencies),
        _texts(units),
        _texts(districts),
        _texts(channels),
        _texts(categories),
    )
    tables = MODULE_TABLES[function.__module__]
    ignored = dimensions.inapplicable(filters, tables)
    if ignored:
        held = "、".join(dimensions.TABLES[t] for t in tables)
        wanted = "、".join(FILTER_OPTIONS[f] for f in ignored)
        if not tables:
            raise ValueError(f"{name} 描述整個資料庫，不依{wanted}篩選")
        raise ValueError(f"{name} 讀取的資料（{held}）沒有{wanted}，不能以此篩選")
    given: dict[str, object] = {
        "by": _texts(by) or None,
        "month": _month(month, parse_date),
        "items": _items(items),
        "convention": (convention or "").strip() or None,
        "dimension": (dimension or "").strip() or None,
    }
    options = {k: v for k, v in given.items() if v is not None}
    refused = [k for k in options if not registry.accepts(function, k)]
    if refused:
        takes = "、".join(OPTIONS[o] for o in accepted_options(function)) or "無"
        raise ValueError(
            f"{name} 不接受{'、'.join(OPTIONS[o] for o in refused)}；它接受的選項：{takes}"
        )
    if "convention" in options and options["convention"] not in CONVENTIONS:
        raise ValueError(
            f"不支援的滿意度計算方式：{options['convention']}（可用：{'、'.join(CONVENTIONS)}）"
        )
    return MetricRequest(family, name, function, filters, options)
