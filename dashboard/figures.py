"""Figures built once per set of inputs, shared by every session of the server.

Building a plotly figure is mostly plotly's validation of every property set (a quarter to
a half of a rerun's own time when every metric is cached: bench/bench_dashboard.py's
``--serve`` profiles). ``build(charts.bars, labels, values, …)`` returns the figure made
from exactly these arguments the last time, else builds and keeps it. The key is the
builder and its pickled arguments: the labels, values and hover texts are already in the
reader's language and calendar and come from the current database's figures, so another
language, filter or load is another key and nothing stale can be shown.

The figures are shared, not copied: callers pass them to ``st.plotly_chart`` (which reads
them) and never change them; a figure that needs more than a builder gives is made by a
function of its own, passed to ``build`` in turn.
"""

from __future__ import annotations

import hashlib
import pickle
import threading
from collections import OrderedDict
from collections.abc import Callable

import plotly.graph_objects as go
import streamlit as st

MAX_FIGURES = 2000  # least recently used first out
# A figure takes some 40 times the size of its pickled inputs in memory (a 280-bar chart
# 5.7 KB → 225 KB, the district map 76 KB → 2.6 MB); the inputs kept add up to at most
# this, so the figures stay near 250 MB.
MAX_INPUT_BYTES = 6_000_000


class _Store:
    def __init__(self) -> None:
        self.figures: OrderedDict[bytes, tuple[go.Figure, int]] = OrderedDict()
        self.size = 0  # the pickled inputs' bytes of the figures kept
        self.lock = threading.Lock()

    def get(self, key: bytes) -> go.Figure | None:
        with self.lock:
            kept = self.figures.get(key)
            if kept is None:
                return None
            self.figures.move_to_end(key)
            return kept[0]

    def put(self, key: bytes, fig: go.Figure, size: int) -> None:
        with self.lock:
            if key in self.figures:
                self.size -= self.figures.pop(key)[1]
            self.figures[key] = (fig, size)
            self.size += size
            while len(self.figures) > MAX_FIGURES or (
                self.size > MAX_INPUT_BYTES and len(self.figures) > 1
            ):
                self.size -= self.figures.popitem(last=False)[1][1]


@st.cache_resource(show_spinner=False)
def _store() -> _Store:
    return _Store()


def build(builder: Callable[..., go.Figure], /, *args: object, **kwargs: object) -> go.Figure:
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
        store.put(key, fig, len(raw))
    return fig
