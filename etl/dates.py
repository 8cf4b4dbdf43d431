"""Dates and times as Taiwan government systems write them.

ROC years: 1130315, 990315 (6 digits for years below 100), 113/03/15, 113-3-15,
113.3.15, 113年3月15日, 民國113年3月15日; Western: 2024-03-15, 2024/3/15, 20240315,
2024年3月15日; any of them followed by a time (14:05, 14:05:09, 140509, 下午2:05).
A separate time column may hold HHMMSS, HHMM, HH:MM or HH:MM:SS.

Parsing works on the distinct values of a column, so a year of petitions costs a
few thousand parses, not a few hundred thousand.
"""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from etl.text import halfwidth
from store.months import ROC_OFFSET

EARLIEST = dt.datetime(1990, 1, 1)
LATEST = dt.datetime(2100, 1, 1)

_SEPARATED = re.compile(
    r"^(?:民國|中華民國)?\s*(\d{2,4})\s*[/\-.年]\s*(\d{1,2})\s*[/\-.月]\s*(\d{1,2})\s*(日)?"
    r"(?:(?(4)[\sT]*|[\sT]+)(.+))?$"
)
_COMPACT = re.compile(r"^(?:民國)?(\d{6,8})(?:[ T]+(.*))?$")
# An ISO 8601 offset (+08:00, Z): converted to Taiwan time, which is what is stored.
_OFFSET = re.compile(r"(?:Z|[+\-]\d{2}:?\d{2})$")
TAIWAN = dt.timezone(dt.timedelta(hours=8))
# The full forms a clean export writes, parsed by pandas in bulk; anything else
# (partial dates such as "2024", offsets, ROC years) goes through parse_datetime.
_FAST_FORMATS = {
    r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$": "%Y-%m-%d %H:%M:%S",
    r"^\d{4}-\d{2}-\d{2}$": "%Y-%m-%d",
}
# A bulk pre-check (RE2, for pyarrow) that matches every value parse_datetime might
# accept: the start of a separated or compact date (any Unicode digits, full-width
# separators), a value it would try as ISO 8601 with an offset (a T, a final Z), or
# one that strips to nothing. A value it does not match is reported without a parse,
# so a column of a form no rule knows costs one pass, not a parse per distinct value.
_WS = r"[\s\p{Z}\x{0b}\x{1c}-\x{1f}\x{85}]"
_MAYBE_DATE = (
    rf"^{_WS}*(?:(?:中華)?民國)?{_WS}*\p{{Nd}}{{2,4}}{_WS}*[/\-.年／－．]{_WS}*\p{{Nd}}{{1,2}}"
    rf"{_WS}*[/\-.月／－．]{_WS}*\p{{Nd}}{{1,2}}(?:{_WS}|日|$)"
    rf"|^{_WS}*(?:民國)?\p{{Nd}}{{6,8}}(?:{_WS}|$)"
    rf"|[TＴ]|[ZＺ]{_WS}*$|^{_WS}*$"
)
_TIME = re.compile(
    r"^(上午|下午|AM|PM|am|pm)?\s*(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?\s*(AM|PM|am|pm)?$"
)
_COMPACT_TIME = re.compile(r"^(\d{2})(\d{2})(\d{2})?$")


class DateError(ValueError):
    """A value that is not a date; the message is plain Traditional Chinese."""


# Said wherever a date cannot be read, so the person fixing the file or the mapping knows
# what is accepted and how to name another form. No 「；」: it separates a row's reasons.
ACCEPTED_FORMS = (
    "可接受的格式：民國 1130315、113/03/15、113.3.15、113年3月15日，"
    "西元 2024-03-15、2024/3/15、20240315，皆可加時間 14:05、14:05:09、下午2:05。"
    '其他格式請在對照檔以 format 指定，如 format = "%m/%d/%Y %I:%M:%S %p"'
)
UNPARSEABLE = "日期「{value}」無法解析（" + ACCEPTED_FORMS + "）"


def _year(text: str) -> int:
    year = int(text)
    return year + ROC_OFFSET if len(text) <= 3 else year


def parse_time(value: str) -> dt.time:
    """A time of day from 14:05, 14:05:09, 140509, 1405, 下午2:05."""
    text = halfwidth(value).strip()
    m = _TIME.match(text)
    if m:
        hour, minute, second = int(m[2]), int(m[3]), int(m[4] or 0)
        meridiem = (m[1] or m[5] or "").lower()
        if meridiem in ("下午", "pm") and hour < 12:
            hour += 12
        elif meridiem in ("上午", "am") and hour == 12:
            hour = 0
    else:
        m = _COMPACT_TIME.match(text.zfill(6) if text.isdigit() and len(text) == 5 else text)
        if not m:
            raise DateError(f"時間「{value}」無法解析")
        hour, minute, second = int(m[1]), int(m[2]), int(m[3] or 0)
    try:
        return dt.time(hour, minute, second)
    except ValueError:
        raise DateError(f"時間「{value}」不存在") from None


def parse_datetime(value: str) -> dt.datetime | None:
    """A datetime from any supported form; None for an empty cell; DateError otherwise."""
    text = halfwidth(value).strip()
    if not text:
        return None
    offset = _OFFSET.search(text) if "T" in text or text.endswith("Z") else None
    if offset:
        try:
            aware = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise DateError(UNPARSEABLE.format(value=value)) from None
        text = aware.astimezone(TAIWAN).replace(tzinfo=None).isoformat(sep=" ")
    m = _SEPARATED.match(text)
    if m:
        year, month, day, rest = _year(m[1]), int(m[2]), int(m[3]), m[5]
    else:
        m = _COMPACT.match(text)
        if not m:
            raise DateError(UNPARSEABLE.format(value=value))
        digits, rest = m[1], m[2]
        if len(digits) == 8:
            year, month, day = int(digits[:4]), int(digits[4:6]), int(digits[6:])
        else:  # ROC: YYYMMDD, or YYMMDD for years below 100
            year, month, day = int(digits[:-4]) + ROC_OFFSET, int(digits[-4:-2]), int(digits[-2:])
    try:
        stamp = dt.datetime(year, month, day)
    except ValueError:
        raise DateError(f"日期「{value}」不存在（{year}-{month:02d}-{day:02d}）") from None
    if rest and rest.strip():
        t = parse_time(rest)
        stamp = stamp.replace(hour=t.hour, minute=t.minute, second=t.second)
    if not EARLIEST <= stamp < LATEST:
        raise DateError(f"日期「{value}」超出合理範圍（1990–2099 年）")
    return stamp


def parse_with_format(values: pd.Series, fmt: str) -> tuple[pd.Series, pd.Series]:
    """Parse a column with a strptime format named by the mapping (e.g. month-first
    ``%m/%d/%Y %I:%M:%S %p``); no guessing. Returns as ``parse_series``."""
    text = values.fillna("").astype(str).str.strip()
    parsed = pd.to_datetime(text.where(text.ne("")), format=fmt, errors="coerce")
    parsed = parsed.astype("datetime64[us]")
    out_of_range = parsed.notna() & ((parsed < EARLIEST) | (parsed >= LATEST))
    errors = pd.Series("", index=values.index, dtype=object)
    bad = text.ne("") & parsed.isna()
    errors[bad] = [f"日期「{v}」不符合對照檔指定的格式 {fmt}" for v in text[bad]]
    errors[out_of_range] = [f"日期「{v}」超出合理範圍（1990–2099 年）" for v in text[out_of_range]]
    return parsed.where(~out_of_range), errors


def parse_series(
    values: pd.Series, times: pd.Series | None = None, *, fmt: str | None = None
) -> tuple[pd.Series, pd.Series]:
    """Parse a column (and optionally a separate time column).

    Returns (datetime64 series with NaT for empty or bad cells, series of error
    messages with '' where the cell parsed or was empty). With ``fmt`` (a strptime
    format from the mapping) only that form is accepted.
    """
    joined = values if times is None else (values.str.strip() + " " + times.str.strip()).str.strip()
    if fmt is not None:
        return parse_with_format(joined, fmt)
    # Fast path for the full forms a clean export uses; everything else by distinct value.
    parsed = pd.Series(pd.NaT, index=values.index, dtype="datetime64[us]")
    arrow = pa.array(joined.to_numpy(dtype=object), type=pa.string(), from_pandas=True)
    for pattern, fmt in _FAST_FORMATS.items():
        matched = pc.match_substring_regex(arrow, pattern).fill_null(False)
        hit = pd.Series(matched.to_numpy(zero_copy_only=False), index=values.index)
        if hit.any():
            parsed[hit] = pd.to_datetime(joined[hit], format=fmt, errors="coerce")
    parsed = parsed.where(parsed.isna() | ((parsed >= EARLIEST) & (parsed < LATEST)))
    todo = parsed.isna() & joined.ne("")
    errors = pd.Series("", index=values.index, dtype=object)
    if todo.any():
        # Each distinct value is parsed once, and a value no form can match (found in
        # bulk by _MAYBE_DATE) gets its message without a parse. Keep messages, not
        # exceptions: a caught exception's traceback holds the caller's frames (and their
        # database connection) alive in a reference cycle.
        at = np.flatnonzero(todo.to_numpy())
        codes, distinct = pd.factorize(joined.iloc[at].to_numpy(dtype=object))
        maybe = pc.match_substring_regex(pa.array(distinct, type=pa.string()), _MAYBE_DATE)
        maybe = maybe.to_numpy(zero_copy_only=False)
        prefix, suffix = UNPARSEABLE.split("{value}")
        messages = np.full(len(distinct), None, dtype=object)
        messages[~maybe] = prefix + distinct[~maybe] + suffix
        stamps = np.full(len(distinct), None, dtype=object)
        for k in np.flatnonzero(maybe):
            try:
                stamps[k] = parse_datetime(distinct[k])
            except DateError as exc:
                messages[k] = str(exc)
        row_messages = messages[codes]
        failed = pd.notna(row_messages)
        errors.iloc[at[failed]] = row_messages[failed]
        parsed = parsed.astype("datetime64[us]")
        if (~failed).any():
            parsed.iloc[at[~failed]] = pd.to_datetime(stamps[codes[~failed]].tolist())
    return parsed.astype("datetime64[us]"), errors
