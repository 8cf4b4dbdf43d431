"""The petitioner key's secret: where it lives, how it is created, how a database is tied to it.

The secret is 32 random bytes, written as 64 hex characters in a key file beside
the database (``svcq.duckdb.key``, or ``$SVCQ_KEY_FILE``), readable by its owner
only. Petitioner keys are keyed hashes of identities under this secret, so the
same person gets the same key in every load, and a copy of the database without
the key file cannot be turned back into ID numbers by trying them all.

Three things protect it:

- It is created atomically: written to a private temporary file, fsynced, then
  linked into place, so concurrent first loads agree on one secret and no load
  ever reads a half-written one.
- A database records a fingerprint of the secret it was built with (a keyed hash
  of a fixed label: it identifies the secret and reveals nothing about IDs). A
  load with another secret is refused, because every petitioner would get a new
  key and repeat detection would silently fall apart.
- A key that is short, not hex, not random, or readable by other users is refused.

Every refusal raises ``KeyFileError`` with a plain Traditional Chinese message that
says where the key must be and how to restore it.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import stat
from pathlib import Path

import duckdb

from store import meta, oserrors
from store.db import scalar

KEY_ENV = "SVCQ_KEY_FILE"
KEY_BYTES = 32
# A random 32-byte secret has about 30 distinct byte values; fewer than this means the
# file was written by hand ("0000…", "abab…"), not by a random generator.
MIN_DISTINCT_BYTES = 12
_FINGERPRINT_LABEL = b"svcq petitioner key fingerprint v1"
PRIVACY_DOC = "docs/privacy.md"


class KeyFileError(Exception):
    """The petitioner key file is missing, unreadable, corrupt, exposed or not this
    database's; the message is plain Traditional Chinese and says what to do."""


def key_path_for(db_path: Path | str) -> Path:
    """``$SVCQ_KEY_FILE`` if set, else the database's path with ``.key`` appended."""
    env = os.environ.get(KEY_ENV)
    db_path = Path(db_path)
    return Path(env) if env else db_path.with_name(db_path.name + ".key")


def fingerprint(secret: bytes) -> str:
    """A keyed hash of a fixed label: equal for equal secrets, useless for guessing IDs
    (computing it needs the secret itself, 256 random bits)."""
    return hashlib.blake2b(_FINGERPRINT_LABEL, key=secret, digest_size=16).hexdigest()


def read_key(path: Path) -> bytes:
    """The secret stored in an existing key file; KeyFileError if it cannot be used."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise KeyFileError(f"找不到陳情人金鑰檔 {path}。") from None
    except OSError as exc:
        raise KeyFileError(f"無法讀取陳情人金鑰檔 {path}（{oserrors.reason(exc)}）。") from None
    if not stat.S_ISREG(info.st_mode):
        raise KeyFileError(
            f"陳情人金鑰檔 {path} 不是一般檔案（可能是資料夾）。"
            f"請移除它，或以環境變數 {KEY_ENV} 指向正確的金鑰檔。"
        )
    if info.st_mode & 0o077:
        raise KeyFileError(
            f"陳情人金鑰檔 {path} 其他使用者也能讀取（權限 {stat.S_IMODE(info.st_mode):o}）。"
            f"任何拿到它的人都能由身分證號推算陳情人代碼。請執行 chmod 600 {path} 後再載入；"
            f"若不確定它是否外流，請依 {PRIVACY_DOC}「更換金鑰」處理。"
        )
    try:
        text = path.read_bytes().decode("ascii").strip()
        secret = bytes.fromhex(text)
    except OSError as exc:
        raise KeyFileError(f"無法讀取陳情人金鑰檔 {path}（{oserrors.reason(exc)}）。") from None
    except (UnicodeDecodeError, ValueError):
        raise KeyFileError(_corrupt(path, "內容不是十六進位文字")) from None
    if len(secret) < KEY_BYTES:
        raise KeyFileError(
            _corrupt(path, f"只有 {len(secret)} 位元組，至少需要 {KEY_BYTES} 位元組的隨機值")
        )
    if len(set(secret)) < MIN_DISTINCT_BYTES:
        raise KeyFileError(_corrupt(path, "內容不是隨機產生的（重複的位元組太多）"))
    return secret


def _corrupt(path: Path, what: str) -> str:
    return (
        f"陳情人金鑰檔 {path} 已損毀：{what}（應為 svcq 產生的 {KEY_BYTES * 2} 個十六進位字元）。"
        f"這是金鑰的問題，不是資料檔的問題。請從備份還原此金鑰檔；"
        f"若資料庫是全新的、尚未載入陳情案件，刪除它即可由 svcq 重新產生。"
    )


def load_or_create_key(path: Path) -> bytes:
    """The secret in ``path``; created (atomically, owner-only) when the file does not exist.

    Concurrent callers, in any number of processes, all get the same secret: each
    writes its candidate to a private temporary file, fsyncs it, and tries to
    ``link`` it to ``path``; exactly one link succeeds, the others read the winner.
    """
    path = Path(path)
    if _present(path):
        return read_key(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        _create(path)
    except FileExistsError:
        if not _present(path):  # a file where a folder should be, not a lost race
            raise KeyFileError(_cannot_create(path, "路徑中有同名的檔案")) from None
        # else another process won the race; its complete file is in place
    except OSError as exc:
        raise KeyFileError(_cannot_create(path, oserrors.reason(exc))) from None
    return read_key(path)


def _present(path: Path) -> bool:
    try:
        return path.exists() or path.is_symlink()
    except OSError as exc:
        raise KeyFileError(f"無法讀取陳情人金鑰檔 {path}（{oserrors.reason(exc)}）。") from None


def _cannot_create(path: Path, why: str | None) -> str:
    return (
        f"無法建立陳情人金鑰檔 {path}（{why}）。請確認該資料夾存在且可寫入，"
        f"或以環境變數 {KEY_ENV} 指定金鑰檔位置。"
    )


def _create(path: Path) -> None:
    temp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(secrets.token_bytes(KEY_BYTES).hex() + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.link(temp, path)  # never replaces an existing file: the first link wins
    finally:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
    with contextlib.suppress(OSError):
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def secret_for(con: duckdb.DuckDBPyConnection, key_path: Path, db_path: Path | str) -> bytes:
    """The secret for loading into the database open on ``con`` (a write session).

    A database that records a fingerprint, or already holds petitioner keys, needs
    its own key file: a missing one is not replaced by a new secret, and a different
    one is refused. A new database gets a new key (or the shared one at ``key_path``)
    and records its fingerprint.
    """
    recorded = meta.get(con, meta.PETITIONER_KEY_FINGERPRINT)
    has_keys = bool(scalar(con, "SELECT count(*) FROM petitions WHERE petitioner_key IS NOT NULL"))
    if (recorded or has_keys) and not _present(key_path):
        raise KeyFileError(
            f"找不到陳情人金鑰檔 {key_path}，但資料庫 {db_path} 的陳情人代碼是用它算出的。"
            f"svcq 不會另產生新金鑰（否則重複陳情無法辨識）。{_restore(key_path)}"
        )
    secret = load_or_create_key(key_path)
    if recorded is None:
        meta.put(con, meta.PETITIONER_KEY_FINGERPRINT, fingerprint(secret))
    elif recorded != fingerprint(secret):
        raise KeyFileError(
            f"陳情人金鑰檔 {key_path} 不是建立資料庫 {db_path} 時所用的金鑰"
            f"（例如資料庫是從別處複製來的，或金鑰檔被換過）。用它載入會讓同一位陳情人得到不同代碼。"
            f"{_restore(key_path)}"
        )
    return secret


def _restore(key_path: Path) -> str:
    return (
        f"請把建立此資料庫時的金鑰檔從備份還原到 {key_path}（權限 600），"
        f"或以環境變數 {KEY_ENV} 指向它，再重新載入。找不到備份時，請依 {PRIVACY_DOC}"
        f"「更換金鑰」以新金鑰重建資料庫。"
    )
