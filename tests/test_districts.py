"""District names in every form, resolved to the canonical Kaohsiung district.

DESIGN.md: 38 districts (11 of the old city + 27 of the old county, merged
2010-12-25); inputs write 台/臺 both ways, pre-merger names (鳳山市, 岡山鎮,
三民鄉 -> 那瑪夏區), with or without 區, with a city prefix, as a postal code or a
town code (64000xxx), or only inside an address.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from etl.districts import Resolved, resolver_for

REPO = Path(__file__).resolve().parent.parent
KAOHSIUNG_CSV = REPO / "etl" / "data" / "kaohsiung_districts.csv"
TAIPEI_CSV = REPO / "sample_data" / "districts" / "taipei.csv"

KH = "高雄市"
TP = "臺北市"


@pytest.fixture(scope="module")
def kaohsiung():
    return resolver_for()


@pytest.fixture(scope="module")
def with_taipei():
    return resolver_for([TAIPEI_CSV])


# (id, cell, canonical Kaohsiung district)
CELLS = [
    # 鳳山區: postal 830, town code 64000120, former 鳳山市 (高雄縣)
    ("fengshan-canonical", "鳳山區", "鳳山區"),
    ("fengshan-bare", "鳳山", "鳳山區"),
    ("fengshan-former-city", "鳳山市", "鳳山區"),
    ("fengshan-old-county-prefix", "高雄縣鳳山市", "鳳山區"),
    ("fengshan-city-prefix", "高雄市鳳山區", "鳳山區"),
    ("fengshan-city-prefix-bare", "高雄市鳳山", "鳳山區"),
    ("fengshan-postal-3", "830", "鳳山區"),
    ("fengshan-postal-5", "83001", "鳳山區"),
    ("fengshan-postal-6", "830001", "鳳山區"),
    ("fengshan-town-code", "64000120", "鳳山區"),
    ("fengshan-fullwidth-postal", "８３０", "鳳山區"),
    ("fengshan-fullwidth-town-code", "６４０００１２０", "鳳山區"),
    ("fengshan-spaces", " 鳳 山 區 ", "鳳山區"),
    ("fengshan-ideographic-space", "高雄市\u3000鳳山區", "鳳山區"),
    # 岡山區: 820, 64000190, former 岡山鎮
    ("gangshan-canonical", "岡山區", "岡山區"),
    ("gangshan-former-town", "岡山鎮", "岡山區"),
    ("gangshan-old-county-prefix", "高雄縣岡山鎮", "岡山區"),
    ("gangshan-bare", "岡山", "岡山區"),
    ("gangshan-postal", "820", "岡山區"),
    ("gangshan-town-code", "64000190", "岡山區"),
    # 三民鄉 was renamed 那瑪夏鄉 (2008), now 那瑪夏區; bare 三民 is the city's 三民區.
    ("namasia-canonical", "那瑪夏區", "那瑪夏區"),
    ("namasia-bare", "那瑪夏", "那瑪夏區"),
    ("namasia-former-township", "那瑪夏鄉", "那瑪夏區"),
    ("namasia-pre-2008-name", "三民鄉", "那瑪夏區"),
    ("namasia-pre-2008-with-county", "高雄縣三民鄉", "那瑪夏區"),
    ("namasia-postal", "849", "那瑪夏區"),
    ("namasia-town-code", "64000380", "那瑪夏區"),
    ("sanmin-canonical", "三民區", "三民區"),
    ("sanmin-bare", "三民", "三民區"),
    ("sanmin-city-prefix", "高雄市三民區", "三民區"),
    ("sanmin-postal", "807", "三民區"),
    ("sanmin-postal-5", "80741", "三民區"),
    ("sanmin-town-code", "64000050", "三民區"),
    # 前鎮區: its bare name ends in 鎮, which must not be taken for a suffix.
    ("qianzhen-canonical", "前鎮區", "前鎮區"),
    ("qianzhen-bare", "前鎮", "前鎮區"),
    ("qianzhen-postal", "806", "前鎮區"),
    # 旗山區: former 旗山鎮; 茂林區: mountain indigenous, former 茂林鄉
    ("qishan-former-town", "旗山鎮", "旗山區"),
    ("qishan-old-county", "高雄縣旗山鎮", "旗山區"),
    ("maolin-former-township", "茂林鄉", "茂林區"),
    ("maolin-postal", "851", "茂林區"),
    # Original city district, no former name
    ("yancheng-canonical", "鹽埕區", "鹽埕區"),
    ("yancheng-postal", "803", "鹽埕區"),
    ("yancheng-town-code", "64000010", "鹽埕區"),
]


@pytest.mark.parametrize("cell, expected", [c[1:] for c in CELLS], ids=[c[0] for c in CELLS])
def test_resolve_every_form(kaohsiung, cell: str, expected: str) -> None:
    assert kaohsiung.resolve(cell) == Resolved(expected, KH, True)


UNKNOWN = [
    ("mars", "火星區"),
    ("empty", ""),
    ("spaces-only", "   "),
    ("city-only", "高雄市"),
    ("unknown-postal", "999"),
    ("taipei-postal-without-list", "106"),
    ("unknown-town-code", "64009990"),
    ("taipei-district-without-list", "台北市大安區"),
    ("four-digits", "8300"),
]


@pytest.mark.parametrize("cell", [c[1] for c in UNKNOWN], ids=[c[0] for c in UNKNOWN])
def test_resolve_unknown_is_none(kaohsiung, cell: str) -> None:
    assert kaohsiung.resolve(cell) is None


TAIPEI = [
    ("tai-variant-with-city", "台北市大安區"),
    ("official-variant-with-city", "臺北市大安區"),
    ("canonical", "大安區"),
    ("bare", "大安"),
    ("postal", "106"),
    ("postal-5", "10617"),
]


@pytest.mark.parametrize("cell", [c[1] for c in TAIPEI], ids=[c[0] for c in TAIPEI])
def test_other_city_list_is_recognised_and_marked_outside(with_taipei, cell: str) -> None:
    assert with_taipei.resolve(cell) == Resolved("大安區", TP, False)


def test_configured_city_still_in_city_when_another_list_is_loaded(with_taipei) -> None:
    assert with_taipei.resolve("鳳山市") == Resolved("鳳山區", KH, True)
    assert with_taipei.resolve("830") == Resolved("鳳山區", KH, True)


# (id, address, expected district, city) ; None = no district found
ADDRESSES = [
    ("fullwidth-digits", "高雄市前鎮區中華五路７８９號", "前鎮區", KH),
    ("leading-postal-and-name", "830高雄市鳳山區光復路二段132號5樓", "鳳山區", KH),
    ("leading-postal-only", "83001 中山路1號", "鳳山區", KH),
    ("leading-fullwidth-postal-only", "８３０中山路1號", "鳳山區", KH),
    ("old-county-name", "高雄縣岡山鎮中山路1號", "岡山區", KH),
    ("old-township-sanmin", "高雄縣三民鄉民權村1鄰", "那瑪夏區", KH),
    ("no-city-prefix", "鳳山區光復路二段132號", "鳳山區", KH),
    ("road-named-like-bare-district", "高雄市苓雅區三民街12號", "苓雅區", KH),
    ("road-named-like-other-district", "高雄市三民區大社路5號", "三民區", KH),
    ("two-districts-first-wins", "高雄市鳳山區文化路1號（近高雄市大寮區）", "鳳山區", KH),
    ("name-beats-conflicting-postal", "806高雄市鳳山區光復路1號", "鳳山區", KH),
    ("qianzhen-not-cut-at-zhen", "高雄市前鎮區一心一路1號", "前鎮區", KH),
    ("no-district", "中山路1號", None, None),
    ("empty", "", None, None),
    ("unknown-place", "火星區水星路1號", None, None),
]


@pytest.mark.parametrize(
    "address, district, city", [c[1:] for c in ADDRESSES], ids=[c[0] for c in ADDRESSES]
)
def test_from_address(kaohsiung, address: str, district: str | None, city: str | None) -> None:
    hit = kaohsiung.from_address(address)
    if district is None:
        assert hit is None
    else:
        assert hit == Resolved(district, city, True)


@pytest.mark.parametrize(
    "address",
    [
        "台北市大安區忠孝東路四段1號",
        "臺北市大安區忠孝東路四段1號",
        "大安區信義路四段６０之８０號6樓",
    ],
    ids=["tai", "official", "no-city-fullwidth"],
)
def test_from_address_other_city(with_taipei, address: str) -> None:
    assert with_taipei.from_address(address) == Resolved("大安區", TP, False)


def _reference_rows() -> list[dict[str, str]]:
    """The shipped list, read independently of etl.districts."""
    with open(KAOHSIUNG_CSV, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def test_reference_list_has_38_distinct_districts_and_codes() -> None:
    rows = _reference_rows()
    assert len(rows) == 38
    for column in ("district", "postal_code", "town_code"):
        assert len({r[column] for r in rows}) == 38, column
    assert sum(r["original_city"] == "yes" for r in rows) == 11
    mountain = {r["district"] for r in rows if r["mountain_indigenous"] == "yes"}
    assert mountain == {"茂林區", "桃源區", "那瑪夏區"}


@pytest.mark.parametrize("form", ["district", "city+district", "postal_code", "town_code"])
def test_every_reference_row_resolves(kaohsiung, form: str) -> None:
    for row in _reference_rows():
        cell = {
            "district": row["district"],
            "city+district": "高雄市" + row["district"],
            "postal_code": row["postal_code"],
            "town_code": row["town_code"],
        }[form]
        assert kaohsiung.resolve(cell) == Resolved(row["district"], KH, True), cell


def test_every_former_name_resolves(kaohsiung) -> None:
    checked = 0
    for row in _reference_rows():
        for part in re.split(r"[；;]", row["former_name"]):
            name = re.sub(r"[（(].*?[)）]", "", part).strip()
            if name:
                assert kaohsiung.resolve(name) == Resolved(row["district"], KH, True), name
                assert kaohsiung.resolve("高雄縣" + name).district == row["district"], name
                checked += 1
    assert checked == 28  # 27 county townships, plus 三民鄉 as 那瑪夏's pre-2008 name


def test_every_reference_row_found_in_an_address(kaohsiung) -> None:
    for row in _reference_rows():
        address = f"高雄市{row['district']}中正路１２３號"
        assert kaohsiung.from_address(address) == Resolved(row["district"], KH, True), address
