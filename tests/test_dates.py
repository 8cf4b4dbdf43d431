"""Dates and times in every form Taiwan government exports write (DESIGN.md, "Dates").

Expected values are worked out by hand: ROC year + 1911 = Western year, and a
6-digit ROC date (YYMMDD) is a year below 100 (99 -> 2010). Every form is checked
through both entry points, ``parse_datetime`` (one value) and ``parse_series`` (a
column, which has its own fast path for ISO forms), so the two cannot disagree.
"""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import pytest

from etl.dates import DateError, parse_datetime, parse_series, parse_time

CJK = re.compile(r"[\u4e00-\u9fff]")
D = dt.datetime

# (id, input, expected)
VALID = [
    ("roc-7-digit", "1130315", D(2024, 3, 15)),
    ("roc-6-digit-year-99", "990315", D(2010, 3, 15)),
    ("roc-6-digit-year-10x-boundary", "1000101", D(2011, 1, 1)),
    ("roc-slash-padded", "113/03/15", D(2024, 3, 15)),
    ("roc-slash-unpadded", "113/3/5", D(2024, 3, 5)),
    ("roc-dash", "113-03-15", D(2024, 3, 15)),
    ("roc-dot", "113.3.15", D(2024, 3, 15)),
    ("roc-chinese", "113年3月15日", D(2024, 3, 15)),
    ("roc-minguo-prefix", "民國113年3月15日", D(2024, 3, 15)),
    ("roc-zhonghua-minguo-prefix", "中華民國113年3月15日", D(2024, 3, 15)),
    ("roc-minguo-compact", "民國1130315", D(2024, 3, 15)),
    ("roc-2-digit-year-slash", "99/3/15", D(2010, 3, 15)),
    ("roc-fullwidth-slash", "１１３/０３/１５", D(2024, 3, 15)),
    ("roc-fullwidth-all", "１１３／０３／１５", D(2024, 3, 15)),
    ("roc-fullwidth-compact", "１１３０３１５", D(2024, 3, 15)),
    ("roc-surrounding-spaces", "  113/03/15  ", D(2024, 3, 15)),
    ("western-iso", "2024-03-15", D(2024, 3, 15)),
    ("western-slash", "2024/3/15", D(2024, 3, 15)),
    ("western-dot", "2024.3.15", D(2024, 3, 15)),
    ("western-compact", "20240315", D(2024, 3, 15)),
    ("western-chinese", "2024年3月15日", D(2024, 3, 15)),
    ("western-fullwidth", "２０２４－０３－１５", D(2024, 3, 15)),
    ("iso-with-T", "2024-03-15T14:05:09", D(2024, 3, 15, 14, 5, 9)),
    ("iso-with-space-hhmm", "2024-03-15 14:05", D(2024, 3, 15, 14, 5)),
    ("roc-with-hhmm", "113/03/15 14:05", D(2024, 3, 15, 14, 5)),
    ("roc-with-hhmmss", "113/03/15 14:05:09", D(2024, 3, 15, 14, 5, 9)),
    ("roc-compact-with-compact-time", "1130315 140509", D(2024, 3, 15, 14, 5, 9)),
    ("western-compact-with-compact-time", "20240315 140509", D(2024, 3, 15, 14, 5, 9)),
    ("western-pm-chinese", "2024/3/15 下午2:05", D(2024, 3, 15, 14, 5)),
    ("western-am-12-is-midnight", "2024/3/15 上午12:30", D(2024, 3, 15, 0, 30)),
    ("western-pm-12-is-noon", "2024/3/15 下午12:30", D(2024, 3, 15, 12, 30)),
    ("excel-zh-tw-locale", "2024/3/15 下午 02:05:09", D(2024, 3, 15, 14, 5, 9)),
    ("western-english-pm", "2024/3/15 2:05 PM", D(2024, 3, 15, 14, 5)),
    ("roc-chinese-with-pm", "113年3月15日 下午2:05", D(2024, 3, 15, 14, 5)),
    ("lower-bound-1990", "1990-01-01", D(1990, 1, 1)),
    ("upper-bound-2099", "2099-12-31", D(2099, 12, 31)),
    ("leap-day-roc", "1130229", D(2024, 2, 29)),
]

# (id, input, text the message must quote)
INVALID = [
    ("letters", "abc", "abc"),
    ("month-13-day-45", "2025-13-45", "2025-13-45"),
    ("roc-feb-31", "1130231", "1130231"),
    ("not-a-leap-year", "1120229", "1120229"),
    ("western-1989-too-early", "1989-12-31", "1989-12-31"),
    ("roc-78-is-1989-too-early", "78/12/31", "78/12/31"),
    ("year-2100-too-late", "2100-01-01", "2100-01-01"),
    ("hour-25", "2024-03-15 25:00", "25:00"),
    ("minute-60", "113/03/15 14:60", "14:60"),
    ("time-only", "14:05", "14:05"),
    ("too-few-digits", "11303", "11303"),
]


def _one(value: str, times: str | None = None) -> tuple[object, str]:
    parsed, errors = parse_series(
        pd.Series([value], dtype=object),
        None if times is None else pd.Series([times], dtype=object),
    )
    return parsed.iloc[0], errors.iloc[0]


@pytest.mark.parametrize("value, expected", [c[1:] for c in VALID], ids=[c[0] for c in VALID])
def test_parse_datetime_accepts_every_form(value: str, expected: dt.datetime) -> None:
    assert parse_datetime(value) == expected


@pytest.mark.parametrize("value, expected", [c[1:] for c in VALID], ids=[c[0] for c in VALID])
def test_parse_series_agrees_with_parse_datetime(value: str, expected: dt.datetime) -> None:
    parsed, error = _one(value)
    assert error == ""
    assert parsed == pd.Timestamp(expected)


@pytest.mark.parametrize("value, named", [c[1:] for c in INVALID], ids=[c[0] for c in INVALID])
def test_parse_datetime_rejects_with_chinese_message_naming_the_value(
    value: str, named: str
) -> None:
    with pytest.raises(DateError) as info:
        parse_datetime(value)
    message = str(info.value)
    assert f"「{named}」" in message
    assert CJK.search(message)


@pytest.mark.parametrize("value, named", [c[1:] for c in INVALID], ids=[c[0] for c in INVALID])
def test_parse_series_gives_nat_and_the_message(value: str, named: str) -> None:
    parsed, error = _one(value)
    assert pd.isna(parsed)
    assert f"「{named}」" in error
    assert CJK.search(error)


# Partial dates: a year alone or a year and month is not a date a case was
# received on. parse_datetime rejects them, but parse_series' ISO fast path
# (pd.to_datetime(format="ISO8601")) silently turns them into the 1st of January
# / the 1st of the month.
PARTIAL = [("year-only", "2024"), ("year-month", "2024-03"), ("year-month-slash", "2024/03")]


@pytest.mark.parametrize("value", [c[1] for c in PARTIAL], ids=[c[0] for c in PARTIAL])
def test_parse_datetime_rejects_partial_dates(value: str) -> None:
    with pytest.raises(DateError):
        parse_datetime(value)


@pytest.mark.parametrize("value", ["2024", "2024-03"], ids=["year-only", "year-month"])
def test_parse_series_rejects_partial_dates(value: str) -> None:
    parsed, error = _one(value)
    assert pd.isna(parsed)
    assert f"「{value}」" in error


@pytest.mark.parametrize(
    "value", ["2024-03-15T10:00:00+08:00", "2024-03-15T02:00:00Z"], ids=["plus-0800", "zulu"]
)
def test_parse_series_handles_timezone_suffix_without_crashing(value: str) -> None:
    parsed, error = _one(value)
    # Either read as Taipei local time or refused with a message; never an exception.
    assert parsed == pd.Timestamp(2024, 3, 15, 10, 0) or (pd.isna(parsed) and error)


def test_parse_series_mixed_timezone_column_does_not_crash() -> None:
    parsed, errors = parse_series(pd.Series(["2024-03-15T10:00:00+08:00", "2024-03-15"]))
    assert parsed.iloc[1] == pd.Timestamp(2024, 3, 15)


def test_chinese_date_directly_followed_by_time() -> None:
    assert parse_datetime("113年3月15日下午2:05") == D(2024, 3, 15, 14, 5)


def test_empty_cell_is_none_not_an_error() -> None:
    assert parse_datetime("") is None
    assert parse_datetime("   ") is None
    parsed, error = _one("")
    assert pd.isna(parsed) and error == ""


TIMES = [
    ("hh-mm", "14:05", dt.time(14, 5)),
    ("hh-mm-ss", "14:05:09", dt.time(14, 5, 9)),
    ("compact-hhmmss", "140509", dt.time(14, 5, 9)),
    ("compact-hhmm", "1405", dt.time(14, 5)),
    ("compact-lost-leading-zero", "93000", dt.time(9, 30)),
    ("pm-chinese", "下午2:05", dt.time(14, 5)),
    ("am-12-chinese-is-midnight", "上午12:30", dt.time(0, 30)),
    ("pm-12-chinese-is-noon", "下午12:30", dt.time(12, 30)),
    ("am-chinese-morning", "上午9:00", dt.time(9, 0)),
    ("pm-english-suffix", "2:05 PM", dt.time(14, 5)),
    ("am-english-12", "12:30 AM", dt.time(0, 30)),
    ("fullwidth-colon", "１４：０５", dt.time(14, 5)),
    ("midnight", "00:00:00", dt.time(0, 0)),
    ("last-second", "23:59:59", dt.time(23, 59, 59)),
]


@pytest.mark.parametrize("value, expected", [c[1:] for c in TIMES], ids=[c[0] for c in TIMES])
def test_parse_time(value: str, expected: dt.time) -> None:
    assert parse_time(value) == expected


@pytest.mark.parametrize("value", ["25:00", "24:00", "14:60", "abc", "14:05:61"])
def test_parse_time_rejects_with_chinese_message(value: str) -> None:
    with pytest.raises(DateError) as info:
        parse_time(value)
    assert f"「{value}」" in str(info.value)
    assert CJK.search(str(info.value))


SEPARATE = [
    # Taipei 1999 export: 立案日期 YYYYMMDD + 立案時間 HHMMSS.
    ("taipei-yyyymmdd-hhmmss", "20260430", "235842", D(2026, 4, 30, 23, 58, 42)),
    ("roc-compact-hhmmss", "1150430", "235842", D(2026, 4, 30, 23, 58, 42)),
    ("roc-slash-hh-mm", "115/04/30", "09:05", D(2026, 4, 30, 9, 5)),
    ("iso-hh-mm-ss", "2026-04-30", "00:00:01", D(2026, 4, 30, 0, 0, 1)),
    ("western-pm", "2026/4/30", "下午3:15", D(2026, 4, 30, 15, 15)),
    ("empty-time-is-midnight", "20260430", "", D(2026, 4, 30)),
]


@pytest.mark.parametrize(
    "day, time, expected", [c[1:] for c in SEPARATE], ids=[c[0] for c in SEPARATE]
)
def test_parse_series_with_separate_time_column(day: str, time: str, expected: dt.datetime) -> None:
    parsed, error = _one(day, time)
    assert error == ""
    assert parsed == pd.Timestamp(expected)


def test_separate_time_column_bad_hour_is_reported() -> None:
    parsed, error = _one("20260430", "256000")
    assert pd.isna(parsed)
    assert "256000" in error


def test_parse_series_mixed_column_keeps_index_and_good_cells() -> None:
    index = pd.Index([10, 20, 30, 40, 50, 60, 70])
    values = pd.Series(
        ["2024-03-15 08:00", "abc", "", "113/03/16", "1130231", "abc", "１１３年３月１７日"],
        index=index,
        dtype=object,
    )
    parsed, errors = parse_series(values)

    assert list(parsed.index) == list(index)
    assert list(errors.index) == list(index)
    assert parsed[10] == pd.Timestamp(2024, 3, 15, 8, 0)
    assert parsed[40] == pd.Timestamp(2024, 3, 16)
    assert parsed[70] == pd.Timestamp(2024, 3, 17)
    for bad in (20, 30, 50, 60):
        assert pd.isna(parsed[bad])
    assert [errors[i] == "" for i in index] == [True, False, True, True, False, False, True]
    assert "「abc」" in errors[20] and errors[20] == errors[60]  # repeated value, same message
    assert "「1130231」" in errors[50]
    assert pd.api.types.is_datetime64_dtype(parsed)


def test_parse_series_with_string_index() -> None:
    values = pd.Series(["1130315", "xyz"], index=["first", "second"], dtype=object)
    parsed, errors = parse_series(values)
    assert parsed["first"] == pd.Timestamp(2024, 3, 15)
    assert pd.isna(parsed["second"]) and "「xyz」" in errors["second"]
    assert errors["first"] == ""
