"""Vega-Lite chart specifications with the dashboard's common look: Noto Sans CJK TC, a
colour-blind-safe palette (Okabe-Ito), a white restrained layout, exact values on hover.
Pure functions of already-aggregated figures returning plain dicts (no Streamlit, no SQL,
no network), so exports can render the same specs later.

Vega-Lite, not plotly: in the browser a cached rerun redraws three charts in about 40 ms
against about 150 ms, and its module adds 0.2-0.5 s to opening a page against 1.1-1.4 s
(docs/performance.md, "Chart libraries and grids").

Meaning is never carried by colour alone: series are labelled and drawn with their own
symbol, marked points get a symbol and a text label, and every chart has a data table and
a text description beside it. Every mark that shows figures names them to a screen reader
(its ``description``, the hover text in one line).

A clickable chart carries each mark's keys in the fields of ``KEY_FIELDS`` and names its
point selection ``PICK``: ``dashboard.blocks.chart`` reads the clicked keys from there.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Iterable, Sequence
from importlib import resources

from reports.tables import missing

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
GRID = "#E4E7EB"
MISSING = "#EEEEEE"  # a district without a value
# ColorBrewer "Blues" (9 classes), sampled from 0.15 to 0.95 (the lightest blue is too
# close to white for a filled district)
BLUES = ("#f7fbff", "#deebf7", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5",
         "#08519c", "#08306b")  # fmt: skip
LOW, HIGH = 0.15, 0.95
LABELLED = 6  # points named on a funnel plot at most
PRINTED_VALUES = 40  # bars with their value printed at their end, at most
MANY_MARKS = 150  # described marks beyond which a chart is drawn on a canvas (``_spec``)
# a five-pointed star as Vega draws custom symbols: an SVG path in the square -1..1
STAR = ("M0,-1L0.265,-0.364L0.951,-0.309L0.428,0.139L0.588,0.809L0,0.45L-0.588,0.809"
        "L-0.428,0.139L-0.951,-0.309L-0.265,-0.364Z")  # fmt: skip
SYMBOLS = ("circle", "square", "diamond", "triangle-up", "cross", "triangle-down", STAR,
           "triangle-right")  # fmt: skip
PICK = "pick"  # the point selection of every clickable chart
KEY_FIELDS = ("k0", "k1", "k2")
_TIP = "tip"  # the hover text's first line (the tooltip's heading); tip1, tip2 … the rest

CONFIG = {
    "font": FONT,
    "background": "white",
    "view": {"stroke": None},
    "axis": {
        "labelFontSize": 13, "titleFontSize": 13, "labelColor": TEXT, "titleColor": TEXT,
        "titleFontWeight": "normal", "gridColor": GRID, "domainColor": "#9AA5B1",
        "tickColor": "#9AA5B1", "labelLimit": 280,
        "aria": False,  # Vega describes axes and legends in English; the marks say the figures
    },
    "legend": {
        # above the plot, clear of a vertical axis' title set level above the axis
        "orient": "top", "offset": 26, "labelFontSize": 13, "titleFontSize": 13, "labelColor": TEXT,
        "titleColor": TEXT, "titleFontWeight": "normal", "labelLimit": 400, "aria": False,
    },
    # a vertical axis' title level above the axis: rotated Chinese is read sideways
    "axisY": {"titleAngle": 0, "titleAlign": "left", "titleAnchor": "end", "titleBaseline": "bottom",
              "titleY": -10, "titleX": 0},
    "title": {"color": TEXT, "fontWeight": "normal"},
    "text": {"color": TEXT, "fontSize": 12},
    "range": {"category": list(PALETTE)},
}  # fmt: skip


# ---------------------------------------------------------------- colours


def _rgb(colour: str) -> tuple[int, int, int]:
    """(r, g, b) of '#rrggbb'."""
    return tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))  # type: ignore[return-value]


def _luminance(colour: str) -> float:
    """WCAG relative luminance."""
    linear = [c / 255 / 12.92 if c <= 10.31 else ((c / 255 + 0.055) / 1.055) ** 2.4
              for c in _rgb(colour)]  # fmt: skip
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def label_colour(fill: str) -> str:
    """The text colour that reads on ``fill``: the dark text colour or white, whichever
    has the higher contrast (a district label on the darkest blue must not vanish)."""
    lum = _luminance(fill)
    on_dark = 1.05 / (lum + 0.05)
    on_light = (max(lum, _luminance(TEXT)) + 0.05) / (min(lum, _luminance(TEXT)) + 0.05)
    return "white" if on_dark > on_light else TEXT


def _blue(f: float) -> str:
    """The colour at ``f`` (0..1) along BLUES, linear in RGB between its classes."""
    f = min(max(f, 0.0), 1.0) * (len(BLUES) - 1)
    i = min(int(f), len(BLUES) - 2)
    a, b = _rgb(BLUES[i]), _rgb(BLUES[i + 1])
    mix = [round(x + (y - x) * (f - i)) for x, y in zip(a, b, strict=True)]
    return "#{:02x}{:02x}{:02x}".format(*mix)


def sequential(values: Sequence[float]) -> list[str]:
    """Colours of a sequential, colour-blind-safe scale for values (NaN: light grey)."""
    finite = [v for v in values if v == v]
    if not finite:
        return [MISSING] * len(values)
    low, high = min(finite), max(finite)
    span = (high - low) or 1.0
    return [_blue(LOW + (HIGH - LOW) * (v - low) / span) if v == v else MISSING for v in values]


KEY_STOPS = 11


def colour_key(low: float, high: float, title: str) -> dict:
    """The colour key of a district map or tile grid (what light and dark mean): an
    invisible layer whose colour legend runs from ``low`` to ``high`` through the very
    colours ``sequential`` gives, the part of the scale it samples, not just its ends."""
    span = (high - low) or 1.0
    domain = [low + span * i / (KEY_STOPS - 1) for i in range(KEY_STOPS)]
    return {
        "data": {"values": [{"v": low}, {"v": high}]},
        "mark": {"type": "point", "opacity": 0, "aria": False},
        "encoding": {
            "color": {
                "field": "v", "type": "quantitative", "title": title,
                "scale": {"domain": domain, "range": sequential(domain)},
                "legend": {"orient": "right", "gradientLength": 220, "format": ",.1~f"},
            },
        },
    }  # fmt: skip


# ---------------------------------------------------------------- pieces


def _number(v: object) -> float | None:
    """A JSON-safe number: NaN and infinities become null (JSON has neither)."""
    if missing(v):
        return None
    v = float(v)  # type: ignore[arg-type]
    return v if math.isfinite(v) else None


def _tip(text: str) -> dict[str, str]:
    """The hover text (lines joined by <br>) as the fields a tooltip shows: the first line
    as its heading, the others as lines under it; ``desc`` is all of it in one line, what a
    screen reader says for the mark."""
    lines = [line.strip() for line in text.split("<br>") if line.strip()]
    out = {f"{_TIP}{i}" if i else _TIP: line for i, line in enumerate(lines)}
    out["desc"] = " ".join(lines)
    return out


def _tooltip(rows: Iterable[dict]) -> list[dict]:
    """The tooltip encoding for rows made with ``_tip``: vega-tooltip shows the field
    titled "title" as a heading and every other as a line with its title beside it; the
    titles of the lines are zero-width spaces, distinct and invisible."""
    lines = max((sum(1 for k in row if k.startswith(_TIP)) for row in rows), default=1)
    return [{"field": _TIP, "title": "title"}] + [
        {"field": f"{_TIP}{i}", "title": "\u200b" * i} for i in range(1, lines)
    ]


def _keys(keys: Sequence[object] | None) -> dict[str, str]:
    return {f: str(k) for f, k in zip(KEY_FIELDS, keys or (), strict=False)}


def _pick(fields: int) -> dict:
    """The point selection a clickable layer carries (``**_pick(n)`` into the layer), on
    its first ``fields`` keys; nothing for 0: nothing to click."""
    if not fields:
        return {}
    return {"params": [{"name": PICK, "select": {"type": "point", "fields": list(KEY_FIELDS[:fields]),
                                                 "on": "click", "clear": "dblclick", "toggle": False}}]}  # fmt: skip


def _key_count(keys: Sequence[Sequence[object]] | None) -> int:
    return max((len(k) for k in keys or ()), default=0)


def _as_is(field: str, kind: str = "nominal") -> dict:
    """A channel that takes the field's value itself (a colour, a width), no scale."""
    return {"field": field, "type": kind, "scale": None}


def _district(name: str, colours: dict[str, str], hover: dict[str, str]) -> dict:
    """What a district's mark carries on the map and the tile grid: its name as its key for
    drill-down, its fill, the label colour that reads on it, its hover text."""
    fill = colours.get(name, MISSING)
    return {"k0": name, "fill": fill, "ink": label_colour(fill),
            **_tip(hover.get(name, name))}  # fmt: skip


def _district_labels(rows: list[dict], position: dict, size: int, *, above: bool) -> dict:
    """The layer of the districts' labels (``label``, where not empty) at ``position``, each
    in the colour that reads on its district's fill; ``above`` a point drawn there (a white
    label on the white point would lose its middle)."""
    fields = [channel["field"] for channel in position.values()] + ["label", "ink"]
    place = {"baseline": "bottom", "dy": -5} if above else {"baseline": "middle"}
    return {"data": {"values": [{k: r[k] for k in fields} for r in rows if r["label"]]},
            "mark": {"type": "text", "fontSize": size, "aria": False, **place},
            "encoding": {**position, "text": {"field": "label"}, "fill": _as_is("ink")}}  # fmt: skip


def _described(layers: list[dict]) -> int:
    """How many marks name their figures to a screen reader (the layers that describe)."""
    return sum(len(layer["data"].get("values", ())) for layer in layers
               if "description" in layer.get("encoding", {}))  # fmt: skip


def _spec(layers: list[dict], *, height: int, **top: object) -> dict:
    """The whole chart: its layers and the common look.

    Every layer carries its own data, none is at the top: Streamlit converts a spec's
    top-level data to Arrow on every call (some 6 ms a chart, on every rerun), while a
    layer's stays in the spec as it is. A label layer gets only the fields it draws.

    A chart of more than ``MANY_MARKS`` described marks (a funnel plot of every unit, ten
    years of monthly series) is drawn on a canvas: one element for the browser to redraw
    instead of hundreds (the unit funnel plot's language switch: 754 -> 324 ms), read by a
    screen reader as one figure named by its description, its figures in its data table
    (a list of hundreds of points is no way to read them anyway). Fewer marks stay SVG,
    each mark naming its figures."""
    spec = {"height": height, "config": CONFIG, "layer": layers, **top}
    if _described(layers) > MANY_MARKS:
        spec["usermeta"] = {"embedOptions": {"renderer": "canvas"}}
    return spec


def _angle(labels: Sequence[str], room: int = 800) -> int:
    """A category axis' label angle: level while the labels fit side by side (a CJK
    character some 13 px wide at the axis' size, a Latin one some 8, plus a gap)."""
    width = max((sum(13 if ord(c) > 0x2E80 else 8 for c in str(v)) for v in labels), default=0)
    return 0 if (width + 12) * len(labels) <= room else -40


# ---------------------------------------------------------------- charts


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
    reference: tuple[float, str] | None = None,
) -> dict:
    """One bar per label with its value printed at its end (up to ``PRINTED_VALUES``
    bars; more would print over each other); ``hover`` holds the exact
    figures as text (already formatted for the reader's language and calendar); ``keys``
    ride along with each bar for drill-down; ``reference`` (value, label) draws a dashed
    line across the bars (e.g. the agency's rate)."""
    rows = [
        {"label": str(label), "value": _number(v), "fill": c, **_tip(h), **_keys(k)}
        for label, v, h, c, k in zip(labels, values, hover, colours or [GOOD] * len(labels),
                                     keys or [()] * len(labels), strict=True)
    ]  # fmt: skip
    category = {"field": "label", "type": "nominal", "sort": None, "title": None}
    whole = not percent and value_format.endswith(".0f")  # counts: whole-number ticks
    axis = {"format": ".0%" if percent else ",~f"} | ({"tickMinStep": 1} if whole else {})
    value = {"field": "value", "type": "quantitative", "title": axis_title or None, "axis": axis}
    if horizontal:
        position = {"y": category, "x": value}
        text_mark = {"type": "text", "align": "left", "baseline": "middle", "dx": 4}
    else:  # many bars (ten years of months): every other label, until none overlap
        category["axis"] = {"labelAngle": _angle(labels), "labelOverlap": "parity"}
        position = {"x": category, "y": value}
        text_mark = {"type": "text", "align": "center", "baseline": "bottom", "dy": -3}
    layers = [
        {
            "data": {"values": rows},
            "mark": {"type": "bar", "cursor": "pointer" if keys else "default"},
            **_pick(_key_count(keys)),
            "encoding": {
                **position,
                "fill": _as_is("fill"),
                "tooltip": _tooltip(rows),
                "description": {"field": "desc"},
            },
        },
    ]
    if len(rows) <= PRINTED_VALUES:  # beyond, the printed values overlap: hover and table
        layers.append({
            "data": {"values": [{"label": r["label"], "value": r["value"]} for r in rows]},
            "mark": {**text_mark, "aria": False},
            "encoding": {**position, "text": {"field": "value", "type": "quantitative",
                                              "format": ".1%" if percent else value_format}},
        })  # fmt: skip
    if reference is not None:
        at, name = reference
        line = {"x" if horizontal else "y": {"datum": _number(at), "type": "quantitative"}}
        once = {"values": [{}]}  # one line, not one per bar (the chart's data)
        layers += [
            {"data": once, "mark": {"type": "rule", "color": TEXT, "strokeDash": [6, 4],
                                    "aria": False},
             "encoding": line},
            {"data": once, "mark": {"type": "text", "align": "left", "baseline": "bottom",
                                    "dx": 4, "aria": False},
             "encoding": {**line, ("y" if horizontal else "x"): {"value": 0},
                          "text": {"value": name}}},
        ]  # fmt: skip
    height = max(300, 28 * len(labels) + 80) if horizontal else 360
    return _spec(layers, height=height)


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
) -> dict:
    """Lines over categorical x labels (months), each series labelled and drawn with its
    own colour and symbol; an optional shaded band (an interval) under the first series,
    and optional marked points (x, y, label) drawn as labelled stars (e.g. spikes)."""
    x = [str(v) for v in x]
    names = list(series) + list(marks or {})
    colours = [PALETTE[i % len(PALETTE)] for i in range(len(series))] + [BAD] * len(marks or {})
    symbols = [SYMBOLS[i % len(SYMBOLS)] for i in range(len(series))] + [STAR] * len(marks or {})
    points = [
        {"x": xv, "y": _number(v), "series": name, **_tip(h)}
        for name, values in series.items()
        for xv, v, h in zip(x, values, hover.get(name) or [""] * len(values), strict=True)
    ]
    starred = [
        {"x": str(xv), "y": _number(v), "series": name, "label": label, **_tip(label)}
        for name, (mx, my, labels) in (marks or {}).items()
        for xv, v, label in zip(mx, my, labels, strict=True)
    ]
    shown = [v for v in (p["y"] for p in points) if v is not None]
    fine = percent and shown and max(shown) < 0.1  # small rates: one decimal on the axis
    x_enc = {"field": "x", "type": "ordinal", "sort": x, "title": None,
             "axis": {"labelAngle": _angle(x), "labelOverlap": "parity"}}  # fmt: skip
    y_enc = {"field": "y", "type": "quantitative", "title": axis_title or None,
             "scale": {"zero": True},
             "axis": {"format": (".1%" if fine else ".0%") if percent else ",~f"}}  # fmt: skip
    colour = {"field": "series", "type": "nominal", "title": None,
              "scale": {"domain": names, "range": colours}}  # fmt: skip
    shape = {"field": "series", "type": "nominal", "title": None,
             "scale": {"domain": names, "range": symbols}}  # fmt: skip
    layers: list[dict] = []
    if band is not None:
        low, high = band
        layers.append({
            "data": {"values": [{"x": xv, "low": _number(lo), "high": _number(hi), "band": band_name}
                                for xv, lo, hi in zip(x, low, high, strict=True)]},
            "mark": {"type": "area", "opacity": 0.18, "aria": False},
            "encoding": {"x": x_enc, "y": {**y_enc, "field": "low"}, "y2": {"field": "high"},
                         "fill": {"field": "band", "type": "nominal", "title": None,
                                  "scale": {"range": [PALETTE[0]]}}},
        })  # fmt: skip
    layers += [
        {"data": {"values": [{k: p[k] for k in ("x", "y", "series")} for p in points]},
         "mark": {"type": "line", "strokeWidth": 2.5, "aria": False},
         "encoding": {"x": x_enc, "y": y_enc, "color": colour}},
        {"data": {"values": points}, "mark": {"type": "point", "filled": True, "size": 60,
                                              "opacity": 1},
         "encoding": {"x": x_enc, "y": y_enc, "color": colour, "shape": shape,
                      "tooltip": _tooltip(points), "description": {"field": "desc"}}},
    ]  # fmt: skip
    if starred:
        layers += [
            {"data": {"values": starred},
             "mark": {"type": "point", "filled": True, "size": 260, "opacity": 1,
                      "stroke": TEXT, "strokeWidth": 1},
             "encoding": {"x": x_enc, "y": y_enc, "color": colour, "shape": shape,
                          "tooltip": _tooltip(starred), "description": {"field": "desc"}}},
            {"data": {"values": starred},
             "mark": {"type": "text", "baseline": "bottom", "dy": -12, "aria": False},
             "encoding": {"x": x_enc, "y": y_enc, "text": {"field": "label"}}},
        ]  # fmt: skip
    return _spec(layers, height=360)


MAP_LABEL_PX = (11, 14)  # a label's character width and line height at 11 px
MAP_HEIGHT = 560


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
    height: int = MAP_HEIGHT,
) -> dict:
    """A district map drawn from polygons (works offline, vectors in every export): each
    district a clickable filled shape, a point at its centre (a star for marked
    districts), its label where the label does not overlap another (``uncrowded``, at the
    map's own scale; ``labels`` in the order they are kept, marked districts before all),
    and the boundaries' attribution under the map.

    Drawn in an equirectangular projection around the city's middle latitude (longitude
    times its cosine; Vega's identity projection at a set scale): at this size it is
    indistinguishable from a conformal one. ``height`` pixels span the city's latitudes
    and the width follows, so the label spacing above uses the very scale drawn."""
    lons = [p[0] for rings in shapes.values() for ring in rings for p in ring]
    lats = [p[1] for rings in shapes.values() for ring in rings for p in ring]
    squeeze = math.cos(math.radians((max(lats) + min(lats)) / 2))
    px_per_lat = height / ((max(lats) - min(lats)) or 1)
    width = round((max(lons) - min(lons)) * squeeze * px_per_lat)
    named = uncrowded(centres, labels, marked, px_per_lon=squeeze * px_per_lat,
                      px_per_lat=px_per_lat)  # fmt: skip
    district = {n: _district(n, colours, hover) for n in {*shapes, *centres}}
    areas = [
        {"type": "Feature", **district[name],
         "geometry": {"type": "MultiPolygon",
                      "coordinates": [[[[lon * squeeze, lat] for lon, lat in ring]] for ring in rings]}}
        for name, rings in shapes.items()
    ]  # fmt: skip
    spots = [
        {**district[n], "lon": centres[n][0] * squeeze, "lat": centres[n][1],
         "label": labels[n] if n in named else "", "kind": "marked" if n in marked else "plain"}
        for n in centres
    ]  # fmt: skip
    where = {"longitude": {"field": "lon", "type": "quantitative"},
             "latitude": {"field": "lat", "type": "quantitative"}}  # fmt: skip
    layers = [
        {"data": {"values": areas}, **_pick(1),
         "mark": {"type": "geoshape", "stroke": "white", "strokeWidth": 1, "cursor": "pointer"},
         "encoding": {"fill": _as_is("fill"), "tooltip": _tooltip(areas),
                      "description": {"field": "desc"}}},
        {"data": {"values": spots},
         "mark": {"type": "point", "filled": True, "stroke": TEXT, "strokeWidth": 1,
                  "cursor": "pointer", "aria": False},
         "encoding": {**where,
                      "shape": {"field": "kind", "type": "nominal", "legend": None,
                                "scale": {"domain": ["marked", "plain"], "range": [STAR, "circle"]}},
                      "size": {"field": "kind", "type": "nominal", "legend": None,
                               "scale": {"domain": ["marked", "plain"], "range": [260, 60]}},
                      "fill": {"field": "kind", "type": "nominal", "legend": None,
                               "scale": {"domain": ["marked", "plain"], "range": [BAD, "#FFFFFF"]}},
                      "fillOpacity": {"value": 0.85},
                      "tooltip": _tooltip(spots)}},
        _district_labels(spots, where, 11, above=True),
    ]  # fmt: skip
    if scale is not None:
        layers.append(colour_key(*scale))
    return _spec(
        layers, height=height, width=width,
        # the plot keeps its size, the attribution and the key are added around it (fitted
        # into the size, the fixed-scale map lost its southern districts under the caption)
        autosize={"type": "pad", "contains": "content"},
        # the scale set, not fitted: the labels were spaced at exactly this scale
        projection={"type": "identity", "reflectY": True, "scale": px_per_lat,
                    "translate": [-min(lons) * squeeze * px_per_lat, max(lats) * px_per_lat]},
        title={"text": attribution.split("<br>"), "orient": "bottom", "anchor": "start",
               "fontSize": 10, "color": NEUTRAL, "offset": 8},
        # the districts' own fills beside the points' fill by kind
        resolve={"scale": {"fill": "independent"}},
    )  # fmt: skip


TILE_PX = 50  # a tile's side


def tiles(
    grid: Sequence[tuple[str, str, int, int]],
    colours: dict[str, str],
    hover: dict[str, str],
    marked: set[str],
    *,
    scale: tuple[float, float, str] | None = None,
) -> dict:
    """The tile-grid view: each district a labelled square at its (row, col), so the
    small city-centre districts are as easy to read and click as the mountain ones;
    marked districts get a star before their label and a thick red edge; ``scale`` (low,
    high, title) adds the same colour key as the map's."""
    rows = [
        {**_district(name, colours, hover), "col": col, "row": row,
         "label": ("★ " if name in marked else "") + label,
         "edge": BAD if name in marked else "white", "width": 3 if name in marked else 1}
        for name, label, row, col in grid
    ]  # fmt: skip
    cols = max(g[3] for g in grid) + 1
    lines = max(g[2] for g in grid) + 1
    position = {
        "x": {"field": "col", "type": "quantitative", "axis": None,
              "scale": {"domain": [-0.5, cols - 0.5], "zero": False, "nice": False}},
        "y": {"field": "row", "type": "quantitative", "axis": None,
              "scale": {"domain": [-0.5, lines - 0.5], "zero": False, "nice": False,
                        "reverse": True}},
    }  # fmt: skip
    layers = [
        {"data": {"values": rows}, **_pick(1),
         "mark": {"type": "square", "size": (TILE_PX - 4) ** 2, "filled": True, "opacity": 1,
                  "cursor": "pointer"},
         "encoding": {**position, "fill": _as_is("fill"), "stroke": _as_is("edge"),
                      "strokeWidth": _as_is("width", "quantitative"),
                      "tooltip": _tooltip(rows), "description": {"field": "desc"}}},
        _district_labels(rows, position, 12, above=False),
    ]  # fmt: skip
    if scale is not None:
        layers.append(colour_key(*scale))
    return _spec(layers, height=lines * TILE_PX, width=cols * TILE_PX)


def funnel(
    sizes: Sequence[float],
    rates: Sequence[float],
    labels: Sequence[str],
    hover: Sequence[str],
    curve: dict[str, tuple[Sequence[float], Sequence[float], Sequence[float]]],
    target: float,
    target_name: str,
    flagged: Sequence[bool],
    *,
    percent: bool,
    x_title: str,
    y_title: str,
    keys: Sequence[Sequence[str]] | None = None,
) -> dict:
    """A funnel plot: each group's rate against its size (a log axis), the target line
    and the control limits (``curve``: name -> (sizes, lower, upper); dashed for the first,
    dotted for the second, one legend entry each); groups outside the limits get a
    distinct symbol and colour, and the furthest out their label printed (``labels``, e.g.
    two lines joined by <br>), above and below in turn along the axis so neighbours do not
    overwrite each other. ``keys`` ride along with each point for drill-down."""
    x_enc = {"field": "n", "type": "quantitative", "title": x_title,
             "scale": {"type": "log"}, "axis": {"grid": True, "format": ",~f"}}  # fmt: skip
    y_enc = {"field": "y", "type": "quantitative", "title": y_title, "scale": {"zero": False},
             "axis": {"format": ".0%" if percent else ",~f"}}  # fmt: skip
    lines = [
        {"n": _number(n), "y": _number(y), "limit": name, "side": side}
        for name, (xs, *bounds) in curve.items()
        for side, ys in zip(("lower", "upper"), bounds, strict=True)
        for n, y in zip(xs, ys, strict=True)
    ]
    # name only the groups furthest outside the limits, so the labels stay readable
    outside = [i for i, f in enumerate(flagged) if f]
    distance = [abs(rates[i] - target) * (sizes[i] ** 0.5) for i in outside]
    named = {i for _, i in sorted(zip(distance, outside, strict=True), reverse=True)[:LABELLED]}
    along = sorted(named, key=lambda i: sizes[i])
    above = {i for k, i in enumerate(along) if k % 2 == 0}
    points = [
        {"n": _number(n), "y": _number(r), "kind": "out" if f else "in",
         "label": label if i in named else "", "above": i in above, **_tip(h),
         **_keys(keys[i] if keys else None)}
        for i, (n, r, label, h, f) in enumerate(zip(sizes, rates, labels, hover, flagged, strict=True))
    ]  # fmt: skip
    kind = {"field": "kind", "type": "nominal", "legend": None,
            "scale": {"domain": ["in", "out"], "range": ["circle", "diamond"]}}  # fmt: skip
    layers = [
        {"data": {"values": lines}, "mark": {"type": "line", "strokeWidth": 1.5, "aria": False},
         "encoding": {"x": x_enc, "y": y_enc, "detail": {"field": "side"},
                      "strokeDash": {"field": "limit", "type": "nominal", "title": None,
                                     "scale": {"domain": list(curve), "range": [[6, 4], [2, 3]]}},
                      "color": {"value": TEXT}}},
        {"data": {"values": [{"y": _number(target)}]},
         "mark": {"type": "rule", "color": GOOD, "strokeWidth": 2, "aria": False},
         "encoding": {"y": {**y_enc, "field": "y"}}},
        {"data": {"values": [{"y": _number(target), "text": target_name}]},
         "mark": {"type": "text", "align": "left", "baseline": "bottom", "dx": 4, "dy": -3,
                  "color": GOOD, "aria": False},
         "encoding": {"y": {**y_enc, "field": "y"}, "x": {"value": 0}, "text": {"field": "text"}}},
        {"data": {"values": points}, **_pick(_key_count(keys)),
         "mark": {"type": "point", "filled": True, "size": 110, "opacity": 1, "stroke": "white",
                  "strokeWidth": 1, "cursor": "pointer" if keys else "default"},
         "encoding": {"x": x_enc, "y": y_enc, "shape": kind,
                      "fill": {"field": "kind", "type": "nominal", "legend": None,
                               "scale": {"domain": ["in", "out"], "range": [GOOD, BAD]}},
                      "tooltip": _tooltip(points), "description": {"field": "desc"}}},
    ]  # fmt: skip
    # a label of several lines above its point: its first line is set on the baseline, so
    # the label is raised by its extra lines (else they run over the point)
    lines_above = max((p["label"].count("<br>") for p in points if p["label"] and p["above"]),
                      default=0)  # fmt: skip
    for up in (True, False):
        layers.append({
            "data": {"values": [p for p in points if p["label"] and p["above"] == up]},
            "mark": {"type": "text", "fontSize": 11, "lineBreak": "<br>", "aria": False,
                     "baseline": "bottom" if up else "top",
                     "dy": -8 - 14 * lines_above if up else 8},
            "encoding": {"x": x_enc, "y": y_enc, "text": {"field": "label"}},
        })  # fmt: skip
    return _spec(layers, height=460)
