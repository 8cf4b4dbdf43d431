"""Options every command shares, and opening the database with a plain message when the
path is not one."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import duckdb
import typer

from cli.errors import CliError, involve_database
from store import db

DbOption = Annotated[
    Path | None,
    typer.Option("--db", help="資料庫檔案；預設為環境變數 SVCQ_DB，否則 ./data/svcq.duckdb"),
]

# A DuckDB file carries these bytes at offset 8 (its storage header).
DUCKDB_MAGIC = b"DUCK"


def database_path(path: Path | None) -> Path:
    return path or db.default_db_path()


def _file_in_the_way(path: Path) -> Path | None:
    """The first parent of ``path`` that exists but is a file (``x.csv/db.duckdb``)."""
    for parent in reversed(path.parents):
        if parent.exists() and not parent.is_dir():
            return parent
    return None


def check_database(path: Path, *, must_exist: bool) -> None:
    """Refuse a --db that cannot be svcq's database, before anything is opened or created:
    a folder, a path under a file, a file that is not DuckDB's, or (for reading) none."""
    blocker = _file_in_the_way(path)
    if blocker is not None:
        raise CliError(f"資料庫路徑 {path} 無法使用：{blocker} 是檔案而不是資料夾。")
    if path.is_dir():
        raise CliError(f"資料庫路徑 {path} 是資料夾；請以 --db 指定資料庫檔（.duckdb）。")
    if not path.exists():
        if must_exist:
            raise CliError(f"找不到資料庫 {path}；請先執行 svcq sample 或 svcq load 建立。")
        return
    try:
        with open(path, "rb") as fh:
            head = fh.read(12)
    except OSError:
        return  # reported with its reason when the database is opened
    if head and head[8:12] != DUCKDB_MAGIC:
        raise CliError(f"{path} 不是 DuckDB 資料庫檔；請以 --db 指定 svcq 的資料庫（.duckdb）。")


def open_readonly(path: Path | None) -> duckdb.DuckDBPyConnection:
    """The database for reading, or a CliError saying why it cannot be opened."""
    target = database_path(path)
    involve_database(target)
    check_database(target, must_exist=True)
    return db.connect_readonly(target)
