"""The packages depend on each other in one direction only, as docs/architecture.md draws:

    cli, dashboard  ->  reports  ->  metrics  ->  store
    cli, dashboard  ->  etl  ->  store

Read from the source (every import statement, function-local ones too), so a hidden
import cannot slip a cycle back in.
"""

from __future__ import annotations

import ast
import re
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


SQL_TEXT = re.compile(
    r"\b(SELECT|INSERT|UPDATE|DELETE|CREATE|ATTACH)\b[\s\S]*\b(FROM|INTO|SET|TABLE|AS)\b", re.I
)
SQL_CALLS = {"execute", "executemany", "sql", "query", "fetchall", "fetchdf", "df", "arrow"}


def sql_in(package: str) -> dict[str, list[str]]:
    """Where a package's source imports duckdb, calls a connection method or holds SQL text."""
    found = {}
    for path in sorted((REPO / package).rglob("*.py")):
        hits = []
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = [a.name for a in node.names] + [getattr(node, "module", None) or ""]
                hits += [f"import {n}" for n in names if n.split(".")[0] == "duckdb"]
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                if node.func.attr in SQL_CALLS:
                    hits.append(f".{node.func.attr}()")
            elif (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and SQL_TEXT.search(node.value)
            ):
                hits.append(node.value[:40])
        if hits:
            found[str(path.relative_to(REPO))] = hits
    return found


def test_the_dashboard_holds_no_sql():
    assert sql_in("dashboard") == {}


def test_the_sql_checker_sees_sql(tmp_path, monkeypatch):
    (tmp_path / "dashboard").mkdir()
    (tmp_path / "dashboard" / "bad.py").write_text(
        'import duckdb\n\ndef f(con):\n    return con.execute("select unit from petitions").df()\n'
    )
    monkeypatch.setattr(sys.modules[__name__], "REPO", tmp_path)
    assert sql_in("dashboard") == {
        "dashboard/bad.py": ["import duckdb", ".df()", ".execute()", "select unit from petitions"]
    }
