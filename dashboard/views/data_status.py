"""資料狀態: what the database holds and how fresh it is, so a dip is not mistaken for a
missing load: batches with their accounting, rejects by rule, months with no or few
petitions, cases outside the city, the office calendar's source and version."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import blocks, charts, data, figures, fmt
from dashboard.ui import date, month_short, t
from metrics import data_status


def batches() -> None:
    frame = data.run(data_status.load_batches)
    st.header(t("status.batches"))
    if frame.empty:
        blocks.empty()
        return
    blocks.short_table(pd.DataFrame({
        t("col.batch"): frame["batch_id"], t("col.kind"): [t(f"kind.{k}") for k in frame["kind"]],
        t("col.file"): frame["file_name"], t("col.finished"): [date(v) for v in frame["finished_at"]],
        t("col.accounting"): [t("status.accounting", read=fmt.number(r), loaded=fmt.number(lo), updated=fmt.number(u),
                                unchanged=fmt.number(un), rejected=fmt.number(rj))
                              for r, lo, u, un, rj in zip(frame["rows_read"], frame["rows_loaded"], frame["rows_updated"],
                                                          frame["rows_unchanged"], frame["rows_rejected"], strict=True)],
        t("col.outcome"): [t(f"outcome.{o}") for o in frame["outcome"]],
        t("col.data_as_of"): [date(v) for v in frame["data_as_of"]],
    }))  # fmt: skip
    blocks.definition("load_batches", t("status.batches"))
    rules = data.run(data_status.reject_rules)
    st.subheader(t("status.rejects"))
    if rules.empty:
        st.success(t("status.no_rejects"))
    else:
        blocks.short_table(pd.DataFrame({t("col.batch"): rules["batch_id"], t("col.rule"): rules["rule"],
                                   t("col.rows"): rules["rows"]}))  # fmt: skip
        st.caption(t("status.rejects_hint"))


def volume() -> None:
    frame = data.run(data_status.monthly_volume)
    if frame.empty:
        return
    months = [month_short(m) for m in frame["month"]]
    flags = frame["flag"].fillna("")
    colours = [charts.BAD if f else charts.GOOD for f in flags]
    hover = [t("hover.volume", month=m, n=fmt.number(c), flag=t(f"flag.{f}") if f else "")
             for m, c, f in zip(months, frame["cases"], flags, strict=True)]  # fmt: skip
    fig = figures.build(
        charts.bars,
        months,
        list(frame["cases"]),
        hover,
        colours=colours,
        axis_title=t("axis.cases"),
    )
    flagged = [t("status.flagged_month", month=m, flag=t(f"flag.{f}"))
               for m, f in zip(months, flags, strict=True) if f]  # fmt: skip
    blocks.chart(
        fig,
        title=t("status.volume"),
        caption_text=blocks.caption(
            period=t("status.all_data"), source=t("source.petitions"), n=int(frame["cases"].sum())
        ),  # fmt: skip
        table=lambda: pd.DataFrame(
            {
                t("col.month"): months,
                t("col.cases"): frame["cases"],
                t("col.neighbours_median"): [fmt.number(v) for v in frame["neighbours_median"]],
                t("col.flag"): [t(f"flag.{f}") if f else "" for f in flags],
            }
        ),  # fmt: skip
        metric="monthly_volume",
        description=t("desc.volume", n=len(frame), flagged=len(flagged)),
        key="volume",
        notes=[
            t("status.flagged", months=t("caption.list_separator").join(flagged))
            if flagged
            else t("status.none_flagged")
        ],
    )


def outside_and_calendar() -> None:
    outside = data.run(data_status.outside_city)
    st.subheader(t("status.outside"))
    if outside.empty:
        st.success(t("status.all_in_city"))
    else:
        blocks.short_table(pd.DataFrame({t("col.city"): outside["city"], t("col.cases"): outside["cases"]}))  # fmt: skip
        st.caption(t("status.outside_note"))
    cal = data.run(data_status.calendar_status)
    st.subheader(t("status.calendar"))
    blocks.short_table(pd.DataFrame({
        t("col.source"): [t(f"calendar.{s}") for s in cal["source"]], t("col.days"): cal["days"],
        t("col.first_day"): [date(v) for v in cal["first_day"]], t("col.last_day"): [date(v) for v in cal["last_day"]],
        t("col.days_off"): cal["days_off"],
    }))  # fmt: skip
    version = cal["holidays_version"].iloc[0] if not cal.empty else None
    st.caption(t("status.calendar_version", version=version or t("value.unknown")))
    blocks.definition("calendar_status", t("status.calendar"))


selection = blocks.page("page.data_status")
if selection is not None:
    st.caption(t("status.unfiltered"))
    with blocks.guarded():
        batches()
        volume()
        outside_and_calendar()
