"""Grouping by district: every metric that takes ``by`` either shows each district by its
name with in_city beside it, with counts that match the data, or refuses in plain words.

The data, by hand: petitions received 2026-01-05, 鳳山區 3 (replied next day, rated 5),
Taipei's 中正區 2 (replied next day), one without a district (open, due 30 calendar days
later, so overdue at the end of March); survey respondents in wave 2026Q1: 鳳山區 2 and
中正區 1 (marked outside the city), each answering the overall item.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from metrics_fixtures import insert_petitions, petition
from satisfaction_fixtures import add_respondent, add_survey_items

from etl.database import memory_db
from metrics import registry
from metrics.filters import Filters

Q1 = Filters(dt.date(2026, 1, 1), dt.date(2026, 3, 31))
FENGSHAN, ZHONGZHENG, NONE = ("鳳山區", True), ("中正區", False), ("未填行政區", None)

# metric -> (count column, {(district, in_city): count}) expected over Q1
EXPECTED = {
    "on_time_rate": ("replied", {FENGSHAN: 3, ZHONGZHENG: 2}),
    "reply_days": ("replied", {FENGSHAN: 3, ZHONGZHENG: 2}),
    "reply_day_counts": ("cases", {FENGSHAN: 3, ZHONGZHENG: 2}),
    "open_cases": ("open", {NONE: 1}),
    "overdue_aging": ("overdue_open", {NONE: 1}),
    "extensions": ("cases", {FENGSHAN: 3, ZHONGZHENG: 2, NONE: 1}),
    "type_counts": ("cases", {FENGSHAN: 3, ZHONGZHENG: 2, NONE: 1}),
    "type_changes": ("cases", {FENGSHAN: 3, ZHONGZHENG: 2, NONE: 1}),  # summed over months
    "top_categories": ("cases", {FENGSHAN: 3, ZHONGZHENG: 2, NONE: 1}),
    "funnel": ("n", {FENGSHAN: 3, ZHONGZHENG: 2}),  # on-time rate: n = replied
    "repeat_petitions": ("cases", {FENGSHAN: 3, ZHONGZHENG: 2, NONE: 1}),
    "reply_satisfaction": ("cases", {FENGSHAN: 3, ZHONGZHENG: 2, NONE: 1}),
    "survey_satisfaction": ("n", {FENGSHAN: 2, ZHONGZHENG: 1}),
    "satisfaction_trend": ("n", {FENGSHAN: 2, ZHONGZHENG: 1}),
}
# metrics whose result has no count per district to check (or none in this data)
NO_COUNTS = {"satisfaction_change"}  # needs two waves; with one, no rows (columns checked)


@pytest.fixture(scope="module")
def con():
    connection = memory_db()
    rows = [
        *[petition("2026-01-05 09:00", replied_at="2026-01-06 10:00", district="鳳山區",
                   reply_satisfaction=5) for _ in range(3)],
        *[petition("2026-01-05 09:00", replied_at="2026-01-06 10:00", district="中正區",
                   in_city=False) for _ in range(2)],
        petition("2026-01-05 09:00"),
    ]  # fmt: skip
    insert_petitions(connection, rows)
    add_survey_items(connection)
    for i, district in enumerate(["鳳山區", "鳳山區", "中正區"]):
        add_respondent(connection, "2026Q1", f"R{i}", {"OVR": 5}, district=district,
                       responded_on="2026-02-01")  # fmt: skip
    connection.execute("UPDATE survey_responses SET in_city = FALSE WHERE district = '中正區'")
    yield connection
    connection.close()


def _labelled(frame: pd.DataFrame, column: str) -> dict:
    out: dict = {}
    for rec in frame.to_dict("records"):
        key = (rec["district"], None if pd.isna(rec["in_city"]) else bool(rec["in_city"]))
        out[key] = out.get(key, 0) + int(rec[column])
    return {k: v for k, v in out.items() if v}


GROUPED = sorted(
    name for name, fn in registry.all_functions().items() if registry.accepts(fn, "by")
)


@pytest.mark.parametrize("name", GROUPED)
def test_every_metric_groups_by_district_by_name_or_refuses_in_plain_words(con, name):
    fn = registry.all_functions()[name]
    try:
        frame = fn(con, Q1, by="district" if name == "top_categories" else ("district",))
    except ValueError as exc:
        assert any("\u4e00" <= ch <= "\u9fff" for ch in str(exc)), str(exc)
        assert name not in EXPECTED, f"{name} should group by district"
        return
    columns = list(frame.columns)
    assert columns[columns.index("district") + 1] == "in_city"
    if name in NO_COUNTS:
        return
    column, expected = EXPECTED[name]
    assert _labelled(frame, column) == expected


def test_the_list_of_grouping_metrics_is_covered():
    # a new metric with by= must be added to EXPECTED (or NO_COUNTS, or refuse)
    refusing = {"survey_reliability", "phone_scores", "weakest_items", "phone_round_change",
                "category_by_district"}  # fmt: skip
    assert set(GROUPED) == set(EXPECTED) | NO_COUNTS | refusing
