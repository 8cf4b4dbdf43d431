"""陳情分析: timeliness, overdue cases and extensions, regional distribution, types and channels,
repeat petitions.

Each tab computes only when open. Data-quality exclusions are stated under the charts they
affect; clicking a district, unit, category or channel sets that filter.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import blocks, charts, data, figures, fmt, geo, sections, urlstate
from dashboard.funnel_view import funnel_chart
from dashboard.ui import (
    date,
    labels,
    lang,
    month_short,
    period,
    shown,
    t,
    trend_period,
    yes_no,
)  # fmt: skip
from metrics import regional, spikes, timeliness, types
from store.months import parse_month
from store.vocabulary import EXCLUSION_COLUMNS

TOP_SERIES = 6  # categories drawn by name in the mix; the rest are summed as 其他


def _months(values) -> list[str]:
    """Months as metrics return them ('2025-09') as chart axis labels."""
    return [month_short(parse_month(m)) for m in values]


def _every_month(frame: pd.DataFrame, filters, counts: tuple[str, ...]) -> pd.DataFrame:
    """One row per month of the window, months without data included (counts 0, rates
    missing), so a monthly line never joins two months across a gap."""
    first, last = filters.start.replace(day=1), filters.end.replace(day=1)
    months = [m.strftime("%Y-%m") for m in pd.date_range(first, last, freq="MS")]
    out = frame.set_index("month").reindex(months)
    for column in counts:
        out[column] = out[column].fillna(0).astype("int64")
    return out.rename_axis("month").reset_index()


def _rate_line(months: list[str], indicator: str, rates, hover: list[str]):
    """One monthly rate as a line, the series named by its indicator."""
    name = t(f"indicator.{indicator}")
    return figures.build(charts.lines, months, {name: list(rates)}, {name: hover}, percent=True)


def _exclusions(frame: pd.DataFrame) -> str | None:
    counts = {name: int(frame[name].sum()) for name in EXCLUSION_COLUMNS.values() if name in frame}
    if not any(counts.values()):
        return None
    parts = [t(f"exclusion.{name}", n=fmt.number(n)) for name, n in counts.items() if n]
    return t("note.exclusions", parts=t("caption.list_separator").join(parts))


# ---------------------------------------------------------------- timeliness


def _trend(filters):
    """The filters over the trend window, and its caption period."""
    start, end = trend_period(filters.start, filters.end)
    return filters.with_period(start, end), period(start, end)


def timeliness_tab(selection) -> None:
    filters = selection.filters
    span = period(filters.start, filters.end)
    trend, trend_span = _trend(filters)
    rate = data.run(timeliness.on_time_rate, trend, by="month", date_basis="replied")
    if rate.empty:
        blocks.empty()
        return
    rate = _every_month(rate, trend, ("replied", "on_time", "late", *EXCLUSION_COLUMNS.values()))
    months = _months(rate["month"])
    hover = [t("hover.on_time", month=m, rate=fmt.percent(r), on_time=fmt.number(o), replied=fmt.number(n))
             for m, r, o, n in zip(months, rate["on_time_rate"], rate["on_time"], rate["replied"], strict=True)]  # fmt: skip
    fig = _rate_line(months, "on_time_rate", rate["on_time_rate"], hover)
    overall = data.run(timeliness.on_time_rate, filters, date_basis="replied").iloc[0]
    blocks.chart(
        fig,
        title=t("petitions.on_time_trend"),
        caption_text=blocks.caption(
            period=trend_span,
            source=t("source.petitions"),
            n=int(rate["replied"].sum()),
            note=t("note.overall_rate", period=span, rate=fmt.percent(overall["on_time_rate"])),
        ),  # fmt: skip
        table=lambda: pd.DataFrame(
            {
                t("col.month"): months,
                t("col.replied"): rate["replied"],
                t("col.on_time"): rate["on_time"],
                t("col.late"): rate["late"],
                t("col.on_time_rate"): [fmt.percent(v) for v in rate["on_time_rate"]],
            }
        ),  # fmt: skip
        metric="on_time_rate",
        description=t(
            "desc.on_time_trend", months=len(rate), rate=fmt.percent(overall["on_time_rate"])
        ),
        key="on_time_trend",
        notes=[n for n in (_exclusions(rate),) if n],
    )

    days = data.run(timeliness.reply_days, filters).iloc[0]
    if not days["replied"]:
        st.header(t("petitions.reply_days"))
        blocks.empty()
    else:
        _reply_days(data.run(timeliness.reply_day_counts, filters, cap=30), days, span)


def overdue_tab(selection) -> None:
    """Cases past their deadline and still open, by how long; deadlines extended, by month.
    A tab of its own beside 回覆時效: four charts on one tab made every filter change
    redraw four (docs/performance.md)."""
    filters = selection.filters
    trend, trend_span = _trend(filters)
    _aging(filters)
    _extensions(trend, trend_span)


def _reply_days(counts: pd.DataFrame, days: pd.Series, span: str) -> None:
    labels = [t("axis.days_or_more", n=d) if d == 30 else str(d) for d in counts["working_days"]]
    hover = [
        t("hover.days", days=lab, n=fmt.number(c))
        for lab, c in zip(labels, counts["cases"], strict=True)
    ]
    blocks.chart(
        figures.build(
            charts.bars, labels, list(counts["cases"]), hover, axis_title=t("axis.cases")
        ),
        title=t("petitions.reply_days"),
        caption_text=blocks.caption(
            period=span,
            source=t("source.petitions"),
            n=int(days["replied"]),
            note=t(
                "note.median_p90",
                median=fmt.number(days["median_working_days"], 1),
                p90=fmt.number(days["p90_working_days"], 1),
            )
            + t("caption.separator")
            + t("note.by_receipt"),
        ),  # fmt: skip
        table=lambda: pd.DataFrame(
            {t("col.working_days"): labels, t("col.cases"): counts["cases"]}
        ),
        metric="reply_day_counts",
        description=t("desc.reply_days", median=fmt.number(days["median_working_days"], 1)),
        key="reply_days",
        notes=[n for n in (_exclusions(pd.DataFrame([days])),) if n],
    )


def _aging(filters) -> None:
    aging = data.run(timeliness.overdue_aging, filters, as_of=filters.end)
    row = aging.iloc[0] if not aging.empty else None
    buckets = list(timeliness.AGING_LABELS)
    values = [int(row[b]) if row is not None else 0 for b in buckets]
    if not sum(values):
        st.header(t("petitions.aging"))
        st.success(t("overview.no_overdue", date=date(filters.end)))
        return
    labels = [t(f"aging.{b}") for b in buckets]
    hover = [
        t("hover.bucket", bucket=b, n=fmt.number(v)) for b, v in zip(labels, values, strict=True)
    ]
    blocks.chart(
        figures.build(
            charts.bars,
            labels,
            values,
            hover,
            colours=[charts.BAD] * len(values),
            axis_title=t("axis.cases"),
        ),
        title=t("petitions.aging"),
        caption_text=blocks.caption(
            period=t("caption.as_of", date=date(filters.end)),
            source=t("source.petitions"),
            n=sum(values),
        ),  # fmt: skip
        table=lambda: pd.DataFrame({t("col.bucket"): labels, t("col.cases"): values}),
        metric="overdue_aging",
        description=t("desc.aging", n=fmt.number(sum(values)), date=date(filters.end)),
        key="aging",
    )


def _extensions(trend, trend_span: str) -> None:
    ext = data.run(timeliness.extensions, trend, by="month")
    if not ext.empty:
        ext = _every_month(ext, trend, ("cases", "extended", "extended_on_time", "extended_late",
                                        "extended_open"))  # fmt: skip
        months = _months(ext["month"])
        hover = [t("hover.extensions", month=m, rate=fmt.percent(r), n=fmt.number(e), cases=fmt.number(c))
                 for m, r, e, c in zip(months, ext["extension_rate"], ext["extended"], ext["cases"], strict=True)]  # fmt: skip
        blocks.chart(
            _rate_line(months, "extension_rate", ext["extension_rate"], hover),
            title=t("petitions.extensions"),
            caption_text=blocks.caption(
                period=trend_span, source=t("source.petitions"), n=int(ext["cases"].sum())
            ),
            table=lambda: pd.DataFrame(
                {
                    t("col.month"): months,
                    t("col.cases"): ext["cases"],
                    t("col.extended"): ext["extended"],
                    t("col.extended_on_time"): ext["extended_on_time"],
                    t("col.extended_late"): ext["extended_late"],
                    t("col.extended_open"): ext["extended_open"],
                }
            ),  # fmt: skip
            metric="extensions",
            description=t("desc.extensions", n=fmt.number(ext["extended"].sum())),
            key="extensions",
        )


# ---------------------------------------------------------------- regional


def _by_value(labels: dict[str, str], values: dict[str, float]) -> dict[str, str]:
    """The map's labels, the highest value first (a crowded map names those first; equal
    values keep the given order, the largest district first)."""

    def value(name: str) -> float:
        v = values.get(name, float("nan"))
        return v if v == v else float("-inf")

    return {name: labels[name] for name in sorted(labels, key=lambda n: -value(n))}


def regional_tab(selection) -> None:
    filters = selection.filters
    frame = data.run(regional.district_counts, filters)
    city = frame[frame["row_kind"] == regional.ROW_DISTRICT]
    if frame["cases"].sum() == 0:
        blocks.empty()
        return
    rated = city["per_10k"].notna().any()
    measure = "per_10k" if rated else "cases"
    values = dict(zip(city["district"], city[measure].astype(float), strict=True))
    marked = set(city.loc[city["above_city"].fillna(False).astype(bool), "district"])
    colours = dict(zip(values, charts.sequential(list(values.values())), strict=True))
    hover = {
        d: t("hover.district", district=d, cases=fmt.number(c), share=fmt.percent(s),
             rate=fmt.number(r, 1) if r == r else t("value.none"),
             flag=t("hover.above_city") if d in marked else "")
        for d, c, s, r in zip(city["district"], city["cases"], city["share"], city["per_10k"], strict=True)
    }  # fmt: skip
    urlstate.restore_choice("map_view", ("map", "grid"), "map")
    view = st.segmented_control(t("regional.view"), ("map", "grid"), format_func=labels("regional.view"),
                                required=True, key="map_view")  # fmt: skip
    urlstate.remember("map_view", "map")
    scale = (min(values.values()), max(values.values()),
             t("regional.scale_rate") if rated else t("regional.scale_cases"))  # fmt: skip
    if view == "grid":
        fig = figures.build(charts.tiles, geo.grid_cells(), colours, hover, marked, scale=scale)
    else:
        fig = figures.build(charts.polygons, geo.shapes(), colours, geo.centres(),
                            _by_value(geo.short_labels(), values), hover, marked,
                            attribution=geo.attribution(lang()), scale=scale)  # fmt: skip
    outside = frame[frame["row_kind"] != regional.ROW_DISTRICT]
    if rated:
        notes = [
            t("regional.significant", n=len(marked)) if marked else t("regional.none_significant")
        ]
    else:
        notes = [t("regional.no_population")]
    if view == "map":
        notes.append(t("regional.crowded"))
    if not outside.empty:
        notes.append(t("regional.outside", n=fmt.number(outside["cases"].sum())))

    def table() -> pd.DataFrame:
        return pd.DataFrame({
            t("col.district"): [shown(d) for d in frame["district"]], t("col.in_city"): [yes_no(v) for v in frame["in_city"]],
            t("col.cases"): frame["cases"], t("col.share"): [fmt.percent(v) for v in frame["share"]],
            t("col.per_10k"): [fmt.number(v, 1) for v in frame["per_10k"]],
            t("col.city_per_10k"): [fmt.number(v, 1) for v in frame["city_per_10k"]],
            t("col.p_adjusted"): [fmt.number(v, 4) for v in frame["p_adjusted"]],
            t("col.above_city"): [yes_no(v) for v in frame["above_city"]],
        })  # fmt: skip

    top = city.sort_values(measure, ascending=False).iloc[0]
    blocks.chart(
        fig,
        title=t("regional.title_rate") if rated else t("regional.title_cases"),
        caption_text=blocks.caption(
            period=period(filters.start, filters.end),
            source=t("source.petitions"),
            n=int(frame["cases"].sum()),
        ),  # fmt: skip
        table=table,
        metric="district_counts",
        description=t(
            "desc.regional" if rated else "desc.regional_cases",
            top=top["district"],
            value=fmt.number(top[measure], 1 if rated else 0),
            n=len(marked),
        ),  # fmt: skip
        key=f"district_{view}",
        drill=lambda keys: {"district": keys[0]},
        notes=notes,
    )
    if rated:
        funnel_chart(selection, "petitions_per_10k", "district", key="district_funnel")


# ---------------------------------------------------------------- types and channels


def _share_bars(frame: pd.DataFrame, column: str, names: list[str], **options):
    """Cases per value of ``column`` (a category, a channel) with their share on hover;
    each bar carries its value for drill-down (``_drill_bar``)."""
    hover = [t("hover.category", category=c, n=fmt.number(n), share=fmt.percent(s))
             for c, n, s in zip(names, frame["cases"], frame["share"], strict=True)]  # fmt: skip
    return figures.build(charts.bars, names, list(frame["cases"]), hover,
                         axis_title=t("axis.cases"), keys=[(v,) for v in frame[column]],
                         **options)  # fmt: skip


def _drill_bar(field: str):
    """The filter a clicked ``_share_bars`` bar sets: its value (its key)."""
    return lambda keys: {field: keys[0]}


def types_tab(selection) -> None:
    filters = selection.filters
    span = period(filters.start, filters.end)
    top = data.run(types.top_categories, filters, n=10)
    if top.empty:
        blocks.empty()
        return
    names = [shown(c) for c in top["category"]]
    blocks.chart(
        _share_bars(top, "category", names, horizontal=True),
        title=t("types.top"),
        caption_text=blocks.caption(
            period=span,
            source=t("source.petitions"),
            n=int(top["cases"].sum()),
            note=t("types.top_share", share=fmt.percent(top["cumulative_share"].iloc[-1])),
        ),  # fmt: skip
        table=lambda: pd.DataFrame(
            {
                t("col.rank"): top["rank"],
                t("col.category"): names,
                t("col.cases"): top["cases"],
                t("col.share"): [fmt.percent(v) for v in top["share"]],
                t("col.cumulative_share"): [fmt.percent(v) for v in top["cumulative_share"]],
            }
        ),  # fmt: skip
        metric="top_categories",
        description=t("desc.top", top=names[0], share=fmt.percent(top["share"].iloc[0])),
        key="top_categories",
        drill=_drill_bar("category"),
    )

    trend, trend_span = _trend(filters)
    mix = data.run(types.type_counts, trend, by=("month", "category"))
    leaders = list(top["category"].head(TOP_SERIES))
    mix["series"] = [shown(c) if c in leaders else t("types.other") for c in mix["category"]]
    pivot = mix.pivot_table(
        index="month", columns="series", values="cases", aggfunc="sum", fill_value=0
    )
    pivot = pivot.reindex(_every_month(pd.DataFrame({"month": pivot.index}), trend, ())["month"],
                          fill_value=0)  # fmt: skip
    order = [c for c in [*(shown(c) for c in leaders), t("types.other")] if c in pivot.columns]
    months = _months(pivot.index)
    series = {c: list(pivot[c]) for c in order}
    hover = {c: [t("hover.month_category", month=m, category=c, n=fmt.number(v)) for m, v in zip(months, pivot[c], strict=True)]
             for c in order}  # fmt: skip
    flagged = data.run(spikes.spikes, trend, series=("category",))
    flagged = flagged[flagged["category"].isin(leaders)]
    marks = None
    if not flagged.empty:
        marks = {t("types.spike"): (
            _months(flagged["month"]), list(flagged["cases"]),
            [t("types.spike_label", category=shown(c), n=fmt.number(n), expected=fmt.number(e))
             for c, n, e in zip(flagged["category"], flagged["cases"], flagged["expected"], strict=True)])}  # fmt: skip
    lines = figures.build(
        charts.lines, months, series, hover, marks=marks, axis_title=t("axis.cases")
    )
    spike_note = t("types.spikes_found", n=len(flagged)) if marks else t("types.no_spikes")
    blocks.chart(
        lines,
        title=t("types.trend"),
        caption_text=blocks.caption(
            period=trend_span, source=t("source.petitions"), n=int(mix["cases"].sum())
        ),
        table=lambda: (
            pivot.reset_index().assign(month=months).rename(columns={"month": t("col.month")})
        ),
        metric="type_counts",
        description=t("desc.trend", n=len(order), spikes=len(flagged)),
        key="category_trend",
        notes=[spike_note],
    )
    if marks:
        blocks.definition("spikes", t("types.spike"))

    channels = data.run(types.type_counts, filters, by="channel").sort_values(
        "cases", ascending=False
    )
    channel_names = [shown(c) for c in channels["channel"]]
    blocks.chart(
        _share_bars(channels, "channel", channel_names),
        title=t("types.channels"),
        caption_text=blocks.caption(
            period=span, source=t("source.petitions"), n=int(channels["cases"].sum())
        ),
        table=lambda: pd.DataFrame(
            {
                t("col.channel"): channel_names,
                t("col.cases"): channels["cases"],
                t("col.share"): [fmt.percent(v) for v in channels["share"]],
            }
        ),  # fmt: skip
        metric="type_counts",
        description=t(
            "desc.channels",
            top=channel_names[0],
            share=fmt.percent(channels["share"].iloc[0]),
        ),
        key="channels",
        drill=_drill_bar("channel"),
    )

    changes = data.run(
        types.type_changes, filters.with_period(filters.end, filters.end), by="category"
    )
    if not changes.empty:
        changes = changes.sort_values("cases", ascending=False)
        st.header(t("types.changes", month=month_short(parse_month(changes["month"].iloc[0]))))
        blocks.short_table(pd.DataFrame({
            t("col.category"): [shown(c) for c in changes["category"]], t("col.cases"): changes["cases"],
            t("col.prev_month"): [fmt.number(v) for v in changes["prev_month_cases"]],
            t("col.mom"): [fmt.percent(v) for v in changes["mom_change"]],
            t("col.last_year"): [fmt.number(v) for v in changes["last_year_cases"]],
            t("col.yoy"): [fmt.percent(v) for v in changes["yoy_change"]],
        }))  # fmt: skip
        blocks.definition("type_changes", t("types.changes_title"))


# ---------------------------------------------------------------- repeat petitions


def repeats_tab(selection) -> None:
    filters = selection.filters
    trend, trend_span = _trend(filters)
    frame = data.run(types.repeat_petitions, trend, by="month")
    if frame.empty or frame["cases"].sum() == 0:
        blocks.empty()
        return
    counts = ("cases", "cases_with_key", "repeat_cases", "repeat_petitioners")
    frame = _every_month(frame, trend, counts)
    months = _months(frame["month"])
    hover = [t("hover.repeat", month=m, rate=fmt.percent(r), n=fmt.number(n), keyed=fmt.number(k))
             for m, r, n, k in zip(months, frame["repeat_rate"], frame["repeat_cases"], frame["cases_with_key"], strict=True)]  # fmt: skip
    overall = data.run(types.repeat_petitions, trend).iloc[0]
    blocks.chart(
        _rate_line(months, "repeat_rate", frame["repeat_rate"], hover),
        title=t("repeats.title"),
        caption_text=blocks.caption(
            period=trend_span,
            source=t("source.petitions"),
            n=int(overall["cases_with_key"]),
            note=t(
                "repeats.note",
                rate=fmt.percent(overall["repeat_rate"]),
                people=fmt.number(overall["repeat_petitioners"]),
            ),
        ),  # fmt: skip
        table=lambda: pd.DataFrame(
            {
                t("col.month"): months,
                t("col.cases"): frame["cases"],
                t("col.cases_with_key"): frame["cases_with_key"],
                t("col.repeat_cases"): frame["repeat_cases"],
                t("col.repeat_rate"): [fmt.percent(v) for v in frame["repeat_rate"]],
                t("col.repeat_petitioners"): frame["repeat_petitioners"],
            }
        ),  # fmt: skip
        metric="repeat_petitions",
        description=t("desc.repeats", rate=fmt.percent(overall["repeat_rate"])),
        key="repeats",
        notes=[t("repeats.no_key", n=fmt.number(overall["cases"] - overall["cases_with_key"]))]
        if overall["cases"] > overall["cases_with_key"]
        else None,
    )


TABS = (("tab.timeliness", timeliness_tab), ("tab.overdue", overdue_tab),
        ("tab.regional", regional_tab), ("tab.types", types_tab),
        ("tab.repeats", repeats_tab))  # fmt: skip

selection = blocks.page("page.petitions")
if selection is not None:
    sections.tabs("petitions", TABS, selection)
