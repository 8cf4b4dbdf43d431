"""Names with Latin word spaces survive the whole path: a districts list, a mapping, the
load, a filter and the output (San Francisco is not stored as SanFrancisco)."""

from __future__ import annotations

import duckdb
from typer.testing import CliRunner

from cli.main import app
from etl.load import load_file
from etl.text import place_name
from metrics import regional
from metrics.filters import Filters

LIST = "district,city\nMission District,San Francisco\nOuter Sunset,San Francisco\n"
MAPPING = """
kind = "petitions"
source_system = "sf-311"
[districts]
lists = ["sf.csv"]
[fields]
case_id = "CaseID"
received_at = "Opened"
district = "Neighborhood"
category = "Category"
"""
ROWS = [
    ("1", "2025-03-03 09:00:00", "Mission District", "Street and Sidewalk Cleaning"),
    ("2", "2025-03-03 10:00:00", "Mission  District", "Street and Sidewalk Cleaning"),
    ("3", "2025-03-04 10:00:00", "mission district", "Graffiti"),
    ("4", "2025-03-04 11:00:00", "San Francisco Outer Sunset", "Graffiti"),
    ("5", "2025-03-04 12:00:00", "鳳山 區", "Graffiti"),
]


def _setup(tmp_path):
    (tmp_path / "sf.csv").write_text(LIST, encoding="utf-8")
    (tmp_path / "sf.toml").write_text(MAPPING, encoding="utf-8")
    lines = ["CaseID,Opened,Neighborhood,Category"] + [",".join(r) for r in ROWS]
    data = tmp_path / "cases.csv"
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return data, tmp_path / "sf.toml"


def test_place_names_keep_latin_spaces_and_drop_cjk_spacing():
    assert place_name("San  Francisco ") == "San Francisco"
    assert place_name("高雄市 鳳山 區") == "高雄市鳳山區"
    assert place_name("Mission District") == "Mission District"


def test_multi_word_districts_load_filter_and_print_by_their_names(tmp_path):
    data, mapping = _setup(tmp_path)
    db_path = tmp_path / "svcq.duckdb"
    result = load_file(db_path, "petitions", data, mapping_path=mapping)
    assert (result.rows_loaded, result.rows_rejected) == (5, 0)
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        stored = dict(
            con.execute("SELECT district, count(*) FROM petitions GROUP BY 1 ORDER BY 1").fetchall()
        )
        assert stored == {"Mission District": 3, "Outer Sunset": 1, "鳳山區": 1}
        cities = dict(con.execute("SELECT district, district_city FROM petitions").fetchall())
        assert cities["Mission District"] == "San Francisco"
        frame = regional.district_counts(con, Filters(districts=("Mission District",)))
        assert list(frame["district"]) == ["Mission District"]
        assert list(frame["cases"]) == [3]
        assert not frame["in_city"].iloc[0]
    finally:
        con.close()
    out = CliRunner().invoke(
        app,
        ["metrics", "types", "--by", "district", "--district", "Mission District",
         "--format", "csv", "--db", str(db_path)],
    )  # fmt: skip
    assert out.exit_code == 0, out.output
    assert "Mission District,False,3" in out.output
