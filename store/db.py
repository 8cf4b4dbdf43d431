"""Opening the database and writing without blocking readers.

DuckDB lets no other process open a file while one holds it read-write, not even
read-only. So a writer never opens the live file: it copies it to a temporary file
beside it, writes there, closes, and ``os.replace()``s the copy over the live file.
Readers open read-only and see either the old file or the new one, never a half
load; a killed writer leaves only a stray temporary file, which the next writer
removes. Writers are serialised by an advisory lock on a ``.lock`` file.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import stat
import threading
from collections.abc import Iterator
from pathlib import Path

import duckdb

DEFAULT_DB = Path("data") / "svcq.duckdb"
TEMP_SUFFIX = ".loading"


def default_db_path() -> Path:
    """The database path: ``$SVCQ_DB`` if set, else ``./data/svcq.duckdb``."""
    return Path(os.environ.get("SVCQ_DB") or DEFAULT_DB)


def scalar(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None):
    """The single value of a one-row, one-column query.

    DuckDB 2 keeps a result open after ``fetchone()`` and refuses further work on the
    connection until it is drained, so every read here fetches all rows.
    """
    rows = con.execute(sql, params or []).fetchall()
    return rows[0][0] if rows else None


# DuckDB's Python client otherwise reads a missing table from a Python variable of that
# name in the caller's frames (a database without `batches` "read" the CLI's function).
READ_CONFIG = {"python_enable_replacements": False}


def connect_readonly(path: Path | str) -> duckdb.DuckDBPyConnection:
    """Open the live database for reading. Never blocks or is blocked by a load."""
    return duckdb.connect(str(path), read_only=True, config=READ_CONFIG)


@contextlib.contextmanager
def writer_lock(path: Path) -> Iterator[None]:
    """Serialise writers on one database file (advisory, released if the process dies)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lock_path = path.with_name(path.name + ".lock")
    with open(lock_path, "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


@contextlib.contextmanager
def write_session(path: Path | str) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-write connection to a private copy of the database.

    On normal exit the copy is checkpointed, closed and atomically put in place of
    the live file. On an exception (or if the process is killed) the live file is
    untouched and the copy is discarded. The schema is the caller's business
    (``etl.database.write_session`` creates and upgrades it).
    """
    path = Path(path)
    with writer_lock(path):
        temp = path.with_name(path.name + TEMP_SUFFIX)
        _discard(temp)
        try:  # a copy that fails half-way (a full disk) must not stay behind
            if path.exists():
                _private_copy(path, temp)
            con = duckdb.connect(str(temp))
        except BaseException:
            _discard(temp)
            raise
        try:
            yield con
            con.execute("CHECKPOINT")
            con.close()
        except BaseException:
            con.close()
            _discard(temp)
            raise
        try:
            _fsync(temp)
            os.replace(temp, path)
        except BaseException:
            _discard(temp)
            raise
        _fsync_dir(path.parent)


def _private_copy(path: Path, temp: Path) -> None:
    """Copy the live file to ``temp`` with the live file's mode and (when allowed) owner,
    so the file that replaces it is exactly as private as it was. The copy is created
    owner-only and widened to the live mode only once it is complete."""
    info = path.stat()
    os.close(os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    shutil.copyfile(path, temp)  # into the existing owner-only file (keeps its mode)
    with contextlib.suppress(PermissionError):  # only root may give a file away
        os.chown(temp, info.st_uid, info.st_gid)
    os.chmod(temp, stat.S_IMODE(info.st_mode))


def _discard(temp: Path) -> None:
    for p in (temp, temp.with_name(temp.name + ".wal")):
        with contextlib.suppress(FileNotFoundError):
            p.unlink()


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        _fsync(path)


class ReloadingReader:
    """A read-only connection that reopens when a load has replaced the file.

    For long-lived readers such as the dashboard: call ``connection()`` before each
    query; it costs one ``stat`` when nothing changed.
    """

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._con: duckdb.DuckDBPyConnection | None = None
        self._stamp: tuple[int, int] | None = None

    def _current_stamp(self) -> tuple[int, int]:
        st = self.path.stat()
        return (st.st_ino, st.st_mtime_ns)

    def connection(self) -> duckdb.DuckDBPyConnection:
        stamp = self._current_stamp()
        if self._con is None or stamp != self._stamp:
            if self._con is not None:
                self._con.close()
            self._con = connect_readonly(self.path)
            self._stamp = stamp
        return self._con

    def close(self) -> None:
        if self._con is not None:
            self._con.close()
            self._con = None


class AttachedReader:
    """Read-only access to the live database for a long-lived, multi-threaded server.

    DuckDB reuses an open database by path: after a load's ``os.replace()``, a new
    ``duckdb.connect(path)`` made while an old connection is still open returns the old
    file's data. So each version of the file, told apart by (inode, mtime), is attached
    read-only to a fresh in-memory connection under its own name; ``cursor()`` gives a
    cursor (one per query: sharing a connection across threads fails) already switched
    to the current version. Older versions are dropped when no cursor uses them any more.
    """

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._con: duckdb.DuckDBPyConnection | None = None
        self._stamp: tuple[int, int] | None = None

    def stamp(self) -> tuple[int, int] | None:
        """(inode, mtime in ns) of the live file, or None when there is none."""
        try:
            st = self.path.stat()
        except (FileNotFoundError, NotADirectoryError):
            return None
        return (st.st_ino, st.st_mtime_ns)

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A cursor on the current version of the file. Raises FileNotFoundError when the
        database does not exist, duckdb errors when it is not a database."""
        stamp = self.stamp()
        if stamp is None:
            raise FileNotFoundError(str(self.path))
        with self._lock:
            if self._con is None or stamp != self._stamp:
                con = duckdb.connect(config=READ_CONFIG)
                con.execute("ATTACH ? AS svcq (READ_ONLY)", [str(self.path)])
                self._con, self._stamp = con, stamp
            con = self._con
        cursor = con.cursor()
        cursor.execute("USE svcq")
        return cursor
