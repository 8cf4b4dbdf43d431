"""The bulk date pre-check must never turn away a value the parser would accept.

``etl.dates.parse_series`` reports values that ``_MAYBE_DATE`` (RE2, run by pyarrow)
does not match as unparseable without parsing them, so a column in a form no rule
knows (month-first with AM/PM, say) costs one pass. If the pre-check missed a value
``parse_datetime`` accepts, or one it rejects with another message, a good date
would be rejected or a message would change: checked here on random values built
from the characters the date rules care about, and on whole columns against a
per-value reference.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from hypothesis import given, settings
from hypothesis import strategies as st

from etl.dates import _MAYBE_DATE, UNPARSEABLE, DateError, parse_datetime, parse_series

# Digits (ASCII, full-width, Arabic-Indic), separators, spaces Python strips, ROC and
# Chinese markers, time parts, ISO letters.
ALPHABET = list(
    "0123456789０１２３\u0661\u0662/-.／－．年月日民國中華 \t\u3000\u00a0:上下午AMPTZＴＺ+"
)
PIECES = ["2024", "113", "1130315", "20240315", "03", "3", "15", "/", "-", ".", "年", "月", "日",
          " ", "T", "民國", "中華民國", "14:05", "下午2:05", "+08:00", "Z", "AM", "PM", "\u3000",
          "１１３", "／", "\u0661\u0661\u0663"]  # fmt: skip

values = st.one_of(
    st.text(alphabet=ALPHABET, max_size=24),
    st.lists(st.sampled_from(PIECES), max_size=8).map("".join),
)


def _maybe(texts: list[str]) -> list[bool]:
    return pc.match_substring_regex(pa.array(texts, type=pa.string()), _MAYBE_DATE).to_pylist()


@settings(max_examples=600, deadline=None, derandomize=True, database=None)
@given(values)
def test_prefilter_passes_every_value_the_parser_would_not_call_unparseable(value: str) -> None:
    if _maybe([value])[0]:
        return
    try:
        parse_datetime(value)
    except DateError as exc:
        assert str(exc) == UNPARSEABLE.format(value=value)
    else:
        raise AssertionError(f"the pre-check turned away a value the parser accepts: {value!r}")


def test_prefilter_turns_away_month_first_dates_and_lets_known_forms_through() -> None:
    assert _maybe(["01/31/2018 02:05:09 PM", "11/01/2024 12:09:48 AM", "abc"]) == [False] * 3
    known = ["2024-03-15", "113/03/15 14:05", "1130315", "20240315 140509", "113年3月15日",
             "民國113年3月15日下午2:05", "１１３／０３／１５", "2024-03-15T14:05:09+08:00", "  ",
             "2024-03-15T14:05", "20240315T140509+0800", "2024-W11-5T10:00:00+08:00",
             "中華民國113年3月15日", "\u0661\u0661\u0663/3/15"]  # fmt: skip
    assert all(parse_datetime(v) or v == "  " for v in known)
    assert _maybe(known) == [True] * len(known)


@settings(max_examples=80, deadline=None, derandomize=True, database=None)
@given(st.lists(values, max_size=12))
def test_parse_series_matches_parsing_each_value(column: list[str]) -> None:
    parsed, errors = parse_series(pd.Series(column, dtype=object))
    for value, got, error in zip(column, parsed, errors, strict=True):
        try:
            want = parse_datetime(value) if value != "" else None
        except DateError as exc:
            assert (pd.isna(got), error) == (True, str(exc)), value
            continue
        assert error == "", value
        if want is None or not dt.datetime(1990, 1, 1) <= want < dt.datetime(2100, 1, 1):
            assert pd.isna(got), value
        else:
            assert got == pd.Timestamp(want), value
