"""Rendering typed columns as text, and writing CSV and XLSX files byte-for-byte reproducibly.

Every column of a generated table has a value type (``id``, ``text``,
``district``, ``digits``, ``datetime``, ``date``, ``score``); the clean file
and each messy variant differ only in how they render those types. String
building is vectorised with ``numpy.strings`` so that half a million rows
render in seconds.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from store.months import ROC_OFFSET

FULLWIDTH_DIGITS = str.maketrans("0123456789", "０１２３４５６７８９")
# Fixed document times, so that an XLSX file depends only on its data.
XLSX_STAMP = "2024-01-01T00:00:00Z"
ZIP_STAMP = (2024, 1, 1, 0, 0, 0)


def _str(values: np.ndarray) -> np.ndarray:
    return values.astype(str)


def _pad(values: np.ndarray, width: int) -> np.ndarray:
    return np.strings.zfill(values.astype(str), width)


def parts(values: np.ndarray) -> tuple[np.ndarray, ...]:
    """Year, month, day, hour, minute, second of datetime64 values (NaT gives junk)."""
    v = values.astype("datetime64[s]")
    days = v.astype("datetime64[D]")
    months = v.astype("datetime64[M]")
    year = v.astype("datetime64[Y]").astype(np.int64) + 1970
    month = months.astype(np.int64) % 12 + 1
    day = (days - months.astype("datetime64[D]")).astype(np.int64) + 1
    secs = (v - days.astype("datetime64[s]")).astype(np.int64)
    return year, month, day, secs // 3600, secs // 60 % 60, secs % 60


DayForms = Callable[[np.ndarray], list[np.ndarray]]


def _by_day(
    values: np.ndarray, forms: DayForms, style: np.ndarray | None, clock: str | None
) -> np.ndarray:
    """Render datetimes by formatting each distinct day (and time of day) once.

    A year of petitions has a few hundred distinct days, so formatting the
    distinct values and gathering is far cheaper than formatting every cell.
    ``forms`` renders distinct days in one or more styles; ``style`` picks one
    per cell; ``clock`` is the separator before HH:MM:SS (None: date only).
    """
    v = values.astype("datetime64[s]")
    nat = np.isnat(v)
    days = v.astype("datetime64[D]")
    uniq, inv = np.unique(days, return_inverse=True)
    table = np.stack([f.astype(object) for f in forms(uniq)])
    pick = np.zeros(len(v), dtype=np.int64) if style is None else style % len(table)
    text = table[pick, inv]
    if clock is not None:
        secs, sinv = np.unique(
            (v - days.astype("datetime64[s]")).astype(np.int64), return_inverse=True
        )
        hms = (
            clock
            + _pad(secs // 3600, 2)
            + ":"
            + _pad(secs // 60 % 60, 2)
            + ":"
            + _pad(secs % 60, 2)
        )
        text = text + hms.astype(object)[sinv]
    return np.where(nat, "", text)


def _iso(days: np.ndarray) -> list[np.ndarray]:
    return [np.datetime_as_string(days, unit="D")]


def _compact(days: np.ndarray) -> list[np.ndarray]:
    y, m, d, *_ = parts(days)
    return [_str(y) + _pad(m, 2) + _pad(d, 2)]


def _slashed(days: np.ndarray) -> list[np.ndarray]:
    y, m, d, *_ = parts(days)
    return [_str(y) + "/" + _pad(m, 2) + "/" + _pad(d, 2)]


def _roc_dates(days: np.ndarray) -> list[np.ndarray]:
    y, m, d, *_ = parts(days)
    r = _str(y - ROC_OFFSET)
    return [
        r + _pad(m, 2) + _pad(d, 2),
        r + "/" + _str(m) + "/" + _str(d),
        r + "年" + _str(m) + "月" + _str(d) + "日",
    ]


def _roc_datetimes(days: np.ndarray) -> list[np.ndarray]:
    y, m, d, *_ = parts(days)
    r = _str(y - ROC_OFFSET)
    return [
        r + "/" + _pad(m, 2) + "/" + _pad(d, 2),
        r + "." + _str(m) + "." + _str(d),
        r + "年" + _str(m) + "月" + _str(d) + "日",
    ]


def western_datetime(values: np.ndarray) -> np.ndarray:
    """2025-03-15 14:05:09; '' for NaT."""
    return _by_day(values, _iso, None, " ")


def western_date(values: np.ndarray) -> np.ndarray:
    """2025-03-15; '' for NaT."""
    return _by_day(values, _iso, None, None)


def slashed_date(values: np.ndarray) -> np.ndarray:
    """2025/03/15; '' for NaT."""
    return _by_day(values, _slashed, None, None)


def compact_date(values: np.ndarray) -> np.ndarray:
    """20250315 (the legacy layout's 收文日期)."""
    return _by_day(values, _compact, None, None)


def compact_time(values: np.ndarray) -> np.ndarray:
    """140509 (the legacy layout's 收文時間)."""
    v = values.astype("datetime64[s]")
    secs = (v - v.astype("datetime64[D]").astype("datetime64[s]")).astype(np.int64)
    uniq, inv = np.unique(secs, return_inverse=True)
    text = (_pad(uniq // 3600, 2) + _pad(uniq // 60 % 60, 2) + _pad(uniq % 60, 2)).astype(object)
    return np.where(np.isnat(v), "", text[inv])


def roc_date(values: np.ndarray, style: np.ndarray) -> np.ndarray:
    """ROC dates in three forms by ``style``: 1140315, 114/3/15, 114年3月15日."""
    return _by_day(values, _roc_dates, style, None)


def roc_datetime(values: np.ndarray, style: np.ndarray) -> np.ndarray:
    """ROC date and time in one cell: 114/03/15 14:05:09, 114.3.15 14:05:09, 114年3月15日 14:05:09."""
    return _by_day(values, _roc_datetimes, style, " ")


def score_text(values: pd.Series | np.ndarray) -> np.ndarray:
    """Integers as text, '' for missing."""
    s = pd.Series(values, dtype="Int64")
    return np.where(s.isna().to_numpy(), "", s.fillna(0).astype(np.int64).astype(str)).astype(
        object
    )


def fullwidth(values: np.ndarray) -> np.ndarray:
    """Digits as full-width characters (１２３), the way some Windows forms store them."""
    return np.array([v.translate(FULLWIDTH_DIGITS) for v in values], dtype=object)


def typed_clean(frame: pd.DataFrame, columns: dict[str, str]) -> pd.DataFrame:
    """The clean file's columns, typed so the CSV writer renders them natively.

    Datetimes print as 2025-03-15 14:05:09, dates as 2025-03-15, scores as plain
    integers, and missing values as empty cells.
    """
    out = {}
    for name, kind in columns.items():
        if kind == "date":
            out[name] = pd.Series(
                frame[name].to_numpy().astype("datetime64[D]"), dtype="datetime64[s]"
            )
            out[name] = out[name].dt.date.astype(object).where(out[name].notna(), None)
        elif kind == "score":
            out[name] = frame[name].astype("Int64")
        else:
            out[name] = frame[name]
    return pd.DataFrame(out)


def render_clean(frame: pd.DataFrame, columns: dict[str, str]) -> pd.DataFrame:
    """The clean file's cells as text (for the variants that start from them)."""
    out = {}
    for name, kind in columns.items():
        if kind == "datetime":
            out[name] = western_datetime(frame[name].to_numpy())
        elif kind == "date":
            out[name] = western_date(frame[name].to_numpy())
        elif kind == "score":
            out[name] = score_text(frame[name])
        else:
            out[name] = frame[name]  # arrow-backed text stays as it is: converting costs seconds
    return pd.DataFrame(out)


def write_csv(
    table: pd.DataFrame,
    path: Path,
    *,
    encoding: str = "utf-8",
    bom: bool = False,
    crlf: bool = False,
) -> None:
    """Write a table as CSV, quoting only the cells that need it.

    Arrow writes half a million rows in well under a second; it cannot quote
    only where needed, so a table with commas or quotes in its cells goes
    through pandas instead. Timestamps print as 2025-03-15 14:05:09, dates as
    2025-03-15 and missing values as empty cells either way.
    """
    eol = "\r\n" if crlf else "\n"
    header = ",".join(table.columns) + eol
    try:
        data = pa.Table.from_pandas(table, preserve_index=False)
        buffer = io.BytesIO()
        pacsv.write_csv(
            data, buffer, pacsv.WriteOptions(include_header=False, quoting_style="none", eol=eol)
        )
        body = buffer.getvalue()
    except pa.ArrowInvalid:
        body = table.to_csv(index=False, header=False, lineterminator=eol).encode("utf-8")
    raw = header.encode("utf-8") + body
    # strict: a cp950 file must hold only characters cp950 can encode
    data_out = raw if encoding == "utf-8" else raw.decode("utf-8").encode(encoding)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data_out)


def write_xlsx(table: pd.DataFrame, path: Path, *, sheet: str) -> None:
    """Write cells (str, int, datetime, date or None) with openpyxl, reproducibly.

    Plain Python values let openpyxl pick its own formats (yyyy-mm-dd h:mm:ss for
    datetimes, yyyy-mm-dd for dates), twice as fast as styled cells. openpyxl
    stamps the document and the zip entries with the current time, so both are
    rewritten to fixed values afterwards.
    """
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    book.properties.creator = "svcq sample"
    ws = book.create_sheet(sheet)
    ws.append(list(table.columns))
    for row in zip(*(table[c].tolist() for c in table.columns), strict=True):
        ws.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    path.write_bytes(_reproducible_zip(buffer.getvalue()))


def _reproducible_zip(data: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(
                    rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(<)",
                    rb"\g<1>" + XLSX_STAMP.encode() + rb"\g<2>",
                    content,
                )
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_STAMP)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            target.writestr(entry, content)
    return out.getvalue()


def py_datetimes(values: np.ndarray) -> list[dt.datetime | None]:
    """datetime64 values as Python datetimes for openpyxl (None for NaT)."""
    v = values.astype("datetime64[s]")
    return [None if np.isnat(x) else x.astype(dt.datetime) for x in v]


def py_dates(values: np.ndarray) -> list[dt.date | None]:
    v = values.astype("datetime64[D]")
    return [None if np.isnat(x) else x.astype(dt.date) for x in v]
