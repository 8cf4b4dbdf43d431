"""滿意度調查: satisfaction by wave with its interval, dimensions and items, reliability,
the change between two waves with its test in words, units against the agency, and the
petitioners' rating of replies. The convention (Taiwan, or without no-opinion answers) is
a visible switch."""

from __future__ import annotations

import functools

import pandas as pd
import streamlit as st

from dashboard import blocks, charts, data, figures, fmt, sections, urlstate
from dashboard.ui import drill_unit, labels, period, t, unit_keys, unit_label
from metrics import dimensions, reliability, reply_satisfaction, satisfaction
from metrics.reply_satisfaction import (
    SPEED_INVALID,
    SPEED_NOT_REPLIED,
    reply_speed_buckets,
    reply_speed_labels,
)
from metrics.satisfaction import CONVENTIONS

SMALL = blocks.SMALL_SAMPLE


def _small(n) -> str:
    return t("note.small_sample_short") if n < SMALL else ""


def _rate_hover(name: str, row) -> str:
    return t("hover.satisfaction", name=name, rate=fmt.percent(row["rate"]), low=fmt.percent(row["ci_low"]),
             high=fmt.percent(row["ci_high"]), n=fmt.number(row["n"]), small=_small(row["n"]))  # fmt: skip


def by_wave(selection, convention: str) -> pd.DataFrame | None:
    filters = selection.filters
    waves = data.run(satisfaction.survey_satisfaction, filters, by=("wave",), convention=convention)
    if waves.empty:
        blocks.empty("empty.no_survey")
        return None
    names = list(waves["wave"])
    latest = waves.iloc[-1]
    hover = [_rate_hover(w, r) for w, r in zip(names, waves.to_dict("records"), strict=True)]
    fig = figures.build(charts.lines, names, {t("indicator.survey_satisfaction"): list(waves["rate"])},
                       {t("indicator.survey_satisfaction"): hover}, percent=True,
                       band=(list(waves["ci_low"]), list(waves["ci_high"])), band_name=t("survey.band"))  # fmt: skip
    error = (
        t("survey.sampling_error", error=fmt.number(latest["max_sampling_error"], 1))
        if latest["n"] > 0
        else ""
    )
    notes = [t("survey.latest", wave=latest["wave"], rate=fmt.percent(latest["rate"]), n=fmt.number(latest["n"]),
               error=fmt.number(latest["max_sampling_error"], 1))]  # fmt: skip
    small = [w for w, n in zip(names, waves["n"], strict=True) if n < SMALL]
    if small:
        notes.append(
            t("note.small_waves", waves=t("caption.list_separator").join(small), minimum=SMALL)
        )
    blocks.chart(
        fig,
        title=t("survey.by_wave"),
        caption_text=blocks.caption(
            period=period(filters.start, filters.end),
            source=t("source.surveys"),
            n=int(waves["n"].sum()),
            note=error,
        ),  # fmt: skip
        table=lambda: pd.DataFrame(
            {
                t("col.wave"): names,
                t("col.n"): waves["n"],
                t("col.satisfied"): waves["satisfied"],
                t("col.rate"): [fmt.percent(v) for v in waves["rate"]],
                t("col.ci"): [
                    f"{fmt.percent(lo)} – {fmt.percent(hi)}"
                    for lo, hi in zip(waves["ci_low"], waves["ci_high"], strict=True)
                ],
                t("col.max_error"): [
                    t("unit.points", value=f"±{v:.1f}") for v in waves["max_sampling_error"]
                ],
                t("col.note"): [_small(n) for n in waves["n"]],
            }
        ),  # fmt: skip
        metric="survey_satisfaction",
        description=t(
            "desc.by_wave", n=len(waves), wave=latest["wave"], rate=fmt.percent(latest["rate"])
        ),
        key="survey_by_wave",
        notes=notes,
    )
    return waves


def dimensions_and_items(selection, convention: str) -> None:
    filters = selection.filters
    dims = data.run(
        satisfaction.survey_satisfaction,
        filters,
        by=("dimension",),
        convention=convention,
        items="all",
    )
    if dims.empty:  # said here: this tab may be the only one open
        st.header(t("survey.dimensions"))
        blocks.empty("empty.no_survey")
        return
    hover = [
        _rate_hover(d, r) for d, r in zip(dims["dimension"], dims.to_dict("records"), strict=True)
    ]
    blocks.chart(
        figures.build(
            charts.bars, list(dims["dimension"]), list(dims["rate"]), hover, percent=True
        ),
        title=t("survey.dimensions"),
        caption_text=blocks.caption(
            period=period(filters.start, filters.end),
            source=t("source.surveys"),
            n=int(dims["n"].sum()),
            note=t("survey.pooled_note"),
        ),  # fmt: skip
        table=lambda: pd.DataFrame(
            {
                t("col.dimension"): dims["dimension"],
                t("col.n"): dims["n"],
                t("col.rate"): [fmt.percent(v) for v in dims["rate"]],
                t("col.mean_score"): [fmt.number(v, 2) for v in dims["mean_score"]],
            }
        ),  # fmt: skip
        metric="survey_satisfaction",
        description=t("desc.dimensions", n=len(dims)),
        key="survey_dimensions",
    )
    items = data.run(
        satisfaction.survey_satisfaction, filters, by=("item",), convention=convention, items="all"
    )
    items = items.sort_values("rate")
    st.header(t("survey.items"))
    blocks.short_table(pd.DataFrame({
        t("col.item"): items["item"], t("col.item_text"): items["item_text"], t("col.n"): items["n"],
        t("col.rate"): [fmt.percent(v) for v in items["rate"]],
        t("col.mean_score"): [fmt.number(v, 2) for v in items["mean_score"]],
        t("col.note"): [_small(n) for n in items["n"]],
    }))  # fmt: skip
    st.caption(t("survey.items_note"))


def reliability_table(selection) -> None:
    frame = data.run(reliability.survey_reliability, selection.filters)
    st.header(t("survey.reliability"))
    if frame.empty:
        blocks.empty("empty.no_survey")
        return
    blocks.short_table(pd.DataFrame({
        t("col.wave"): frame["wave"], t("col.items"): frame["items"],
        t("col.complete"): frame["complete"], t("col.excluded"): frame["excluded"],
        t("col.alpha"): [fmt.number(v, 3) for v in frame["alpha"]],
        t("col.band"): [t(f"alpha.{b}") for b in frame["band"]],
    }))  # fmt: skip
    blocks.definition("survey_reliability", t("survey.reliability"))


def change(selection, convention: str) -> None:
    filters = selection.filters.with_period(None, selection.filters.end)
    waves = data.run(satisfaction.wave_order, filters)
    st.header(t("survey.change"))
    if len(waves) < 2:
        blocks.empty("empty.two_waves")
        return
    left, right = st.columns(2)
    urlstate.restore_choice("wave_from", waves, waves[-2])
    urlstate.restore_choice("wave_to", waves, waves[-1])
    wave_from = left.selectbox(t("survey.wave_from"), waves, key="wave_from")
    wave_to = right.selectbox(t("survey.wave_to"), waves, key="wave_to")
    urlstate.remember("wave_from", waves[-2])
    urlstate.remember("wave_to", waves[-1])
    if wave_from == wave_to:
        st.info(t("survey.same_wave"))
        return
    row = data.run(satisfaction.satisfaction_change, filters, wave_from=wave_from, wave_to=wave_to,
                   convention=convention).iloc[0]  # fmt: skip
    verdict = t("survey.significant") if row["significant"] else t("survey.not_significant")
    st.markdown(t("survey.change_sentence", wave_from=wave_from, wave_to=wave_to,
                  rate_from=fmt.percent(row["rate_from"]), rate_to=fmt.percent(row["rate_to"]),
                  change=t("unit.points", value=f"{row['change_pp']:+.1f}"),
                  p=fmt.number(row["p_value"], 3), verdict=verdict))  # fmt: skip
    blocks.definition("satisfaction_change", t("survey.change"))


def units(selection, convention: str) -> None:
    filters = selection.filters
    frame = data.run(satisfaction.survey_satisfaction, filters, by=("unit",), convention=convention)
    whole = data.run(satisfaction.survey_satisfaction, filters, by=(), convention=convention)
    if frame.empty or whole.empty:  # said here: this tab may be the only one open
        st.header(t("survey.units"))
        blocks.empty("empty.no_survey")
        return
    agency = float(whole["rate"].iloc[0])
    frame = frame.sort_values("rate", ascending=False)
    colours = [charts.GOOD if r >= agency else charts.BAD for r in frame["rate"]]
    hover = [
        _rate_hover(u, r) for u, r in zip(frame["unit"], frame.to_dict("records"), strict=True)
    ]
    labels = [t("label.n_of", name=unit_label(a, u), n=f"{n:,}")
              for (a, u), n in zip(unit_keys(frame), frame["n"], strict=True)]  # fmt: skip
    fig = figures.build(charts.bars, labels, list(frame["rate"]), hover, horizontal=True,
                        colours=colours, percent=True, keys=unit_keys(frame),
                        reference=(agency, t("survey.agency_rate", rate=fmt.percent(agency))))  # fmt: skip
    blocks.chart(
        fig,
        title=t("survey.units"),
        caption_text=blocks.caption(
            period=period(filters.start, filters.end),
            source=t("source.surveys"),
            n=int(frame["n"].sum()),
            note=t("survey.units_note"),
        ),  # fmt: skip
        table=lambda: pd.DataFrame(
            {
                t("col.agency"): frame["agency"],
                t("col.unit"): frame["unit"],
                t("col.n"): frame["n"],
                t("col.rate"): [fmt.percent(v) for v in frame["rate"]],
                t("col.vs_agency"): [
                    t("survey.above") if r >= agency else t("survey.below") for r in frame["rate"]
                ],
                t("col.note"): [_small(n) for n in frame["n"]],
            }
        ),  # fmt: skip
        metric="survey_satisfaction",
        description=t("desc.units", n=len(frame), rate=fmt.percent(agency)),
        key="survey_units",
        drill=drill_unit,
    )


def _speed(label: str) -> str:
    """A reply-speed bucket (the metric's label) in the reader's language."""
    named = dict(zip(reply_speed_labels(), reply_speed_buckets(), strict=True))
    if label in named:
        low, high = named[label]
        if high is None:
            return t("speed.over", low=low)
        return t("speed.one", low=low) if low == high else t("speed.range", low=low, high=high)
    return {SPEED_NOT_REPLIED: t("speed.not_replied"), SPEED_INVALID: t("speed.invalid")}.get(
        label, label
    )


def replies(selection) -> None:
    filters = selection.filters
    for by, title_key, key in (("unit", "survey.reply_by_unit", "reply_units"),
                               ("reply_speed", "survey.reply_by_speed", "reply_speed")):  # fmt: skip
        frame = data.run(reply_satisfaction.reply_satisfaction, filters, by=(by,))
        frame = frame[frame["rated"] > 0]
        if frame.empty:
            continue
        drawn, notes = frame, []
        if by == "unit":
            # the lowest-rated units with enough ratings to judge; the table lists all
            judged = frame[frame["rated"] >= SMALL]
            drawn = (judged if not judged.empty else frame).sort_values("rate")
            if len(drawn) > blocks.CHART_UNITS or len(drawn) < len(frame):
                notes.append(t("note.lowest_units", n=min(len(drawn), blocks.CHART_UNITS),
                               total=len(frame), minimum=SMALL))  # fmt: skip
            drawn = drawn.head(blocks.CHART_UNITS)  # lowest first, drawn at the top
            labels = [t("label.n_of", name=unit_label(a, u), n=f"{n:,}")
                      for (a, u), n in zip(unit_keys(drawn), drawn["rated"], strict=True)]  # fmt: skip
            keys = unit_keys(drawn)
        else:
            labels, keys = [_speed(v) for v in frame[by]], None
        hover = [t("hover.reply_satisfaction", name=g, rate=fmt.percent(r), rated=fmt.number(n), small=_small(n))
                 for g, r, n in zip(labels, drawn["rate"], drawn["rated"], strict=True)]  # fmt: skip
        columns = {t("col.agency"): frame["agency"]} if by == "unit" else {}
        columns |= {
            t(f"col.{by}"): frame["unit"] if by == "unit" else [_speed(v) for v in frame[by]],
            t("col.cases"): frame["cases"],
            t("col.rated"): frame["rated"],
            t("col.coverage"): [fmt.percent(v) for v in frame["coverage"]],
            t("col.rate"): [fmt.percent(v) for v in frame["rate"]],
            t("col.note"): [_small(n) for n in frame["rated"]],
        }
        small = int((frame["rated"] < SMALL).sum())
        if small:
            notes.append(t("note.small_groups", n=small, minimum=SMALL))
        blocks.chart(
            figures.build(
                charts.bars,
                labels,
                list(drawn["rate"]),
                hover,
                percent=True,
                horizontal=by == "unit",
                keys=keys,
            ),  # fmt: skip
            title=t(title_key),
            caption_text=blocks.caption(
                period=period(filters.start, filters.end),
                source=t("source.petitions"),
                n=int(frame["rated"].sum()),
            ),  # fmt: skip
            table=lambda columns=columns: pd.DataFrame(columns),
            metric="reply_satisfaction",
            description=t("desc.replies", n=len(frame)),
            key=key,
            drill=drill_unit if by == "unit" else None,
            notes=notes or None,
            level=3,
        )


def _convention() -> str:
    """The convention switch, above the tabs: it applies to every survey figure."""
    urlstate.restore_choice("conv", tuple(CONVENTIONS), "taiwan")
    convention = st.segmented_control(
        t("survey.convention"), tuple(CONVENTIONS), format_func=labels("convention"),
        required=True, key="conv",
    )  # fmt: skip
    urlstate.remember("conv", "taiwan")
    st.caption(t(f"convention.{convention}.explained"))
    return convention


def _any_wave() -> bool:
    if data.run(dimensions.values, "waves"):
        return True
    blocks.empty("empty.no_survey")
    return False


def waves_tab(selection, convention: str) -> None:
    if _any_wave():
        if by_wave(selection, convention) is not None:
            reliability_table(selection)
        change(selection, convention)


def dimensions_tab(selection, convention: str) -> None:
    dimensions_and_items(selection, convention)  # says itself when there is no survey


def units_tab(selection, convention: str) -> None:
    units(selection, convention)  # says itself when there is no survey
    st.header(t("survey.replies"))
    replies(selection)


selection = blocks.page("page.surveys", ("survey_responses",))
if selection is not None:
    convention = _convention()
    sections.tabs(
        "surveys",
        tuple((key, functools.partial(draw, convention=convention))
              for key, draw in (("tab.waves", waves_tab), ("tab.dimensions", dimensions_tab),
                                ("tab.units", units_tab))),
        selection,
    )  # fmt: skip
