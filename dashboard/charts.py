"""Plotly figures with the dashboard's common look: Noto Sans CJK TC, a colour-blind-safe
palette (Okabe-Ito), a white restrained layout, exact values on hover. Pure functions of
already-aggregated frames (no Streamlit, no SQL), so exports can reuse them later.

Meaning is never carried by colour alone: series are labelled, marked points get a symbol
and a text label, and every chart has a data table and a text description beside it.
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Sequence
from importlib import resources

import plotly.graph_objects as go
from plotly.colors import get_colorscale, hex_to_rgb, sample_colorscale, unlabel_rgb

# The font, text colour and palette are the app theme's (.streamlit/config.toml): one
# definition for the page and its charts. The palette is Okabe & Ito's (2008),
# distinguishable with every common colour-vision deficiency, yellow last: a yellow line
# on white is barely visible (1.2:1), so it serves an eighth series only.
_THEME = tomllib.loads(
    resources.files("dashboard").joinpath(".streamlit/config.toml").read_text(encoding="utf-8")
)["theme"]
FONT = _THEME["font"]
PALETTE = tuple(_THEME["chartCategoricalColors"])
TEXT = _THEME["textColor"]
GOOD, BAD, NEUTRAL = PALETTE[0], PALETTE[5], "#6B6B6B"
SEQUENTIAL = "Blues"
LABELLED = 6  # points named on a funnel plot at most
GRID = "#E4E7EB"


def _luminance(colour: str) -> float:
    """WCAG relative luminance of '#rrggbb' or 'rgb(r, g, b)'."""
    rgb = hex_to_rgb(colour) if colour.startswith("#") else unlabel_rgb(colour)
    linear = [c / 255 / 12.92 if c <= 10.31 else ((c / 255 + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def label_colour(fill: str) -> str:
    """The text colour that reads on ``fill``: the dark text colour or white, whichever
    has the higher contrast (a district label on the darkest blue must not vanish)."""
    lum = _luminance(fill)
    on_dark = 1.05 / (lum + 0.05)
    on_light = (max(lum, _luminance(TEXT)) + 0.05) / (min(lum, _luminance(TEXT)) + 0.05)
    return "white" if on_dark > on_light else TEXT


def base(fig: go.Figure, *, height: int = 360, legend: bool = True) -> go.Figure:
    """The common layout: font, margins, white background, light grid, legend on top."""
    fig.update_layout(
        font={"family": FONT, "size": 14, "color": TEXT},
        height=height,
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        paper_bgcolor="white",
        plot_bgcolor="white",
        showlegend=legend,
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
        hoverlabel={"font": {"family": FONT}},
        colorway=list(PALETTE),
    )
    fig.update_xaxes(showgrid=False, linecolor=GRID, automargin=True)
    fig.update_yaxes(gridcolor=GRID, zerolinecolor=GRID, automargin=True)
    return fig


def bars(
    labels: Sequence[str],
    values: Sequence[float],
    hover: Sequence[str],
    *,
    horizontal: bool = False,
    colours: Sequence[str] | None = None,
    value_format: str = ",.0f",
    axis_title: str = "",
    percent: bool = False,
    keys: Sequence[Sequence[str]] | None = None,
) -> go.Figure:
    """One bar per label with its value printed on the bar; ``hover`` holds the exact
    figures as text (already formatted for the reader's language and calendar); ``keys``
    ride along with each bar (customdata after the hover text) for drill-down."""
    text_format = "%{x:.1%}" if horizontal and percent else "%{y:.1%}" if percent else None
    trace = go.Bar(
        x=values if horizontal else labels,
        y=labels if horizontal else values,
        orientation="h" if horizontal else "v",
        marker_color=list(colours) if colours is not None else PALETTE[0],
        customdata=[[h, *k] for h, k in zip(hover, keys or [()] * len(hover), strict=True)],
        hovertemplate="%{customdata[0]}<extra></extra>",
        texttemplate=text_format
        or ("%{x:" + value_format + "}" if horizontal else "%{y:" + value_format + "}"),
        textposition="outside",
        cliponaxis=False,
    )
    fig = base(
        go.Figure(trace),
        legend=False,
        height=max(300, 28 * len(labels) + 80) if horizontal else 360,
    )
    axis = {"title": axis_title, "tickformat": ".0%" if percent else None}
    if horizontal:
        fig.update_xaxes(**axis)
        fig.update_yaxes(autorange="reversed")
    else:
        fig.update_yaxes(**axis)
        fig.update_xaxes(type="category")
    return fig


def lines(
    x: Sequence[str],
    series: dict[str, Sequence[float]],
    hover: dict[str, Sequence[str]],
    *,
    percent: bool = False,
    axis_title: str = "",
    band: tuple[Sequence[float], Sequence[float]] | None = None,
    band_name: str = "",
    marks: dict[str, tuple[Sequence[str], Sequence[float], Sequence[str]]] | None = None,
) -> go.Figure:
    """Lines over categorical x labels (months), each series labelled and drawn with its
    own marker symbol; an optional shaded band (an interval) under the first series, and
    optional marked points (x, y, label) drawn as labelled symbols (e.g. spikes)."""
    fig = go.Figure()
    if band is not None:
        low, high = band
        fig.add_trace(go.Scatter(x=list(x), y=list(high), mode="lines", line={"width": 0},
                                 hoverinfo="skip", showlegend=False))  # fmt: skip
        fig.add_trace(go.Scatter(x=list(x), y=list(low), mode="lines", line={"width": 0},
                                 fill="tonexty", fillcolor="rgba(0,114,178,0.15)",
                                 name=band_name, hoverinfo="skip"))  # fmt: skip
    symbols = ("circle", "square", "diamond", "triangle-up", "cross", "x", "star", "hexagon")
    for i, (name, values) in enumerate(series.items()):
        fig.add_trace(
            go.Scatter(
                x=list(x), y=list(values), name=name, mode="lines+markers",
                line={"color": PALETTE[i % len(PALETTE)], "width": 2.5},
                marker={"symbol": symbols[i % len(symbols)], "size": 7},
                customdata=list(hover.get(name, [""] * len(values))),
                hovertemplate="%{customdata}<extra></extra>",
            )
        )  # fmt: skip
    for name, (mx, my, labels) in (marks or {}).items():
        fig.add_trace(
            go.Scatter(
                x=list(mx), y=list(my), name=name, mode="markers+text",
                marker={"symbol": "star", "size": 15, "color": BAD, "line": {"color": TEXT, "width": 1}},
                text=list(labels), textposition="top center",
                hovertemplate="%{text}<extra></extra>",
            )
        )  # fmt: skip
    fig = base(fig)
    fig.update_xaxes(type="category")
    values = [v for vs in series.values() for v in vs if v == v]
    fine = percent and values and max(values) < 0.1  # small rates: one decimal on the axis
    fig.update_yaxes(title=axis_title, tickformat=(".1%" if fine else ".0%") if percent else None,
                     rangemode="tozero")  # fmt: skip
    return fig


def sequential(values: Sequence[float]) -> list[str]:
    """Colours of a sequential, colour-blind-safe scale for values (NaN: light grey)."""
    finite = [v for v in values if v == v]
    if not finite:
        return ["#EEEEEE"] * len(values)
    low, high = min(finite), max(finite)
    span = (high - low) or 1.0
    # one call with the scale looked up once (by name, plotly lists every named scale anew)
    sampled = iter(sample_colorscale(_sequential_scale(), [0.15 + 0.8 * (v - low) / span
                                                           for v in finite]))  # fmt: skip
    return [next(sampled) if v == v else "#EEEEEE" for v in values]


@functools.cache
def _sequential_scale() -> list:
    return get_colorscale(SEQUENTIAL)


KEY_STOPS = 11


def colour_key(low: float, high: float, title: str) -> go.Scatter:
    """The colour key of a district map or tile grid (what light and dark mean): a
    colour bar from ``low`` to ``high`` through the very colours ``sequential`` gives, the
    part of the scale it samples (0.15 to 0.95), not just its two ends."""
    stops = [i / (KEY_STOPS - 1) for i in range(KEY_STOPS)]
    colours = sample_colorscale(_sequential_scale(), [0.15 + 0.8 * f for f in stops])
    return go.Scatter(
        x=[None], y=[None], mode="markers", hoverinfo="skip", showlegend=False,
        marker={"colorscale": [[f, c] for f, c in zip(stops, colours, strict=True)],
                "cmin": low, "cmax": high, "color": [low], "showscale": True,
                "colorbar": {"title": {"text": title}, "thickness": 14, "len": 0.5}},
    )  # fmt: skip


MAP_MARGIN = {"l": 0, "r": 0, "t": 10, "b": 60}
MAP_ASPECT = 1.1  # pixels of a degree of longitude per pixel of a degree of latitude
MAP_LABEL_PX = (11, 14)  # a label's character width and line height at 11 px
MAP_FILL = 0.9  # share of the plot's height the latitudes fill (plotly pads the range; 496 of 550 px in Chromium)


def uncrowded(
    centres: dict[str, tuple[float, float]], labels: dict[str, str], first: set[str],
    *, px_per_lon: float, px_per_lat: float,
) -> set[str]:  # fmt: skip
    """The districts whose labels fit without overlapping a label kept before them: those
    in ``first`` (e.g. the marked ones), then in the order of ``labels`` (largest first).
    A label is a box of its characters' width and one line's height around its point."""
    char_px, line_px = MAP_LABEL_PX
    kept: list[tuple[float, float, float]] = []  # x px, y px, half width px
    shown = set()
    for name in sorted(labels, key=lambda n: n not in first):  # stable: the given order
        x, y = centres[name]
        box = (x * px_per_lon, y * px_per_lat, len(labels[name]) * char_px / 2 + 3)
        if all(abs(box[0] - k[0]) >= box[2] + k[2] or abs(box[1] - k[1]) >= line_px
               for k in kept):  # fmt: skip
            kept.append(box)
            shown.add(name)
    return shown


def polygons(
    shapes: dict[str, list[list[tuple[float, float]]]],
    colours: dict[str, str],
    centres: dict[str, tuple[float, float]],
    labels: dict[str, str],
    hover: dict[str, str],
    marked: set[str],
    *,
    attribution: str,
    scale: tuple[float, float, str] | None = None,
    height: int = 620,
) -> go.Figure:
    """A district map drawn from polygons (works offline and exports as vectors): one
    filled trace per district, a clickable point at each centre (marked districts get a
    star), labelled where the label does not overlap another (``uncrowded``, at the map's
    own scale; ``labels`` in the order they are kept, marked districts before all), and the
    boundaries' attribution under the map."""
    fig = go.Figure()
    lats = [p[1] for rings in shapes.values() for ring in rings for p in ring]
    plot_px = (height - MAP_MARGIN["t"] - MAP_MARGIN["b"]) * MAP_FILL
    px_per_lat = plot_px / ((max(lats) - min(lats)) or 1)
    named = uncrowded(centres, labels, marked, px_per_lon=MAP_ASPECT * px_per_lat,
                      px_per_lat=px_per_lat)  # fmt: skip
    for name, rings in shapes.items():
        xs: list[float | None] = []
        ys: list[float | None] = []
        for ring in rings:
            xs += [p[0] for p in ring] + [None]
            ys += [p[1] for p in ring] + [None]
        fig.add_trace(go.Scatter(x=xs, y=ys, fill="toself", mode="lines",
                                 fillcolor=colours.get(name, "#EEEEEE"),
                                 line={"color": "white", "width": 1}, hoverinfo="skip",
                                 showlegend=False))  # fmt: skip
    names = list(centres)
    fig.add_trace(
        go.Scatter(
            x=[centres[n][0] for n in names], y=[centres[n][1] for n in names],
            mode="markers+text", text=[labels[n] if n in named else "" for n in names],
            textposition="middle center",
            textfont={"size": 11, "color": [label_colour(colours.get(n, "#EEEEEE")) for n in names]},
            marker={"size": [16 if n in marked else 9 for n in names],
                    "symbol": ["star" if n in marked else "circle" for n in names],
                    "color": [BAD if n in marked else "rgba(255,255,255,0.6)" for n in names],
                    "line": {"color": TEXT, "width": 1}},
            customdata=[[n, hover.get(n, n)] for n in names],
            hovertemplate="%{customdata[1]}<extra></extra>", showlegend=False,
        )
    )  # fmt: skip
    if scale is not None:
        fig.add_trace(colour_key(*scale))
    fig = base(fig, height=height, legend=False)
    fig.update_xaxes(visible=False, scaleanchor="y", scaleratio=MAP_ASPECT)
    fig.update_yaxes(visible=False)
    fig.add_annotation(text=attribution, xref="paper", yref="paper", x=0, y=-0.02,
                       showarrow=False, xanchor="left", yanchor="top", align="left",
                       font={"size": 10, "color": NEUTRAL})  # fmt: skip
    fig.update_layout(margin=MAP_MARGIN, dragmode=False)
    return fig


def tiles(
    grid: Sequence[tuple[str, str, int, int]],
    colours: dict[str, str],
    hover: dict[str, str],
    marked: set[str],
    *,
    scale: tuple[float, float, str] | None = None,
) -> go.Figure:
    """The tile-grid view: each district a labelled square at its (row, col), so the
    small city-centre districts are as easy to read and click as the mountain ones;
    ``scale`` (low, high, title) adds the same colour key as the map's."""
    names = [g[0] for g in grid]
    fig = go.Figure(
        go.Scatter(
            x=[g[3] for g in grid], y=[-g[2] for g in grid], mode="markers+text",
            text=[("★ " if g[0] in marked else "") + g[1] for g in grid],
            textfont={"size": 12, "color": [label_colour(colours.get(n, "#EEEEEE")) for n in names]},
            marker={"symbol": "square", "size": 46, "color": [colours.get(n, "#EEEEEE") for n in names],
                    "line": {"color": [BAD if n in marked else "white" for n in names],
                             "width": [3 if n in marked else 1 for n in names]}},
            customdata=[[n, hover.get(n, n)] for n in names],
            hovertemplate="%{customdata[1]}<extra></extra>", showlegend=False,
        )
    )  # fmt: skip
    if scale is not None:
        fig.add_trace(colour_key(*scale))
    fig = base(fig, height=560, legend=False)
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False, scaleanchor="x", scaleratio=1)
    fig.update_layout(dragmode=False)
    return fig


def funnel(
    sizes: Sequence[float],
    rates: Sequence[float],
    names: Sequence[str],
    hover: Sequence[str],
    curve: dict[str, tuple[Sequence[float], Sequence[float]]],
    target: float,
    target_name: str,
    flagged: Sequence[bool],
    *,
    percent: bool,
    x_title: str,
    y_title: str,
    keys: Sequence[Sequence[str]] | None = None,
    labels: Sequence[str] | None = None,
) -> go.Figure:
    """A funnel plot: each group's rate against its size, the target line and the
    control limit curves (named, dashed for 95%, dotted for 99.8%); groups outside the
    limits get a distinct symbol, and the furthest out their label printed (``labels``,
    e.g. two short lines; the names by default), above and below in turn along the axis
    so neighbours do not overwrite each other. ``keys`` ride along with each point
    (customdata after its name and hover text) for drill-down."""
    fig = go.Figure()
    styles = {0: ("dash", NEUTRAL), 1: ("dot", TEXT)}
    for i, (name, (xs, ys)) in enumerate(curve.items()):
        dash, colour = styles[(i // 2) % 2]
        fig.add_trace(go.Scatter(x=list(xs), y=list(ys), mode="lines", name=name,
                                 line={"dash": dash, "color": colour, "width": 1.5},
                                 hoverinfo="skip", legendgroup=name, showlegend=i % 2 == 0))  # fmt: skip
    # name only the groups furthest outside the limits, so the labels stay readable
    outside = [i for i, f in enumerate(flagged) if f]
    distance = [abs(rates[i] - target) * (sizes[i] ** 0.5) for i in outside]
    named = {i for _, i in sorted(zip(distance, outside, strict=True), reverse=True)[:LABELLED]}
    along = sorted(named, key=lambda i: sizes[i])
    where = {i: "top center" if k % 2 == 0 else "bottom center" for k, i in enumerate(along)}
    labels = list(labels) if labels is not None else list(names)
    fig.add_hline(y=target, line={"color": GOOD, "width": 2}, annotation_text=target_name,
                  annotation_position="top left")  # fmt: skip
    fig.add_trace(
        go.Scatter(
            x=list(sizes), y=list(rates), mode="markers+text", name="",
            text=[label if i in named else "" for i, label in enumerate(labels)],
            textposition=[where.get(i, "top center") for i in range(len(names))],
            textfont={"size": 11}, showlegend=False,
            marker={"size": 11, "symbol": ["diamond" if f else "circle" for f in flagged],
                    "color": [BAD if f else GOOD for f in flagged], "line": {"color": "white", "width": 1}},
            customdata=[[n, h, *k] for n, h, k in
                        zip(names, hover, keys or [()] * len(names), strict=True)],  # fmt: skip
            hovertemplate="%{customdata[1]}<extra></extra>",
        )
    )  # fmt: skip
    fig = base(fig, height=460)
    fig.update_xaxes(title=x_title, type="log", showgrid=True, gridcolor=GRID)
    fig.update_yaxes(title=y_title, tickformat=".0%" if percent else None)
    return fig
