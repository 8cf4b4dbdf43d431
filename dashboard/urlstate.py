"""Widget values kept in the URL under stable, language-independent values.

Streamlit's ``bind="query-params"`` writes a widget's *label* into the URL (期間=近 12 個月),
so a link copied in Chinese means nothing in English, and switching the language drops
the other choices. Here the URL holds the option's own value (period=last_12,
lang=en, district=鳳山區): ``restore`` seeds the widget's session state from the URL
before the widget is drawn, ``remember`` writes the value back after it (removing it when
it is the default), so a copied link reproduces the view in either language.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

import streamlit as st


def _one(key: str) -> str | None:
    values = st.query_params.get_all(key)
    return values[-1] if values else None


def restore_choice(key: str, options: Sequence, default, *, param: str | None = None) -> None:
    """Seed a single-choice widget from ``?key=value`` (an unknown value is ignored; the
    URL's name is ``param`` when it differs from the session state's ``key``).

    A value already in session state is kept only if it is one of the options: after a
    language switch Streamlit can hand back the option's old *label* (今年, not
    this_year), and keeping that would reset the widget to its default."""
    if key in st.session_state and st.session_state[key] in list(options):
        return
    raw = _one(param or key)
    by_text = {str(o): o for o in options}
    st.session_state[key] = by_text.get(raw, default) if raw is not None else default


def restore_many(key: str, options: Sequence[str]) -> None:
    """Seed a multiselect from ``?key=a&key=b`` (values not among the options dropped);
    a held selection with a value that is not an option (a stale label) is re-seeded."""
    allowed = set(options)
    held = st.session_state.get(key)
    if isinstance(held, list) and all(v in allowed for v in held):
        return
    st.session_state[key] = [v for v in dict.fromkeys(st.query_params.get_all(key)) if v in allowed]


def restore_date(key: str, default: dt.date, low: dt.date | None, high: dt.date | None) -> None:
    """Seed a date input from ``?key=YYYY-MM-DD`` (clipped to [low, high])."""
    if key in st.session_state:
        return
    value = default
    raw = _one(key)
    if raw:
        try:
            value = dt.date.fromisoformat(raw)
        except ValueError:
            value = default
    if low is not None:
        value = max(value, low)
    if high is not None:
        value = min(value, high)
    st.session_state[key] = value


def remember(
    key: str, default=None, dump: Callable[[object], object] = str, *, param: str | None = None
) -> None:
    """Write the widget's value to the URL (as ``param``, default ``key``), or remove it
    when it is the default or empty."""
    value = st.session_state.get(key)
    name = param or key
    empty = value is None or (isinstance(value, list | tuple) and not value)
    if empty or value == default:
        if name in st.query_params:
            del st.query_params[name]
        return
    if isinstance(value, list | tuple):
        st.query_params[name] = [str(v) for v in value]
    else:
        st.query_params[name] = dump(value)
