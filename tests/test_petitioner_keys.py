"""The loader's vectorised petitioner keys follow the rule of ``pii.identity``."""

from __future__ import annotations

import pandas as pd
import pytest

from etl import pii
from etl.petitions import _keys

SECRET = b"k" * 32
CASES = [
    # (national_id, email, phone, name) -> which identity wins
    ("A123456789", "a@b.tw", "0912-345-678", "王小明"),
    ("", "A@B.TW ", "0912-345-678", "王小明"),
    ("", "", "(07) 123-4567", "王小明"),
    ("", "", "", "王 小明"),
    ("", "", "", ""),
]


@pytest.mark.parametrize("cells", CASES)
def test_vectorised_keys_match_the_identity_rule(cells):
    raw = pd.DataFrame(
        [cells], columns=["pii_national_id", "pii_email", "pii_phone", "pii_name"], dtype=object
    )
    expected = pii.petitioner_key(SECRET, pii.identity(*cells))
    assert _keys(raw, SECRET) == [expected]


def test_email_case_and_id_case_do_not_split_a_person():
    raw = pd.DataFrame(
        {"pii_national_id": ["a123456789", "A123456789"], "pii_email": ["", ""]}, dtype=object
    )
    first, second = _keys(raw, SECRET)
    assert first is not None
    assert first == second
