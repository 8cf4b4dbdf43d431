"""Every messy variant of the sample loads to the same database as the clean file.

The generator writes the same records as Big5 with ROC dates, XLSX, UTF-8 with BOM
and full-width digits, a legacy layout with its own mapping, and a file with bad
rows. Loading any of them must give exactly the clean file's canonical rows; the
bad-rows file must reject exactly the rows its sidecar lists.
"""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pytest

from etl.load import load_file
from etl.samplegen import generate

pytestmark = pytest.mark.slow

# The canonical content of each kind, without bookkeeping (batch ids differ by load).
SNAPSHOTS = {
    "petitions": ["SELECT * EXCLUDE (batch_id) FROM petitions ORDER BY ALL"],
    "surveys": [
        "SELECT * EXCLUDE (batch_id) FROM survey_responses ORDER BY ALL",
        "SELECT * FROM survey_answers ORDER BY ALL",
        "SELECT * FROM survey_items ORDER BY ALL",
    ],
    "phone-tests": [
        "SELECT * EXCLUDE (batch_id) FROM phone_tests ORDER BY ALL",
        "SELECT * FROM phone_test_scores ORDER BY ALL",
        "SELECT * FROM phone_rubric ORDER BY ALL",
    ],
}


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> object:
    return generate(tmp_path_factory.mktemp("sample"), scale=0.01, months=6, variants=True)


def snapshot(db: Path, kind: str) -> list:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return [con.execute(sql).fetchall() for sql in SNAPSHOTS[kind]]
    finally:
        con.close()


def cases(kind_attr: str):
    # Collected lazily per kind so ids name the variant files.
    return kind_attr


@pytest.mark.parametrize("kind", ["petitions", "surveys", "phone-tests"])
def test_every_variant_loads_to_the_clean_result(sample, tmp_path, kind):
    clean, variants = sample.by_kind()[kind]
    assert variants, f"the generator wrote no variants for {kind}"
    key_file = tmp_path / "shared.key"  # one secret, so petitioner keys are comparable
    import os

    os.environ["SVCQ_KEY_FILE"] = str(key_file)
    try:
        baseline_db = tmp_path / "clean.duckdb"
        base = load_file(baseline_db, kind, clean)
        assert base.rows_rejected == 0 and base.rows_loaded == base.rows_read > 0
        expected = snapshot(baseline_db, kind)
        for variant, mapping in variants:
            db = tmp_path / f"{variant.name}.duckdb"
            result = load_file(db, kind, variant, mapping_path=mapping)
            assert result.rows_read == result.rows_loaded + result.rows_rejected, variant.name
            if variant in sample.bad_rows_expected:
                with open(sample.bad_rows_expected[variant], encoding="utf-8", newline="") as fh:
                    listed = {int(r["row_number"]) for r in csv.DictReader(fh)}
                con = duckdb.connect(str(db), read_only=True)
                rejected = {r[0] for r in con.execute("SELECT row_number FROM rejects").fetchall()}
                con.close()
                assert rejected == listed, variant.name
            else:
                assert result.rows_rejected == 0, (variant.name, result.top_reasons)
            assert snapshot(db, kind) == expected, variant.name
    finally:
        del os.environ["SVCQ_KEY_FILE"]
