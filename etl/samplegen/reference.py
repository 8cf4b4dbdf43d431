"""Reference data the generator draws on: districts and their weights, and the office calendar.

The weights come from the same district list the loader uses
(``etl/data/kaohsiung_districts.csv``), so the sample covers exactly the districts
the loader recognises. The calendar is the loader's own (``holidays`` TW), so
replies generated "N working days later" land on the days the loader counts.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np

from etl.calendar import FIRST_YEAR, LAST_YEAR, build_calendar_frame
from store.months import add_months
from store.vocabulary import CONFIGURED_CITY

CITY = CONFIGURED_CITY  # the sample is the configured city's
FORMER_COUNTY = "高雄縣"

# Police precinct (分局) covering each district; approximate, but it keeps the
# unit of a police case next to the case's own district.
PRECINCT = {
    "鹽埕區": "鹽埕", "鼓山區": "鼓山", "旗津區": "鼓山", "左營區": "左營", "楠梓區": "楠梓",
    "三民區": "三民第一", "新興區": "新興", "前金區": "前金", "苓雅區": "苓雅", "前鎮區": "前鎮",
    "小港區": "小港", "鳳山區": "鳳山", "林園區": "林園", "大寮區": "林園", "大樹區": "仁武",
    "大社區": "仁武", "仁武區": "仁武", "鳥松區": "仁武", "岡山區": "岡山", "橋頭區": "岡山",
    "燕巢區": "岡山", "田寮區": "湖內", "阿蓮區": "湖內", "路竹區": "湖內", "湖內區": "湖內",
    "茄萣區": "湖內", "永安區": "岡山", "彌陀區": "岡山", "梓官區": "岡山", "旗山區": "旗山",
    "美濃區": "美濃", "六龜區": "六龜", "甲仙區": "六龜", "杉林區": "旗山", "內門區": "旗山",
    "茂林區": "六龜", "桃源區": "六龜", "那瑪夏區": "六龜",
}  # fmt: skip

# A few real main roads per district, for addresses and case locations.
ROADS = {
    "鹽埕區": "大勇路 七賢三路 五福四路 大仁路",
    "鼓山區": "美術館路 明華路 鼓山一路 臨海二路 九如四路",
    "左營區": "博愛二路 自由二路 左營大路 華夏路 重愛路",
    "楠梓區": "德賢路 興楠路 楠梓新路 藍田路 建楠路",
    "三民區": "建工路 九如一路 大順二路 民族一路 十全一路 覺民路",
    "新興區": "中山一路 中正三路 六合一路 七賢一路 林森一路",
    "前金區": "中華三路 成功一路 市中一路 自強二路",
    "苓雅區": "四維三路 三多一路 中正一路 光華一路 青年一路",
    "前鎮區": "中華五路 一心二路 擴建路 瑞隆路 翠亨北路 凱旋四路",
    "旗津區": "中洲三路 旗津三路 廟前路",
    "小港區": "漢民路 宏平路 沿海一路 平和路 孔鳳路",
    "鳳山區": "光復路二段 中山東路 五甲二路 青年路二段 文化路 建國路三段",
    "林園區": "林園北路 中山路 東林西路",
    "大寮區": "鳳林一路 鳳屏一路 捷西路",
    "大樹區": "中興南路 三和路 學城路",
    "大社區": "中山路 三民路 旗楠路",
    "仁武區": "仁雄路 八德南路 鳳仁路",
    "鳥松區": "本館路 大華路 神農路",
    "岡山區": "岡山路 中山北路 柳橋東路 壽天路",
    "橋頭區": "成功北路 隆豐路 經武路",
    "燕巢區": "中興路 角宿路 安招路",
    "田寮區": "崗安路 南安路",
    "阿蓮區": "中正路 民族路",
    "路竹區": "中山路 中華路 國昌路",
    "湖內區": "中山路二段 保生路 民生街",
    "茄萣區": "濱海路一段 茄萣路二段 民治路",
    "永安區": "永安路 保寧路",
    "彌陀區": "中正北路 彌靖路",
    "梓官區": "中正路 信蚵路 進學路",
    "旗山區": "中山路 延平一路 中華路",
    "美濃區": "中山路一段 中正路二段 美中路",
    "六龜區": "太平路 光復路 中興路",
    "甲仙區": "文化路 和安路",
    "杉林區": "山仙路 清水路",
    "內門區": "內門路 中埔路",
    "茂林區": "茂林路",
    "桃源區": "南橫公路",
    "那瑪夏區": "和平路",
}


@dataclass(frozen=True)
class Districts:
    """The 38 districts as parallel arrays, in the order of the reference CSV."""

    names: tuple[str, ...]
    postal: tuple[str, ...]
    former: tuple[str, ...]  # first pre-merger name, '' for the original city's
    original_city: np.ndarray  # bool
    mountain: np.ndarray  # bool
    weight: np.ndarray  # population share, sums to 1

    def index(self, name: str) -> int:
        return self.names.index(name)


def band_midpoint(band: str) -> float:
    """Midpoint of a population band such as 1-5萬, 35萬以上 or 0.5萬以下, in persons."""
    numbers = [float(x) for x in re.findall(r"\d+(?:\.\d+)?", band)]
    if not numbers:
        raise ValueError(f"population band {band!r} has no number")
    if "以上" in band:  # open band: assume one more step of the usual 5萬 width
        mid = numbers[0] + 2.5
    elif "以下" in band:
        mid = numbers[0] / 2
    else:
        mid = (numbers[0] + numbers[1]) / 2
    return mid * 10_000


@cache
def districts() -> Districts:
    ref = resources.files("etl").joinpath("data/kaohsiung_districts.csv")
    with ref.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    weight = np.array([band_midpoint(r["population_band_2021"]) for r in rows])
    return Districts(
        names=tuple(r["district"] for r in rows),
        postal=tuple(r["postal_code"] for r in rows),
        former=tuple(re.split(r"[；;、(（]", r["former_name"] or "")[0] for r in rows),
        original_city=np.array([r["original_city"] == "yes" for r in rows]),
        mountain=np.array([r["mountain_indigenous"] == "yes" for r in rows]),
        weight=weight / weight.sum(),
    )


@dataclass(frozen=True)
class Calendar:
    """Day-offset arrays over the loader's calendar, for vectorised working-day arithmetic.

    Days are integer offsets from ``origin``. ``wdi[d]`` counts working days in
    [origin, d]; ``working_day_at[k]`` is the offset of the k-th working day, so
    "N working days counted from the next working day after d" is
    ``working_day_at[wdi[d] + N]``, the same rule as the loader's due dates.
    """

    origin: dt.date
    working: np.ndarray  # bool per day
    wdi: np.ndarray  # int per day
    working_day_at: np.ndarray  # offset of k-th working day (index 0 unused)
    lunar_new_year: np.ndarray  # bool per day: 除夕/春節 and their bridge days

    def offset(self, day: dt.date) -> int:
        return (day - self.origin).days

    def roll_forward(self, days: np.ndarray) -> np.ndarray:
        """Each day, or the next working day if it is a day off (行政程序法 §48)."""
        return np.where(self.working[days], days, self.working_day_at[self.wdi[days] + 1])

    def add_working(self, days: np.ndarray, n: np.ndarray | int) -> np.ndarray:
        return self.working_day_at[self.wdi[days] + n]

    def to_datetime64(self, days: np.ndarray) -> np.ndarray:
        return np.datetime64(self.origin, "D") + days.astype("timedelta64[D]")


@cache
def calendar() -> Calendar:
    frame = build_calendar_frame()
    working = frame["is_working_day"].to_numpy(dtype=bool)
    reason = frame["reason"].fillna("").astype(str).to_numpy()
    wdi = np.cumsum(working)
    at = np.zeros(int(wdi[-1]) + 1, dtype=np.int64)
    at[1:] = np.flatnonzero(working)
    lny = np.array(["除夕" in r or "春節" in r for r in reason])
    # The days off between the holidays and the weekend are part of the break too.
    lny = lny | (np.convolve(lny, np.ones(7), mode="same") > 0) & ~working
    return Calendar(dt.date(FIRST_YEAR, 1, 1), working, wdi, at, lny)


def check_period(start: dt.date, months: int) -> dt.date:
    """The first day after the period; raises if the calendar does not cover it."""
    if months < 1:
        raise ValueError("months must be at least 1")
    end = add_months(start.replace(day=1), months)
    # Replies and due dates run past the period end, so keep a year of margin.
    if start.year < FIRST_YEAR or end.year + 1 > LAST_YEAR:
        raise ValueError(f"period must lie within {FIRST_YEAR}..{LAST_YEAR - 1}")
    return end


# A clearly labelled, invented population for sample and benchmark databases, so the
# per-10,000 views can be shown; never a fact to compute real rates with.
CITY_POPULATION = 2_730_000
SYNTHETIC_POPULATION_SOURCE = "範例用虛構人口（產生器人口級距中點，非官方統計）"


def synthetic_population(as_of: dt.date) -> list[dict[str, str]]:
    """Rows of a population file (district, population, as_of, source): the city's
    population spread by the generator's district weights, labelled as invented."""
    d = districts()
    population = (d.weight * CITY_POPULATION).round().astype(int)
    return [
        {"district": name, "population": str(int(n)), "as_of": as_of.isoformat(),
         "source": SYNTHETIC_POPULATION_SOURCE}
        for name, n in zip(d.names, population, strict=True)
    ]  # fmt: skip
