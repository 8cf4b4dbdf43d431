"""The audit's failure list (issue 8): each ends in a plain Traditional Chinese message and
its documented exit code, never a traceback, and a failed load changes nothing.

Exit codes: 0 success, 1 failure (database unchanged), 2 usage error, 3 partial,
4 unexpected internal error (cli/errors.py).
"""

from __future__ import annotations

import atexit
import errno
import functools
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from cli.main import EXIT_FAILED, EXIT_INTERNAL, EXIT_OK, app
from etl.load import load_file
from tests.conftest import SAMPLE_DATA
from tests.template_files import PETITION_COLUMNS, petition, write_rows

runner = CliRunner()
REPO = Path(__file__).resolve().parent.parent
TEMPLATE = (SAMPLE_DATA / "mappings" / "svcq_petitions.toml").read_text(encoding="utf-8")


@dataclass
class Case:
    args: list[str]
    code: int
    phrases: tuple[str, ...]
    db: Path | None = None  # a database that must be left as it was
    absent: tuple[str, ...] = ()  # text that must not be printed
    env: dict[str, str] = field(default_factory=dict)


def data_file(folder: Path, name: str = "p.csv", **cells: str) -> Path:
    return write_rows(folder / name, PETITION_COLUMNS, [petition("A1", "2025-03-03 09:00:00", **cells)])  # fmt: skip


@functools.cache
def _template_db() -> Path:
    """One petition loaded once per test process; cases get copies (a load costs ~1 s)."""
    folder = Path(tempfile.mkdtemp(prefix="svcq-failures-"))
    atexit.register(shutil.rmtree, folder, True)
    path = folder / "svcq.duckdb"
    load_file(path, "petitions", data_file(folder, "first.csv"))
    return path


def loaded_db(folder: Path) -> Path:
    """A database with one petition and its key file, in ``folder``."""
    template = _template_db()
    path = folder / "svcq.duckdb"
    shutil.copyfile(template, path)
    key = path.with_name(path.name + ".key")
    shutil.copyfile(template.with_name(template.name + ".key"), key)
    key.chmod(0o600)  # a key readable by others is refused
    return path


def mapping_file(folder: Path, extra: str = "", *, text: str = TEMPLATE, encoding="utf-8") -> Path:
    path = folder / "m.toml"
    path.write_bytes((text + extra).encode(encoding))
    return path


def load(file: Path, db: Path, *more: str) -> list[str]:
    return ["load", "petitions", str(file), "--db", str(db), *more]


# ---------------------------------------------------------------- the cases


def mapping_is_a_folder(tmp: Path, mp) -> Case:
    (tmp / "maps").mkdir()
    db = loaded_db(tmp)
    return Case(load(data_file(tmp), db, "-m", str(tmp / "maps")), 1, ("是資料夾",), db)


def mapping_encoding_is_a_number(tmp: Path, mp) -> Case:
    m = mapping_file(tmp, "\n[read]\nencoding = 123\n")
    return Case(load(data_file(tmp), tmp / "db.duckdb", "-m", str(m)), 1, ("encoding 應為文字",))


def mapping_names_a_missing_districts_list(tmp: Path, mp) -> Case:
    m = mapping_file(tmp, '\n[districts]\nlists = ["其他縣市/nope.csv"]\n')
    return Case(load(data_file(tmp), tmp / "db.duckdb", "-m", str(m)), 1,
                ("行政區清單", "nope.csv", "不存在"))  # fmt: skip


def mapping_in_big5(tmp: Path, mp) -> Case:
    m = mapping_file(tmp, encoding="cp950")
    return Case(load(data_file(tmp), tmp / "db.duckdb", "-m", str(m)), 1,
                ("對照檔 m.toml 必須以 UTF-8 編碼儲存",), absent=("codec", "p.csv"))  # fmt: skip


def mapping_with_nested_codes(tmp: Path, mp) -> Case:
    text = TEMPLATE.replace('channel = "陳情管道"', 'channel = { column = "陳情管道", codes = { "1" = { a = 1 } } }')  # fmt: skip
    m = mapping_file(tmp, text=text)
    return Case(
        load(data_file(tmp), tmp / "db.duckdb", "-m", str(m)),
        1,
        ("對照檔 m.toml：欄位 channel 的 codes",),
    )


def mapping_message_with_brackets(tmp: Path, mp) -> Case:
    m = mapping_file(tmp, text='kind = "petitions"\nsource_system = "x"\nfields = 3\n')
    return Case(load(data_file(tmp), tmp / "db.duckdb", "-m", str(m)), 1, ("的 [fields] 應為表格",))


def _db_case(command: list[str], make: Callable[[Path], Path], phrase: str):
    def case(tmp: Path, mp) -> Case:
        return Case([*command, "--db", str(make(tmp))], 1, (phrase,))

    return case


def _not_duckdb(tmp: Path) -> Path:
    path = tmp / "notes.duckdb"
    path.write_text("這不是資料庫\n", encoding="utf-8")
    return path


def _folder(tmp: Path) -> Path:
    (tmp / "dbdir").mkdir()
    return tmp / "dbdir"


def _under_a_file(tmp: Path) -> Path:
    return data_file(tmp, "plain.csv") / "svcq.duckdb"


def _foreign_duckdb(tmp: Path) -> Path:
    path = tmp / "other.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE notes (line VARCHAR)")
    con.close()
    return path


DB_PATHS = {
    "not-duckdb": (_not_duckdb, "不是 DuckDB 資料庫檔"),
    "foreign-duckdb": (_foreign_duckdb, "不是 svcq 建立的資料庫"),
    "folder": (_folder, "是資料夾"),
    "missing": (lambda tmp: tmp / "none.duckdb", "找不到資料庫"),
    "under-a-file": (_under_a_file, "是檔案而不是資料夾"),
}
READ_COMMANDS = {
    "batches": ["batches"],
    "rejects": ["rejects", "1"],
    "metrics": ["metrics", "timeliness"],
    "summary": ["summary"],
}
DB_CASES = {
    f"{cmd}-db-{name}": _db_case(args, make, phrase)
    for cmd, args in READ_COMMANDS.items()
    for name, (make, phrase) in DB_PATHS.items()
}


def load_into_a_non_duckdb_file(tmp: Path, mp) -> Case:
    db = _not_duckdb(tmp)
    return Case(load(data_file(tmp), db), 1, ("不是 DuckDB 資料庫檔", "資料庫未變更"), db)


def load_into_a_folder(tmp: Path, mp) -> Case:
    return Case(load(data_file(tmp), _folder(tmp)), 1, ("是資料夾",))


def load_under_a_file(tmp: Path, mp) -> Case:
    return Case(load(data_file(tmp), _under_a_file(tmp)), 1, ("是檔案而不是資料夾",))


def rejects_csv_to_a_folder(tmp: Path, mp) -> Case:
    db = _with_a_reject(tmp)
    (tmp / "out").mkdir()
    return Case(["rejects", "1", "--csv", str(tmp / "out"), "--db", str(db)], 1,
                ("輸出檔", "是資料夾"), db)  # fmt: skip


def rejects_csv_to_a_missing_folder(tmp: Path, mp) -> Case:
    db = _with_a_reject(tmp)
    target = tmp / "no-such-folder" / "r.csv"
    return Case(
        ["rejects", "1", "--csv", str(target), "--db", str(db)], 1, ("輸出檔", "不存在"), db
    )


def _with_a_reject(tmp: Path) -> Path:
    path = tmp / "svcq.duckdb"
    rows = [petition("A1", "2025-03-03 09:00:00"), petition("A2", "2025-03-03 09:00:00", 行政區="火星區")]  # fmt: skip
    load_file(path, "petitions", write_rows(tmp / "r.csv", PETITION_COLUMNS, rows))
    return path


def key_path_is_a_folder(tmp: Path, mp) -> Case:
    (tmp / "key").mkdir()
    return Case(load(data_file(tmp), tmp / "db.duckdb"), 1, ("金鑰檔", "是資料夾"),
                env={"SVCQ_KEY_FILE": str(tmp / "key")})  # fmt: skip


def key_path_cannot_be_written(tmp: Path, mp) -> Case:
    key = data_file(tmp, "plain.csv") / "svcq.key"
    return Case(load(data_file(tmp), tmp / "db.duckdb"), 1, ("金鑰檔", "路徑中有同名的檔案"),
                env={"SVCQ_KEY_FILE": str(key)})  # fmt: skip


def key_write_permission_denied(tmp: Path, mp) -> Case:
    from etl import keyfile

    def refuse(path, *args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied", str(path))

    mp.setattr(keyfile.os, "open", refuse)
    return Case(load(data_file(tmp), tmp / "db.duckdb"), 1, ("金鑰檔", "沒有存取權限"))


def key_file_is_corrupt(tmp: Path, mp) -> Case:
    db = loaded_db(tmp)
    key = db.with_name(db.name + ".key")
    key.write_text("not hex at all\n")
    return Case(load(data_file(tmp), db), 1, ("金鑰檔", "十六進位"), db,
                absent=("non-hexadecimal",))  # fmt: skip


def disk_full_while_copying(tmp: Path, mp) -> Case:
    from store import db as store_db

    def half_copy(source, target):
        Path(target).write_bytes(Path(source).read_bytes()[:4096])
        raise OSError(errno.ENOSPC, "No space left on device", str(target))

    db = loaded_db(tmp)
    mp.setattr(store_db.shutil, "copyfile", half_copy)
    return Case(load(data_file(tmp), db), 1, ("磁碟空間不足", "資料庫未變更"), db)


def _load_table_raises(error: Exception, code: int, phrases: tuple[str, ...]):
    """A case: loading into a database with one petition, ``etl.load.load_table`` raises
    ``error``; the command exits ``code`` and prints ``phrases``."""

    def case(tmp: Path, mp) -> Case:
        from etl import load as loader

        def raising(*args, **kwargs):
            raise error

        db = loaded_db(tmp)
        mp.setattr(loader, "load_table", raising)
        return Case(load(data_file(tmp), db), code, phrases, db)

    return case


disk_full_in_duckdb = _load_table_raises(
    duckdb.FatalException("FATAL Error: could not write file: No space left on device"),
    1,
    ("磁碟空間不足", "資料庫未變更"),
)
duckdb_io_error = _load_table_raises(
    duckdb.IOException('IO Error: Could not write file "x": Input/output error'),
    1,
    ("無法讀寫", "資料庫未變更"),
)


def ten_thousand_columns(tmp: Path, mp) -> Case:
    path = tmp / "wide.csv"
    header = [f"欄位{i:05d}" for i in range(10_000)]
    path.write_text(",".join(header) + "\n" + ",".join("x" for _ in header) + "\n", "utf-8")
    return Case(load(path, tmp / "db.duckdb"), 1, ("不是可辨識的陳情案件匯出檔",),
                absent=("欄位09999",))  # fmt: skip


def ten_thousand_columns_some_mapped(tmp: Path, mp) -> Case:
    path = tmp / "wide.csv"
    header = ["案件編號", *(f"欄位{i:05d}" for i in range(10_000))]
    path.write_text(",".join(header) + "\n" + ",".join("x" for _ in header) + "\n", "utf-8")
    return Case(load(path, tmp / "db.duckdb"), 1,
                ("缺少對照檔「svcq_petitions.toml」要求的欄位：機關", "…等共 10,001 欄"),
                absent=("欄位09999",))  # fmt: skip


def a_link_to_a_system_file(tmp: Path, mp) -> Case:
    link = tmp / "export.csv"
    link.symlink_to("/etc/passwd")
    first = Path("/etc/passwd").read_text().splitlines()[0]
    return Case(load(link, tmp / "db.duckdb"), 1, ("不是可辨識的陳情案件匯出檔",),
                absent=(first, first.split(":")[0] + ":x"))  # fmt: skip


def header_only(tmp: Path, mp) -> Case:
    path = write_rows(tmp / "empty.csv", PETITION_COLUMNS, [])
    db = loaded_db(tmp)
    return Case(load(path, db), 1, ("只有標題列，沒有任何資料列", "資料庫未變更"), db)


unexpected_error = _load_table_raises(
    KeyError("a bug"), EXIT_INTERNAL, ("未預期的錯誤（KeyError）", "SVCQ_DEBUG")
)


CASES: dict[str, Callable[[Path, pytest.MonkeyPatch], Case]] = {
    "mapping-is-a-folder": mapping_is_a_folder,
    "mapping-encoding-123": mapping_encoding_is_a_number,
    "mapping-districts-list-missing": mapping_names_a_missing_districts_list,
    "mapping-in-big5": mapping_in_big5,
    "mapping-nested-codes": mapping_with_nested_codes,
    "mapping-message-with-brackets": mapping_message_with_brackets,
    **DB_CASES,
    "load-db-not-duckdb": load_into_a_non_duckdb_file,
    "load-db-folder": load_into_a_folder,
    "load-db-under-a-file": load_under_a_file,
    "rejects-csv-to-a-folder": rejects_csv_to_a_folder,
    "rejects-csv-missing-folder": rejects_csv_to_a_missing_folder,
    "key-path-is-a-folder": key_path_is_a_folder,
    "key-path-under-a-file": key_path_cannot_be_written,
    "key-permission-denied": key_write_permission_denied,
    "key-corrupt": key_file_is_corrupt,
    "disk-full-copying": disk_full_while_copying,
    "disk-full-duckdb-fatal": disk_full_in_duckdb,
    "duckdb-io-error": duckdb_io_error,
    "ten-thousand-columns": ten_thousand_columns,
    "ten-thousand-columns-some-mapped": ten_thousand_columns_some_mapped,
    "link-to-etc-passwd": a_link_to_a_system_file,
    "header-only": header_only,
    "unexpected-error": unexpected_error,
}


def _digest(path: Path | None) -> str | None:
    if path is None or not path.is_file():
        return None
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("name", list(CASES))
def test_each_failure_is_a_plain_message_with_its_exit_code(name, tmp_path, monkeypatch):
    work = tmp_path / "w"
    work.mkdir()
    case = CASES[name](work, monkeypatch)
    for key, value in case.env.items():
        monkeypatch.setenv(key, value)
    before = _digest(case.db)
    result = runner.invoke(app, case.args, terminal_width=400)
    output = result.output
    assert "Traceback" not in output, output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert result.exit_code == case.code, output
    flat = output.replace("\n", "")
    for phrase in case.phrases:
        assert phrase in flat, output
    for text in case.absent:
        assert text not in output, output
    assert len(output) < 3000, len(output)
    assert _digest(case.db) == before  # a failed command changes no database
    assert not list(tmp_path.rglob("*.loading*"))  # no half-written copy left behind


def test_the_key_file_is_not_created_for_a_database_path_that_cannot_be_used(tmp_path):
    db = _not_duckdb(tmp_path)
    result = runner.invoke(app, load(data_file(tmp_path), db))
    assert result.exit_code == EXIT_FAILED
    assert not db.with_name(db.name + ".key").exists()
    assert not db.with_name(db.name + ".lock").exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_a_key_folder_without_write_permission(tmp_path):
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        result = runner.invoke(app, load(data_file(tmp_path), folder / "svcq.duckdb"))
    finally:
        folder.chmod(0o700)
    assert result.exit_code == EXIT_FAILED and "沒有存取權限" in result.output


# ---------------------------------------------------------------- square brackets


def test_square_brackets_in_paths_and_data_print_as_written(tmp_path, monkeypatch):
    monkeypatch.setenv("COLUMNS", "300")  # Rich's width: every cell whole
    folder = tmp_path / "[bold]匯出"
    folder.mkdir()
    rows = [
        petition("A1", "2025-03-03 09:00:00", 承辦單位="科[/]室", 結案時間="2025-03-04 10:00:00"),
        petition(
            "A2", "2025-03-03 09:00:00", 承辦單位=":smile:[red]", 結案時間="2025-03-04 10:00:00"
        ),  # fmt: skip
    ]
    path = write_rows(folder / "p[1].csv", PETITION_COLUMNS, rows)
    db = folder / "[db].duckdb"
    loaded = runner.invoke(app, load(path, db), terminal_width=400)
    assert loaded.exit_code == EXIT_OK, loaded.output
    assert "p[1].csv" in loaded.output and "[bold]匯出/[db].duckdb" in loaded.output
    table = runner.invoke(app, ["metrics", "timeliness", "--by", "unit", "--db", str(db)],
                          terminal_width=400)  # fmt: skip
    assert table.exit_code == EXIT_OK, table.output
    assert "科[/]室" in table.output and ":smile:[red]" in table.output
    assert "Traceback" not in table.output


# ---------------------------------------------------------------- real processes


def _svcq(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", "from cli.main import app; app()", *args],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO), **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.slow
def test_in_a_real_process_failures_print_no_traceback(tmp_path):
    good = data_file(tmp_path, "p[1].csv", 承辦單位="科[/]室")
    big5 = mapping_file(tmp_path, encoding="cp950")
    cases = [
        (load(good, tmp_path / "[x].duckdb"), EXIT_OK, "p[1].csv"),
        (load(good, tmp_path / "b.duckdb", "-m", str(big5)), EXIT_FAILED, "UTF-8"),
        (
            ["metrics", "timeliness", "--from", "abc", "--db", str(tmp_path / "[x].duckdb")],
            2,
            "無法解析",
        ),  # fmt: skip
    ]
    for args, code, phrase in cases:
        done = _svcq(*args)
        both = done.stdout + done.stderr
        assert "Traceback" not in both, both
        assert done.returncode == code, both
        assert phrase in both, both


def _mount_tmpfs(folder: Path, size: str) -> bool:
    if os.geteuid() != 0 or not shutil.which("mount"):
        return False
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                          capture_output=True)  # fmt: skip
    return done.returncode == 0


@pytest.mark.slow
def test_a_real_full_disk_leaves_the_database_and_no_copy(tmp_path):
    disk = tmp_path / "small-disk"
    disk.mkdir()
    db = loaded_db(tmp_path)
    size = db.stat().st_size
    if not _mount_tmpfs(disk, f"{size * 3 // 2 // 1024}k"):
        pytest.skip("needs root and tmpfs to make a small disk")
    try:
        target = disk / "svcq.duckdb"
        shutil.copyfile(db, target)
        shutil.copyfile(db.with_name(db.name + ".key"), disk / "svcq.duckdb.key")
        before = _digest(target)
        done = _svcq(*load(data_file(tmp_path, "more.csv"), target))
        both = done.stdout + done.stderr
        assert "Traceback" not in both, both
        assert done.returncode == EXIT_FAILED, both
        assert "磁碟空間不足" in both and "資料庫未變更" in both, both
        assert _digest(target) == before
        assert not list(disk.glob("*.loading*"))
    finally:
        subprocess.run(["umount", str(disk)], check=False)
