"""電話禮貌測試: scores by unit and round, grade bands, the weakest rubric items, calls
under 60, and units not tested in the period."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import blocks, charts, data, figures, fmt, sections
from dashboard.ui import date, drill_unit, period, t, unit_keys, unit_label
from metrics import phone_tests

GRADE_ORDER = [label for _, label in phone_tests.GRADES] + [phone_tests.GRADE_LOW]


def _unit_scores(filters):
    """The period's scores by unit: what both tabs ask first (one cached call)."""
    return data.run(phone_tests.phone_scores, filters, by=("unit",))


def by_unit(selection) -> bool:
    filters = selection.filters
    frame = _unit_scores(filters)
    if frame.empty:
        blocks.empty("empty.no_phone")
        return False
    frame = frame.sort_values("mean_score", ascending=False)
    names = [unit_label(a, u) for a, u in unit_keys(frame)]
    hover = [t("hover.phone", unit=u, score=fmt.number(s, 1), grade=t(f"grade.{g}"), calls=fmt.number(c),
               low=fmt.number(lo)) for u, s, g, c, lo in zip(names, frame["mean_score"], frame["grade"],
                                                             frame["calls"], frame["calls_below_60"], strict=True)]  # fmt: skip
    labels = [
        t("label.graded", name=u, grade=t(f"grade.{g}"))
        for u, g in zip(names, frame["grade"], strict=True)
    ]
    colours = [charts.BAD if g == phone_tests.GRADE_LOW else charts.GOOD for g in frame["grade"]]
    fig = figures.build(charts.bars, labels, list(frame["mean_score"]), hover, horizontal=True,
                        colours=colours, value_format=".1f", axis_title=t("axis.score"),
                        keys=unit_keys(frame))  # fmt: skip
    blocks.chart(
        fig,
        title=t("phone.by_unit"),
        caption_text=blocks.caption(
            period=period(filters.start, filters.end),
            source=t("source.phone"),
            n=int(frame["calls"].sum()),
            note=t("phone.bands"),
        ),  # fmt: skip
        table=lambda: pd.DataFrame(
            {
                t("col.agency"): frame["agency"],
                t("col.unit"): frame["unit"],
                t("col.calls"): frame["calls"],
                t("col.mean_score"): [fmt.number(v, 1) for v in frame["mean_score"]],
                t("col.min_score"): [fmt.number(v, 1) for v in frame["min_score"]],
                t("col.calls_below_60"): frame["calls_below_60"],
                t("col.grade"): [t(f"grade.{g}") for g in frame["grade"]],
            }
        ),  # fmt: skip
        metric="phone_scores",
        description=t("desc.phone_units", n=len(frame), top=names[0]),
        key="phone_units",
        drill=drill_unit,
    )
    grades = frame["grade"].value_counts()
    counts = [int(grades.get(g, 0)) for g in GRADE_ORDER]
    st.header(t("phone.grades"))
    blocks.short_table(pd.DataFrame({t("col.grade"): [t(f"grade.{g}") for g in GRADE_ORDER],
                                    t("col.units"): counts}))  # fmt: skip
    return True


def by_round(selection) -> None:
    filters = selection.filters
    frame = data.run(
        phone_tests.phone_scores, filters.with_period(None, filters.end), by=("round",)
    )
    if frame.empty:
        return
    hover = [t("hover.round", round=r, score=fmt.number(s, 1), calls=fmt.number(c))
             for r, s, c in zip(frame["round"], frame["mean_score"], frame["calls"], strict=True)]  # fmt: skip
    blocks.chart(
        figures.build(
            charts.lines,
            list(frame["round"]),
            {t("indicator.phone_score"): list(frame["mean_score"])},
            {t("indicator.phone_score"): hover},
            axis_title=t("axis.score"),
        ),  # fmt: skip
        title=t("phone.by_round"),
        caption_text=blocks.caption(
            period=t("phone.rounds_upto", date=date(filters.end)),
            source=t("source.phone"),
            n=int(frame["calls"].sum()),
        ),  # fmt: skip
        table=lambda: pd.DataFrame(
            {
                t("col.round"): frame["round"],
                t("col.calls"): frame["calls"],
                t("col.mean_score"): [fmt.number(v, 1) for v in frame["mean_score"]],
                t("col.grade"): [t(f"grade.{g}") for g in frame["grade"]],
            }
        ),  # fmt: skip
        metric="phone_scores",
        description=t("desc.phone_rounds", n=len(frame)),
        key="phone_rounds",
    )


def weakest(selection) -> None:
    filters = selection.filters
    frame = data.run(phone_tests.weakest_items, filters, limit=5)
    if frame.empty:
        return
    labels = list(frame["item_text"].fillna(frame["item_code"]))
    hover = [t("hover.item", item=i, rate=fmt.percent(r), calls=fmt.number(c))
             for i, r, c in zip(labels, frame["achieved_rate"], frame["calls"], strict=True)]  # fmt: skip
    blocks.chart(
        figures.build(
            charts.bars, labels, list(frame["achieved_rate"]), hover, horizontal=True, percent=True
        ),
        title=t("phone.weakest"),
        caption_text=blocks.caption(
            period=period(filters.start, filters.end),
            source=t("source.phone"),
            n=int(frame["calls"].max()),
        ),  # fmt: skip
        table=lambda: pd.DataFrame(
            {
                t("col.item"): frame["item_code"],
                t("col.item_text"): frame["item_text"],
                t("col.category"): frame["category"],
                t("col.achieved_rate"): [fmt.percent(v) for v in frame["achieved_rate"]],
            }
        ),  # fmt: skip
        metric="weakest_items",
        description=t(
            "desc.weakest", item=labels[0], rate=fmt.percent(frame["achieved_rate"].iloc[0])
        ),
        key="phone_weakest",
    )


def follow_up(selection) -> None:
    filters = selection.filters
    low = data.run(phone_tests.low_score_calls, filters)
    st.header(t("phone.low_calls"))
    if low.empty:
        st.success(t("phone.no_low_calls"))
    else:
        blocks.short_table(pd.DataFrame({
            t("col.unit"): low["unit"], t("col.round"): low["round"],
            t("col.called_at"): [date(v) for v in low["called_at"]],
            t("col.score"): [fmt.number(v, 1) for v in low["score"]],
        }))  # fmt: skip
    blocks.definition("low_score_calls", t("phone.low_calls"))
    untested = data.run(phone_tests.untested_units, filters)
    st.header(t("phone.untested"))
    if untested.empty:
        st.success(t("phone.all_tested"))
    else:
        blocks.short_table(pd.DataFrame({
            t("col.agency"): untested["agency"].fillna("—"), t("col.unit"): untested["unit"],
            t("col.last_tested"): [date(v) if not fmt.missing(v) else t("phone.never") for v in untested["last_called_at"]],
        }))  # fmt: skip
    blocks.definition("untested_units", t("phone.untested"))


def scores_tab(selection) -> None:
    if by_unit(selection):
        by_round(selection)


def improve_tab(selection) -> None:
    if _unit_scores(selection.filters).empty:  # no test calls: the same call as 單位與梯次成績
        blocks.empty("empty.no_phone")
    else:
        weakest(selection)
    follow_up(selection)


TABS = (("tab.scores", scores_tab), ("tab.improve", improve_tab))

selection = blocks.page("page.phone_tests", ("phone_tests",))
if selection is not None:
    sections.tabs("phone_tests", TABS, selection)
