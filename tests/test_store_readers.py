"""Readers never take a missing table from a Python variable (DuckDB's replacement scans):
a database without `batches` must say so, not read whatever the caller named `batches`."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from store.db import AttachedReader, connect_readonly


@pytest.fixture
def foreign(tmp_path):
    path = tmp_path / "other.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE notes (line VARCHAR)")
    con.close()
    return path


def test_connect_readonly_does_not_read_python_variables(foreign):
    batches = pd.DataFrame({"batch_id": [1]})  # noqa: F841 (what a replacement scan would read)
    con = connect_readonly(foreign)
    try:
        with pytest.raises(duckdb.CatalogException):
            con.execute("SELECT * FROM batches").fetchall()
        with pytest.raises(duckdb.CatalogException):
            con.cursor().execute("SELECT * FROM batches").fetchall()
    finally:
        con.close()


def test_attached_reader_does_not_read_python_variables(foreign):
    batches = pd.DataFrame({"batch_id": [1]})  # noqa: F841
    reader = AttachedReader(foreign)
    with pytest.raises(duckdb.CatalogException):
        reader.cursor().execute("SELECT * FROM batches").fetchall()
