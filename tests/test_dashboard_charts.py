"""The district colour key says what the fills mean: the map's and the tile grid's key run
through the same colours as the districts are filled with."""

from __future__ import annotations

from dashboard import charts, geo


def _key(fig):
    keys = [tr for tr in fig.data if tr.marker is not None and tr.marker.showscale]
    assert len(keys) == 1
    return keys[0].marker


def test_the_key_runs_through_the_fill_colours():
    low, mid, high = 10.0, 55.0, 100.0  # mid is halfway: the key's middle stop
    fills = charts.sequential([low, mid, high])
    marker = charts.colour_key(low, high, "件數").marker
    stops = [list(s) for s in marker.colorscale]
    assert (marker.cmin, marker.cmax) == (low, high)
    assert stops[0] == [0.0, fills[0]]
    assert stops[len(stops) // 2] == [0.5, fills[1]]
    assert stops[-1] == [1.0, fills[2]]
    assert marker.colorbar.title.text == "件數"


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
    assert _key(tiles).to_plotly_json() == _key(shapes).to_plotly_json()
    assert (_key(tiles).cmin, _key(tiles).cmax) == (0.0, float(len(names) - 1))
    assert not [tr for tr in charts.tiles(grid, colours, hover, set()).data if tr.marker.showscale]


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


def test_the_district_map_names_what_fits_and_keeps_every_point():
    centres, labels = geo.centres(), geo.short_labels()
    fig = charts.polygons(geo.shapes(), {}, centres, labels, {n: n for n in centres}, {"鹽埕區"},
                          attribution="")  # fmt: skip
    points = [tr for tr in fig.data if tr.mode == "markers+text"][0]
    named = dict(zip(centres, points.text, strict=True))
    assert len(named) == 38  # every district keeps its clickable point
    assert named["鹽埕區"] == "鹽埕"  # marked: named first, although the smallest
    assert named["前金區"] == "" and named["新興區"] == ""  # its neighbours a few px away
    assert named["桃源區"] == "桃源" and named["那瑪夏區"] == "那瑪夏"  # room in the mountains
