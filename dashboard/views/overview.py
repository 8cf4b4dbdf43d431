"""總覽（月報）: this month's picture for the chief secretary's meeting.

Headline tiles against last month and the same month last year (coloured by whether the
change is good, and saying so in words), the generated summary sentences, the units that
need follow-up, and overdue open cases by unit.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from dashboard import blocks, charts, data, figures, fmt, periods, urlstate
from dashboard.ui import (
    calendar,
    date,
    drill_unit,
    lang,
    month,
    month_labels,
    points,
    t,
    unit_keys,
    unit_label,
)  # fmt: skip
from metrics import freshness, phone_tests, satisfaction, scorecard, summary, timeliness

# Headline indicators in tile order; "lower is better" comes from the scorecard's rule.
TILES = ("received", "on_time_rate", "overdue_open", "reply_satisfaction",
         "survey_satisfaction", "phone_score")  # fmt: skip
RATES = {"on_time_rate", "reply_satisfaction", "survey_satisfaction"}
METRIC_OF = {
    "received": "type_counts",
    "on_time_rate": "on_time_rate",
    "overdue_open": "open_cases",
    "reply_satisfaction": "reply_satisfaction",
    "survey_satisfaction": "survey_satisfaction",
    "phone_score": "phone_scores",
}


def _value(indicator: str, value: object) -> str:
    if indicator in RATES:
        return fmt.percent(value)
    if indicator == "phone_score":
        return t("unit.score", value=fmt.number(value, 1))
    return t("unit.cases", value=fmt.number(value))


def _change(change: object, kind: str) -> str | None:
    """A change in words: +1.2 個百分點 / +5.0% / +3 件 / +1.5 分."""
    if fmt.missing(change):
        return None
    if kind == "points":
        return points(change)
    if kind == "relative":
        return f"{float(change) * 100:+.1f}%"
    if kind == "count_difference":
        return t("unit.cases", value=f"{int(change):+,}")
    return t("unit.score", value=f"{float(change):+.1f}")


def _verdict(indicator: str, change: object) -> str:
    """改善 / 退步 / 持平: whether the change is good, in words (never colour alone)."""
    if fmt.missing(change) or abs(float(change)) < 1e-9:
        return t("change.flat")
    if indicator == "received":  # more petitions is neither good nor bad
        return t("change.up") if float(change) > 0 else t("change.down")
    lower_better = indicator in scorecard.LOWER_IS_BETTER
    better = (float(change) < 0) if lower_better else (float(change) > 0)
    return t("change.better") if better else t("change.worse")


def _tile(column, indicator: str, row: dict | None) -> None:
    label = t(f"indicator.{indicator}")
    if row is None or fmt.missing(row.get("value")):
        column.metric(label, "—", help=t("tile.no_data"), border=True)
        return
    kind = row["change_kind"]
    prev = _change(row["previous_change"], kind)
    year = _change(row["last_year_change"], kind)
    colour = (
        "off"
        if indicator == "received"
        else ("inverse" if indicator in scorecard.LOWER_IS_BETTER else "normal")
    )
    column.metric(
        label,
        _value(indicator, row["value"]),
        delta=t("tile.delta", change=prev, verdict=_verdict(indicator, row["previous_change"]))
        if prev
        else None,
        delta_color=colour,
        delta_description=t("tile.vs", label=t(f"compare.{row['previous_label']}"))
        if prev
        else None,
        border=True,
    )
    lines = []  # one caption of up to three lines (each element costs every rerun)
    if year:
        lines.append(t("tile.vs_year", label=t(f"compare.{row['last_year_label']}"), change=year,
                       verdict=_verdict(indicator, row["last_year_change"])))  # fmt: skip
    if row.get("detail") and not fmt.missing(row.get("detail")):  # which wave or round it is
        lines.append(t(f"tile.detail.{indicator}", name=row["detail"]))
    if row.get("n") is not None and not fmt.missing(row.get("n")):
        note = blocks.small_sample(int(row["n"])) if indicator in RATES else None
        lines.append(note or t("tile.n", n=fmt.number(row["n"])))
    if lines:
        column.caption("  \n".join(lines))


def _sentence(row: dict) -> str:
    """The summary sentence: the metric's own in Chinese; composed from its figures in
    English."""
    if lang() == "zh":
        return row["sentence"]
    parts = [t(f"indicator.{row['indicator']}") + ": " + _value(row["indicator"], row["value"])]
    for which in ("previous", "last_year"):
        change = _change(row[f"{which}_change"], row["change_kind"])
        if change:
            parts.append(t("sentence.change", change=change,
                           label=t(f"compare.{row[f'{which}_label']}")))  # fmt: skip
    return "; ".join(parts) + "."


def _latest_wave(rows: dict, upto) -> None:
    """The survey tile when no wave ended in the month's quarter: the latest wave up to
    the month against the one before it (``satisfaction_change``)."""
    if "survey_satisfaction" in rows:
        return
    change = data.run(satisfaction.satisfaction_change, upto)
    if not change.empty:
        row = change.iloc[0]
        rows["survey_satisfaction"] = {
            "value": row["rate_to"], "n": row["n_to"], "change_kind": "points",
            "previous_change": row["change_pp"] / 100, "previous_label": "previous_wave",
            "last_year_change": None, "last_year_label": "", "detail": row["wave_to"],
        }  # fmt: skip
        return
    waves = data.run(satisfaction.survey_satisfaction, upto, by=("wave",))
    if not waves.empty:  # a single wave: no comparison
        last = waves.iloc[-1]
        rows["survey_satisfaction"] = {
            "value": last["rate"], "n": last["n"], "change_kind": "points",
            "previous_change": None, "previous_label": "", "last_year_change": None,
            "last_year_label": "", "detail": last["wave"],
        }  # fmt: skip


def _latest_round(rows: dict, upto) -> None:
    """The phone tile when no round ended in the month: the latest round up to the month
    against the one before it (``phone_round_change``)."""
    if "phone_score" in rows:
        return
    rounds = data.run(phone_tests.phone_round_change, upto, by=())
    if not rounds.empty:
        row = rounds.iloc[-1]
        rows["phone_score"] = {
            "value": row["mean_score"], "n": row["calls"], "change_kind": "score",
            "previous_change": row["change"], "previous_label": "previous_wave",
            "last_year_change": None, "last_year_label": "", "detail": row["round"],
        }  # fmt: skip


def body(selection) -> None:
    filters = selection.filters
    months = data.run(freshness.months_with_data, filters.with_period(None, None))
    if not months:
        blocks.empty()
        return
    choices = list(reversed(months))
    urlstate.restore_choice("month", choices, choices[0])
    picked: dt.date = st.selectbox(
        t("overview.month"), choices, format_func=month_labels(), key="month"
    )
    urlstate.remember("month", choices[0])
    end = min(periods.month_end(picked), selection.as_of)
    frame = data.run(summary.monthly_summary, filters, month=picked, calendar=calendar())
    rows = {r["indicator"]: r for r in frame.to_dict("records")}
    upto = filters.with_period(None, end)
    _latest_wave(rows, upto)
    _latest_round(rows, upto)

    st.header(t("overview.tiles", month=month(picked)))
    for row_of_tiles in (TILES[:3], TILES[3:]):
        for column, indicator in zip(st.columns(3), row_of_tiles, strict=True):
            _tile(column, indicator, rows.get(indicator))
    blocks.definition("monthly_summary", t("overview.tiles_title"))

    st.header(t("overview.summary"))
    st.markdown("\n".join(f"- {_sentence(r)}" for r in frame.to_dict("records")))

    _follow_up(filters.with_period(picked, end))
    _overdue_by_unit(filters, end)


def _follow_up(filters) -> None:
    card = data.run(scorecard.unit_scorecard, filters)
    st.header(t("overview.follow_up"))
    flagged = card[card["standing"].isin([scorecard.FOLLOW_UP, scorecard.WATCH])]
    if flagged.empty:
        st.success(t("overview.no_follow_up"))
        return
    table = pd.DataFrame(
        {
            t("col.agency"): flagged["agency"],
            t("col.unit"): flagged["unit"],
            t("col.standing"): [t(f"standing.{s}") for s in flagged["standing"]],
            t("col.replied"): [fmt.number(v) for v in flagged["replied"]],
            t("col.on_time_rate"): [fmt.percent(v) for v in flagged["on_time_rate"]],
            t("col.overdue_open"): [fmt.number(v) for v in flagged["overdue_open"]],
            t("col.survey_satisfaction"): [fmt.percent(v) for v in flagged["survey_satisfaction"]],
            t("col.phone_score"): [fmt.number(v, 1) for v in flagged["phone_score"]],
            t("col.targets_missed"): flagged["targets_missed"],
        }
    )
    blocks.short_table(table)
    st.caption(t("overview.follow_up_rule"))
    blocks.definition("unit_scorecard", t("overview.follow_up"))


def _overdue_by_unit(filters, end: dt.date) -> None:
    frame = data.run(timeliness.open_cases, filters.with_period(None, end), by="unit", as_of=end)
    frame = frame[frame["open_overdue"] > 0].sort_values("open_overdue", ascending=False)
    frame = frame.assign(label=[unit_label(a, u) for a, u in unit_keys(frame)])
    shown = frame.head(blocks.CHART_UNITS)  # the chart shows the most; the table all of them
    title = t("overview.overdue_by_unit")
    if frame.empty:
        st.header(title)
        st.success(t("overview.no_overdue", date=date(end)))
        return
    hover = [t("hover.unit_overdue", unit=u, n=fmt.number(n), open=fmt.number(o))
             for u, n, o in zip(shown["label"], shown["open_overdue"], shown["open"], strict=True)]  # fmt: skip
    fig = figures.build(charts.bars, list(shown["label"]), list(shown["open_overdue"]), hover,
                        horizontal=True, colours=[charts.BAD] * len(shown), axis_title=t("axis.cases"),
                        keys=unit_keys(shown))  # fmt: skip

    def table() -> pd.DataFrame:
        return pd.DataFrame({t("col.agency"): frame["agency"], t("col.unit"): frame["unit"],
                                  t("col.open"): frame["open"],
                                  t("col.overdue_open"): frame["open_overdue"]})  # fmt: skip

    blocks.chart(
        fig,
        title=title,
        caption_text=blocks.caption(
            period=t("caption.as_of", date=date(end)),
            source=t("source.petitions"),
            n=int(frame["open_overdue"].sum()),
        ),
        table=table,
        metric="open_cases",
        description=t(
            "desc.overdue_by_unit",
            n=len(frame),
            top=frame["label"].iloc[0],
            top_n=int(frame["open_overdue"].iloc[0]),
        ),  # fmt: skip
        key="overdue_by_unit",
        drill=drill_unit,
        notes=[t("note.top_units", n=blocks.CHART_UNITS, total=len(frame))]
        if len(frame) > blocks.CHART_UNITS
        else None,
    )


selection = blocks.page("page.overview", ("petitions", "survey_responses", "phone_tests"))
if selection is not None:
    with blocks.guarded():
        body(selection)
