"""Tables written for people to open in a spreadsheet (CSV and XLSX, safe to open) or to
read on a page (plain HTML: the dashboard's lists).

A spreadsheet runs a cell that begins with ``=``, ``+``, ``-`` or ``@`` (or a tab or
carriage return before one) as a formula: ``=HYPERLINK(...)`` in a rejected row's raw
cells would become a live link in the analyst's Excel. Every table the product writes
goes through ``safe_frame``, which prefixes such text cells with a single quote
(OWASP, CSV injection). Numbers stay numbers: a numeric column's -3.5 is written as a
number, and so is text that is exactly a plain number ("-3.5"), because a spreadsheet
reads it as that number and nothing else; text such as "-1+2" is quoted.
Column names are cells too and get the same treatment.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import numbers
import re
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import IO

import pandas as pd

# Characters that make a spreadsheet read a cell as a formula (OWASP's list).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"
# Text a spreadsheet reads as a plain number, never a formula: sign, digits (in groups of
# three with commas, or not), decimals, exponent, a percent sign ("-1.2%", "-1,234").
_PLAIN_NUMBER = re.compile(r"[+-]?(?:(?:\d{1,3}(?:,\d{3})+|\d+)\.?\d*|\.\d+)(?:[eE][+-]?\d+)?%?")
# Control characters XLSX (XML) cannot hold; replaced rather than failing the export.
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")

CSV_ENCODING = "utf-8-sig"  # with a BOM, so Excel on Windows reads the Chinese correctly
DEFAULT_SHEET = "資料"


def missing(value: object) -> bool:
    """None, NaN, NaT or pd.NA: a cell with nothing in it."""
    return value is None or (pd.api.types.is_scalar(value) and bool(pd.isna(value)))


def safe_text(text: str) -> str:
    """Text that a spreadsheet shows as text: a quote before a formula-like start."""
    if text.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(text):
        return QUOTE + text
    return text


def safe_cell(value: object) -> object:
    """A cell safe to write: numbers, dates, booleans and missing values as they are;
    anything else as text, quoted when it would start a formula."""
    if value is None or isinstance(value, bool | numbers.Number | dt.date | dt.time):
        return value
    if isinstance(value, pd.Timestamp | pd.Timedelta) or value is pd.NaT or value is pd.NA:
        return value
    return safe_text(value if isinstance(value, str) else str(value))


def _is_text_column(series: pd.Series) -> bool:
    return not (
        pd.api.types.is_numeric_dtype(series)
        or pd.api.types.is_bool_dtype(series)
        or pd.api.types.is_datetime64_any_dtype(series)
        or pd.api.types.is_timedelta64_dtype(series)
    )


def _safe_column(series: pd.Series) -> pd.Series:
    """``safe_cell`` of every cell. A column of text alone (the usual case) is searched for
    formula starts at once and only those cells are changed: the dashboard makes its
    tables safe on every rerun, and a cell at a time cost some 9 ms a table."""
    values = series.astype(object)
    if pd.api.types.infer_dtype(values, skipna=True) in ("string", "empty"):
        risky = values.str.startswith(FORMULA_STARTS, na=False).to_numpy(dtype=bool)
        if not risky.any():
            return values
        values = values.copy()
        values[risky] = [safe_text(v) for v in values[risky]]
        return values
    return values.map(safe_cell, na_action="ignore")


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every text cell and column name made safe (numeric,
    boolean and date columns are left as they are)."""
    out = frame.copy()
    for position in range(out.shape[1]):
        series = out.iloc[:, position]
        if _is_text_column(series):
            out.isetitem(position, _safe_column(series))
    out.columns = [_safe_name(c) for c in out.columns]
    return out


def _safe_name(name: Hashable) -> Hashable:
    return safe_text(name) if isinstance(name, str) else name


def csv_text(frame: pd.DataFrame) -> str:
    """The frame as CSV text (no index, RFC 4180 CRLF line ends), every cell safe.

    CRLF line ends also make the writer quote a cell holding a lone carriage return,
    which would otherwise split its row in a reader that takes CR as a line end.
    """
    return safe_frame(frame).to_csv(index=False, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)


def write_csv(frame: pd.DataFrame, target: Path | str | IO) -> None:
    """Write the frame as CSV, every cell safe.

    A path gets UTF-8 with a BOM (Excel opens it with the right characters); a text
    stream (e.g. standard output) gets the text; a binary stream (a download buffer)
    gets the bytes with the BOM.
    """
    text = csv_text(frame)
    if isinstance(target, str | Path):
        with open(target, "w", encoding=CSV_ENCODING, newline="") as fh:
            fh.write(text)
    elif isinstance(target, io.TextIOBase) or hasattr(target, "encoding"):
        target.write(text)
    else:
        target.write(text.encode(CSV_ENCODING))


def _xlsx_value(value: object) -> object:
    value = safe_cell(value)
    if missing(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return int(value)
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        return _XML_ILLEGAL.sub("\ufffd", value)
    return value


def write_xlsx(frame: pd.DataFrame, target: Path | str | IO, *, sheet: str = DEFAULT_SHEET) -> None:
    """Write the frame as one XLSX sheet (header row, then one row per record), every cell
    safe: text is stored as text, never as a formula, and numbers as numbers."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    ws = book.create_sheet(title=_XML_ILLEGAL.sub("", sheet)[:31] or DEFAULT_SHEET)
    ws.append([_xlsx_value(c if isinstance(c, str) else str(c)) for c in frame.columns])
    for record in frame.itertuples(index=False, name=None):
        row = []
        for value in record:
            cell = WriteOnlyCell(ws, value=_xlsx_value(value))
            if cell.data_type == "f":  # never: safe_cell quoted it; a guard for the future
                raise ValueError("internal: a formula cell reached the XLSX writer")
            row.append(cell)
        ws.append(row)
    book.save(target)


def _figures(series: pd.Series) -> bool:
    """A column of figures already written as text (12,345 / -1.2% / —), none of it words."""
    shown = [v for v in series if not missing(v) and v != "—"]
    return bool(shown) and all(isinstance(v, str) and _PLAIN_NUMBER.fullmatch(v) for v in shown)


def html_table(frame: pd.DataFrame, *, number: Callable[[object], str] = "{:,}".format) -> str:
    """The frame as a plain HTML table (class ``svcq-table``): a header row of column
    names (``th scope="col"``), a row per record. Every cell is made safe as for a
    spreadsheet (``safe_frame``: a table copied from the page and pasted into Excel stays
    text) and HTML-escaped; numeric columns (not booleans) are written by ``number``
    and right-aligned (class ``num``), as are columns of figures already written as text
    (12,345, -1.2%); a missing value is —.

    A page draws this as one element (``st.html``). Streamlit's own ``st.table`` renders
    its cells through its Markdown component, again on every rerun: an 11 x 6 table cost
    about 45 ms of a filter change and 370 ms of a language switch (docs/performance.md)."""
    safe = safe_frame(frame)
    numeric = [
        pd.api.types.is_numeric_dtype(safe.iloc[:, i]) and not pd.api.types.is_bool_dtype(safe.iloc[:, i])
        for i in range(safe.shape[1])
    ]  # fmt: skip
    aligned = [n or _figures(safe.iloc[:, i]) for i, n in enumerate(numeric)]

    def cell(value: object, is_number: bool) -> str:
        if missing(value):
            return "—"
        return html.escape(number(value) if is_number else str(value))

    def attrs(is_number: bool) -> str:
        return ' class="num"' if is_number else ""

    head = "".join(f'<th scope="col"{attrs(a)}>{html.escape(str(name))}</th>'
                   for name, a in zip(safe.columns, aligned, strict=True))  # fmt: skip
    rows = "".join(
        "<tr>" + "".join(f"<td{attrs(a)}>{cell(v, n)}</td>"
                         for v, n, a in zip(record, numeric, aligned, strict=True)) + "</tr>"
        for record in safe.itertuples(index=False, name=None)
    )  # fmt: skip
    return f'<table class="svcq-table"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'
