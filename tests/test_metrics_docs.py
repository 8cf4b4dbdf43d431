"""Every public metric is documented: in docs/metrics.md and in its own docstring."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import pytest

import metrics

DOC = Path(__file__).resolve().parent.parent / "docs" / "metrics.md"


def _modules_with_public_metrics() -> list:
    found = []
    for info in pkgutil.iter_modules(metrics.__path__):
        module = importlib.import_module(f"metrics.{info.name}")
        if hasattr(module, "PUBLIC_METRICS"):
            found.append(module)
    return found


def _documented(name: str, text: str) -> bool:
    """The name appears as a whole identifier (not inside a longer one or after a dot)."""
    return re.search(rf"(?<![\w.]){re.escape(name)}(?!\w)", text) is not None


MODULES = _modules_with_public_metrics()
PUBLIC = [(m.__name__, name) for m in MODULES for name in m.PUBLIC_METRICS]


def test_the_metric_modules_are_found():
    names = {m.__name__ for m in MODULES}
    assert {
        "metrics.timeliness",
        "metrics.regional",
        "metrics.types",
        "metrics.spikes",
        "metrics.scorecard",
        "metrics.summary",
    } <= names


@pytest.mark.parametrize(("module", "name"), PUBLIC, ids=[f"{m}.{n}" for m, n in PUBLIC])
def test_public_metric_is_in_the_metrics_page(module, name):
    text = DOC.read_text(encoding="utf-8")
    assert _documented(name, text), f"{module}.{name} 未列於 docs/metrics.md"


@pytest.mark.parametrize(("module", "name"), PUBLIC, ids=[f"{m}.{n}" for m, n in PUBLIC])
def test_public_metric_exists_is_typed_and_documented(module, name):
    function = getattr(importlib.import_module(module), name)
    assert callable(function)
    assert (inspect.getdoc(function) or "").strip(), f"{module}.{name} 缺少 docstring"
    signature = inspect.signature(function)
    assert signature.return_annotation is not inspect.Signature.empty
    for parameter in signature.parameters.values():
        assert parameter.annotation is not inspect.Parameter.empty, f"{name}({parameter.name})"


@pytest.mark.parametrize(
    ("name", "text", "found"),
    [
        ("on_time_rate", "- **`on_time_rate`** 依限辦結率", True),
        ("on_time", "- **`on_time_rate`** 依限辦結率", False),  # only inside a longer name
        ("rate", "metrics.rate", False),  # only as an attribute of something else
        ("spikes", "異常增加 spikes：", True),
    ],
)
def test_documented_matches_whole_names_only(name, text, found):
    assert _documented(name, text) is found


def test_every_public_metric_says_whether_higher_is_better():
    from metrics import registry

    assert set(registry.DIRECTION) == set(registry.all_functions())
    assert set(registry.DIRECTION.values()) <= {"higher", "lower", "neither", "mixed"}
