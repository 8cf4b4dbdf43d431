"""Every cell of a stored rejected row is masked, whatever column it landed in.

Personal data seeded where the mapping does not expect it (a name, a mobile number
and an ID number in a column that is not a personal-data column; a row one field
short or long, which shifts the name into the subject's place) must not be found
in clear anywhere in ``rejects``; the cells that identify the row (case id,
district) stay readable. ``mask_cells`` is also checked against the plain rule it
speeds up: each cell through ``pii.mask_text`` with the row's personal cells.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from etl import pii
from etl.load import load_file
from etl.rejects import _FULL_WIDTH, MASKED, mask_cells
from etl.text import halfwidth
from tests.template_files import PETITION_COLUMNS, petition, write_rows

NAME, MOBILE, NATIONAL_ID = "林美玲", "0912-345-678", "A123456789"
SECRETS = (NAME, MOBILE, "0912345678", NATIONAL_ID, "wang@example.com", "光復路二段132號")
PERSONAL = {  # the template's personal-data columns, as its [pii] table names them
    "陳情人姓名": NAME,
    "身分證字號": NATIONAL_ID,
    "聯絡電話": MOBILE,
    "電子郵件": "wang@example.com",
    "聯絡地址": "高雄市鳳山區光復路二段132號",
}


def _rejects(db: Path) -> list[tuple[int, str, str]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("SELECT row_number, raw, reason FROM rejects ORDER BY 1").fetchall()
    finally:
        con.close()


def _assert_no_secret(rows: list[tuple[int, str, str]]) -> None:
    for number, raw, reason in rows:
        cells = json.loads(raw)
        for secret in SECRETS:
            assert secret not in raw and secret not in reason, (number, secret, raw)
            for value in cells.values():
                assert secret not in value, (number, secret, value)


def test_personal_data_in_a_column_that_is_not_personal_is_masked(tmp_path, db_path):
    good = petition("G1", "2025-03-03 09:00:00")
    bad = petition(
        "B1",
        "不是日期",
        展延原因=f"{NAME}來電 {MOBILE}，身分證 {NATIONAL_ID}",  # not a personal-data column
        陳情主旨=f"請{NAME}回電，路燈故障",
        **PERSONAL,
    )
    path = write_rows(tmp_path / "p.csv", PETITION_COLUMNS, [good, bad])
    result = load_file(db_path, "petitions", path)
    assert (result.rows_loaded, result.rows_rejected) == (1, 1)
    rows = _rejects(db_path)
    _assert_no_secret(rows)
    [(number, raw, _)] = rows
    cells = json.loads(raw)
    assert number == 2 and cells["案件編號"] == "B1" and cells["行政區"] == "鳳山區"
    assert "路燈故障" in cells["陳情主旨"] and "來電" in cells["展延原因"]
    assert all(cells[c] == MASKED for c in PERSONAL)


def _line(cells: list[str]) -> str:
    return ",".join(cells) + "\n"


def test_rows_one_field_short_or_long_are_masked_in_every_cell(tmp_path, db_path):
    full = petition("B1", "2025-03-03 09:00:00", 陳情主旨="路燈故障", **PERSONAL)
    cells = [full.get(c, "") for c in PETITION_COLUMNS]
    short = [c for i, c in enumerate(cells) if i != PETITION_COLUMNS.index("案件子類別")]
    short[0] = "B2"
    long = list(cells)
    long[0] = "B3"
    long[PETITION_COLUMNS.index("陳情主旨")] = "路燈故障,已三天"  # an unquoted comma
    long = ",".join(long).split(",")
    # By header position the name now sits in the subject's place (short row), and the
    # address past the last column (long row): neither is a personal-data column.
    assert short[PETITION_COLUMNS.index("陳情主旨")] == NAME
    assert long[len(PETITION_COLUMNS)] == PERSONAL["聯絡地址"]
    path = tmp_path / "p.csv"
    path.write_text(
        _line(PETITION_COLUMNS) + _line(cells) + _line(short) + _line(long), encoding="utf-8"
    )
    result = load_file(db_path, "petitions", path)
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (3, 1, 2)
    rows = _rejects(db_path)
    assert [r[0] for r in rows] == [2, 3]
    _assert_no_secret(rows)
    short_cells, long_cells = (json.loads(r[1]) for r in rows)
    # What identifies the row, far from the shifted personal cells, stays readable.
    assert short_cells["案件編號"] == "B2" and long_cells["案件編號"] == "B3"
    assert long_cells["第22欄"] == MASKED  # the address, pushed past the header


def test_a_long_malformed_file_is_masked_row_by_row(tmp_path, db_path):
    """Masking works in bulk: every row short by one field, early stopping off."""
    path = tmp_path / "p.csv"
    lines = [_line(PETITION_COLUMNS)]
    for i in range(300):
        row = petition(f"B{i}", "2025-03-03 09:00:00", **PERSONAL)
        cells = [row.get(c, "") for c in PETITION_COLUMNS]
        del cells[PETITION_COLUMNS.index("案件子類別")]
        lines.append(_line(cells))
    path.write_text("".join(lines), encoding="utf-8")
    result = load_file(db_path, "petitions", path, stop_early=False)
    assert result.rows_rejected == 300
    rows = _rejects(db_path)
    assert len(rows) == 300
    _assert_no_secret(rows)


# ---------------------------------------------------------------- the bulk masker


ALPHABET = list("林美玲陳志明王 0912345678-@a.bcA號路樓，０９")
PIECES = ["林美玲", "王", "0912345678", "０９１２３４５６７８", "07-1234567", "a@b.cc", "A123456789",
          "光復路3號", "路燈", "，", " ", "12"]  # fmt: skip
cell = st.one_of(
    st.text(alphabet=ALPHABET, max_size=14),
    st.lists(st.sampled_from(PIECES), max_size=3).map("".join),
)


@settings(
    max_examples=200, deadline=None, derandomize=True, database=None,
    suppress_health_check=[HealthCheck.too_slow],
)  # fmt: skip
@given(
    rows=st.lists(st.lists(cell, min_size=4, max_size=4), min_size=1, max_size=8),
    personal=st.sets(st.integers(0, 3), max_size=3),
)
def test_mask_cells_equals_masking_each_cell_with_its_rows_personal_cells(rows, personal):
    columns = [np.array(col, dtype=object) for col in zip(*rows, strict=True)]
    got = mask_cells(columns, personal)
    for r, row in enumerate(rows):
        known = tuple(row[p] for p in sorted(personal) if row[p])
        for i, value in enumerate(row):
            want = (MASKED if value else "") if i in personal else pii.mask_text(value, known)
            assert got[i][r] == want, (row, i)


def test_the_full_width_pre_check_finds_every_character_halfwidth_converts():
    chars = [chr(c) for c in range(0x10000) if not 0xD800 <= c <= 0xDFFF]
    found = pc.match_substring_regex(pa.array(chars), _FULL_WIDTH).to_pylist()
    assert [c for c, f in zip(chars, found, strict=True) if f] == [
        c for c in chars if halfwidth(c) != c
    ]
