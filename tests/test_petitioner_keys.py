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
    # full-width and mixed forms, as typed on Chinese keyboards
    ("Ａ１２３４５６７８９", "a@b.tw", "", ""),
    ("ａ123４56789 ", "", "", ""),
    ("", "Ａ＠Ｂ．ＴＷ", "", ""),
    ("", "", "０９１２－３４５－６７８", "王小明"),
    ("", "", "（０７）１２３-4567", ""),
    ("", "", "", "王　小明"),
]


def test_full_width_and_half_width_forms_are_one_person():
    """Hand-checked pairs: each full-width or mixed form names the same person as its
    half-width form."""
    pairs = [
        (("Ａ１２３４５６７８９", "", "", ""), ("A123456789", "", "", "")),
        (("ａ123４56789 ", "", "", ""), ("A123456789", "", "", "")),
        (("", "Ａ＠Ｂ．ＴＷ", "", ""), ("", "a@b.tw", "", "")),
        (("", "", "０９１２－３４５－６７８", ""), ("", "", "0912345678", "")),
        (("", "", "", "王　小明"), ("", "", "", "王小明")),
    ]
    for wide, narrow in pairs:
        raw = pd.DataFrame(
            [wide, narrow],
            columns=["pii_national_id", "pii_email", "pii_phone", "pii_name"],
            dtype=object,
        )
        first, second = _keys(raw, SECRET)
        assert first is not None and first == second, wide


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
