"""Reply satisfaction of petitions (陳情回覆滿意度): how petitioners rated the answer they got.

Reads petitions.reply_satisfaction (1 非常不滿意 .. 5 非常滿意, NULL = not rated);
the period applies to received_date, like every petition count.
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb
import numpy as np
import pandas as pd

from metrics import _sql, stats
from metrics.filters import Filters
from metrics.satisfaction import check_by, key_columns

PUBLIC_METRICS = ("reply_satisfaction",)

# Upper bounds (inclusive, working days) of the reply-speed buckets: 0-1, 2-3, 4-6, 7-10, 11+.
DEFAULT_SPEED_EDGES = (1, 3, 6, 10)
SPEED_NOT_REPLIED = "未回覆"
SPEED_INVALID = "資料異常"
_KEY_INVALID = 998
_KEY_NOT_REPLIED = 999

# `by` name -> (raw columns grouped in the inner pass, the result columns labelled over
# them in the outer pass). Grouping 4 million rows on plain columns and labelling the few
# groups afterwards is several times faster than grouping on the label expressions
# themselves. The labels are the ones shared with the other petition metrics (未填 for
# NULL, 未填行政區, in_city beside a district).
_LABELS = _sql.petition_groupings("received_date")
GROUPINGS: dict[str, tuple[tuple[str, ...], str]] = {
    **{
        name: ((name,), f"{_LABELS[name].format(p='')} AS {name}")
        for name in ("unit", "agency", "category", "channel")
    },
    "district": (
        ("district", "in_city"),
        f"{_LABELS['district'].format(p='')} AS district, in_city",
    ),
    "month": (
        ("year(received_date) * 100 + month(received_date) AS month_key",),
        "printf('%04d-%02d', month_key // 100, month_key % 100) AS month",
    ),
    "reply_speed": (("reply_working_days",), "{speed} AS reply_speed"),
}
PERIOD_COLUMN = "received_date"

COLUMNS = [
    "cases",
    "replied",
    "rated",
    "coverage",
    "satisfied",
    "rate",
    "ci_low",
    "ci_high",
    "mean_score",
]

# Ratings are 1-5 by the schema (the loader rejects others), so count() counts ratings.
REPLY_SATISFACTION_SQL = """
SELECT {labels}
       CAST(sum(cases) AS BIGINT) AS cases,
       CAST(sum(replied) AS BIGINT) AS replied,
       CAST(sum(rated) AS BIGINT) AS rated,
       CAST(coalesce(sum(satisfied), 0) AS BIGINT) AS satisfied,
       sum(score_sum) / nullif(sum(rated), 0) AS mean_score
FROM (
    SELECT {raw}
           count(*) AS cases,
           count_if(NOT p.is_open) AS replied,
           count(p.reply_satisfaction) AS rated,
           count_if(p.reply_satisfaction >= 4) AS satisfied,
           sum(p.reply_satisfaction) AS score_sum
    FROM petitions p
    WHERE {where}
    GROUP BY ALL
)
GROUP BY ALL
HAVING sum(cases) > 0
ORDER BY {order}
"""


def _check_edges(edges: Sequence[int]) -> tuple[int, ...]:
    edges = tuple(int(e) for e in edges)
    if not edges or edges[0] < 0 or any(b <= a for a, b in zip(edges, edges[1:], strict=False)):
        raise ValueError(f"回覆天數分組上限須為遞增的非負整數：{edges}")
    return edges


def reply_speed_buckets(edges: Sequence[int] = DEFAULT_SPEED_EDGES) -> list[tuple[int, int | None]]:
    """(lowest, highest) working days of each reply-speed bucket in order; the last is
    open-ended (highest None)."""
    edges = _check_edges(edges)
    buckets, low = [], 0
    for high in edges:
        buckets.append((low, high))
        low = high + 1
    return [*buckets, (low, None)]


def reply_speed_labels(edges: Sequence[int] = DEFAULT_SPEED_EDGES) -> list[str]:
    """Labels of the reply-speed buckets in order, e.g. 0-1個工作日 … 11個工作日以上."""
    return [
        f"{low}個工作日以上" if high is None
        else f"{low}個工作日" if low == high else f"{low}-{high}個工作日"
        for low, high in reply_speed_buckets(edges)
    ]  # fmt: skip


def _speed_key_sql(edges: tuple[int, ...]) -> str:
    # edges are validated ints, so writing them into the SQL is safe.
    whens = " ".join(f"WHEN reply_working_days <= {high} THEN {i}" for i, high in enumerate(edges))
    return (
        f"CASE WHEN reply_working_days IS NULL THEN {_KEY_NOT_REPLIED} "
        f"WHEN reply_working_days < 0 THEN {_KEY_INVALID} {whens} ELSE {len(edges)} END"
    )


def reply_satisfaction(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    *,
    by: tuple[str, ...] = ("unit",),
    speed_edges: Sequence[int] = DEFAULT_SPEED_EDGES,
) -> pd.DataFrame:
    """Share of rated petition replies rated 滿意 or 非常滿意 (4-5), with Wilson 95% interval.

    rate = satisfied / rated, where rated counts petitions with reply_satisfaction
    1-5 (NULL = not rated, excluded); mean_score is the mean rating (1-5); cases
    counts all petitions in the group, replied those no longer open, coverage =
    rated / replied (how many answered petitions were rated). Unit: fractions in
    [0, 1]. Grain: one row per ``by`` group: unit, agency, category, channel,
    district, month (YYYY-MM of receipt) or reply_speed (working days from the next
    working day after receipt to the first reply, bucketed 0-1, 2-3, 4-6, 7-10, 11+
    by default; 未回覆 without a reply, 資料異常 for a negative count). Period on
    received_date; every filter applies.
    """
    by = check_by(by, tuple(GROUPINGS))
    edges = _check_edges(speed_edges)
    speed = _speed_key_sql(edges)
    where, params = filters.where(PERIOD_COLUMN, alias="p")
    raw = dict.fromkeys(c for b in by for c in GROUPINGS[b][0])
    sql = REPLY_SATISFACTION_SQL.format(
        labels="".join(f"{GROUPINGS[b][1].format(speed=speed)}, " for b in by),
        raw="".join(f"{c}, " for c in raw),
        where=where,
        order=", ".join(f"{b} NULLS LAST" for b in by) or "1",
    )
    df = con.execute(sql, params).df()
    keys = key_columns(by)
    if df.empty:
        return pd.DataFrame(columns=[*keys, *COLUMNS])
    if "reply_speed" in by:
        labels = dict(enumerate(reply_speed_labels(edges)))
        labels |= {_KEY_INVALID: SPEED_INVALID, _KEY_NOT_REPLIED: SPEED_NOT_REPLIED}
        df["reply_speed"] = df["reply_speed"].map(labels).astype("str")
    rated = df["rated"].to_numpy(dtype=float)
    satisfied = df["satisfied"].to_numpy(dtype=float)
    replied = df["replied"].to_numpy(dtype=float)
    low, high = stats.wilson_interval(satisfied, rated)
    with np.errstate(divide="ignore", invalid="ignore"):
        df["coverage"] = np.where(replied > 0, rated / np.where(replied > 0, replied, 1), np.nan)
        df["rate"] = np.where(rated > 0, satisfied / np.where(rated > 0, rated, 1), np.nan)
    df["ci_low"] = low
    df["ci_high"] = high
    df["mean_score"] = df["mean_score"].astype(float)
    return df[[*keys, *COLUMNS]].reset_index(drop=True)
