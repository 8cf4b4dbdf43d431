"""Small text normalisers shared by the other modules."""

from __future__ import annotations

import re
import unicodedata

# Full-width ASCII (！ .. ～) and the ideographic space to their half-width forms.
_FULLWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_FULLWIDTH[0x3000] = 0x20
_TAI = str.maketrans({"台": "臺"})


def halfwidth(value: str) -> str:
    """Full-width digits, letters and punctuation to ASCII (１２３ → 123)."""
    return value.translate(_FULLWIDTH)


def halfwidth_series(values):
    """``halfwidth`` over a pandas Series of text (vectorised)."""
    return values.str.translate(_FULLWIDTH)


def clean_cell(value: object) -> str:
    """A cell as trimmed half-width text; None and NaN become ''."""
    if value is None:
        return ""
    if isinstance(value, float) and value != value:
        return ""
    text = unicodedata.normalize("NFC", str(value))
    return halfwidth(text).strip()


# A run of spaces next to a CJK character (高雄市 鳳山區, 鳳山 區) is layout, not part of
# the name; between Latin words (San Francisco) it is part of the name and stays, as one.
_CJK = "\u2e80-\u9fff\uf900-\ufaff"
_CJK_SPACE = re.compile(f"(?<=[{_CJK}])\\s+|\\s+(?=[{_CJK}])")
_SPACES = re.compile(r"\s+")


def place_name(value: str) -> str:
    """Normalise a place name for lookup: half-width, 台 written 臺, spaces around CJK
    characters removed and other runs of spaces made one (``San  Francisco`` keeps its
    one space), trimmed."""
    text = _CJK_SPACE.sub("", halfwidth(value))
    return _SPACES.sub(" ", text).strip().translate(_TAI)
