"""The bulk pre-filter must flag every text the masking patterns would change.

If it missed one, that subject would be stored unmasked; so this is checked on
random texts built from the characters the patterns care about.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from etl.pii import ANY_PATTERN, mask_text
from etl.text import halfwidth

ALPHABET = "0123456789０１２３４５６７８９-－ ()+@.號樓之巷弄段路街道大AFaz中華光復ｗ＠"
PREFILTER = re.compile(ANY_PATTERN)


@settings(max_examples=400, deadline=None, derandomize=True)
@given(st.text(alphabet=ALPHABET, max_size=30))
def test_prefilter_flags_everything_the_patterns_mask(text):
    if mask_text(text) != text:
        assert PREFILTER.search(halfwidth(text)), text


def test_prefilter_lets_ordinary_text_through():
    assert not PREFILTER.search("路燈故障已三天，請盡速處理")
