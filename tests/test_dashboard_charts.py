"""dashboard.charts: the Vega-Lite specs the pages draw.

Every builder's spec is rendered by Vega-Lite itself (vl-convert, the same major version
as Streamlit's front end, no browser) and the drawn SVG is read back: the figures printed,
what each mark says to a screen reader, the labels the map keeps. The colours are checked
against hand-computed values of the ColorBrewer scale."""

from __future__ import annotations

import json
import re

import vl_convert as vlc  # a locked dependency: a broken install must fail, not skip

from dashboard import charts, geo

VEGA_LITE = "6.4"  # Streamlit 1.67 draws with Vega-Lite 6


def _svg(spec: dict, width: int = 700) -> str:
    return vlc.vegalite_to_svg({"width": width, **spec}, vl_version=VEGA_LITE)


def _texts(svg: str) -> list[str]:
    """Every line of text drawn (a text of several lines has a tspan per line)."""
    return [t for t in re.findall(r"<(?:text|tspan)[^>]*>([^<]*)</(?:text|tspan)>", svg) if t]


def _said(svg: str) -> list[str]:
    """What the marks say to a screen reader (their aria-label)."""
    said = re.findall(r'role="graphics-symbol"[^>]*aria-label="([^"]*)"', svg) + re.findall(
        r'aria-label="([^"]*)"[^>]*role="graphics-symbol"', svg
    )
    return [s for s in said if not s.startswith("Title text")]


# ---------------------------------------------------------------- colours


def test_sequential_colours_by_hand():
    # 0.15 of the way: 1.2 classes along Blues, 0.2 from #deebf7 to #c6dbef:
    # (222 - 24 * 0.2, 235 - 16 * 0.2, 247 - 8 * 0.2) = (217.2, 231.8, 245.4)
    # 0.95: 7.6 classes, 0.6 from #08519c to #08306b: (8, 81 - 33 * 0.6, 156 - 49 * 0.6)
    assert charts.sequential([0.0, 10.0, float("nan")]) == ["#d9e8f5", "#083d7f", charts.MISSING]
    assert charts.sequential([float("nan")]) == [charts.MISSING]
    assert charts.sequential([5.0, 5.0]) == ["#d9e8f5", "#d9e8f5"]  # no spread: the light end


def test_label_colour_reads_on_its_fill():
    assert charts.label_colour("#083d7f") == "white"
    assert charts.label_colour("#d9e8f5") == charts.TEXT
    assert charts.label_colour("#ffffff") == charts.TEXT


def test_the_key_runs_through_the_fill_colours():
    low, mid, high = 10.0, 55.0, 100.0  # mid is halfway: the key's middle stop
    fills = charts.sequential([low, mid, high])
    colour = charts.colour_key(low, high, "件數")["encoding"]["color"]
    domain, colours = colour["scale"]["domain"], colour["scale"]["range"]
    assert len(domain) == len(colours) == charts.KEY_STOPS
    assert (domain[0], domain[-1]) == (low, high)
    assert (colours[0], colours[len(colours) // 2], colours[-1]) == tuple(fills)
    assert domain[len(domain) // 2] == mid
    assert colour["title"] == "件數"


def _key_layers(spec):
    return [layer for layer in spec["layer"] if "color" in layer.get("encoding", {})
            and layer["encoding"]["color"].get("type") == "quantitative"]  # fmt: skip


def test_the_tile_grid_has_the_same_key_as_the_map():
    grid = geo.grid_cells()
    names = [g[0] for g in grid]
    values = [float(i) for i in range(len(names))]
    colours = dict(zip(names, charts.sequential(values), strict=True))
    hover = {n: n for n in names}
    scale = (min(values), max(values), "每萬人陳情件數")
    tiles = charts.tiles(grid, colours, hover, set(), scale=scale)
    shapes = charts.polygons(geo.shapes(), colours, geo.centres(), geo.short_labels(), hover,
                             set(), attribution="", scale=scale)  # fmt: skip
    assert _key_layers(tiles) == _key_layers(shapes) == [charts.colour_key(*scale)]
    assert _key_layers(charts.tiles(grid, colours, hover, set())) == []
    svg = _svg(tiles)
    assert "每萬人陳情件數" in _texts(svg)  # the key is drawn, with its title


# ---------------------------------------------------------------- map labels that do not overlap


def test_a_label_overlapping_one_kept_before_it_is_left_out():
    # at 100 px a degree, a 2-character label is a box 11 + 3 = 14 px each side of its
    # point and 14 px tall. B is 20 px right of A on the same line (20 < 14 + 14): out.
    # C is 20 px up (20 >= 14: a line apart): kept. D is 40 px right of A (40 >= 28) and
    # 20 px below C: kept.
    centres = {"A": (0.0, 0.0), "B": (0.2, 0.0), "C": (0.2, 0.2), "D": (0.4, 0.0)}
    labels = {"A": "甲甲", "B": "乙乙", "C": "丙丙", "D": "丁丁"}
    shown = charts.uncrowded(centres, labels, set(), px_per_lon=100, px_per_lat=100)
    assert shown == {"A", "C", "D"}


def test_marked_labels_are_kept_first_then_the_given_order():
    centres = {"A": (0.0, 0.0), "B": (0.2, 0.0)}
    labels = {"A": "甲甲", "B": "乙乙"}
    assert charts.uncrowded(centres, labels, set(), px_per_lon=100, px_per_lat=100) == {"A"}
    assert charts.uncrowded(centres, labels, {"B"}, px_per_lon=100, px_per_lat=100) == {"B"}
    reordered = {"B": "乙乙", "A": "甲甲"}
    assert charts.uncrowded(centres, reordered, set(), px_per_lon=100, px_per_lat=100) == {"B"}


def test_the_district_map_names_what_fits_and_keeps_every_district_clickable():
    centres, labels = geo.centres(), geo.short_labels()
    hover = {n: f"{n}<br>12 件" for n in centres}
    spec = charts.polygons(geo.shapes(), {}, centres, labels, hover, {"鹽埕區"}, attribution="")
    areas = spec["layer"][0]
    assert areas["params"][0]["name"] == charts.PICK
    assert sorted(f["k0"] for f in areas["data"]["values"]) == sorted(centres)  # all 38
    svg = _svg(spec)
    named = set(_texts(svg))
    assert "鹽埕" in named  # marked: named first, although the smallest
    assert "前金" not in named and "新興" not in named  # its neighbours a few px away
    assert {"桃源", "那瑪夏", "鳳山"} <= named  # room in the mountains; the largest first
    said = _said(svg)
    assert "鳳山區 12 件" in said and len(said) == 38  # every district says its figures


def test_the_map_draws_offline_with_its_attribution():
    text = geo.attribution("zh")
    spec = charts.polygons(geo.shapes(), {}, geo.centres(), geo.short_labels(), {}, set(),
                           attribution=text)  # fmt: skip
    svg = _svg(spec)
    assert svg.count('aria-roledescription="geoshape"') == 38
    assert "".join(text.split("<br>")) in "".join(_texts(svg))  # every line of it, in order


# ---------------------------------------------------------------- bars, lines, funnel


def test_bars_print_values_and_say_the_hover_text():
    spec = charts.bars(["甲", "乙"], [1200, 3], ["甲<br>1,200 件", "乙<br>3 件"],
                       keys=[("機關", "甲"), ("機關", "乙")], axis_title="件數")  # fmt: skip
    svg = _svg(spec)
    assert _texts(svg).count("1,200") == 2  # on the bar and on the axis
    assert "3" in _texts(svg) and "件數" in _texts(svg)
    assert _said(svg) == ["甲 1,200 件", "乙 3 件"]
    assert spec["layer"][0]["params"][0]["select"]["fields"] == ["k0", "k1"]
    assert [(r["k0"], r["k1"]) for r in spec["layer"][0]["data"]["values"]] == [
        ("機關", "甲"),
        ("機關", "乙"),
    ]
    assert "params" not in charts.bars(["甲"], [1], ["甲"])["layer"][0]  # nothing to click


def test_bars_print_their_values_up_to_forty_bars():
    """Ten years of months as bars printed 120 values over each other: beyond 40 bars the
    values are left to the hover text and the table."""

    def printed(n: int) -> list[str]:
        labels = [f"m{i:03d}" for i in range(n)]
        texts = _texts(_svg(charts.bars(labels, [1001 + i for i in range(n)], labels)))
        return [v for v in (f"{1001 + i:,}" for i in range(n)) if v in texts]

    assert len(printed(40)) == 40
    assert printed(41) == []


def test_percent_bars_and_a_reference_line():
    spec = charts.bars(["甲", "乙"], [0.8766, 0.5], ["甲", "乙"], horizontal=True, percent=True,
                       reference=(0.7, "機關整體 70.0%"))  # fmt: skip
    texts = _texts(_svg(spec))
    assert "87.7%" in texts and "50.0%" in texts
    assert texts.count("機關整體 70.0%") == 1  # one line, not one per bar


def test_hover_text_as_tooltip_fields():
    spec = charts.bars(["甲"], [1], ["甲<br>依限 3 件<br>回覆 4 件"])
    row = spec["layer"][0]["data"]["values"][0]
    assert (row["tip"], row["tip1"], row["tip2"]) == ("甲", "依限 3 件", "回覆 4 件")
    tooltip = spec["layer"][0]["encoding"]["tooltip"]
    assert [t["field"] for t in tooltip] == ["tip", "tip1", "tip2"]
    assert tooltip[0]["title"] == "title"  # vega-tooltip's heading
    assert len({t["title"] for t in tooltip}) == 3  # distinct keys, else lines are lost


def test_missing_values_are_null_not_nan():
    spec = charts.lines(["1月", "2月"], {"比率": [0.5, float("nan")]}, {"比率": ["a", "b"]},
                        percent=True)  # fmt: skip
    text = json.dumps(spec, allow_nan=False)  # NaN is not JSON: the browser would refuse it
    assert '"y": null' in text
    _svg(spec)


def test_lines_label_series_and_mark_spikes():
    spec = charts.lines(
        ["114/01", "114/02", "114/03"], {"甲類": [10, 12, 40], "乙類": [5, 6, 7]},
        {"甲類": ["a", "b", "c"], "乙類": ["d", "e", "f"]}, axis_title="件數",
        marks={"異常增加": (["114/03"], [40], ["甲類 +233%"])},
        band=([4, 5, 6], [6, 7, 8]), band_name="區間",
    )  # fmt: skip
    texts = _texts(_svg(spec))
    assert {"甲類", "乙類", "異常增加", "甲類 +233%", "區間", "114/02", "件數"} <= set(texts)


def test_many_marks_are_drawn_on_a_canvas_few_as_named_svg_marks():
    """150 described marks stay SVG (each names its figures); 151 go to a canvas, which
    Streamlit's embed honours (usermeta.embedOptions.renderer). Marks that describe nothing
    (the lines under the points) do not count."""

    def months(n: int) -> list[str]:
        return [f"m{i}" for i in range(n)]

    def chart(points: int, series: int = 1) -> dict:
        x = months(points)
        names = [f"s{i}" for i in range(series)]
        return charts.lines(
            x, {s: [1.0] * points for s in names}, {s: ["h"] * points for s in names}
        )

    assert "usermeta" not in chart(150)
    assert chart(151)["usermeta"] == {"embedOptions": {"renderer": "canvas"}}
    assert chart(76, series=2)["usermeta"]["embedOptions"]["renderer"] == "canvas"  # 152
    assert "usermeta" not in chart(75, series=2)  # 150 points, and 2 lines besides
    bars = charts.bars([str(i) for i in range(151)], [1] * 151, ["h"] * 151)
    assert bars["usermeta"]["embedOptions"]["renderer"] == "canvas"  # labels do not count twice
    assert "usermeta" not in charts.bars([str(i) for i in range(150)], [1] * 150, ["h"] * 150)


def test_funnel_names_the_limits_and_the_furthest_out():
    sizes = [10, 100, 1000, 50]
    rates = [0.9, 0.5, 0.95, 0.91]
    curve = {"95% 界限": ([1, 1000], [0.6, 0.89], [1.0, 0.93]),
             "99.8% 界限": ([1, 1000], [0.5, 0.87], [1.0, 0.95])}  # fmt: skip
    spec = charts.funnel(sizes, rates, ["甲", "乙<br>二", "丙", "丁"], ["甲", "乙", "丙", "丁"], curve,
                         0.91, "機關整體 91%", [False, True, True, False], percent=True,
                         x_title="件數", y_title="比率", keys=[("甲",), ("乙",), ("丙",), ("丁",)])  # fmt: skip
    svg = _svg(spec)
    texts = _texts(svg)
    assert texts.count("95% 界限") == 1 and texts.count("99.8% 界限") == 1  # one legend entry each
    assert {"乙", "二", "丙", "機關整體 91%"} <= set(texts)  # outside: labelled, two lines
    assert "甲" not in texts and "丁" not in texts  # inside: not labelled
    assert sorted(_said(svg)) == ["丁", "丙", "乙", "甲"]
