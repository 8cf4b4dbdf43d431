"""A load is atomic and never blocks readers: killed loads and concurrent readers."""

from __future__ import annotations

import csv
import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from etl.load import load_file
from store import db
from tests.template_files import PETITION_COLUMNS, petition, write_rows

pytestmark = pytest.mark.slow

LOADER = (
    "import sys; from etl.load import load_file; load_file(sys.argv[1], 'petitions', sys.argv[2])"
)
REPO = Path(__file__).resolve().parent.parent


def big_file(path: Path, rows: int) -> Path:
    """A template CSV of `rows` valid petitions, written without the code under test."""
    districts = ["鳳山區", "三民區", "前鎮區", "苓雅區", "左營區"]
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=PETITION_COLUMNS)
        writer.writeheader()
        for i in range(rows):
            day = 1 + i % 28
            writer.writerow(
                {c: "" for c in PETITION_COLUMNS}
                | petition(
                    f"BIG{i:07d}", f"2025-03-{day:02d} 10:{i % 60:02d}:00", 行政區=districts[i % 5]
                )
            )
    return path


def count(path: Path) -> int:
    con = db.connect_readonly(path)
    try:
        return con.execute("SELECT count(*) FROM petitions").fetchall()[0][0]
    finally:
        con.close()


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def start_loader(db_path: Path, file: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", LOADER, str(db_path), str(file)], cwd=REPO)


def test_a_killed_load_leaves_the_database_as_it_was(db_path, tmp_path):
    load_file(
        db_path,
        "petitions",
        write_rows(
            tmp_path / "small.csv", PETITION_COLUMNS, [petition("S1", "2025-03-03 09:00:00")]
        ),
    )
    before = sha256(db_path)
    big = big_file(tmp_path / "big.csv", 200_000)
    temp = db_path.with_name(db_path.name + db.TEMP_SUFFIX)

    proc = start_loader(db_path, big)
    deadline = time.monotonic() + 60
    while not temp.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)
    assert proc.poll() is None, "the load finished before it could be killed; make the file larger"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()

    assert proc.returncode == -signal.SIGKILL
    assert sha256(db_path) == before
    assert count(db_path) == 1
    # The next load starts clean: the stray copy is discarded and the data lands.
    result = load_file(
        db_path,
        "petitions",
        write_rows(
            tmp_path / "next.csv", PETITION_COLUMNS, [petition("S2", "2025-03-04 09:00:00")]
        ),
    )
    assert result.rows_loaded == 1 and count(db_path) == 2
    assert not temp.exists()


def test_a_failed_load_leaves_the_database_as_it_was(db_path, tmp_path, monkeypatch):
    load_file(
        db_path,
        "petitions",
        write_rows(tmp_path / "a.csv", PETITION_COLUMNS, [petition("S1", "2025-03-03 09:00:00")]),
    )
    before = sha256(db_path)

    def explode(*args, **kwargs):
        raise RuntimeError("disk full (simulated)")

    monkeypatch.setattr("etl.load._store_rejects", explode)
    with pytest.raises(RuntimeError):
        load_file(
            db_path,
            "petitions",
            write_rows(
                tmp_path / "b.csv", PETITION_COLUMNS, [petition("S2", "2025-03-04 09:00:00")]
            ),
        )

    assert sha256(db_path) == before and count(db_path) == 1


def test_readers_keep_answering_while_loads_run(db_path, tmp_path):
    load_file(
        db_path,
        "petitions",
        write_rows(
            tmp_path / "small.csv", PETITION_COLUMNS, [petition("S1", "2025-03-03 09:00:00")]
        ),
    )
    big = big_file(tmp_path / "big.csv", 60_000)
    reader = db.ReloadingReader(db_path)
    reads, errors, seen = 0, [], set()

    proc = start_loader(db_path, big)
    while proc.poll() is None:
        for fresh in (True, False):  # a new connection each time, and the long-lived reloading one
            try:
                if fresh:
                    seen.add(count(db_path))
                else:
                    seen.add(
                        reader.connection()
                        .execute("SELECT count(*) FROM petitions")
                        .fetchall()[0][0]
                    )
                reads += 1
            except duckdb.Error as exc:
                errors.append(str(exc))
        time.sleep(0.02)
    reader_after = reader.connection().execute("SELECT count(*) FROM petitions").fetchall()[0][0]
    reader.close()

    assert proc.returncode == 0
    assert errors == []
    assert reads >= 20, reads
    assert seen <= {1, 60_001}  # never a partial load
    assert reader_after == count(db_path) == 60_001
