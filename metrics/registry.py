"""Which metric functions exist, by family, for the CLI and the docs check.

A family is a list of modules; each module names its public functions in
``PUBLIC_METRICS``. The first function of a family is its default.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable

FAMILIES: dict[str, tuple[str, ...]] = {
    "timeliness": ("metrics.timeliness",),
    "regional": ("metrics.regional",),
    "types": ("metrics.types", "metrics.spikes"),
    "satisfaction": ("metrics.satisfaction", "metrics.reliability", "metrics.reply_satisfaction"),
    "phone-tests": ("metrics.phone_tests",),
    "scorecard": ("metrics.scorecard", "metrics.funnel"),
    "data-status": ("metrics.data_status",),
    "summary": ("metrics.summary",),
}


def functions(family: str) -> dict[str, Callable]:
    """The public metric functions of a family, in declaration order."""
    if family not in FAMILIES:
        raise ValueError(f"沒有「{family}」這個指標類別；可用：{'、'.join(FAMILIES)}")
    found: dict[str, Callable] = {}
    for name in FAMILIES[family]:
        module = importlib.import_module(name)  # a missing dependency must fail, not hide a family
        for fn_name in getattr(module, "PUBLIC_METRICS", ()):
            found[fn_name] = getattr(module, fn_name)
    return found


def all_functions() -> dict[str, Callable]:
    out: dict[str, Callable] = {}
    for family in FAMILIES:
        out.update(functions(family))
    return out


def accepts(fn: Callable, parameter: str) -> bool:
    return parameter in inspect.signature(fn).parameters


# Whether a bigger figure is better, for every public metric whose figure has a direction
# (said beside its definition on the dashboard). "neither": counts and shares describe,
# they do not judge; "mixed": a table of several figures.
DIRECTION: dict[str, str] = {
    "on_time_rate": "higher", "reply_days": "lower", "reply_day_counts": "lower",
    "open_cases": "lower", "overdue_aging": "lower", "extensions": "lower",
    "district_counts": "neither", "category_by_district": "neither",
    "type_counts": "neither", "type_changes": "neither", "top_categories": "neither",
    "repeat_petitions": "lower", "spikes": "lower",
    "survey_satisfaction": "higher", "satisfaction_change": "higher",
    "satisfaction_trend": "higher", "survey_reliability": "higher",
    "reply_satisfaction": "higher",
    "phone_scores": "higher", "low_score_calls": "lower", "weakest_items": "higher",
    "phone_round_change": "higher", "untested_units": "lower",
    "unit_scorecard": "mixed", "funnel": "mixed", "monthly_summary": "mixed",
    "load_batches": "neither", "reject_rules": "lower", "monthly_volume": "neither",
    "outside_city": "neither", "calendar_status": "neither",
}  # fmt: skip
