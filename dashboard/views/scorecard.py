"""單位評分卡: one row per unit, each figure against its target and the previous period,
with the standing; choosing a row filters every page to that unit. Funnel plots compare
units of very different sizes fairly."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import blocks, data, fmt, sections, sidebar, urlstate
from dashboard.funnel_view import funnel_chart
from dashboard.ui import labels, t
from metrics import scorecard

FUNNELS = ("on_time_rate", "reply_satisfaction", "survey_satisfaction")


RATES = ("on_time_rate", "survey_satisfaction")
COUNTS = {
    "on_time_rate": "replied",
    "survey_satisfaction": "survey_n",
    "phone_score": "phone_calls",
}


def _cell(indicator: str, value) -> str:
    if indicator in RATES:
        return fmt.percent(value)
    if indicator == "overdue_open":
        return fmt.number(value)
    return fmt.number(value, 1)


def _mark(met) -> str:
    """✓ 達成, ✗ 未達, — not judged (no figure, or too few cases): a word beside the
    symbol, so the mark reads the same to a screen reader and in a pasted table."""
    return "—" if fmt.missing(met) else t("scorecard.met") if met else t("scorecard.missed")


def table(card: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """The scorecard as numbers (so it sorts by value), with the Streamlit column formats:
    rates in percent, changes of rates in percentage points."""
    scale = {name: 100.0 if name in RATES else 1.0 for name in scorecard.INDICATORS}
    out = {
        t("col.agency"): card["agency"],
        t("col.unit"): card["unit"],
        t("col.standing"): [t(f"standing.{s}") for s in card["standing"]],
    }
    config = {}
    for name in scorecard.INDICATORS:
        if name in COUNTS:
            out[t(f"col.n_of.{name}")] = pd.array(card[COUNTS[name]], dtype="Int64")
        value, change = t(f"col.{name}"), t("col.change_of", name=t(f"col.{name}"))
        out[value] = pd.array(card[name], dtype="Float64") * scale[name]
        out[t("col.met_of", name=t(f"col.{name}"))] = [_mark(m) for m in card[f"{name}_met"]]
        out[change] = pd.array(card[f"{name}_change"], dtype="Float64") * scale[name]
        unit = "%%" if name in RATES else ""
        decimals = 0 if name == "overdue_open" else 1
        config[value] = st.column_config.NumberColumn(format=f"%.{decimals}f{unit}")
        config[change] = st.column_config.NumberColumn(format=f"%+.{decimals}f")
    out[t("col.targets_missed")] = card["targets_missed"]
    return pd.DataFrame(out), config


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
            row = card.iloc[rows[0]]
            sidebar.set_filters({"agency": str(row["agency"]), "unit": str(row["unit"])})

    frame, config = table(card)
    blocks.data_table(frame, column_config=config, key="scorecard_table", on_select=choose,
                      selection_mode="single-row")  # fmt: skip
    st.caption(t("scorecard.small_note", **{k: v[1] for k, v in scorecard.MIN_SAMPLE.items()}))
    st.caption(t("scorecard.choose"))
    blocks.definition("unit_scorecard", t("scorecard.table"))


def funnels_tab(selection) -> None:
    st.header(t("scorecard.funnels"))
    urlstate.restore_choice("funnel", FUNNELS, FUNNELS[0])
    indicator = st.segmented_control(t("scorecard.funnel_indicator"), FUNNELS,
                                     format_func=labels("indicator"), required=True,
                                     key="funnel")  # fmt: skip
    urlstate.remember("funnel", FUNNELS[0])
    funnel_chart(selection, indicator, "unit", key=f"unit_funnel_{indicator}", level=3)


TABS = (("tab.scorecard", body), ("tab.funnels", funnels_tab))

selection = blocks.page("page.scorecard")
if selection is not None:
    sections.tabs("scorecard", TABS, selection)
