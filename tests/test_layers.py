"""The packages depend on each other in one direction only, as docs/architecture.md draws:

    cli, dashboard  ->  reports  ->  metrics  ->  store
    cli, dashboard  ->  etl  ->  store

Read from the source (every import statement, function-local ones too), so a hidden
import cannot slip a cycle back in.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PACKAGES = ("store", "etl", "metrics", "reports", "cli", "dashboard")

# package -> the first-party packages it may import
ALLOWED = {
    "store": set(),
    "etl": {"store"},
    "metrics": {"store"},
    "reports": {"metrics", "store"},
    "cli": {"etl", "metrics", "reports", "store"},
    "dashboard": {"etl", "metrics", "reports", "store"},
}
NO_STREAMLIT = ("store", "etl", "metrics", "reports", "cli")


def imports_of(package: str) -> dict[str, set[str]]:
    """Top-level names imported by each module of a package."""
    out = {}
    for path in sorted((REPO / package).rglob("*.py")):
        names = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
        out[str(path.relative_to(REPO))] = names
    return out


@pytest.mark.parametrize("package", PACKAGES)
def test_a_package_imports_only_the_layers_below_it(package):
    wrong = {
        module: sorted((names & set(PACKAGES)) - ALLOWED[package] - {package})
        for module, names in imports_of(package).items()
    }
    assert {m: w for m, w in wrong.items() if w} == {}


@pytest.mark.parametrize("package", NO_STREAMLIT)
def test_only_the_dashboard_imports_streamlit(package):
    users = [m for m, names in imports_of(package).items() if "streamlit" in names]
    assert users == []


def test_the_checker_sees_a_forbidden_import(tmp_path, monkeypatch):
    # the test above can fail: a metrics module importing etl is reported
    (tmp_path / "metrics").mkdir()
    (tmp_path / "metrics" / "bad.py").write_text("def f():\n    from etl import load\n")
    monkeypatch.setattr(sys.modules[__name__], "REPO", tmp_path)
    assert imports_of("metrics") == {"metrics/bad.py": {"etl"}}
