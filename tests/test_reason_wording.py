"""A rejected row's reasons are joined by 「；」 and grouped by the text before the first
「, so no single reason may contain the separator itself."""

from __future__ import annotations

import pytest

from etl import dates, early_stop, phone_tests, surveys, validate
from store.vocabulary import REASON_SEPARATOR

MESSAGES = {
    f"{module.__name__}.{name}": value
    for module in (validate, dates, surveys, phone_tests)
    for name, value in vars(module).items()
    if name.isupper() and isinstance(value, str) and value not in (REASON_SEPARATOR, "「")
}


@pytest.mark.parametrize("name", sorted(MESSAGES))
def test_no_reason_contains_the_separator(name):
    assert REASON_SEPARATOR not in MESSAGES[name]


def test_the_wording_list_is_not_empty():
    assert {"etl.validate.UNKNOWN_DISTRICT", "etl.dates.UNPARSEABLE"} <= set(MESSAGES)
    assert early_stop.DATE_HINT  # hints are shown whole, they may use the separator
