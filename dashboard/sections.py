"""A page's sections as tabs, only the open one computed and drawn.

A page that shows everything at once pays for every chart and table on every rerun (some
15-35 ms a chart in the browser, docs/performance.md); a tab not open costs nothing. The
open tab is kept in the URL by its id (``?tab=regional``), not by its label, which changes
with the language, so a copied link opens the same section.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from dashboard import blocks, urlstate
from dashboard.ui import t

Section = tuple[str, Callable]  # (catalog key of its label, e.g. "tab.regional"; its drawing)


def tabs(page: str, sections: tuple[Section, ...], selection) -> None:
    """Draw ``sections`` of ``page`` as tabs and the open one's content: ``draw(selection)``.
    A section's id is the last part of its key ("tab.regional" -> "regional")."""
    ids = [key.rsplit(".", 1)[-1] for key, _ in sections]
    names = [t(key) for key, _ in sections]
    state, chosen = f"{page}_tab", f"{page}_tab_id"
    current = st.session_state.get(state)  # the tab's label, in the language it was drawn in
    if current in names:
        st.session_state[chosen] = ids[names.index(current)]
    else:  # a fresh session: from the URL
        urlstate.restore_choice(chosen, ids, ids[0], param="tab")
    st.session_state[state] = names[ids.index(st.session_state[chosen])]
    drawn = st.tabs(names, key=state, on_change="rerun")
    urlstate.remember(chosen, ids[0], param="tab")
    for tab, (_, draw) in zip(drawn, sections, strict=True):
        if tab.open:
            with tab, blocks.guarded():
                draw(selection)
