"""CSV and XLSX exports are safe to open in a spreadsheet (OWASP CSV injection): text that
would start a formula is quoted, numbers stay numbers. Cells written by hand, read back
with the csv module and openpyxl (not with the code under test)."""

from __future__ import annotations

import csv
import io
import math
import re

import openpyxl
import pandas as pd
import pytest

from reports.tables import csv_text, html_table, safe_cell, write_csv, write_xlsx
from tests.html_tables import read_tables

# (cell as written into the frame, what a spreadsheet must receive)
CELLS = [
    ("hyperlink", '=HYPERLINK("http://evil.example","點我")', '\'=HYPERLINK("http://evil.example","點我")'),
    ("plus", "+SUM(1+1)", "'+SUM(1+1)"),
    ("at", "@SUM(1)", "'@SUM(1)"),
    ("minus-formula", "-1+2", "'-1+2"),
    ("carriage-return", "\r=1+2", "'\r=1+2"),
    ("tab", "\t=1+2", "'\t=1+2"),
    ("dde", "=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
    ("negative-number-text", "-3.5", "-3.5"),
    ("plus-number-text", "+886", "+886"),
    ("exponent", "-1e5", "-1e5"),
    ("negative-percent", "-1.2%", "-1.2%"),
    ("plus-percent", "+3.7%", "+3.7%"),
    ("thousands", "-1,234.5", "-1,234.5"),
    ("bad-grouping", "-1,2,3", "'-1,2,3"),
    ("percent-then-formula", "-1%+A1", "'-1%+A1"),
    ("points", "+1.2 個百分點", "'+1.2 個百分點"),
    ("plain", "鳳山區", "鳳山區"),
    ("equals-inside", "a=b", "a=b"),
    ("empty", "", ""),
]  # fmt: skip


@pytest.mark.parametrize(("name", "cell", "expected"), CELLS, ids=[c[0] for c in CELLS])
def test_safe_cell(name, cell, expected):
    assert safe_cell(cell) == expected


@pytest.mark.parametrize("number", [-3.5, -1, 0, 2.25, True])
def test_numbers_and_booleans_pass_unchanged(number):
    assert safe_cell(number) is number


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "text": [c for _, c, _ in CELLS],
            "amount": [-3.5 - i for i in range(len(CELLS))],
            "count": [i - 6 for i in range(len(CELLS))],
        }
    )


def test_csv_quotes_formulas_and_keeps_negative_numbers(tmp_path):
    path = tmp_path / "out.csv"
    write_csv(_frame(), path)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # a BOM for Excel
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["text", "amount", "count"]
    assert [r[0] for r in rows[1:]] == [e for _, _, e in CELLS]
    assert rows[1][1] == "-3.5" and rows[1][2] == "-6"
    # every cell that starts like a formula is quoted, whatever the column
    for row in rows[1:]:
        for cell in row:
            if cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
                # only plain numbers may start so (grouped digits, a percent sign)
                assert re.fullmatch(r"[+-](\d{1,3}(,\d{3})*|\d+)(\.\d+)?(e[+-]?\d+)?%?", cell), cell


def test_column_names_are_cells_too():
    frame = pd.DataFrame({"=1+2": ["x"], "-n": [1]})
    header = next(csv.reader(io.StringIO(csv_text(frame))))
    assert header == ["'=1+2", "'-n"]


def test_csv_to_a_text_stream_and_a_binary_buffer():
    frame = pd.DataFrame({"a": ["@x"]})
    text = io.StringIO()
    write_csv(frame, text)
    assert text.getvalue() == "a\r\n'@x\r\n"
    binary = io.BytesIO()
    write_csv(frame, binary)
    assert binary.getvalue() == "\ufeffa\r\n'@x\r\n".encode()


def test_xlsx_stores_formulas_as_text_and_numbers_as_numbers(tmp_path):
    path = tmp_path / "out.xlsx"
    frame = _frame()
    frame["missing"] = [math.nan] + [1.0] * (len(frame) - 1)
    frame["control"] = ["a\x01b"] + [""] * (len(frame) - 1)
    write_xlsx(frame, path)
    sheet = openpyxl.load_workbook(path).active
    rows = list(sheet.iter_rows())
    assert [c.value for c in rows[0]] == ["text", "amount", "count", "missing", "control"]
    for cell in (c for row in rows for c in row):
        assert cell.data_type != "f", cell.coordinate  # no formula anywhere
    texts = [row[0].value or "" for row in rows[1:]]
    # XML reads a carriage return back as a line feed; the quote before it is what matters
    assert texts == [e.replace("\r", "\n") for _, _, e in CELLS]
    assert rows[1][1].value == -3.5 and rows[1][1].data_type == "n"
    assert rows[1][2].value == -6 and rows[1][2].data_type == "n"
    assert rows[1][3].value is None  # NaN is an empty cell
    assert rows[1][4].value == "a\ufffdb"  # a control character XML cannot hold


def test_xlsx_to_a_buffer_reads_back():
    buffer = io.BytesIO()
    write_xlsx(pd.DataFrame({"單位": ["=1+1", "科[/]室"], "n": [-2, 3]}), buffer, sheet="結果")
    book = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))
    sheet = book["結果"]
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [
        ["單位", "n"],
        ["'=1+1", -2],
        ["科[/]室", 3],
    ]


def test_safe_frame_cell_by_cell_in_every_kind_of_column():
    """safe_frame treats a column of text at once; each cell must come out as the
    cell-by-cell rule (the hand-written table above) says, whatever the column holds."""
    from reports.tables import safe_frame

    texts = [c for _, c, _ in CELLS]
    expected = [e for _, _, e in CELLS]
    frame = pd.DataFrame({
        "text": texts,
        "with-missing": [None if i % 3 == 0 else t for i, t in enumerate(texts)],
        "mixed": [i if i % 2 else t for i, t in enumerate(texts)],  # ints among texts
        "safe-only": ["鳳山區"] * len(texts),
    })  # fmt: skip
    out = safe_frame(frame)
    assert list(out["text"]) == expected
    missing = [None if pd.isna(v) else v for v in out["with-missing"]]  # None or NaN: empty
    assert missing == [None if i % 3 == 0 else e for i, e in enumerate(expected)]
    assert list(out["mixed"]) == [i if i % 2 else e for i, e in enumerate(expected)]
    assert list(out["safe-only"]) == ["鳳山區"] * len(texts)
    assert list(frame["text"]) == texts  # the caller's frame is left as it was
    assert safe_frame(pd.DataFrame({"empty": pd.Series([], dtype=object)}))["empty"].empty


def test_an_html_table_says_every_cell_escaped_safe_and_in_its_place():
    """Read back with the standard library's HTML parser: a header row of column names,
    markup in the data shown as text (never as markup), formula starts quoted, counts
    right-aligned with the given number format, missing values as —."""
    frame = pd.DataFrame({
        "行政區": ["鳳山區", "<b>三民區</b>", '=HYPERLINK("x")', None],
        "件數": [12345, 7, 0, 3],
        "比率": ["95.3%", "—", "50.0%", "1.0%"],
        "有效": [True, False, True, False],
        "缺": [1.0, float("nan"), 2.0, 3.0],
    })  # fmt: skip
    html = html_table(frame, number=lambda v: f"<{float(v):,.0f}>")
    (table,) = read_tables(html)
    assert [(tag, text, attrs.get("scope")) for tag, text, attrs in table[0]] == [
        ("th", "行政區", "col"), ("th", "件數", "col"), ("th", "比率", "col"), ("th", "有效", "col"),
        ("th", "缺", "col"),
    ]  # fmt: skip
    body = [[text for _, text, _ in row] for row in table[1:]]
    assert body == [
        ["鳳山區", "<12,345>", "95.3%", "True", "<1>"],
        ["<b>三民區</b>", "<7>", "—", "False", "—"],
        ['\'=HYPERLINK("x")', "<0>", "50.0%", "True", "<2>"],
        ["—", "<3>", "1.0%", "False", "<3>"],
    ]
    aligned = [attrs.get("class") for _, _, attrs in table[1]]
    assert aligned == [None, "num", "num", None, "num"]  # figures, even as text; not booleans
    assert [attrs.get("class") for _, _, attrs in table[0]] == aligned  # headers over them
    words = html_table(pd.DataFrame({"比率": ["95.3%", "高"], "空": ["—", "—"]}))
    assert 'class="num"' not in words  # a word among figures, or nothing but dashes: text
    assert "<b>" not in html and "&lt;b&gt;" in html  # the data's markup is text
    assert "<12" not in html  # so is what the number format returns
