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
