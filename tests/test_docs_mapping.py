"""The worked example of docs/mapping.md, run as written: its CSV, district list and
mapping are taken from the page's code blocks, loaded, and checked against what the page
says happens."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import duckdb

from etl.load import load_file
from metrics import timeliness, types
from metrics.filters import Filters

DOC = Path(__file__).resolve().parent.parent / "docs" / "mapping.md"


def _blocks() -> list[tuple[str, str]]:
    text = DOC.read_text(encoding="utf-8").split("## A worked example", 1)[1]
    return re.findall(r"```(\w+)\n(.*?)```", text, flags=re.S)


def test_the_worked_example_loads_as_the_page_says(tmp_path):
    csvs = [body for lang, body in _blocks() if lang == "csv"]
    mapping = next(body for lang, body in _blocks() if lang == "toml")
    (tmp_path / "cases-2018.csv").write_text(csvs[0], encoding="utf-8")
    (tmp_path / "sf-neighborhoods.csv").write_text(csvs[1], encoding="utf-8")
    (tmp_path / "sf-311.toml").write_text(mapping, encoding="utf-8")
    db = tmp_path / "svcq.duckdb"
    result = load_file(db, "petitions", tmp_path / "cases-2018.csv",
                       mapping_path=tmp_path / "sf-311.toml")  # fmt: skip
    assert (result.rows_loaded, result.rows_rejected) == (2, 0)

    older = tmp_path / "older.csv"
    header, *rows = csvs[0].splitlines()
    keep = [i for i, c in enumerate(header.split(",")) if c != "Closed"]
    older.write_text("\n".join(",".join(line.split(",")[i] for i in keep)
                               for line in [header, *rows]) + "\n", encoding="utf-8")  # fmt: skip
    again = load_file(tmp_path / "older.duckdb", "petitions", older,
                      mapping_path=tmp_path / "sf-311.toml")  # fmt: skip
    assert again.rows_rejected == 0 and again.absent_columns == ["Closed"]

    con = duckdb.connect(str(db), read_only=True)
    try:
        stored = con.execute(
            "SELECT case_id, district, in_city, channel, received_at FROM petitions ORDER BY 1"
        ).fetchall()
        everything = " ".join(str(r) for r in con.execute("SELECT * FROM petitions").fetchall())
        open_row = timeliness.open_cases(con, Filters()).iloc[0]
        by_district = types.type_counts(con, Filters(), by="district")
    finally:
        con.close()
    assert [(r[0], r[1], r[2], r[3]) for r in stored] == [
        ("1001", "Mission District", False, "電話"),
        ("1002", "Outer Sunset", False, "網路"),
    ]
    assert stored[0][4] == dt.datetime(2018, 1, 1, 0, 0, 9)
    for secret in ("Valencia", "37.7599", "-122.4214", "Jane Doe"):
        assert secret not in everything
    # case 1002 has no closure: open as of the latest date the data speaks for, 1001's closure
    assert open_row["as_of"].date() == dt.date(2018, 1, 2) and open_row["open"] == 1
    assert set(by_district["district"]) == {"Mission District", "Outer Sunset"}
    assert not by_district["in_city"].any()
