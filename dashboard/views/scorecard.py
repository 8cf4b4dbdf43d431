"""單位評分卡: one row per unit, each figure against its target and the previous period,
with the standing; choosing a row filters every page to that unit. Funnel plots compare
units of very different sizes fairly."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import blocks, data, fmt, sidebar, urlstate
from dashboard.funnel_view import funnel_chart
from dashboard.ui import labels, points, t
from metrics import scorecard

FUNNELS = ("on_time_rate", "reply_satisfaction", "survey_satisfaction")


def _cell(indicator: str, value) -> str:
    if indicator in ("on_time_rate", "survey_satisfaction"):
        return fmt.percent(value)
    if indicator == "overdue_open":
        return fmt.number(value)
    return fmt.number(value, 1)


def _change(indicator: str, value) -> str:
    if fmt.missing(value):
        return "—"
    if indicator in ("on_time_rate", "survey_satisfaction"):
        return points(value)
    return f"{float(value):+,.{0 if indicator == 'overdue_open' else 1}f}"


def table(card: pd.DataFrame) -> pd.DataFrame:
    out = {
        t("col.unit"): card["unit"],
        t("col.standing"): [t(f"standing.{s}") for s in card["standing"]],
    }
    for name in scorecard.INDICATORS:
        met = card[f"{name}_met"]
        out[t(f"col.{name}")] = [
            _cell(name, v) + ("" if fmt.missing(m) else (" ✓" if m else " ✗"))
            for v, m in zip(card[name], met, strict=True)
        ]
        out[t("col.change_of", name=t(f"col.{name}"))] = [
            _change(name, v) for v in card[f"{name}_change"]
        ]
    out[t("col.targets_missed")] = card["targets_missed"]
    return pd.DataFrame(out)


def body(selection) -> None:
    card = data.run(scorecard.unit_scorecard, selection.filters)
    st.header(t("scorecard.table_title"))
    if card.empty:
        blocks.empty()
        return
    targets = t(
        "scorecard.targets",
        **{k: _cell(k, card[f"{k}_target"].iloc[0]) for k in scorecard.INDICATORS},
    )
    st.caption(targets + t("caption.separator") + t("scorecard.marks"))

    def choose() -> None:
        rows = st.session_state["scorecard_table"].selection.rows
        if rows:
            sidebar.set_filter("unit", str(card["unit"].iloc[rows[0]]))

    st.dataframe(table(card), hide_index=True, width="stretch", key="scorecard_table",
                 on_select=choose, selection_mode="single-row")  # fmt: skip
    st.caption(t("scorecard.choose"))
    blocks.definition("unit_scorecard", t("scorecard.table"))
    st.header(t("scorecard.funnels"))
    urlstate.restore_choice("funnel", FUNNELS, FUNNELS[0])
    indicator = st.segmented_control(t("scorecard.funnel_indicator"), FUNNELS,
                                     format_func=labels("indicator"), required=True,
                                     key="funnel")  # fmt: skip
    urlstate.remember("funnel", FUNNELS[0])
    funnel_chart(selection, indicator, "unit", key=f"unit_funnel_{indicator}")


selection = blocks.page("page.scorecard")
if selection is not None:
    with blocks.guarded():
        body(selection)
