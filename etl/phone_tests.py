"""Telephone courtesy tests: one row per call with one points column per rubric item.

The rubric (items, category, maximum points, version) comes from the mapping, so
each agency keeps its own. A call's total is the sum of its items' points (0-100).
"""

from __future__ import annotations

import pandas as pd

from etl import validate
from etl.mapping import Mapping
from etl.validate import Reasons

KEY = ("source_system", "call_id")
COLUMNS = (
    "source_system", "call_id", "agency", "unit", "called_at", "round", "tester_id",
    "rubric_version", "total_score",
)  # fmt: skip
SCORE_COLUMNS = ("source_system", "call_id", "item_code", "points", "max_points")
BAD_POINTS = "評分項目 {column}「{value}」不是 0 到 {max:g} 之間的分數"


def _points(value: str, max_points: float) -> float | None:
    try:
        points = float(value)
    except ValueError:
        return None
    return points if 0 <= points <= max_points else None


def prepare(
    raw: pd.DataFrame, mapping: Mapping, reasons: Reasons
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(calls, scores) for every row; scores carry the frame index in ``row``."""
    col = lambda name: raw[name] if name in raw else pd.Series("", index=raw.index, dtype=object)  # noqa: E731
    out = pd.DataFrame(index=raw.index)
    out["source_system"] = mapping.source_system
    out["call_id"] = validate.required_text(col("call_id"), "測試編號", reasons)
    out["agency"] = col("agency").replace("", None)
    out["unit"] = validate.required_text(col("unit"), "受測單位", reasons)
    out["called_at"] = validate.datetime_column(
        col("called_at"), "測試時間", reasons, required=True,
        fmt=mapping.date_formats().get("called_at"),
    )  # fmt: skip
    out["round"] = validate.required_text(col("round"), "測試輪次", reasons)
    out["tester_id"] = col("tester_id").replace("", None)
    out["rubric_version"] = mapping.rubric_version
    total = pd.Series(0.0, index=raw.index)
    # Each item's points, so a re-export that moves points between items is an update.
    signature = pd.Series("", index=raw.index, dtype=object)
    parts = []
    for item in mapping.rubric:
        cells = raw["rubric:" + item.code]
        lookup = {v: _points(v, item.max_points) for v in cells.unique()}
        points = cells.map(lookup).astype("Float64")
        bad = points.isna()
        reasons.add(
            bad,
            validate.per_value(
                cells[bad],
                lambda v, i=item: BAD_POINTS.format(column=i.column, value=v, max=i.max_points),
            ),
        )
        total = total + points.fillna(0).astype(float)
        signature = signature + "|" + points.astype(object).astype(str)
        ok = points[~bad]
        parts.append(pd.DataFrame({"row": ok.index, "item_code": item.code,
                                   "points": ok.astype(float).to_numpy(), "max_points": item.max_points}))  # fmt: skip
    out["total_score"] = total.round(4)
    out["points_signature"] = signature
    return out, pd.concat(parts, ignore_index=True)
