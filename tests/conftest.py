"""Shared fixtures: a database path per test, and the committed sample files."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SAMPLE_DATA = REPO / "sample_data"
TAIPEI_SAMPLE = SAMPLE_DATA / "taipei-1999-dispatch-2026-04.csv"


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """Where a test's database lives; the HMAC key file is created beside it."""
    return tmp_path / "svcq.duckdb"
