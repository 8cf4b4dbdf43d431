"""The bulk pre-filter must flag every text the masking patterns would change.

Each family of patterns (contact details, house numbers, names) sits behind a gate
that mask_text checks first, and the gates together are the loader's pre-filter
(``ANY_PATTERN``). If a gate missed a text its patterns match, that text would be
stored unmasked; so this is checked on random
texts built from the characters the patterns care about, and on random sequences of
the fragments personal data is made of (random characters alone rarely form a
phone number or a name after a cue). The pre-filter runs in pyarrow (RE2); it is
checked here with Python's re and, on the same texts, with pyarrow itself.
"""

from __future__ import annotations

import re

import pyarrow as pa
import pyarrow.compute as pc
from hypothesis import given, settings
from hypothesis import strategies as st

from etl import pii
from etl.pii import ANY_PATTERN, mask_text
from etl.text import halfwidth

ALPHABET = (
    "0123456789０１２３４５６７８９-－–. ()+@#號樓之巷弄段鄰路街道里村大AFaBz中華光復ｗ＠"
    "二五十百王李陳林高許施大華明小姐先生鄰居民眾來電，、：: \t"
)
FRAGMENTS = [
    "0912", "345", "678", "-", ".", " ", "(", ")", "+886", "886", "07", "02", "2345", "6789",
    "1234567", "037", "12345", "#12", "分機", "電話", "TEL", ":", "：", "A123456789", "a@b.tw",
    "四維三路", "二號", "五樓", "100巷", "5弄", "3號", "文山里", "5鄰", "李", "大華", "王小明",
    "先生", "小姐", "鄰居", "民眾", "陳情人", "來電", "反映", "，", "、", "路燈", "不亮", "施工",
    "22.627278", ",", "120.301435", "34.0522", "NT$12,345", "2025-03-15", "1140315", "歐陽",
]  # fmt: skip
PREFILTER = re.compile(ANY_PATTERN)


def _flagged_by_arrow(text: str) -> bool:
    array = pa.array([halfwidth(text)], type=pa.string())
    return bool(pc.match_substring_regex(array, ANY_PATTERN)[0].as_py())


def _check(text: str) -> None:
    view = halfwidth(text)
    for family in pii._FAMILIES:  # every gate passes whatever its patterns match
        if family.regex.search(view):
            assert family.gate.search(view), (family.gate_pattern[:40], text)
    if mask_text(text) != text:
        assert PREFILTER.search(view), text
        assert _flagged_by_arrow(text), text


@settings(max_examples=400, deadline=None, derandomize=True)
@given(st.text(alphabet=ALPHABET, max_size=30))
def test_prefilter_flags_everything_the_patterns_mask(text):
    _check(text)


@settings(max_examples=600, deadline=None, derandomize=True)
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=8))
def test_prefilter_flags_every_masked_sequence_of_fragments(parts):
    _check("".join(parts))


def test_the_fragments_do_reach_every_kind_of_mask():
    # The property above is only as good as its inputs: each label must be reachable.
    joined = "".join(FRAGMENTS)
    masked = " ".join(mask_text(f) for f in ("鄰居李大華", "0912-345-678", "a@b.tw", "A123456789",
                                             "四維三路二號五樓", "22.627278,120.301435"))  # fmt: skip
    for label in ("〔姓名〕", "〔電話〕", "〔電子郵件〕", "〔身分證號〕", "〔地址〕", "〔座標〕"):
        assert label in masked
    assert all(f in joined for f in ("李", "大華", "鄰居", "0912", "四維三路", "22.627278"))


def test_prefilter_lets_ordinary_text_through():
    for text in ("路燈故障已三天，請盡速處理", "中正路的路燈不亮", "2025/03/15 發生", "請撥1999"):
        assert not PREFILTER.search(halfwidth(text)), text
        assert not _flagged_by_arrow(text), text
