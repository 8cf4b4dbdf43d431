"""District names: every form an export writes, resolved to the canonical name.

Inputs write 台/臺 both ways, pre-merger names (鳳山市, 岡山鎮, 三民鄉 → 那瑪夏區),
with or without 區, with a 高雄市/高雄縣 prefix, as a postal code (830) or MOI town
code (64000120), or only inside an address, often with full-width digits.

The configured city is Kaohsiung (``etl/data/kaohsiung_districts.csv``). Other
cities' lists can be supplied as CSV (district, city[, postal_code, town_code,
former_name]) so their rows are recognised, kept and marked ``in_city = false``.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cached_property
from importlib import resources
from pathlib import Path

import duckdb
import pandas as pd

from etl.text import place_name
from store.db import scalar
from store.vocabulary import CONFIGURED_CITY

FORMER_COUNTY = {"高雄市": "高雄縣"}
_SUFFIXES = ("區", "市", "鎮", "鄉")


@dataclass(frozen=True)
class District:
    district: str
    city: str
    postal_code: str | None = None
    town_code: str | None = None
    former_names: tuple[str, ...] = ()
    original_city: bool | None = None
    mountain_indigenous: bool | None = None


@dataclass(frozen=True)
class Resolved:
    district: str
    city: str
    in_city: bool


def _former_names(text: str) -> tuple[str, ...]:
    names = []
    for part in re.split(r"[；;、,]", text or ""):
        part = re.sub(r"[（(].*?[)）]", "", part).strip()
        if part:
            names.append(place_name(part))
    return tuple(names)


def _flag(text: str | None) -> bool | None:
    return {"yes": True, "no": False}.get((text or "").strip().lower())


def read_district_csv(path: Path | str, default_city: str | None = None) -> list[District]:
    """Read a district list CSV; ``city`` may come from the file or ``default_city``."""
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    if not rows or "district" not in rows[0]:
        raise ValueError(
            f"{Path(path).name} 不是行政區清單：需要欄位 district（以及 city）；格式見 docs/mapping.md"
        )
    out = []
    for i, row in enumerate(rows, start=1):
        city = (row.get("city") or default_city or "").strip()
        if not city:
            raise ValueError(f"{Path(path).name} 第 {i} 列：缺少 city（所屬縣市）")
        out.append(
            District(
                district=place_name(row["district"].strip()),
                city=place_name(city),
                postal_code=(row.get("postal_code") or "").strip() or None,
                town_code=(row.get("town_code") or "").strip() or None,
                former_names=_former_names(row.get("former_name") or ""),
                original_city=_flag(row.get("original_city")),
                mountain_indigenous=_flag(row.get("mountain_indigenous")),
            )
        )
    return out


def kaohsiung() -> list[District]:
    ref = resources.files("etl").joinpath("data/kaohsiung_districts.csv")
    with resources.as_file(ref) as path:
        return read_district_csv(path, default_city=CONFIGURED_CITY)


def ensure_reference(con: duckdb.DuckDBPyConnection) -> None:
    """Put the configured city's districts in the districts table on first use."""
    if scalar(con, "SELECT count(*) FROM districts WHERE city = ?", [CONFIGURED_CITY]):
        return
    store(con, kaohsiung())


def store(con: duckdb.DuckDBPyConnection, districts: list[District]) -> None:
    """Insert or replace districts (one statement: executemany costs ~5 ms a row)."""
    frame = pd.DataFrame(
        [
            (d.district, d.city, d.postal_code, d.town_code, "；".join(d.former_names) or None,
             d.original_city, d.mountain_indigenous)
            for d in districts
        ],
        columns=["district", "city", "postal_code", "town_code", "former_name",
                 "original_city", "mountain_indigenous"],
    ).astype({"original_city": "boolean", "mountain_indigenous": "boolean"})  # fmt: skip
    con.register("districts_source", frame)
    try:
        con.execute("INSERT OR REPLACE INTO districts SELECT * FROM districts_source")
    finally:
        con.unregister("districts_source")


class DistrictResolver:
    """Resolves free-form district values and addresses to canonical districts."""

    def __init__(self, districts: list[District], configured_city: str = CONFIGURED_CITY) -> None:
        self.configured_city = configured_city
        self.districts = districts
        self._by_key: dict[str, Resolved] = {}
        self._address_keys: set[str] = set()
        # Other cities first, so the configured city wins any name they share.
        ordered = sorted(districts, key=lambda d: d.city == configured_city)
        for d in ordered:
            hit = Resolved(d.district, d.city, d.city == configured_city)
            bare = d.district[:-1] if d.district.endswith(_SUFFIXES) else d.district
            keys = {d.district, bare}
            for former in d.former_names:
                keys.add(former)
            cities = {d.city, FORMER_COUNTY.get(d.city, d.city)}
            for key in list(keys):
                for city in cities:
                    keys |= {city + key, city + " " + key}  # 臺北市中正區, San Francisco Mission
            if d.postal_code:
                keys.add(d.postal_code)
            if d.town_code:
                keys.add(d.town_code)
            for key in keys:
                self._by_key[key.casefold()] = hit
            full = {d.district, *d.former_names}
            self._address_keys |= full | {
                c + s + n for c in cities for n in full for s in ("", " ")
            }
        # Former names must win over a bare modern name they collide with
        # (三民鄉 is 那瑪夏區, while 三民 alone is 三民區).
        for d in ordered:
            for former in d.former_names:
                hit = Resolved(d.district, d.city, d.city == configured_city)
                self._by_key[former.casefold()] = hit

    @cached_property
    def _address_pattern(self) -> re.Pattern[str]:
        names = self._address_keys
        alternation = "|".join(sorted((re.escape(n) for n in names), key=len, reverse=True))
        return re.compile(alternation, re.IGNORECASE)

    def resolve(self, value: str) -> Resolved | None:
        """Resolve a district cell (name in any form, postal or town code, Latin names in
        any case); None if unknown."""
        key = place_name(value).casefold()
        if not key:
            return None
        if key.isdigit():
            if len(key) in (5, 6):  # 3+2 / 3+3 postal codes
                key = key[:3]
            return self._by_key.get(key)
        hit = self._by_key.get(key)
        if hit is None and key.endswith(_SUFFIXES):
            hit = self._by_key.get(key[:-1])
        return hit

    def from_address(self, address: str) -> Resolved | None:
        """The district named in an address (first match), else its leading postal code."""
        text = place_name(address)
        if not text:
            return None
        for match in self._address_pattern.finditer(text):
            hit = self._by_key.get(match.group(0).casefold())
            if hit is not None:
                return hit
        lead = re.match(r"^(\d{3})(\d{2,3})?(?!\d)", text)
        if lead:
            return self._by_key.get(lead.group(1))
        return None


def resolver_for(extra_files: list[Path] | None = None) -> DistrictResolver:
    """The configured city's resolver plus any other cities' lists."""
    districts = kaohsiung()
    for path in extra_files or []:
        districts.extend(read_district_csv(path))
    return DistrictResolver(districts)
