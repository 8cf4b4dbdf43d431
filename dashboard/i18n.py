"""Interface strings: one catalog per language (``dashboard/locales/<lang>.toml``).

Every string the dashboard shows comes from here through ``t(key, **values)``; data
values (district, unit, category names) are shown as loaded. Traditional Chinese is the
default; English is chosen by the language switch (kept in the URL). A test fails when a
key is missing from either catalog or used in the code but absent.
"""

from __future__ import annotations

import functools
import tomllib
from importlib import resources

LANGUAGES = ("zh", "en")
DEFAULT = "zh"
HTML_LANG = {"zh": "zh-Hant-TW", "en": "en"}


def _flatten(table: dict, prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out |= _flatten(value, name + ".")
        else:
            out[name] = str(value)
    return out


@functools.cache
def catalog(lang: str) -> dict[str, str]:
    """The flat key -> text catalog of a language."""
    text = resources.files("dashboard").joinpath(f"locales/{lang}.toml").read_text("utf-8")
    return _flatten(tomllib.loads(text))


def translate(lang: str, key: str, **values: object) -> str:
    """The text of ``key`` in ``lang`` with ``values`` filled in; a missing key shows as
    itself (and fails the catalog test), never as an error on screen."""
    text = catalog(lang if lang in LANGUAGES else DEFAULT).get(key, key)
    return text.format(**values) if values else text
