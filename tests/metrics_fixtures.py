"""Tiny hand-made rows for metric tests: plain functions over a fresh in-memory DB.

``insert_petitions`` takes dicts (or a DataFrame) holding only what a test cares
about. The derived columns the loader computes (received_date, effective_due_date,
replied_date, is_open, reply_working_days, on_time, reply_quality, in_city) are computed
here the same way, in SQL over the office calendar, unless a row gives them explicitly.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

import duckdb
import pandas as pd

from etl.petitions import ALL_MONTHS, ALL_PAIRS, MONTHLY_SQL, REPEAT_GAP_SQL, REPLY_QUALITY_SQL

PETITION_TYPES = {
    "source_system": "VARCHAR",
    "case_id": "VARCHAR",
    "agency": "VARCHAR",
    "unit": "VARCHAR",
    "channel": "VARCHAR",
    "category": "VARCHAR",
    "subcategory": "VARCHAR",
    "district": "VARCHAR",
    "district_city": "VARCHAR",
    "in_city": "BOOLEAN",
    "received_at": "TIMESTAMP",
    "received_date": "DATE",
    "limit_days": "INTEGER",
    "limit_unit": "VARCHAR",
    "due_date": "DATE",
    "extended_due_date": "DATE",
    "extension_reason": "VARCHAR",
    "effective_due_date": "DATE",
    "first_reply_at": "TIMESTAMP",
    "closed_at": "TIMESTAMP",
    "replied_date": "DATE",
    "status": "VARCHAR",
    "is_open": "BOOLEAN",
    "reply_working_days": "INTEGER",
    "on_time": "BOOLEAN",
    "reply_quality": "SMALLINT",
    "reply_satisfaction": "SMALLINT",
    "petitioner_key": "UBIGINT",
    "subject_masked": "VARCHAR",
    "row_hash": "VARCHAR",
    "batch_id": "INTEGER",
}

# What the loader would compute when a row does not say. {c} is the typed input value.
DERIVED = {
    "source_system": "'test'",
    "received_date": "CAST(received_at AS DATE)",
    "effective_due_date": "coalesce(extended_due_date, due_date)",
    "replied_date": "CAST(coalesce(first_reply_at, closed_at) AS DATE)",
    "is_open": "first_reply_at IS NULL AND closed_at IS NULL",
    "in_city": "CASE WHEN district IS NOT NULL THEN TRUE END",
    "district_city": "CASE WHEN district IS NOT NULL THEN '高雄市' END",
    "row_hash": "'h'",
    "batch_id": "0",
}

INSERT_SQL = """
INSERT INTO petitions ({columns})
WITH typed AS (SELECT {typed} FROM fixture_rows),
step1 AS (SELECT * REPLACE ({derived}) FROM typed),
step2 AS (
  SELECT s.* REPLACE (
    coalesce(s.reply_working_days, rd.working_day_index - rc.working_day_index)
      AS reply_working_days,
    coalesce(s.on_time, CASE WHEN NOT s.is_open THEN s.replied_date <= s.effective_due_date END)
      AS on_time)
  FROM step1 s
  LEFT JOIN calendar rc ON rc.day = s.received_date
  LEFT JOIN calendar rd ON rd.day = s.replied_date
)
SELECT {columns}
FROM (SELECT * REPLACE (coalesce(reply_quality, {reply_quality}) AS reply_quality) FROM step2)
"""


def insert_petitions(con: duckdb.DuckDBPyConnection, rows: Iterable[Mapping] | pd.DataFrame) -> int:
    """Insert petitions; missing case_id values are numbered. Returns rows inserted."""
    frame = rows.copy() if isinstance(rows, pd.DataFrame) else pd.DataFrame(list(rows))
    if "case_id" not in frame.columns:
        frame["case_id"] = [f"C{i:06d}" for i in range(len(frame))]
    for column in PETITION_TYPES:
        if column not in frame.columns:
            frame[column] = None
    frame = frame[list(PETITION_TYPES)].astype(object)
    frame = frame.where(frame.notna(), None).map(lambda v: None if v is None else str(v))
    typed = ", ".join(f"CAST({c} AS {t}) AS {c}" for c, t in PETITION_TYPES.items())
    derived = ", ".join(f"coalesce({c}, {expr}) AS {c}" for c, expr in DERIVED.items())
    columns = ", ".join(PETITION_TYPES)
    con.register("fixture_rows", frame)
    try:
        con.execute(
            INSERT_SQL.format(
                columns=columns, typed=typed, derived=derived, reply_quality=REPLY_QUALITY_SQL
            )
        )
        con.execute(REPEAT_GAP_SQL.format(scope=ALL_PAIRS))  # as the loader does after a load
        con.execute(MONTHLY_SQL.format(**ALL_MONTHS))
    finally:
        con.unregister("fixture_rows")
    return len(frame)


def set_population(
    con: duckdb.DuckDBPyConnection,
    figures: Mapping[str, int],
    as_of: dt.date = dt.date(2024, 12, 31),
    source: str = "測試用虛構人口",
) -> None:
    con.executemany(
        "INSERT INTO district_population VALUES (?, ?, ?, ?)",
        [(d, n, as_of, source) for d, n in figures.items()],
    )


def petition(
    received_at: str,
    *,
    replied_at: str | None = None,
    due: str | None = None,
    **fields,
) -> dict:
    """One petition row: ``replied_at`` fills first_reply_at; ``due`` fills due_date."""
    row = {"received_at": received_at, "first_reply_at": replied_at, "due_date": due}
    row.update(fields)
    return row


OVERALL_ITEM = "Q_ALL"


def insert_survey(
    con: duckdb.DuckDBPyConnection,
    answers: Iterable[tuple[str, str, str, str, int | None, str]],
) -> None:
    """Survey answers to the one overall item: (wave, respondent_id, unit, responded_on,
    score, answer). Respondents are created once per (wave, respondent_id)."""
    con.execute(
        "INSERT OR IGNORE INTO survey_items VALUES (?, ?, ?, TRUE, 0)",
        [OVERALL_ITEM, "整體而言，您對本單位的服務滿意嗎？", "整體"],
    )
    answers = list(answers)
    respondents = {(w, r): (u, d) for w, r, u, d, _, _ in answers}
    con.executemany(
        "INSERT INTO survey_responses VALUES ('test', ?, ?, NULL, ?, '臨櫃', NULL, NULL, NULL,"
        " NULL, CAST(? AS DATE), 'h', 0)",
        [(w, r, u, d) for (w, r), (u, d) in respondents.items()],
    )
    con.executemany(
        "INSERT INTO survey_answers VALUES ('test', ?, ?, ?, ?, ?)",
        [(w, r, OVERALL_ITEM, s, a) for w, r, _, _, s, a in answers],
    )


def insert_phone_calls(
    con: duckdb.DuckDBPyConnection, calls: Iterable[tuple[str, str, str, float]]
) -> None:
    """Test calls with their total score: (unit, called_at, round, total_score)."""
    con.executemany(
        "INSERT INTO phone_tests VALUES ('test', ?, NULL, ?, CAST(? AS TIMESTAMP), ?, NULL,"
        " 'v1', ?, 'h', 0)",
        [(f"P{i:04d}", u, at, rnd, s) for i, (u, at, rnd, s) in enumerate(calls)],
    )


_SAMPLES: dict[float, tuple] = {}


def sample_database(tmp_path_factory, scale: float = 0.02) -> tuple:
    """(database path, SampleFiles): the seeded sample generated and loaded once per session."""
    if scale not in _SAMPLES:
        from etl.load import load_file
        from etl.samplegen import generate

        root = tmp_path_factory.mktemp(f"sample-{scale}")
        files = generate(root / "files", scale=scale, variants=False)
        db_path = root / "svcq.duckdb"
        for kind, path in (
            ("petitions", files.petitions),
            ("surveys", files.surveys),
            ("phone-tests", files.phone_tests),
        ):
            load_file(db_path, kind, path)
        _SAMPLES[scale] = (db_path, files)
    return _SAMPLES[scale]
