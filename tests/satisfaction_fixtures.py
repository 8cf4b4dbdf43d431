"""Tiny hand-made survey and phone-test rows for metric tests: plain functions, no pytest.

Each function inserts into a database made by ``etl.database.memory_db()`` only what a
test cares about, filling the bookkeeping columns (row_hash, batch_id) itself.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

import duckdb

# Label -> score as the loader stores it (NULL for non-substantive answers).
ANSWER_SCORES: dict[str, int | None] = {
    "非常滿意": 5,
    "滿意": 4,
    "普通": 3,
    "不滿意": 2,
    "非常不滿意": 1,
    "無意見": None,
    "不知道": None,
    "拒答": None,
    "未答": None,
}
SCORE_LABELS = {score: label for label, score in ANSWER_SCORES.items() if score is not None}

# Three scale items and the overall item: enough for dimensions and alpha.
SURVEY_ITEMS: tuple[tuple[str, str, str], ...] = (
    ("ENV1", "洽公場所整潔明亮", "洽公環境"),
    ("ETQ1", "服務人員態度親切有禮", "服務禮儀"),
    ("PRO1", "服務人員專業知識充足", "服務專業性"),
    ("OVR", "整體而言，對本機關的服務滿意程度", "整體"),
)

# A 100-point rubric of three items.
RUBRIC: tuple[tuple[str, str, str, float], ...] = (
    ("SPD", "鈴響四聲內接聽", "接聽速度", 40.0),
    ("GRT", "使用問候語並報明單位", "電話禮貌", 30.0),
    ("COR", "答覆內容正確", "服務內容", 30.0),
)


def add_survey_items(
    con: duckdb.DuckDBPyConnection, items: Sequence[tuple[str, str, str]] = SURVEY_ITEMS
) -> None:
    con.executemany(
        "INSERT INTO survey_items VALUES (?, ?, ?, ?, ?)",
        [[code, text, dim, dim == "整體", n] for n, (code, text, dim) in enumerate(items)],
    )


def add_respondent(
    con: duckdb.DuckDBPyConnection,
    wave: str,
    respondent_id: str,
    answers: Mapping[str, str | int],
    *,
    agency: str | None = "鳳山區公所",
    unit: str | None = "民政課",
    mode: str | None = "臨櫃",
    district: str | None = "鳳山區",
    sex: str | None = None,
    age_group: str | None = None,
    responded_on: dt.date | str | None = None,
    source_system: str = "test",
) -> None:
    """One respondent and their answers: item code -> label (滿意, 無意見, ...) or score 1-5."""
    con.execute(
        "INSERT INTO survey_responses VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'h', 0)",
        [
            source_system,
            wave,
            respondent_id,
            agency,
            unit,
            mode,
            district,
            None if district is None else True,
            sex,
            age_group,
            responded_on,
        ],
    )
    rows = []
    for item, answer in answers.items():
        label = SCORE_LABELS[answer] if isinstance(answer, int) else answer
        rows.append([source_system, wave, respondent_id, item, ANSWER_SCORES[label], label])
    if rows:
        con.executemany("INSERT INTO survey_answers VALUES (?, ?, ?, ?, ?, ?)", rows)


def add_overall_answers(
    con: duckdb.DuckDBPyConnection,
    wave: str,
    counts: Mapping[str, int],
    *,
    item: str = "OVR",
    prefix: str | None = None,
    **respondent: object,
) -> int:
    """``counts[label]`` respondents answering ``label`` on one item; returns respondents added."""
    prefix = prefix or f"{wave}-{respondent.get('unit', '民政課')}"
    added = 0
    for label, count in counts.items():
        for _ in range(count):
            add_respondent(con, wave, f"{prefix}-{added:04d}", {item: label}, **respondent)
            added += 1
    return added


def add_score_matrix(
    con: duckdb.DuckDBPyConnection,
    wave: str,
    items: Sequence[str],
    matrix: Sequence[Sequence[int | str]],
    **respondent: object,
) -> None:
    """One respondent per row of ``matrix``: scores (or labels) for ``items`` in order."""
    for i, row in enumerate(matrix):
        add_respondent(
            con, wave, f"{wave}-M{i:04d}", dict(zip(items, row, strict=True)), **respondent
        )


def add_rubric(
    con: duckdb.DuckDBPyConnection,
    version: str = "v1",
    items: Sequence[tuple[str, str, str, float]] = RUBRIC,
) -> None:
    con.executemany(
        "INSERT INTO phone_rubric VALUES (?, ?, ?, ?, ?)", [[version, *i] for i in items]
    )


def add_call(
    con: duckdb.DuckDBPyConnection,
    call_id: str,
    unit: str,
    called_at: str | dt.datetime,
    round_: str,
    points: Mapping[str, float],
    *,
    agency: str | None = "鳳山區公所",
    tester_id: str | None = "T01",
    rubric_version: str = "v1",
    source_system: str = "test",
) -> float:
    """One test call scored item by item (max points from phone_rubric); returns its total."""
    maxima = dict(
        con.execute(
            "SELECT item_code, max_points FROM phone_rubric WHERE rubric_version = ?",
            [rubric_version],
        ).fetchall()
    )
    total = float(sum(points.values()))
    con.execute(
        "INSERT INTO phone_tests VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'h', 0)",
        [source_system, call_id, agency, unit, called_at, round_, tester_id, rubric_version, total],
    )
    con.executemany(
        "INSERT INTO phone_test_scores VALUES (?, ?, ?, ?, ?)",
        [[source_system, call_id, item, float(p), maxima[item]] for item, p in points.items()],
    )
    return total
