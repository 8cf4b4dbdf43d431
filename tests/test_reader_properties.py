"""Property-based tests: whatever bytes, encodings or cells arrive, the outcome is a
load or a clear error, never a crash and never a silent loss.

An outcome is acceptable when it is either
- a table / load result that accounts for every data row written (trailing rows
  with no visible content are not data), with read = loaded + updated +
  unchanged + rejected; or
- a ReadError or MappingError whose message is Traditional Chinese.
Anything else (UnicodeDecodeError, TypeError, a row count that does not add up)
is a defect.

Examples are derandomised so a failure reproduces on every run; about 150 in all.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import tempfile
import tomllib
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from etl.load import load_file
from etl.mapping import MappingError
from etl.reader import ReadError, Table, read_table

CJK = re.compile(r"[\u4e00-\u9fff]")
CLEAR_ERRORS = (ReadError, MappingError)


def _settings(examples: int) -> settings:
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


def _assert_clear(exc: Exception) -> None:
    assert isinstance(exc, CLEAR_ERRORS), f"{type(exc).__name__}: {exc}"
    assert CJK.search(str(exc)), f"message not in Chinese: {exc}"


def _read(data: bytes, suffix: str = ".csv", **kwargs) -> Table | Exception:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"input{suffix}"
        path.write_bytes(data)
        try:
            return read_table(path, **kwargs)
        except Exception as exc:  # judged by the caller
            return exc


def _check_table_shape(table: Table) -> None:
    numbers = table.row_numbers + [n for n, _ in table.malformed]
    assert sorted(numbers) == list(range(1, table.rows_read + 1))
    assert len(table.row_numbers) == len(table.frame)
    for column in table.frame.columns:
        assert all(isinstance(v, str) for v in table.frame[column])


# ---------------------------------------------------------------- random bytes

PREFIXES = [b"", codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, "案件編號,受理時間\n".encode()]


@_settings(40)
@given(prefix=st.sampled_from(PREFIXES), body=st.binary(max_size=400))
def test_random_bytes_read_or_clear_error(prefix: bytes, body: bytes) -> None:
    outcome = _read(prefix + body)
    if isinstance(outcome, Table):
        _check_table_shape(outcome)
    else:
        _assert_clear(outcome)


@_settings(10)
@given(body=st.binary(max_size=200))
def test_random_bytes_after_utf8_bom_read_or_clear_error(body: bytes) -> None:
    # 0xFF never occurs in UTF-8, so every example is a BOM followed by invalid UTF-8.
    outcome = _read(codecs.BOM_UTF8 + body + b"\xff")
    if isinstance(outcome, Table):
        _check_table_shape(outcome)
    else:
        _assert_clear(outcome)


@_settings(10)
@given(body=st.binary(max_size=300))
def test_random_bytes_named_xlsx_read_or_clear_error(body: bytes) -> None:
    outcome = _read(b"PK\x03\x04" + body, suffix=".xlsx")
    if isinstance(outcome, Table):
        _check_table_shape(outcome)
    else:
        _assert_clear(outcome)


# ---------------------------------------------------------------- random text, encodings

# Characters every encoding under test can carry (checked below), including ones
# Python's big5 codec lacks (碁銹裏恒), full-width forms and CSV punctuation.
CP950_SAFE = (
    "abcXYZ019 .-_/:@#"
    ",;\t|\"'\r\n"
    "鳳山區三民前鎮路燈故障已三天民國年月日碁銹裏恒"
    "，。、「」（）！？：；"
    "０１２３４５６７８９ＡＢ　"
)
ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "cp950"]


def test_cp950_safe_alphabet_is_encodable_everywhere() -> None:
    for encoding in ENCODINGS:
        CP950_SAFE.encode(encoding)
    with pytest.raises(UnicodeEncodeError):
        "碁".encode("big5")


safe_text = st.text(alphabet=st.sampled_from(CP950_SAFE), max_size=200)
any_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\ufeff"),
    max_size=200,
)


@st.composite
def encoded_text(draw) -> tuple[str, str]:
    encoding = draw(st.sampled_from(ENCODINGS))
    text = draw(safe_text if encoding == "cp950" else st.one_of(safe_text, any_text))
    return text, encoding


@_settings(30)
@given(sample=encoded_text(), name_it=st.booleans())
def test_random_text_in_random_encodings(sample: tuple[str, str], name_it: bool) -> None:
    text, encoding = sample
    outcome = _read(text.encode(encoding), encoding=encoding if name_it else None)
    if not isinstance(outcome, Table):
        _assert_clear(outcome)
        return
    _check_table_shape(outcome)
    if not name_it:
        detected = {
            "utf-8": {"utf-8"},
            "utf-8-sig": {"utf-8-sig"},
            "utf-16": {"utf-16"},
            # ASCII-only (or coincidentally valid UTF-8) CP950 bytes read as UTF-8 are the same text.
            "cp950": {"cp950", "utf-8"},
        }[encoding]
        assert outcome.encoding in detected


# ---------------------------------------------------------------- random CSV shapes

cell = st.one_of(
    st.sampled_from(
        ["", " ", "　", '"', '""', ",", ";", "\n", "\r\n", "a,b", 'say "hi"', "１２３"]
    ),
    safe_text.map(lambda s: s[:30]),
)
HEADER_NAMES = [
    "案件編號",
    "受理時間",
    "行政區",
    "陳情主旨",
    "回覆滿意度",
    "承辦單位",
    "備註 ",
    "id",
]


def _blank(row: list[str]) -> bool:
    return not any(c.strip() for c in row)


@st.composite
def csv_files(draw, delimiters: tuple[str, ...] = (",",)):
    """(header, rows, delimiter, line terminator, encoding) with ragged and blank rows."""
    # At least two columns: a one-column file has no delimiter to detect ("id\n;a" is
    # the cell ";a" in a comma file, two cells in a semicolon file), and every
    # template has two or more required columns.
    header = draw(st.lists(st.sampled_from(HEADER_NAMES), min_size=2, max_size=6, unique=True))
    rows = draw(st.lists(st.lists(cell, max_size=len(header) + 2), max_size=8))
    delimiter = draw(st.sampled_from(delimiters))
    terminator = draw(st.sampled_from(["\r\n", "\n"]))
    encoding = draw(st.sampled_from(ENCODINGS))
    return header, rows, delimiter, terminator, encoding


def _csv_bytes(header, rows, delimiter, terminator, encoding) -> bytes:
    buffer = io.StringIO(newline="")
    # With a "\n" terminator Python's writer leaves a lone "\r" unquoted, which no
    # reader can tell from a line break; quoting every field avoids writing that.
    quoting = csv.QUOTE_MINIMAL if terminator == "\r\n" else csv.QUOTE_ALL
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=terminator, quoting=quoting)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def _data_rows(rows: list[list[str]]) -> list[list[str]]:
    """The rows a reader must account for: all but trailing rows with no visible content."""
    end = len(rows)
    while end and _blank(rows[end - 1]):
        end -= 1
    return rows[:end]


def _check_shapes(sample) -> None:
    header, rows, delimiter, terminator, encoding = sample
    outcome = _read(_csv_bytes(header, rows, delimiter, terminator, encoding))
    if not isinstance(outcome, Table):
        _assert_clear(outcome)
        return
    table = outcome
    _check_table_shape(table)
    expected = _data_rows(rows)
    assert table.rows_read == len(expected)
    assert list(table.frame.columns) == [h.strip() for h in header]

    width = len(header)
    good = dict(zip(table.row_numbers, table.frame.itertuples(index=False, name=None), strict=True))
    malformed = dict(table.malformed)
    for number, row in enumerate(expected, start=1):
        fits = len(row) == width or (len(row) > width and _blank(row[width:]))
        if fits:
            assert list(good[number]) == row[:width], number
        else:
            assert number in malformed, number
            if row:
                assert malformed[number] == row


@_settings(50)
@given(sample=csv_files())
def test_random_comma_csv_shapes_lose_no_row(sample) -> None:
    _check_shapes(sample)


# Only comma files here: semicolon and tab files are not detected reliably (a known
# bug: csv.Sniffer gives up on a blank or ragged row, or a quoted cell holding the
# delimiter at the end of a line, and the reader falls back to ","). It is pinned by
# test_reader.py::test_semicolon_and_tab_files_sniffer_traps; once fixed, pass
# delimiters=(",", ";", "\t") to csv_files() above.


# ---------------------------------------------------------------- random petitions through load_file

MAPPINGS = Path(__file__).resolve().parent.parent / "sample_data" / "mappings"
_DOC = tomllib.loads((MAPPINGS / "svcq_petitions.toml").read_text(encoding="utf-8"))
PETITION_COLUMNS = [v for v in _DOC["fields"].values() if isinstance(v, str)] + list(
    _DOC["pii"].values()
)

DATES = ["2025-03-03 09:00", "1140303", "114/03/03 14:05", "20250303 140509", "1140231",
         "abc", "", "2025-03-02 08:00", "113年3月15日 下午2:05", "１１４／０３／０４"]  # fmt: skip
REALISTIC = {
    "案件編號": ["A1", "A2", "A3", "Ａ１", ""],
    "行政區": ["鳳山區", "830", "火星區", "", "台北市大安區", "高雄縣三民鄉", "64000120"],
    "受理時間": DATES,
    "限辦日期": DATES,
    "展延後期限": DATES,
    "首次回覆時間": DATES,
    "結案時間": DATES,
    "回覆滿意度": ["1", "5", "7", "0", "滿意", "", "abc"],
    "身分證字號": ["A123456789", "", "ａ１２３４５６７８９"],
    "聯絡電話": ["0912-345-678", "", "07-1234567"],
    "陳情主旨": ["路燈故障已三天", "王小明 0912345678 光復路二段132號", ""],
}


def _petition_cell(column: str) -> st.SearchStrategy[str]:
    random_cell = safe_text.map(lambda s: s[:20])
    if column in REALISTIC:
        return st.one_of(st.sampled_from(REALISTIC[column]), random_cell)
    return st.one_of(st.just(""), random_cell)


petition_row = st.fixed_dictionaries({c: _petition_cell(c) for c in PETITION_COLUMNS})


@st.composite
def petition_files(draw) -> tuple[list[list[str]], str]:
    rows = [[r[c] for c in PETITION_COLUMNS] for r in draw(st.lists(petition_row, max_size=6))]
    for row in rows:  # now and then a ragged row
        shape = draw(st.sampled_from(["ok"] * 6 + ["extra", "short"]))
        if shape == "extra":
            row.append(draw(st.sampled_from(["x", "", "多一欄"])))
        elif shape == "short":
            del row[draw(st.integers(0, len(row) - 1)) :]
    return rows, draw(st.sampled_from(ENCODINGS))


@_settings(15)
@given(sample=petition_files())
def test_random_petition_files_load_or_fail_clearly(sample) -> None:
    rows, encoding = sample
    data = _csv_bytes(PETITION_COLUMNS, rows, ",", "\r\n", encoding)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "petitions.csv"
        path.write_bytes(data)
        db = Path(tmp) / "t.duckdb"
        try:
            result = load_file(db, "petitions", path)
        except Exception as exc:
            _assert_clear(exc)
            return
        counts = (result.rows_loaded, result.rows_updated, result.rows_unchanged)
        assert result.rows_read == len(_data_rows(rows))
        assert result.rows_read == sum(counts) + result.rows_rejected
        con = duckdb.connect(str(db), read_only=True)
        try:
            stored = con.execute(
                "SELECT rows_read, rows_rejected FROM batches WHERE batch_id = ?",
                [result.batch_id],
            ).fetchall()
            rejects = con.execute(
                "SELECT count(*) FROM rejects WHERE batch_id = ?", [result.batch_id]
            ).fetchall()
            petitions = con.execute("SELECT count(*) FROM petitions").fetchall()
        finally:
            con.close()
        assert stored == [(result.rows_read, result.rows_rejected)]
        assert rejects == [(result.rows_rejected,)]
        assert petitions == [(result.rows_loaded,)]
