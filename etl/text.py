"""Small text normalisers shared by the other modules."""

from __future__ import annotations

import unicodedata

# Full-width ASCII (！ .. ～) and the ideographic space to their half-width forms.
_FULLWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_FULLWIDTH[0x3000] = 0x20
_TAI = str.maketrans({"台": "臺"})


def halfwidth(value: str) -> str:
    """Full-width digits, letters and punctuation to ASCII (１２３ → 123)."""
    return value.translate(_FULLWIDTH)


def clean_cell(value: object) -> str:
    """A cell as trimmed half-width text; None and NaN become ''."""
    if value is None:
        return ""
    if isinstance(value, float) and value != value:
        return ""
    text = unicodedata.normalize("NFC", str(value))
    return halfwidth(text).strip()


def place_name(value: str) -> str:
    """Normalise a place name for lookup: half-width, no spaces, 台 written 臺."""
    return halfwidth(value).replace(" ", "").replace("\u3000", "").translate(_TAI)
