"""The funnel plot block, shared by the scorecard (units) and the regional view
(districts): each group's rate against its size inside the 95% and 99.8% limits."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard import blocks, charts, data, figures, fmt
from dashboard.ui import drill_unit, period, shown, t, unit_keys, unit_label
from metrics import funnel as funnel_metric

SOURCE = {
    "on_time_rate": "source.petitions",
    "reply_satisfaction": "source.petitions",
    "survey_satisfaction": "source.surveys",
    "petitions_per_10k": "source.petitions_population",
}


def funnel_chart(selection, indicator: str, by: str, *, key: str, level: int = 2) -> None:
    filters = selection.filters
    frame = data.run(funnel_metric.funnel, filters, indicator=indicator, by=by)
    title = t("funnel.title", indicator=t(f"indicator.{indicator}"), by=t(f"col.{by}"))
    if len(frame) < 2:
        blocks.empty("empty.funnel")
        return
    _, kind, _ = funnel_metric.INDICATORS[indicator]
    scale = funnel_metric.PER if kind == "rate" else 1
    target = float(frame["target"].iloc[0]) / scale
    tau2 = float(frame["tau2"].iloc[0])
    sizes = np.geomspace(max(1.0, frame["n"].min() * 0.8), frame["n"].max() * 1.2, 160)
    if kind == "proportion":  # the binomial limits exist at whole numbers of cases
        sizes = np.unique(np.round(sizes))
    curve = {}
    for name, limit in ((t("funnel.limit_95"), "95"), (t("funnel.limit_998"), "99.8")):
        low, high = funnel_metric.limits(target, sizes, level=limit, tau2=tau2, kind=kind)
        curve[name] = (sizes, low * scale, high * scale)
    outside = frame["position"] != funnel_metric.WITHIN
    percent = kind == "proportion"
    show = fmt.percent if percent else (lambda v: fmt.number(v, 1))
    if by == "unit":
        keys = unit_keys(frame)
        names = [unit_label(a, u) for a, u in keys]
        labels = [f"{u}<br>{a}" for a, u in keys]  # two short lines on the plot
    else:
        names, keys = [shown(d) for d in frame[by]], [(d,) for d in frame[by]]
        labels = names
    hover = [
        t("hover.funnel", name=g, rate=show(r), n=fmt.number(n), low=show(lo), high=show(hi),
          position=t(f"funnel.position.{p}"))
        for g, r, n, lo, hi, p in zip(names, frame["rate"], frame["n"], frame["lower_95"],
                                       frame["upper_95"], frame["position"], strict=True)
    ]  # fmt: skip
    fig = figures.build(
        charts.funnel, list(frame["n"]), list(frame["rate"]), labels, hover, curve,
        float(frame["target"].iloc[0]), t("funnel.target", value=show(frame["target"].iloc[0])),
        list(outside), percent=percent, x_title=t(f"funnel.x.{indicator}"),
        y_title=t(f"indicator.{indicator}"), keys=keys,
    )  # fmt: skip
    notes = [t("funnel.overdispersed", phi=fmt.number(frame["phi"].iloc[0], 2))
             if frame["overdispersed"].iloc[0] else t("funnel.not_overdispersed")]  # fmt: skip
    groups = {t("col.agency"): frame["agency"]} if by == "unit" else {}

    def table() -> pd.DataFrame:
        return pd.DataFrame({
            **groups, t(f"col.{by}"): [shown(v) for v in frame[by]], t("col.n"): frame["n"], t("col.events"): frame["events"],
            t("col.rate"): [show(v) for v in frame["rate"]],
            t("col.limits_95"): [f"{show(lo)} – {show(hi)}" for lo, hi in zip(frame["lower_95"], frame["upper_95"], strict=True)],
            t("col.limits_998"): [f"{show(lo)} – {show(hi)}" for lo, hi in zip(frame["lower_998"], frame["upper_998"], strict=True)],
            t("col.position"): [t(f"funnel.position.{p}") for p in frame["position"]],
        })  # fmt: skip

    blocks.chart(
        fig,
        title=title,
        caption_text=blocks.caption(
            period=period(filters.start, filters.end),
            source=t(SOURCE[indicator]),
            n=int(frame["events"].sum() if kind == "rate" else frame["n"].sum()),
        ),  # fmt: skip
        table=table,
        metric="funnel",
        description=t("desc.funnel", n=len(frame), outside=int(outside.sum())),
        key=key,
        drill=drill_unit if by == "unit" else (lambda keys: {by: keys[0]}),
        notes=notes,
        level=level,
    )
