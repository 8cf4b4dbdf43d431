"""The committed sample files are exactly what the generator writes (sample data is code)."""

from __future__ import annotations

import csv

import pytest

from etl.samplegen import generate
from tests.conftest import SAMPLE_DATA

pytestmark = pytest.mark.slow


def test_committed_samples_match_the_generator(tmp_path):
    # The command sample_data/README.md gives: svcq sample --scale 0.02 --out sample_data --files-only
    fresh = generate(tmp_path, scale=0.02, variants=True)
    with open(SAMPLE_DATA / "manifest.csv", encoding="utf-8", newline="") as fh:
        listed = [row["file"] for row in csv.DictReader(fh)]
    assert listed, "manifest lists no files"
    assert fresh.manifest is not None
    stale = [
        name
        for name in listed
        if (tmp_path / name).read_bytes() != (SAMPLE_DATA / name).read_bytes()
    ]
    assert stale == [], f"regenerate sample_data (see its README): {stale}"
    assert (tmp_path / "manifest.csv").read_bytes() == (SAMPLE_DATA / "manifest.csv").read_bytes()
