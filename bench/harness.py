"""What the benchmark scripts share: timing a call, naming the machine, the progress line
after each round, and removing a run's database with its key file.

Imported by the scripts in this folder as ``harness`` (a script's folder is on sys.path
when it runs as ``.venv/bin/python bench/<script>.py``).
"""

from __future__ import annotations

import os
import platform
import time
from collections.abc import Callable
from pathlib import Path


def timed(fn: Callable, *args, **kwargs) -> tuple[float, object]:
    """Seconds ``fn(*args, **kwargs)`` took, and what it returned."""
    started = time.perf_counter()
    out = fn(*args, **kwargs)
    return time.perf_counter() - started, out


def machine(*extra: str) -> str:
    """The line naming the machine: processor, cores, Python (and ``extra`` versions)."""
    parts = [platform.processor() or platform.machine(), f"{os.cpu_count()} cores",
             f"Python {platform.python_version()}", *extra]  # fmt: skip
    return "machine: " + ", ".join(parts)


def round_done(i: int, repeat: int) -> None:
    """Print that round ``i`` (0-based) of ``repeat`` ended, with the load average (so a
    busy neighbour shows)."""
    print(f"run {i + 1}/{repeat} done (load average {os.getloadavg()[0]:.2f})", flush=True)


def remove_database(db: Path) -> None:
    """Delete a run's database file and the key file beside it."""
    for suffix in ("", ".key"):
        db.with_name(db.name + suffix).unlink(missing_ok=True)
