"""Tiny hand-made rows for metric tests: plain functions over a fresh in-memory DB.

``insert_petitions`` takes dicts holding only what a test cares about, in canonical
field names (received_at, first_reply_at, due_date, unit, district, ...), and loads them
through the real loader (``etl.load.load_table`` with svcq's template mapping), so the
derived columns (due and effective due dates, working days, on-time status, reply
quality, district city, repeat gaps, monthly counts) are the loader's own, never a copy.
A row may state a derived value it expects (e.g. ``reply_working_days=3``): the fixture
checks the loader agrees, so a test's premise cannot silently drift.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

import duckdb
import pandas as pd

from etl.load import load_table
from etl.mapping import default_mapping
from etl.reader import Table
from tests.conftest import SAMPLE_DATA

# Fields a row may give, as the loader reads them from the template file.
LOADED_FIELDS = (
    "case_id", "agency", "unit", "channel", "category", "subcategory", "district",
    "received_at", "due_date", "extended_due_date", "extension_reason", "first_reply_at",
    "closed_at", "status", "reply_satisfaction", "subject",
)  # fmt: skip
# Derived values a row may state as expectations (checked after the load).
EXPECTED_FIELDS = ("reply_working_days", "on_time", "in_city", "district_city", "is_open")
# Other cities' districts the fixture's mapping knows, so tests can place a case in Taipei.
DISTRICT_LISTS = [SAMPLE_DATA / "districts" / "taipei.csv"]
SECRET = b"fixture-secret-key-of-32-bytes!!"
_counter = iter(range(10**9))


def _mapping():
    mapping = default_mapping("petitions")
    mapping.district_lists = list(DISTRICT_LISTS)
    return mapping


def insert_petitions(con: duckdb.DuckDBPyConnection, rows: Iterable[Mapping] | pd.DataFrame) -> int:
    """Load petitions through the loader; returns rows loaded. Fails if any row is rejected
    or a stated derived value differs from the loader's.

    ``petitioner_key=k`` (an int) gives the row a national ID derived from k, so rows with
    the same k share a petitioner; ``case_id`` is numbered when missing.
    """
    records = rows.to_dict("records") if isinstance(rows, pd.DataFrame) else [dict(r) for r in rows]
    mapping = _mapping()
    column = {name: spec.column for name, spec in mapping.fields.items()}
    columns = list(dict.fromkeys([*mapping.source_columns(), *mapping.personal_columns()]))
    cells, expected = [], []
    for record in records:
        record = {k: v for k, v in record.items() if v is not None}
        unknown = set(record) - set(LOADED_FIELDS) - set(EXPECTED_FIELDS) - {"petitioner_key"}
        assert not unknown, f"test bug: the fixture cannot load {unknown}"
        record.setdefault("case_id", f"C{next(_counter):07d}")
        row = dict.fromkeys(columns, "")
        for name in LOADED_FIELDS:
            if name in record:
                row[column[name]] = str(record[name])
        if "petitioner_key" in record:
            row[mapping.pii["national_id"][0]] = f"K{int(record['petitioner_key']):09d}"
        cells.append(row)
        expected.append((record["case_id"], {k: record[k] for k in EXPECTED_FIELDS if k in record}))
    frame = pd.DataFrame(cells, columns=columns, dtype=object)
    table = Table(frame=frame, row_numbers=list(range(1, len(frame) + 1)), encoding="utf-8")
    result = load_table(con, "petitions", table, mapping, SECRET, file_name="fixture.csv")
    assert result.rows_rejected == 0, f"test bug: the loader rejected rows: {result.top_reasons}"
    for case_id, wanted in expected:
        if wanted:
            names = ", ".join(wanted)  # names from EXPECTED_FIELDS only
            got = con.execute(
                f"SELECT {names} FROM petitions WHERE case_id = ?",  # noqa: S608
                [case_id],
            ).fetchall()[0]
            assert dict(zip(wanted, got, strict=True)) == wanted, f"test premise: {case_id}"
    return result.rows_loaded + result.rows_updated


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


def headline_figures(db_path) -> dict:
    """The overview's headline tiles for the latest month, for all units and for the unit
    with the most open cases, straight from the metric functions on ``db_path`` (the
    dashboard tests check that the pages show these): the numbers and the tiles' texts."""
    from metrics import freshness, summary, timeliness
    from metrics.filters import Filters

    con = duckdb.connect(str(db_path), read_only=True)
    try:
        latest = freshness.months_with_data(con, Filters())[-1]
        units = timeliness.open_cases(con, Filters(), by="unit")
        unit = units.sort_values("open", ascending=False)["unit"].iloc[0]
        whole = summary.monthly_summary(con, Filters(), month=latest).set_index("indicator")
        only = summary.monthly_summary(con, Filters(units=(unit,)), month=latest)
        only = only.set_index("indicator")
    finally:
        con.close()
    received_all = int(whole.loc["received", "value"])
    received_unit = int(only.loc["received", "value"])
    return {
        "unit": unit,
        "received_all_count": received_all,
        "received_unit_count": received_unit,
        "received_all": f"{received_all:,} 件",
        "received_unit": f"{received_unit:,} 件",
        "on_time_unit": f"{only.loc['on_time_rate', 'value'] * 100:.1f}%",
    }
