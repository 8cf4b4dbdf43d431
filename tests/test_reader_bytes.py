"""The reader hands pandas UTF-8 bytes; it must parse exactly what the text path did.

Before, ``etl.reader`` gave pandas a ``StringIO`` of the decoded text, which pandas
re-copies chunk by chunk (quadratic in multibyte text). The reference below is that
former code, kept verbatim here as an independent oracle: every committed sample
(and its UTF-16 and CRLF re-encodings) and random small files must give the same
table, the same malformed rows and the same errors through the new reader.
"""

from __future__ import annotations

import codecs
import csv
import io
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from etl import reader
from etl.reader import ReadError, Table, read_table

SAMPLES = sorted((Path(__file__).resolve().parent.parent / "sample_data").glob("*.csv"))


def _stringio_fast(text: str, delimiter: str, encoding: str) -> Table | None:
    """``etl.reader._parse_csv_fast`` as it was before the bytes path (commit 45fac1d)."""
    if '"' in text or "\r" in text.replace("\r\n", ""):
        return None
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if len(lines) < 2:
        return None
    width = lines[0].count(delimiter)
    if any(not line.strip() or line.count(delimiter) != width for line in lines):
        return None
    frame = pd.read_csv(
        io.StringIO(text), sep=delimiter, dtype=object, na_filter=False, engine="c",
        quoting=csv.QUOTE_NONE, skip_blank_lines=False,
    )  # fmt: skip
    header = [h.strip().lstrip("\ufeff") for h in lines[0].rstrip("\r").split(delimiter)]
    if (
        any(not h for h in header)
        or len(set(header)) != len(header)
        or len(frame) != len(lines) - 1
    ):
        return None
    frame.columns = header
    return Table(frame=frame, row_numbers=list(range(1, len(frame) + 1)), encoding=encoding)


def _stringio_read(data: bytes, name: str, encoding: str | None = None) -> Table:
    """The former ``read_table`` for CSV: decode, then the StringIO fast path or the
    csv-module path (which is unchanged, reached here with no UTF-8 bytes)."""
    if not data.strip():
        raise ReadError(f"{name} 是空檔案")
    text, used = reader.decode(data, encoding)
    if "\x00" in text:
        return reader._parse_csv(text, used, name)  # raises the NUL error
    fast = _stringio_fast(text, reader._delimiter(text), used)
    return fast if fast is not None else reader._parse_csv(text, used, name, None)


def _outcome(read, *args) -> Table | str:
    try:
        return read(*args)
    except ReadError as exc:
        return f"ReadError: {exc}"


def _assert_same(new: Table | str, old: Table | str) -> None:
    if isinstance(old, str) or isinstance(new, str):
        assert new == old
        return
    pd.testing.assert_frame_equal(new.frame, old.frame)
    assert list(new.frame.columns) == list(old.frame.columns)
    assert new.row_numbers == old.row_numbers
    assert new.malformed == old.malformed
    assert new.encoding == old.encoding


def _variants(data: bytes) -> dict[str, bytes]:
    """The file as written, and its text re-encoded as UTF-16 (with BOM) and with CRLF."""
    text, _ = reader.decode(data)
    return {
        "as-is": data,
        "utf-16": text.encode("utf-16"),
        "crlf": text.replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-8"),
    }


@pytest.mark.parametrize("variant", ["as-is", "utf-16", "crlf"])
@pytest.mark.parametrize("sample", SAMPLES, ids=[p.name for p in SAMPLES])
def test_committed_samples_parse_as_through_stringio(tmp_path: Path, sample: Path, variant: str):
    data = _variants(sample.read_bytes())[variant]
    path = tmp_path / sample.name
    path.write_bytes(data)
    new = _outcome(read_table, path)
    _assert_same(new, _outcome(_stringio_read, data, path.name))
    assert isinstance(new, Table) and new.rows_read > 0


def test_samples_cover_big5_bom_and_the_fast_path() -> None:
    """The samples exercise what the test above claims: legacy encodings, BOMs, and
    files the fast path takes (not only the exact path)."""
    encodings, fast = set(), 0
    for sample in SAMPLES:
        data = sample.read_bytes()
        text, used = reader.decode(data)
        encodings.add(used)
        fast += _stringio_fast(text, reader._delimiter(text), used) is not None
    assert {"cp950", "utf-8-sig", "utf-8"} <= encodings
    assert fast >= 5


def test_each_sample_takes_the_same_path_as_before() -> None:
    for sample in SAMPLES:
        for name, data in _variants(sample.read_bytes()).items():
            text, used = reader.decode(data)
            delimiter = reader._delimiter(text)
            old = _stringio_fast(text, delimiter, used)
            new = reader._parse_csv_fast(reader._utf8(data, text, used), delimiter, used)
            assert (new is None) == (old is None), (sample.name, name)


# ---------------------------------------------------------------- random files

# Characters that decide the paths: delimiters, quotes, line breaks, whitespace a
# strip() removes (tab, ideographic space, NBSP), BOM, and CJK / full-width text.
CELL = st.text(alphabet=list('ab1 ,;|\t"\r\u3000\u00a0\ufeff案件編號鳳山區１２'), max_size=6)


@st.composite
def csv_texts(draw) -> str:
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    width = draw(st.integers(1, 4))
    header = draw(st.lists(CELL, min_size=width, max_size=width))
    rows = draw(st.lists(st.lists(CELL, min_size=0, max_size=width + 1), max_size=6))
    ending = draw(st.sampled_from(["\n", "\r\n"]))
    lines = [delimiter.join(r) for r in [header, *rows]]
    return ending.join(lines) + draw(st.sampled_from(["", ending, ending * 2]))


@settings(
    max_examples=300, deadline=None, derandomize=True, database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)  # fmt: skip
@given(text=csv_texts(), encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp950", "utf-16"]))
def test_random_files_parse_as_through_stringio(tmp_path: Path, text: str, encoding: str):
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:  # NBSP and the BOM character have no cp950 form
        data = text.encode("utf-8")
    if encoding == "utf-8-sig" and not data.startswith(codecs.BOM_UTF8):
        data = codecs.BOM_UTF8 + data
    path = tmp_path / "random.csv"
    path.write_bytes(data)
    _assert_same(_outcome(read_table, path), _outcome(_stringio_read, data, path.name))
