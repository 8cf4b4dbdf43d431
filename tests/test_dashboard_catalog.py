"""The interface catalogs: every string the dashboard shows has a text in both languages.

Keys are found three ways: literal t("...") calls, string constants that name a catalog
key (tab ids, empty-state keys passed on), and the dynamic families built from a code's
own value lists (t(f"grade.{g}") for every grade the metrics can return).
"""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest

from dashboard import periods, sidebar
from dashboard.i18n import LANGUAGES, catalog
from metrics import data_status, funnel, phone_tests, scorecard, stats, timeliness
from metrics.satisfaction import CONVENTIONS
from store.months import CALENDARS
from store.vocabulary import EXCLUSION_COLUMNS

DASHBOARD = Path(__file__).resolve().parent.parent / "dashboard"
NAMESPACES = {k.split(".")[0] for k in catalog("zh")}


def _literals() -> set[str]:
    """String constants in the dashboard's code that look like catalog keys."""
    found = set()
    for path in DASHBOARD.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                text = node.value
                if (
                    re.fullmatch(r"[a-z_]+(\.[A-Za-z0-9_\-]+)+", text)
                    and text.split(".")[0] in NAMESPACES
                ):
                    found.add(text)
    return found


DYNAMIC = {
    "preset": periods.PRESETS,
    "sidebar.calendar": CALENDARS,
    "filter": tuple(sidebar.DIMENSION_FILTERS),
    "indicator": ("received", "on_time_rate", "overdue_open", "reply_satisfaction",
                  "survey_satisfaction", "phone_score", "extension_rate", "repeat_rate",
                  *funnel.INDICATORS),
    "compare": ("上月", "去年同月", "上月底", "去年同月底", "上一季", "去年同季", "上一梯次", "previous_wave"),
    "standing": (scorecard.GOOD, scorecard.WATCH, scorecard.FOLLOW_UP, scorecard.NO_DATA),
    "exclusion": tuple(EXCLUSION_COLUMNS.values()),
    "aging": tuple(timeliness.AGING_LABELS),
    "regional.view": ("map", "grid"),
    "funnel.position": (funnel.ABOVE_998, funnel.ABOVE_95, funnel.WITHIN, funnel.BELOW_95, funnel.BELOW_998),
    "funnel.x": tuple(funnel.INDICATORS),
    "grade": (*(g for _, g in phone_tests.GRADES), phone_tests.GRADE_LOW, phone_tests.GRADE_NONE),
    "alpha": (*(b for _, b in stats.ALPHA_BANDS), stats.ALPHA_BAND_POOR, stats.ALPHA_BAND_UNDEFINED),
    "convention": tuple(CONVENTIONS),
    "kind": ("petitions", "surveys", "phone-tests", "calendar", "population", "deadline-policy"),
    "outcome": ("success", "partial", "aborted"),
    "flag": (data_status.NO_ROWS, data_status.FEW_ROWS),
    "calendar": ("holidays", "dgpa"),
    "col": ("unit", "district", "reply_speed", *scorecard.INDICATORS),
}  # fmt: skip


def used_keys() -> set[str]:
    keys = _literals()
    keys |= {f"{family}.{value}" for family, values in DYNAMIC.items() for value in values}
    keys |= {f"convention.{c}.explained" for c in CONVENTIONS}
    return keys


def test_both_catalogs_have_the_same_keys():
    zh, en = catalog("zh"), catalog("en")
    assert sorted(set(zh) - set(en)) == [] and sorted(set(en) - set(zh)) == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_key_the_code_uses_is_in_the_catalog(lang):
    missing = sorted(used_keys() - set(catalog(lang)))
    assert missing == []


def test_the_scan_finds_the_keys_it_should():
    keys = used_keys()
    assert {"page.overview", "tab.regional", "empty.no_survey", "grade.待改進"} <= keys


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_text_is_empty_and_placeholders_agree(lang):
    zh, other = catalog("zh"), catalog(lang)
    fields = lambda text: {f for _, f, _, _ in string.Formatter().parse(text) if f}  # noqa: E731
    for key, text in other.items():
        assert text.strip(), key
        assert fields(text) == fields(zh[key]), key


def test_english_texts_are_english():
    # an untranslated copy would carry CJK characters where the Chinese one does
    en = catalog("en")
    keep = {
        "compare",
        "standing",
        "alpha",
        "grade",
        "flag",
        "funnel",
    }  # keys holding Chinese data values
    cjk = [
        k for k, v in en.items() if re.search(r"[\u4e00-\u9fff]", v) and k.split(".")[0] not in keep
    ]
    assert cjk == ["source.petitions"]  # 人民陳情 named beside its translation on purpose
