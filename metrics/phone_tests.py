"""Telephone courtesy tests (電話禮貌測試): scores by unit and round, flags, weak items, gaps.

A call's score is phone_tests.total_score: the sum of its phone_test_scores.points on
the 0-100 scale of its rubric version (phone_rubric holds items and maximum points
as data). The period applies to called_at; filters on agency and unit.
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb
import pandas as pd

from metrics import stats
from metrics._sql import UNSPECIFIED
from metrics.filters import Filters
from metrics.satisfaction import check_by

PUBLIC_METRICS = (
    "phone_scores",
    "low_score_calls",
    "weakest_items",
    "phone_round_change",
    "untested_units",
)

PHONE_FILTERS = ("agencies", "units")
PERIOD_COLUMN = "called_at"
LOW_SCORE = 60.0

# Grade bands of a score, highest first; below the last cut: 待改進.
GRADES: tuple[tuple[float, str], ...] = ((90.0, "優良"), (80.0, "良好"), (70.0, "普通"))
GRADE_LOW = "待改進"
GRADE_NONE = "無資料"

BY_COLUMNS = {
    "unit": "t.unit",
    "agency": f"coalesce(t.agency, '{UNSPECIFIED}')",
    "round": "t.round",
    "month": "strftime(t.called_at, '%Y-%m')",
    "rubric_version": "t.rubric_version",
}

SCORES_SQL = """
SELECT {select}
       count(*) AS calls,
       avg(t.total_score) AS mean_score,
       min(t.total_score) AS min_score,
       count(*) FILTER (WHERE t.total_score < ?) AS calls_below_60
FROM phone_tests t
WHERE {where}
GROUP BY ALL
HAVING count(*) > 0
ORDER BY {order}
"""

LOW_CALLS_SQL = """
SELECT t.agency, t.unit, t.call_id, t.called_at, t.round, t.tester_id, t.total_score AS score
FROM phone_tests t
WHERE {where} AND t.total_score < ?
ORDER BY t.total_score, t.called_at, t.call_id
"""

WEAKEST_SQL = """
SELECT * FROM (
    SELECT {select}
           t.rubric_version, s.item_code, ru.item_text, ru.category,
           count(*) AS calls,
           sum(s.points) AS points,
           sum(s.max_points) AS max_points,
           sum(s.points) / nullif(sum(s.max_points), 0) AS achieved_rate
    FROM phone_test_scores s
    JOIN phone_tests t ON t.source_system = s.source_system AND t.call_id = s.call_id
    LEFT JOIN phone_rubric ru
      ON ru.rubric_version = t.rubric_version AND ru.item_code = s.item_code
    WHERE {where}
    GROUP BY ALL
)
QUALIFY row_number() OVER (PARTITION BY {partition} ORDER BY achieved_rate, item_code) <= ?
ORDER BY {order} achieved_rate, rubric_version, item_code
"""

ROUND_CHANGE_SQL = """
WITH round_order AS (
    SELECT round, min(called_at) AS first_call FROM phone_tests GROUP BY round
),
per AS (
    SELECT {select} t.round,
           count(*) AS calls,
           avg(t.total_score) AS mean_score,
           bool_or({in_period}) AS in_period
    FROM phone_tests t
    WHERE {where}
    GROUP BY ALL
),
seq AS (
    SELECT per.*, ro.first_call,
           lag(per.round) OVER w AS previous_round,
           lag(per.mean_score) OVER w AS previous_mean
    FROM per JOIN round_order ro ON ro.round = per.round
    WINDOW w AS (PARTITION BY {partition} ORDER BY ro.first_call, per.round)
)
SELECT {keys} round, calls, mean_score, previous_round, previous_mean,
       mean_score - previous_mean AS change
FROM seq
WHERE in_period
ORDER BY {order} first_call, round
"""

ROUND_CHANGE_TAIL = ["previous_round", "previous_mean", "change"]

UNTESTED_SQL = """
WITH {reference},
ref AS (
    -- a unit seen without an agency is dropped when it is also seen with one
    SELECT agency, unit FROM seen
    WHERE agency IS NOT NULL OR unit NOT IN (SELECT unit FROM seen WHERE agency IS NOT NULL)
),
calls AS (
    SELECT t.agency, t.unit,
           max(t.called_at) AS last_called_at,
           arg_max(t.round, t.called_at) AS last_round,
           count(*) FILTER (WHERE {tested_where}) AS in_period
    FROM phone_tests t
    GROUP BY t.agency, t.unit
)
SELECT ref.agency, ref.unit,
       max(c.last_called_at) AS last_called_at,
       arg_max(c.last_round, c.last_called_at) AS last_round
FROM ref
LEFT JOIN calls c
  ON c.unit = ref.unit AND (ref.agency IS NULL OR c.agency IS NULL OR c.agency = ref.agency)
WHERE {ref_where}
GROUP BY ref.agency, ref.unit
HAVING coalesce(sum(c.in_period), 0) = 0
ORDER BY ref.agency NULLS LAST, ref.unit
"""

SEEN_UNITS = """seen AS (
    SELECT agency, unit FROM petitions WHERE unit IS NOT NULL GROUP BY ALL
    UNION SELECT agency, unit FROM survey_responses WHERE unit IS NOT NULL GROUP BY ALL
    UNION SELECT agency, unit FROM phone_tests GROUP BY ALL
)"""

GIVEN_UNITS = """seen AS (
    SELECT CAST(NULL AS VARCHAR) AS agency, u AS unit FROM unnest(CAST(? AS VARCHAR[])) AS x(u)
)"""


def phone_grade(score: float | None) -> str:
    """Grade of a score: 優良 ≥ 90, 良好 80-89, 普通 70-79, 待改進 < 70 (無資料 if missing)."""
    return stats.band(score, GRADES, GRADE_LOW, GRADE_NONE)


def _select(by: Sequence[str]) -> str:
    return "".join(f"{BY_COLUMNS[b]} AS {b}, " for b in by)


def phone_scores(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    *,
    by: tuple[str, ...] = ("unit",),
) -> pd.DataFrame:
    """Telephone courtesy test score (電話禮貌測試成績) per group: calls, mean, minimum, grade.

    mean_score: mean of the calls' total scores (0-100 points, whatever the rubric
    version); min_score: the lowest call; calls_below_60: calls scoring under 60;
    grade of the mean: 優良 ≥ 90, 良好 80-89, 普通 70-79, 待改進 < 70. Grain: one row per
    ``by`` group (unit, agency, round, month YYYY-MM of the call, rubric_version).
    Period on called_at; filters on agency and unit. Every loaded call counts.
    """
    by = check_by(by, tuple(BY_COLUMNS))
    where, params = filters.where(PERIOD_COLUMN, alias="t", applies=PHONE_FILTERS)
    sql = SCORES_SQL.format(
        select=_select(by),
        where=where,
        order=", ".join(f"{b} NULLS LAST" for b in by) or "1",
    )
    df = con.execute(sql, [LOW_SCORE, *params]).df()
    columns = [*by, "calls", "mean_score", "min_score", "calls_below_60", "grade"]
    if df.empty:
        return pd.DataFrame(columns=columns)
    df["grade"] = [phone_grade(s) for s in df["mean_score"]]
    return df[columns]


def low_score_calls(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    *,
    threshold: float = LOW_SCORE,
) -> pd.DataFrame:
    """Test calls scoring under ``threshold`` (60), lowest first: the calls to follow up.

    Columns agency, unit, call_id, called_at, round, tester_id, score (0-100), grade.
    Grain: one row per call. The tester appears only as tester_id. Period on
    called_at; filters on agency and unit.
    """
    where, params = filters.where(PERIOD_COLUMN, alias="t", applies=PHONE_FILTERS)
    df = con.execute(LOW_CALLS_SQL.format(where=where), [*params, float(threshold)]).df()
    df["grade"] = [phone_grade(s) for s in df["score"]]
    return df


def weakest_items(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    *,
    by: tuple[str, ...] = (),
    rubric_version: str | None = None,
    limit: int | None = None,
) -> pd.DataFrame:
    """Rubric items by share of their maximum points achieved, lowest (weakest) first.

    achieved_rate = Σ points / Σ max_points over the calls (fraction in [0, 1]);
    points and max_points are the sums; calls the calls scored on the item.
    Items are per rubric version (always a grouping column; ``rubric_version``
    restricts to one). item_text and category come from phone_rubric. Grain: one
    row per ``by`` group (unit, agency, round, month) x rubric version x item;
    ``limit`` keeps the n weakest per group. Period on called_at; filters on agency, unit.
    """
    by = check_by(by, tuple(b for b in BY_COLUMNS if b != "rubric_version"))
    if limit is not None and int(limit) < 1:
        raise ValueError(f"筆數上限須為正整數：{limit}")
    where, params = filters.where(PERIOD_COLUMN, alias="t", applies=PHONE_FILTERS)
    if rubric_version is not None:
        where += " AND t.rubric_version = ?"
        params = [*params, rubric_version]
    sql = WEAKEST_SQL.format(
        select=_select(by),
        where=where,
        partition=", ".join([*by, "rubric_version"]),
        order="".join(f"{b} NULLS LAST, " for b in by),
    )
    cap = int(limit) if limit is not None else 2**31 - 1
    return con.execute(sql, [*params, cap]).df()


def phone_round_change(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    *,
    by: tuple[str, ...] = ("unit",),
) -> pd.DataFrame:
    """Improvement between test rounds: each group's round mean against its previous round.

    Rounds are ordered by their first call. A round is listed when any of its calls
    falls in the period; means cover whole rounds (all their calls). previous_round is
    the group's own latest earlier round, looked up outside the period too, so a unit
    that skipped a round is compared with the one before; change = mean_score -
    previous_mean in points (NaN for a first round). Grain: one row per ``by`` group
    (unit, agency) x round; grade of the round mean as in ``phone_scores``. Filters
    on agency and unit.
    """
    by = check_by(by, ("unit", "agency"))
    dims_where, dims_params = filters.with_period(None, None).where(
        None, alias="t", applies=PHONE_FILTERS
    )
    period_where, period_params = Filters(filters.start, filters.end).where(
        PERIOD_COLUMN, alias="t", applies=()
    )
    sql = ROUND_CHANGE_SQL.format(
        select=_select(by),
        in_period=period_where,
        where=dims_where,
        partition=", ".join(f"per.{b}" for b in by) or "TRUE",
        keys="".join(f"{b}, " for b in by),
        order="".join(f"{b} NULLS LAST, " for b in by),
    )
    df = con.execute(sql, [*period_params, *dims_params]).df()
    df["grade"] = [phone_grade(s) for s in df["mean_score"]]
    return df[[*by, "round", "calls", "mean_score", "grade", *ROUND_CHANGE_TAIL]]


def untested_units(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    *,
    units: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Units with no telephone test call in the period (未受測單位), with their last test.

    Reference list: ``units`` if given, else every (agency, unit) seen in petitions,
    survey_responses or phone_tests at any time. A unit is tested when a call with
    its name (and its agency, when both sides know one) falls in the period and
    passes the agency/unit filters. Columns agency, unit, last_called_at and
    last_round (the latest test ever, NaT/None if never tested). Grain: one row per
    untested unit.
    """
    ref_filters = filters if units is None else Filters(units=filters.units)
    ref_where, ref_params = ref_filters.where(None, alias="ref", applies=PHONE_FILTERS)
    tested_where, tested_params = filters.where(PERIOD_COLUMN, alias="t", applies=PHONE_FILTERS)
    reference = SEEN_UNITS if units is None else GIVEN_UNITS
    given = [] if units is None else [list(dict.fromkeys(units))]
    sql = UNTESTED_SQL.format(reference=reference, ref_where=ref_where, tested_where=tested_where)
    return con.execute(sql, [*given, *tested_params, *ref_params]).df()
