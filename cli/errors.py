"""Every expected failure of the command line, as a plain Traditional Chinese message and
an exit code: the one place that decides what the user reads when something goes wrong.

``describe(exc)`` walks ``RULES`` (exception type -> describer) in order; the first
describer that returns a ``Failure`` wins. A failure nobody expected (a bug) still ends
in a plain message, exit code 4, and no traceback (``SVCQ_DEBUG=1`` shows it).

To add a failure: write a describer ``(exc, situation) -> Failure | None`` and put it in
``RULES`` before any broader type it would otherwise fall under. Commands say which paths
they use (``involve``) so that a message can name the database, the key file or the
mapping file rather than "a file".

Exit codes (README): 0 success; 1 failure, the database unchanged; 2 usage error (a
wrong option or value; nothing was read or written); 3 partial (some rows rejected,
the rest loaded); 4 unexpected internal error (a bug: the database is either as it was
or fully loaded, never half); 130 interrupted (Ctrl-C; the database unchanged).
"""

from __future__ import annotations

import contextvars
import os
import re
import types
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from etl.keyfile import KeyFileError
from etl.mapping import MappingError
from etl.reader import ReadError
from store import oserrors

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_PARTIAL = 3
EXIT_INTERNAL = 4
EXIT_INTERRUPTED = 130

DEBUG_ENV = "SVCQ_DEBUG"
UNCHANGED = "資料庫未變更。"

# Commands whose ValueErrors come from the user's options, not from data: usage errors.
USAGE_COMMANDS = frozenset({"metrics"})
# Commands that write the database; a failed `load` leaves it as it was (one write
# session), so its messages add UNCHANGED (`sample` loads three files, one at a time).
WRITING_COMMANDS = frozenset({"load", "sample"})
ATOMIC_COMMANDS = frozenset({"load"})

# Modules whose failures are about the petitioner key file (etl.pii today; etl.keyfile
# if the key-file checks move there). See ``_key_file``.
KEY_MODULES = ("etl.pii", "etl.keyfile")
# Key-file exceptions with their own message (etl.keyfile.KeyFileError); any other problem
# raised while handling the key is recognised by the module it was raised in.
KEY_FILE_ERRORS: tuple[type[BaseException], ...] = (KeyFileError,)
# An early stop of a load whose rows nearly all fail the same way, if it is raised as an
# exception: add its class here (its message is shown as it is, exit code 1). If it is
# reported on the load result instead, see ``cli.load_commands.exit_code``.
STOPPED_LOAD_ERRORS: tuple[type[BaseException], ...] = ()

# Longest message printed: a file with 10,000 columns must not print 80 KB.
MAX_MESSAGE = 1500


class CliError(Exception):
    """A failure the command line itself detects, with its message and exit code."""

    def __init__(self, message: str, code: int = EXIT_FAILED) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class Failure:
    message: str
    code: int


@dataclass
class Situation:
    """What the running command is doing: its name, and the role of each path it uses."""

    command: str = ""
    roles: dict[str, str] = field(default_factory=dict)  # resolved path -> role

    @property
    def writes(self) -> bool:
        return self.command in WRITING_COMMANDS

    @property
    def atomic(self) -> bool:
        return self.command in ATOMIC_COMMANDS

    def role_of(self, path: object) -> str | None:
        if path is None:
            return None
        return self.roles.get(_key(path))


_situation: contextvars.ContextVar[Situation] = contextvars.ContextVar("svcq_situation")


def _key(path: object) -> str:
    return os.path.abspath(os.fsdecode(path))  # type: ignore[arg-type]


def begin(command: str) -> Situation:
    """Start a command's situation (called once per invocation by the guard)."""
    situation = Situation(command=command)
    _situation.set(situation)
    return situation


def current() -> Situation:
    try:
        return _situation.get()
    except LookupError:
        return begin("")


def involve(role: str, path: Path | str | None) -> None:
    """Name a path's role (資料庫, 金鑰檔, 對照檔, 資料檔, 輸出檔) for messages."""
    if path is not None:
        current().roles[_key(path)] = role


def involve_database(path: Path, key_path: Path | None = None) -> None:
    """The database, the files a write session puts beside it, and the key file."""
    for suffix in ("", ".loading", ".loading.wal", ".wal", ".lock"):
        involve("資料庫", path.with_name(path.name + suffix))
    if key_path is not None:
        involve("金鑰檔", key_path)


# ---------------------------------------------------------------- describers


def _has_chinese(text: str) -> bool:
    return re.search(r"[\u3400-\u9fff]", text) is not None


def _cli_error(exc: CliError, situation: Situation) -> Failure:
    return Failure(exc.message, exc.code)


def _raised_handling_the_key(exc: BaseException) -> bool:
    """Raised in a key function of the key modules (load_or_create_key, ...), not in
    another function of them (masking text is in etl.pii too)."""
    tb: types.TracebackType | None = exc.__traceback__
    while tb is not None:
        module = tb.tb_frame.f_globals.get("__name__")
        if module in KEY_MODULES and ("key" in tb.tb_frame.f_code.co_name or module != "etl.pii"):
            return True
        tb = tb.tb_next
    return False


def _key_path(situation: Situation) -> str:
    return next((p for p, role in situation.roles.items() if role == "金鑰檔"), "")


def _key_file(exc: BaseException, situation: Situation) -> Failure | None:
    """A problem with the petitioner key file, not with the data file."""
    if not (isinstance(exc, KEY_FILE_ERRORS) or _raised_handling_the_key(exc)):
        return None
    if isinstance(exc, KeyFileError):  # says where the key is and what to do
        return Failure(str(exc), EXIT_FAILED)
    where = _key_path(situation) or "（資料庫旁的 *.duckdb.key 或 $SVCQ_KEY_FILE）"
    if isinstance(exc, OSError):
        reason = _os_reason(exc)
    elif _has_chinese(str(exc)):
        reason = str(exc)
    else:
        reason = "內容不是有效的金鑰"
    return Failure(
        f"金鑰檔 {where} 無法使用：{reason}。金鑰檔存放於資料庫旁（*.duckdb.key）或環境變數 "
        f"SVCQ_KEY_FILE 指定之處；若遺失或損毀，請自備份還原（不可另建新金鑰，否則陳情人代碼"
        f"將與已載入的資料對不上）。",
        EXIT_FAILED,
    )


def _stopped_load(exc: BaseException, situation: Situation) -> Failure:
    return Failure(str(exc), EXIT_FAILED)


def _message(exc: BaseException, situation: Situation) -> Failure:
    return Failure(str(exc), EXIT_FAILED)


def _read_error(exc: ReadError, situation: Situation) -> Failure:
    text = str(exc)
    data_files = [Path(p) for p, role in situation.roles.items() if role == "資料檔"]
    named = any(f.name in text for f in data_files)
    prefix = f"{data_files[0]}：" if data_files and not named else ""
    return Failure(f"{prefix}{text}", EXIT_FAILED)


_DISK_FULL = oserrors.DISK_FULL


def _os_reason(exc: OSError) -> str:
    return oserrors.reason(exc)


def _os_error(exc: OSError, situation: Situation) -> Failure:
    role = situation.role_of(exc.filename) or "檔案"
    where = f"{role} {exc.filename}" if exc.filename else role
    if exc.errno in _DISK_FULL:
        return Failure(
            f"磁碟空間不足，無法寫入{where}；請清出空間後再試。",
            EXIT_FAILED,
        )
    return Failure(f"{where}：{_os_reason(exc)}。", EXIT_FAILED)


def _database_path(situation: Situation) -> str:
    paths = [p for p, role in situation.roles.items() if role == "資料庫"]
    return paths[0] if paths else ""


def _duckdb_error(exc: duckdb.Error, situation: Situation) -> Failure | None:
    text = str(exc)
    where = f"資料庫 {_database_path(situation)}".rstrip()
    if "No space left" in text or "Disk quota" in text:
        return Failure(f"磁碟空間不足，無法寫入{where}；請清出空間後再試。", EXIT_FAILED)
    if isinstance(exc, duckdb.IOException | duckdb.FatalException | duckdb.PermissionException):
        if "not a valid DuckDB database" in text or "not a DuckDB" in text:
            reason = "不是 DuckDB 資料庫檔；請以 --db 指定 svcq 的資料庫（.duckdb）"
        elif "Is a directory" in text:
            reason = "是資料夾，不是資料庫檔"
        elif "Not a directory" in text:
            reason = "路徑中有一段是檔案而不是資料夾"
        elif "database does not exist" in text or "No such file" in text:
            reason = "不存在；請先執行 svcq sample 或 svcq load 建立"
        elif "Could not set lock" in text or "Conflicting lock" in text:
            reason = "正被其他程式以寫入模式開啟（例如 DuckDB 命令列）；請關閉它後再試"
        elif "Permission denied" in text:
            reason = "沒有存取權限"
        elif "version" in text.lower():
            reason = "由不相容的 DuckDB 版本建立"
        else:
            reason = "無法讀寫（磁碟或檔案錯誤）"
        return Failure(f"{where} {reason}。", EXIT_FAILED)
    if isinstance(exc, duckdb.CatalogException):
        return Failure(
            f"{where} 不是 svcq 建立的資料庫，或缺少資料表；請以 --db 指定 svcq 的資料庫。",
            EXIT_FAILED,
        )
    if isinstance(exc, duckdb.OutOfMemoryException):
        return Failure("記憶體不足，無法完成。", EXIT_FAILED)
    return None


def _memory(exc: MemoryError, situation: Situation) -> Failure:
    return Failure("記憶體不足，無法完成。", EXIT_FAILED)


def _value_error(exc: ValueError, situation: Situation) -> Failure | None:
    """A ValueError in Chinese is a message for the user (the libraries' convention); one
    in English is a bug, reported as such."""
    if not _has_chinese(str(exc)):
        return None
    code = EXIT_USAGE if situation.command in USAGE_COMMANDS else EXIT_FAILED
    return Failure(str(exc), code)


Describer = Callable[[BaseException, Situation], Failure | None]

RULES: list[tuple[type[BaseException] | tuple[type[BaseException], ...], Describer]] = [
    (CliError, _cli_error),
    (Exception, _key_file),  # anything raised while handling the key file
    (STOPPED_LOAD_ERRORS, _stopped_load),
    (MappingError, _message),
    (ReadError, _read_error),
    (OSError, _os_error),
    (duckdb.Error, _duckdb_error),
    (MemoryError, _memory),
    (ValueError, _value_error),
]  # type: ignore[list-item]


def _internal(exc: BaseException, situation: Situation) -> Failure:
    state = (
        "資料庫不是維持原狀，就是已完整寫入（請以 svcq batches 確認）。" if situation.writes else ""
    )
    return Failure(
        f"svcq 發生未預期的錯誤（{type(exc).__name__}），這是程式的問題，請回報維護人員。"
        f"{state}設定環境變數 {DEBUG_ENV}=1 再執行一次可看到詳細資訊。",
        EXIT_INTERNAL,
    )


def describe(exc: BaseException, situation: Situation | None = None) -> Failure:
    """The message and exit code for an exception (never raises)."""
    situation = situation or current()
    if isinstance(exc, KeyboardInterrupt):
        return _finished(Failure("已中斷", EXIT_INTERRUPTED), situation)
    for kind, describer in RULES:
        if kind and isinstance(exc, kind):
            failure = describer(exc, situation)
            if failure is not None:
                return _finished(failure, situation)
    return _internal(exc, situation)


def _finished(failure: Failure, situation: Situation) -> Failure:
    """Capped, ended with 。, and, for a failed load, saying the database is unchanged."""
    text = _capped(failure.message.strip())
    if not text.endswith(("。", "！", "？")):
        text += "。"
    if situation.atomic and failure.code in (EXIT_FAILED, EXIT_INTERRUPTED):
        text += UNCHANGED
    return Failure(text, failure.code)


def _capped(message: str) -> str:
    if len(message) <= MAX_MESSAGE:
        return message
    return message[:MAX_MESSAGE] + "…（訊息過長，以下省略）"


def debugging() -> bool:
    return os.environ.get(DEBUG_ENV, "") not in ("", "0")
