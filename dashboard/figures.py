"""Figures built once per set of inputs, shared by every session of the server.

A chart spec is rebuilt from its figures on every rerun otherwise (the district map's
polygons, tooltips and label placement, every bar's hover fields), though on a rerun with
filters seen before nothing in it changed. ``build(charts.bars, labels, values, …)``
returns the spec made
from exactly these arguments the last time, else builds and keeps it. The key is the
builder and its pickled arguments: the labels, values and hover texts are already in the
reader's language and calendar and come from the current database's figures, so another
language, filter or load is another key and nothing stale can be shown.

The specs are shared, not copied: callers pass them to ``st.vega_lite_chart`` (which
copies the top level before it adds to it) and never change them; a chart that needs more
than a builder gives is made by a function of its own, passed to ``build`` in turn.
"""

from __future__ import annotations

import hashlib
import json
import pickle
import threading
from collections import OrderedDict
from collections.abc import Callable

import streamlit as st

MAX_FIGURES = 2000  # least recently used first out
# The specs kept add up to at most this many characters of JSON. In memory a spec takes
# some 4-5 times its JSON as Python dicts (the district map: 129 KB of JSON, about 575 KB;
# 280 bars: 26 KB, about 139 KB), so about 30 MB in all. Its inputs are no measure: the
# map's pickle is 74 KB, the 280 bars' 3.6 KB (a spec repeats hover fields per mark).
MAX_SPEC_CHARS = 6_000_000


class _Store:
    def __init__(self) -> None:
        self.figures: OrderedDict[bytes, tuple[dict, int]] = OrderedDict()
        self.size = 0  # the JSON characters of the specs kept
        self.lock = threading.Lock()

    def get(self, key: bytes) -> dict | None:
        with self.lock:
            kept = self.figures.get(key)
            if kept is None:
                return None
            self.figures.move_to_end(key)
            return kept[0]

    def put(self, key: bytes, fig: dict, size: int) -> None:
        with self.lock:
            if key in self.figures:
                self.size -= self.figures.pop(key)[1]
            self.figures[key] = (fig, size)
            self.size += size
            while len(self.figures) > MAX_FIGURES or (
                self.size > MAX_SPEC_CHARS and len(self.figures) > 1
            ):
                self.size -= self.figures.popitem(last=False)[1][1]


@st.cache_resource(show_spinner=False)
def _store() -> _Store:
    return _Store()


def build(builder: Callable[..., dict], /, *args: object, **kwargs: object) -> dict:
    """``builder(*args, **kwargs)``, made once per distinct arguments (see module doc)."""
    name = f"{builder.__module__}.{builder.__qualname__}"
    try:
        raw = pickle.dumps((name, args, sorted(kwargs.items())), protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError):  # not keyable: build it
        return builder(*args, **kwargs)
    key = hashlib.blake2b(raw, digest_size=20).digest()
    store = _store()
    fig = store.get(key)
    if fig is None:
        fig = builder(*args, **kwargs)
        store.put(key, fig, len(json.dumps(fig, ensure_ascii=False)))  # once, on a miss
    return fig
