"""Reading exports: every encoding and shape DESIGN.md names, and clear errors otherwise.

Every cell comes back as text; rows whose field count differs from the header are
kept in ``Table.malformed`` with their 1-based data-row number (the header is not
counted), so the loader can reject them with a reason instead of dropping them.
"""

from __future__ import annotations

import codecs
import datetime as dt
import re
from pathlib import Path

import openpyxl
import pytest

from etl.reader import ReadError, Table, read_table

CJK = re.compile(r"[\u4e00-\u9fff]")

# 碁 is in CP950 (what Windows writes as "Big5") but not in Python's strict big5 codec.
CP950_ONLY = "碁"
CONTENT = f"案件編號,行政區,陳情主旨\nA1,鳳山區,路燈故障\nA2,三民區,{CP950_ONLY}盤路坑洞\n"
EXPECTED = [
    {"案件編號": "A1", "行政區": "鳳山區", "陳情主旨": "路燈故障"},
    {"案件編號": "A2", "行政區": "三民區", "陳情主旨": f"{CP950_ONLY}盤路坑洞"},
]


def _write(tmp_path: Path, data: bytes, name: str = "input.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _records(table: Table) -> list[dict[str, str]]:
    return table.frame.to_dict("records")


def _read_error(path: Path, **kwargs) -> str:
    with pytest.raises(ReadError) as info:
        read_table(path, **kwargs)
    message = str(info.value)
    assert CJK.search(message), message
    return message


def test_cp950_sample_character_really_needs_cp950() -> None:
    with pytest.raises(UnicodeEncodeError):
        CP950_ONLY.encode("big5")
    assert CP950_ONLY.encode("cp950").decode("cp950") == CP950_ONLY


ENCODINGS = [
    ("utf-8", CONTENT.encode("utf-8"), "utf-8"),
    ("utf-8-bom", codecs.BOM_UTF8 + CONTENT.encode("utf-8"), "utf-8-sig"),
    ("cp950", CONTENT.encode("cp950"), "cp950"),
    ("utf-16-le-bom", CONTENT.encode("utf-16"), "utf-16"),
    ("utf-16-be-bom", codecs.BOM_UTF16_BE + CONTENT.encode("utf-16-be"), "utf-16"),
    ("utf-8-crlf", CONTENT.replace("\n", "\r\n").encode("utf-8"), "utf-8"),
]


@pytest.mark.parametrize(
    "data, encoding", [c[1:] for c in ENCODINGS], ids=[c[0] for c in ENCODINGS]
)
def test_encodings_are_detected(tmp_path: Path, data: bytes, encoding: str) -> None:
    table = read_table(_write(tmp_path, data))
    assert table.encoding == encoding
    assert _records(table) == EXPECTED
    assert table.row_numbers == [1, 2]
    assert table.malformed == []
    assert table.rows_read == 2


@pytest.mark.parametrize(
    "named, data, used",
    [
        ("big5", CONTENT.encode("cp950"), "cp950"),
        ("BIG5", CONTENT.encode("cp950"), "cp950"),
        ("cp950", CONTENT.encode("cp950"), "cp950"),
        ("utf-16", CONTENT.encode("utf-16"), "utf-16"),
        ("utf_8", CONTENT.encode("utf-8"), "utf-8"),
        ("utf-8-sig", codecs.BOM_UTF8 + CONTENT.encode("utf-8"), "utf-8-sig"),
    ],
    ids=["big5-alias", "big5-upper", "cp950", "utf-16", "utf_8-underscore", "utf-8-sig"],
)
def test_explicit_encoding(tmp_path: Path, named: str, data: bytes, used: str) -> None:
    table = read_table(_write(tmp_path, data), encoding=named)
    assert table.encoding == used
    assert _records(table) == EXPECTED


def test_explicit_encoding_overrides_detection(tmp_path: Path) -> None:
    # "é" in Latin-1 is byte E9; alone it is neither valid UTF-8 nor CP950 text.
    data = "name\ncafé\n".encode("latin-1")
    table = read_table(_write(tmp_path, data), encoding="latin-1")
    assert _records(table) == [{"name": "café"}]


def test_utf8_with_bom_read_as_utf8_keeps_header_clean(tmp_path: Path) -> None:
    table = read_table(_write(tmp_path, codecs.BOM_UTF8 + CONTENT.encode()), encoding="utf-8")
    assert list(table.frame.columns) == ["案件編號", "行政區", "陳情主旨"]


def test_wrong_explicit_encoding_is_a_chinese_read_error(tmp_path: Path) -> None:
    message = _read_error(_write(tmp_path, CONTENT.encode("cp950")), encoding="utf-8")
    assert "utf-8" in message
    assert "--encoding" in message


def test_unknown_encoding_name_is_a_chinese_read_error(tmp_path: Path) -> None:
    message = _read_error(_write(tmp_path, CONTENT.encode()), encoding="klingon")
    assert "「klingon」" in message


def _xlsx(tmp_path: Path, rows: list[list[object]], title: str = "案件") -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    path = tmp_path / "input.xlsx"
    book.save(path)
    return path


def test_xlsx_cells_become_text(tmp_path: Path) -> None:
    path = _xlsx(
        tmp_path,
        [
            ["案件編號", "受理時間", "回覆滿意度", "備註", "比例"],
            ["A1", dt.datetime(2024, 3, 15, 14, 5, 9), 5.0, None, 0.25],
            [1130315001, dt.datetime(2024, 3, 16), 3, "好", None],
            ["A3", None, None, None, None],
        ],
    )
    table = read_table(path)
    assert table.encoding == "xlsx"
    records = _records(table)
    # A datetime at midnight may come back as a date; both forms parse to the same day.
    assert records[1].pop("受理時間") in ("2024-03-16", "2024-03-16 00:00:00")
    assert records == [
        {"案件編號": "A1", "受理時間": "2024-03-15 14:05:09", "回覆滿意度": "5", "備註": "", "比例": "0.25"},
        {"案件編號": "1130315001", "回覆滿意度": "3", "備註": "好", "比例": ""},
        {"案件編號": "A3", "受理時間": "", "回覆滿意度": "", "備註": "", "比例": ""},
    ]  # fmt: skip
    assert table.row_numbers == [1, 2, 3]


def test_xlsx_date_only_cell_is_a_date(tmp_path: Path) -> None:
    path = _xlsx(tmp_path, [["受理日期"], [dt.date(2024, 3, 16)]])
    cell = _records(read_table(path))[0]["受理日期"]
    assert cell in ("2024-03-16", "2024-03-16 00:00:00")


def test_xlsx_named_sheet(tmp_path: Path) -> None:
    path = _xlsx(tmp_path, [["a"], ["1"]], title="工作表1")
    assert _records(read_table(path, sheet="工作表1")) == [{"a": "1"}]
    message = _read_error(path, sheet="不存在")
    assert "「不存在」" in message and "工作表1" in message


def test_xlsx_row_longer_than_header_is_malformed(tmp_path: Path) -> None:
    table = read_table(_xlsx(tmp_path, [["a", "b"], [1, 2], [3, 4, 5]]))
    assert _records(table) == [{"a": "1", "b": "2"}]
    assert table.malformed == [(2, ["3", "4", "5"])]
    assert table.rows_read == 2


def test_broken_xlsx_is_a_read_error(tmp_path: Path) -> None:
    message = _read_error(_write(tmp_path, b"this is not a zip file", "broken.xlsx"))
    assert "broken.xlsx" in message


@pytest.mark.parametrize(
    "text",
    ["a;b;c\n1;2;3\n4;5;6\n", "a\tb\tc\n1\t2\t3\n4\t5\t6\n", "a|b|c\n1|2|3\n4|5|6\n"],
    ids=["semicolon", "tab", "pipe"],
)
def test_other_delimiters(tmp_path: Path, text: str) -> None:
    table = read_table(_write(tmp_path, text.encode()))
    assert _records(table) == [{"a": "1", "b": "2", "c": "3"}, {"a": "4", "b": "5", "c": "6"}]


def test_commas_inside_quoted_cells_do_not_fool_delimiter_detection(tmp_path: Path) -> None:
    text = 'a,b\n"x;y;z",1\n"p;q;r",2\n"路燈，故障; 三天",3\n'
    table = read_table(_write(tmp_path, text.encode()))
    assert [r["b"] for r in _records(table)] == ["1", "2", "3"]


A1 = {"案件編號": "A1", "受理時間": "2025-03-03"}
SNIFFER_TRAPS = [
    ("semicolon-trailing-blank-line", "案件編號;受理時間\r\nA1;2025-03-03\r\n\r\n", [A1], []),
    ("tab-trailing-blank-line", "案件編號\t受理時間\r\nA1\t2025-03-03\r\n\r\n", [A1], []),
    ("semicolon-ragged-row", "案件編號;受理時間\r\nA1;2025-03-03\r\nA2\r\n", [A1], [(2, ["A2"])]),
    (
        "semicolon-quoted-semicolon-at-line-end",
        '案件編號;陳情主旨\r\nA1;"路燈;故障"\r\nA2;"坑洞"\r\n',
        [{"案件編號": "A1", "陳情主旨": "路燈;故障"}, {"案件編號": "A2", "陳情主旨": "坑洞"}],
        [],
    ),
]  # fmt: skip


@pytest.mark.parametrize(
    "text, records, malformed", [c[1:] for c in SNIFFER_TRAPS], ids=[c[0] for c in SNIFFER_TRAPS]
)
def test_semicolon_and_tab_files_sniffer_traps(
    tmp_path: Path, text: str, records: list, malformed: list
) -> None:
    table = read_table(_write(tmp_path, text.encode()))
    assert _records(table) == records
    assert table.malformed == malformed


def test_single_column_file(tmp_path: Path) -> None:
    table = read_table(_write(tmp_path, b"case\nA1\nA2\n"))
    assert _records(table) == [{"case": "A1"}, {"case": "A2"}]


def test_ragged_rows_are_kept_as_malformed_with_row_numbers(tmp_path: Path) -> None:
    text = "a,b,c\n1,2,3\n4,5\n6,7,8,9\n10,11,12\n"
    table = read_table(_write(tmp_path, text.encode()))
    assert _records(table) == [{"a": "1", "b": "2", "c": "3"}, {"a": "10", "b": "11", "c": "12"}]
    assert table.row_numbers == [1, 4]
    assert table.malformed == [(2, ["4", "5"]), (3, ["6", "7", "8", "9"])]
    assert table.rows_read == 4


def test_trailing_empty_fields_are_not_malformed(tmp_path: Path) -> None:
    table = read_table(_write(tmp_path, b"a,b\n1,2,,\n"))
    assert _records(table) == [{"a": "1", "b": "2"}]
    assert table.malformed == []


def test_blank_line_between_rows_is_counted(tmp_path: Path) -> None:
    table = read_table(_write(tmp_path, b"a,b\n1,2\n\n3,4\n"))
    assert table.row_numbers == [1, 3]
    assert [n for n, _ in table.malformed] == [2]
    assert table.rows_read == 3


def test_trailing_blank_lines_are_not_rows(tmp_path: Path) -> None:
    table = read_table(_write(tmp_path, b"a,b\n1,2\n\n\r\n\n"))
    assert table.rows_read == 1


def test_quoted_newlines_and_quotes_stay_in_one_cell(tmp_path: Path) -> None:
    text = 'a,b\n"line 1\nline 2","he said ""hi"""\n3,4\n'
    table = read_table(_write(tmp_path, text.encode()))
    assert _records(table) == [
        {"a": "line 1\nline 2", "b": 'he said "hi"'},
        {"a": "3", "b": "4"},
    ]
    assert table.row_numbers == [1, 2]


def test_header_cells_are_trimmed(tmp_path: Path) -> None:
    table = read_table(_write(tmp_path, " 案件編號 , 行政區\nA1,鳳山區\n".encode()))
    assert list(table.frame.columns) == ["案件編號", "行政區"]


READ_ERRORS = [
    ("empty", b"", "空"),
    ("whitespace-only", b"  \r\n\n ", "空"),
    ("duplicate-header", "案件編號,行政區,案件編號\n1,2,3\n".encode(), "案件編號"),
    ("duplicate-after-trim", b"a, a\n1,2\n", "a"),
    ("nul-bytes", b"a,b\n1,\x002\n", "NUL"),
    ("utf-16-le-without-bom", "a,b\n1,2\n".encode("utf-16-le"), "NUL"),
    ("empty-header", b",,\n1,2,3\n", "欄位名稱"),
]


@pytest.mark.parametrize(
    "data, phrase", [c[1:] for c in READ_ERRORS], ids=[c[0] for c in READ_ERRORS]
)
def test_unreadable_files_are_chinese_read_errors(tmp_path: Path, data: bytes, phrase: str) -> None:
    message = _read_error(_write(tmp_path, data))
    assert phrase in message
    assert "input.csv" in message


def test_missing_file_is_a_read_error(tmp_path: Path) -> None:
    message = _read_error(tmp_path / "nope.csv")
    assert "nope.csv" in message


def test_binary_garbage_is_a_read_error(tmp_path: Path) -> None:
    data = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8
    _read_error(_write(tmp_path, data, "picture.csv"))


def test_utf8_bom_with_invalid_bytes_is_a_read_error(tmp_path: Path) -> None:
    data = codecs.BOM_UTF8 + CONTENT.encode("cp950")
    _read_error(_write(tmp_path, data))


def test_header_only_file_is_an_empty_table(tmp_path: Path) -> None:
    # An export of a period with no cases is legitimate: zero rows, nothing lost.
    table = read_table(_write(tmp_path, "案件編號,行政區\n".encode()))
    assert list(table.frame.columns) == ["案件編號", "行政區"]
    assert table.rows_read == 0 and table.malformed == []


def test_directory_instead_of_file_is_a_read_error(tmp_path: Path) -> None:
    _read_error(tmp_path)
