"""The dashboard's way to the data: one read-only reader per process and cached results.

Pages call ``run(metric_function, filters, **kwargs)``: the result is cached by the
function, its arguments and the database file's identity (inode, mtime), so a load shows
up on the next rerun without a restart and never mixes old and new figures. Each call
takes its own cursor (``store.db.AttachedReader``). No SQL here: only metric functions.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import importlib
import os
import pickle
from collections.abc import Callable
from pathlib import Path

import streamlit as st

from metrics.filters import Filters
from store.db import AttachedReader, default_db_path

DB_ENV = "SVCQ_DB"


def db_path() -> Path:
    """The database the dashboard reads: $SVCQ_DB, else ./data/svcq.duckdb."""
    return default_db_path().resolve()


@st.cache_resource(show_spinner=False)
def _reader(path: str) -> AttachedReader:
    return AttachedReader(path)


def reader() -> AttachedReader:
    return _reader(str(db_path()))


def stamp() -> tuple[int, int] | None:
    """The database file's identity, or None when there is no database yet."""
    return reader().stamp()


def _freeze(value: object) -> object:
    if isinstance(value, list | set):
        return tuple(value)
    if isinstance(value, dict):
        return tuple(sorted(value.items()))
    return value


_PLAIN = (str, int, float, bool, type(None), dt.date)


def _plain(value: object) -> bool:
    """Whether ``repr(value)`` says all of it: text, numbers, dates, None, tuples of these
    and ``Filters`` of these (its generated repr names every field). Any other dataclass
    is keyed by its bytes: a field left out of its repr, or a repr of its own, would let
    two different arguments share a key."""
    if isinstance(value, _PLAIN):
        return True
    if isinstance(value, tuple):
        return all(_plain(v) for v in value)
    if type(value) is Filters:
        return all(_plain(getattr(value, f.name)) for f in dataclasses.fields(value))
    return False


def _key(call: tuple) -> str:
    """The cache key of a call. Streamlit's own hashing of the arguments took about a
    millisecond per call, some 25 calls on a page; ``repr`` of plain values is exact and
    takes microseconds. Anything else is keyed by its pickled bytes."""
    if _plain(call):
        return repr(call)
    return "pickle:" + hashlib.blake2b(pickle.dumps(call), digest_size=20).hexdigest()


@st.cache_data(show_spinner=False, max_entries=4000)
def _cached(key: str, _call: tuple):
    # the key names the function, its arguments, the path and the file's identity (a new
    # load is a new key); _call (not hashed by Streamlit) is what the key was made from
    module, name, path, _, args, kwargs = _call
    fn = getattr(importlib.import_module(module), name)
    cursor = _reader(path).cursor()
    try:
        return fn(cursor, *args, **dict(kwargs))
    finally:
        cursor.close()


def run(fn: Callable, *args: object, **kwargs: object):
    """``fn(cursor, *args, **kwargs)`` on the current database, cached (see module doc)."""
    path = str(db_path())  # resolved once per call (it walks the file system)
    current = _reader(path).stamp()
    if current is None:
        raise FileNotFoundError(path)
    call = _call(fn, path, current, args, kwargs)
    # st.cache_data hands every caller its own copy
    return _cached(_key(call), call)


def _call(fn: Callable, path: str, stamp: tuple[int, int], args: tuple, kwargs: dict) -> tuple:
    """What a call is keyed by (``_key``) and computed from (``_cached``): the function's
    module and name, the database path and file identity, the arguments (lists and dicts
    frozen, keyword arguments sorted)."""
    frozen = tuple((k, _freeze(v)) for k, v in sorted(kwargs.items()))
    return (fn.__module__, fn.__name__, path, stamp, args, frozen)


def env_db_hint() -> str:
    return os.environ.get(DB_ENV) or str(db_path())
