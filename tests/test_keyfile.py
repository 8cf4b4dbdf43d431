"""The petitioner key file: strength, atomic creation, permissions, and the database's
fingerprint of it (a database refuses a key it was not built with)."""

from __future__ import annotations

import hashlib
import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from etl import keyfile
from etl.keyfile import KeyFileError, fingerprint, key_path_for, load_or_create_key
from etl.load import load_file
from store import meta
from tests.template_files import PETITION_COLUMNS, petition, write_rows

REPO = Path(__file__).resolve().parent.parent


def a_file(tmp_path: Path, *case_ids: str) -> Path:
    rows = [petition(c, "2025-03-05 09:00:00", 身分證字號="F123456789") for c in case_ids]
    return write_rows(tmp_path / f"{'-'.join(case_ids)}.csv", PETITION_COLUMNS, rows)


def recorded_fingerprint(db_path: Path) -> str | None:
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        return meta.get(con, meta.PETITIONER_KEY_FINGERPRINT)
    finally:
        con.close()


# ---------------------------------------------------------------- the file itself


def test_a_new_key_is_32_random_bytes_owner_only_and_reused(tmp_path):
    path = tmp_path / "deeper" / "svcq.duckdb.key"
    secret = load_or_create_key(path)
    assert len(secret) == 32
    assert path.read_text().strip() == secret.hex()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert load_or_create_key(path) == secret
    assert load_or_create_key(tmp_path / "other.key") != secret
    assert [p.name for p in path.parent.iterdir()] == ["svcq.duckdb.key"]  # no temp file left


def test_the_key_sits_beside_the_database_unless_the_environment_says_otherwise(
    tmp_path, monkeypatch
):
    monkeypatch.delenv("SVCQ_KEY_FILE", raising=False)
    assert key_path_for(tmp_path / "svcq.duckdb") == tmp_path / "svcq.duckdb.key"
    monkeypatch.setenv("SVCQ_KEY_FILE", str(tmp_path / "elsewhere.key"))
    assert key_path_for(tmp_path / "svcq.duckdb") == tmp_path / "elsewhere.key"


WEAK = [
    ("empty", ""),
    ("one-byte", "ab"),
    ("31-bytes", os.urandom(31).hex()),
    ("not-hex", "zz" * 32),
    ("odd-length", os.urandom(32).hex()[:-1]),
    ("binary", None),
    ("all-zero", "00" * 32),
    ("repeating", "0102" * 16),
]


@pytest.mark.parametrize("content", [c for _, c in WEAK], ids=[n for n, _ in WEAK])
def test_a_short_corrupt_or_non_random_key_is_refused_as_a_key_problem(tmp_path, content):
    path = tmp_path / "svcq.duckdb.key"
    path.write_bytes(b"\xff\xfe\x00garbage" if content is None else content.encode())
    path.chmod(0o600)
    with pytest.raises(KeyFileError) as info:
        load_or_create_key(path)
    message = str(info.value)
    assert str(path) in message and "金鑰" in message and "備份" in message


def test_a_key_readable_by_others_is_refused_with_the_fix(tmp_path):
    path = tmp_path / "svcq.duckdb.key"
    load_or_create_key(path)
    path.chmod(0o644)
    with pytest.raises(KeyFileError) as info:
        load_or_create_key(path)
    assert "chmod 600" in str(info.value) and str(path) in str(info.value)
    path.chmod(0o600)
    assert len(load_or_create_key(path)) == 32


def test_a_key_path_that_is_a_folder_or_under_a_file_is_a_key_problem(tmp_path):
    folder = tmp_path / "svcq.duckdb.key"
    folder.mkdir()
    with pytest.raises(KeyFileError, match="不是一般檔案"):
        load_or_create_key(folder)
    afile = tmp_path / "plain"
    afile.write_text("x")
    with pytest.raises(KeyFileError, match="無法建立"):
        load_or_create_key(afile / "svcq.duckdb.key")


def test_the_fingerprint_identifies_the_key_and_reveals_nothing_of_it():
    a, b = bytes(range(32)), bytes(range(1, 33))
    assert fingerprint(a) == fingerprint(a) != fingerprint(b)
    # Not an unkeyed hash of anything a guesser could try, nor part of the secret.
    assert fingerprint(a) not in (hashlib.blake2b(b"", digest_size=16).hexdigest(), a.hex()[:32])
    assert fingerprint(a)[:8] not in a.hex()


# ---------------------------------------------------------------- concurrent creation

CREATOR = """
import sys, time
from pathlib import Path
from etl.keyfile import load_or_create_key
go = Path(sys.argv[2])
Path(sys.argv[3]).touch()          # ready
while not go.exists():
    time.sleep(0.001)
print(load_or_create_key(Path(sys.argv[1])).hex())
"""


@pytest.mark.slow
def test_many_processes_creating_the_key_at_once_all_get_one_key(tmp_path):
    key, go = tmp_path / "keys" / "shared.key", tmp_path / "go"
    n = 40
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", CREATOR, str(key), str(go), str(tmp_path / f"ready{i}")],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        for i in range(n)
    ]
    deadline = time.monotonic() + 120
    while sum((tmp_path / f"ready{i}").exists() for i in range(n)) < n:
        assert time.monotonic() < deadline, "the processes did not start"
        time.sleep(0.01)
    go.touch()
    outputs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0] * n, [err for _, err in outputs if err][:1]
    secrets_seen = {out.strip() for out, _ in outputs}
    assert len(secrets_seen) == 1
    assert secrets_seen == {key.read_text().strip()} and len(key.read_text().strip()) == 64
    assert [p.name for p in key.parent.iterdir()] == ["shared.key"]


LOADER = (
    "import sys; from etl.load import load_file; load_file(sys.argv[1], 'petitions', sys.argv[2])"
)


@pytest.mark.slow
def test_concurrent_first_loads_all_succeed_with_one_key(tmp_path, monkeypatch):
    # Four loads into one new database and four into another, all sharing one new key file.
    shared = tmp_path / "shared.key"
    env = {**os.environ, "SVCQ_KEY_FILE": str(shared)}
    files = [a_file(tmp_path, f"C{i}") for i in range(8)]
    dbs = [tmp_path / "a.duckdb", tmp_path / "b.duckdb"]
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", LOADER, str(dbs[i % 2]), str(f)],
            cwd=REPO,
            env=env,
            stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        for i, f in enumerate(files)
    ]
    errors = [p.communicate(timeout=300)[1] for p in procs]
    assert [p.returncode for p in procs] == [0] * 8, [e for e in errors if e][:1]
    secret = load_or_create_key(shared)
    for db in dbs:
        assert recorded_fingerprint(db) == fingerprint(secret)
        con = duckdb.connect(str(db), read_only=True)
        keys = con.execute("SELECT DISTINCT petitioner_key FROM petitions").fetchall()
        assert con.execute("SELECT count(*) FROM batches").fetchall() == [(4,)]
        con.close()
        assert len(keys) == 1  # the same ID, under the one key


# ---------------------------------------------------------------- the database's fingerprint


def test_a_load_records_the_fingerprint_of_its_key(db_path, tmp_path):
    load_file(db_path, "petitions", a_file(tmp_path, "F1"))
    assert recorded_fingerprint(db_path) == fingerprint(load_or_create_key(key_path_for(db_path)))


def test_a_deleted_key_is_not_silently_replaced(db_path, tmp_path):
    load_file(db_path, "petitions", a_file(tmp_path, "D1"))
    key = key_path_for(db_path)
    backup = key.read_bytes()
    before = db_path.read_bytes()
    key.unlink()

    with pytest.raises(KeyFileError) as info:
        load_file(db_path, "petitions", a_file(tmp_path, "D2"))
    message = str(info.value)
    assert str(key) in message and "備份" in message and "SVCQ_KEY_FILE" in message
    assert not key.exists(), "a new key must not be created for a database that has one"
    assert db_path.read_bytes() == before

    key.write_bytes(backup)
    key.chmod(0o600)
    result = load_file(db_path, "petitions", a_file(tmp_path, "D1", "D2"))
    assert (result.rows_loaded, result.rows_unchanged) == (1, 1)  # keys as before


def test_a_database_copied_without_its_key_is_refused(db_path, tmp_path):
    load_file(db_path, "petitions", a_file(tmp_path, "K1"))
    elsewhere = tmp_path / "copy"
    elsewhere.mkdir()
    copy = elsewhere / "svcq.duckdb"
    copy.write_bytes(db_path.read_bytes())
    with pytest.raises(KeyFileError, match="找不到陳情人金鑰檔"):
        load_file(copy, "petitions", a_file(tmp_path, "K2"))
    assert not key_path_for(copy).exists()

    load_or_create_key(key_path_for(copy))  # another database's key, or a fresh one
    with pytest.raises(KeyFileError) as info:
        load_file(copy, "petitions", a_file(tmp_path, "K2"))
    assert "不是建立資料庫" in str(info.value) and str(key_path_for(copy)) in str(info.value)


def test_an_older_database_without_a_fingerprint(db_path, tmp_path):
    load_file(db_path, "petitions", a_file(tmp_path, "O1"))
    con = duckdb.connect(str(db_path))
    con.execute("DELETE FROM meta WHERE key = ?", [meta.PETITIONER_KEY_FINGERPRINT])
    con.close()
    # With its key: the load goes on and records the fingerprint.
    load_file(db_path, "petitions", a_file(tmp_path, "O2"))
    assert recorded_fingerprint(db_path) is not None
    # Without a fingerprint and without the key, but holding petitioner keys: refused.
    con = duckdb.connect(str(db_path))
    con.execute("DELETE FROM meta WHERE key = ?", [meta.PETITIONER_KEY_FINGERPRINT])
    con.close()
    key_path_for(db_path).unlink()
    with pytest.raises(KeyFileError):
        load_file(db_path, "petitions", a_file(tmp_path, "O3"))


def test_a_corrupt_key_fails_the_load_as_a_key_problem_not_a_file_problem(db_path, tmp_path):
    load_file(db_path, "petitions", a_file(tmp_path, "X1"))
    key = key_path_for(db_path)
    key.write_text("not a key")
    with pytest.raises(KeyFileError) as info:
        load_file(db_path, "petitions", a_file(tmp_path, "X2"))
    assert "不是資料檔的問題" in str(info.value)
    assert "X2.csv" not in str(info.value)


def test_key_file_error_is_its_own_exception_type():
    # The CLI maps it to its own exit code; it must not be caught as a data problem.
    assert issubclass(KeyFileError, Exception)
    assert not issubclass(KeyFileError, ValueError | OSError)
    assert keyfile.KeyFileError is KeyFileError
