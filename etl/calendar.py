"""The office calendar: which days are working days, and working-day arithmetic.

Built from the ``holidays`` package (Taiwan, which models observed days 補假 and
make-up working Saturdays 補行上班) and overridden day by day by the DGPA
「中華民國政府行政機關辦公日曆表」 open-data CSV, the official source, which can
change mid-year.

Working days follow 文書處理手冊 and 行政程序法 §48: a limit counts from the day
after receipt, and a limit ending on a day off moves to the next working day.

The calendar keeps up with both sources. The ``holidays`` release that built the rows
of source 'holidays' is recorded in ``meta``; when another release is installed, those
rows are rebuilt (rows of a loaded 辦公日曆表, source 'dgpa', stay). After any change of a
day's working status, the petitions whose due dates, working days to reply or on-time
status depend on that day are recomputed in place (``etl.deadlines.recompute``).
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import holidays
import pandas as pd

from etl import deadlines
from etl.reader import Table, read_table
from store import meta
from store.db import scalar

FIRST_YEAR = 2008
LAST_YEAR = 2032
# Releases of `holidays` before this one lack the days added by the 2025 amendment of
# 紀念日及節日實施條例 (e.g. 2025-09-29, 2025-10-24, 2026-10-26); the day-by-day
# comparison with the official 辦公日曆表 2024-2027 passes from this release on.
MIN_HOLIDAYS_VERSION = (0, 88)

WEEKDAYS = "一二三四五六日"  # 星期 as the 辦公日曆表 writes it, Monday first

REINDEX_SQL = """
CREATE OR REPLACE TEMP TABLE calendar_reindexed AS
SELECT day, is_working_day, reason, source,
       CAST(sum(CASE WHEN is_working_day THEN 1 ELSE 0 END) OVER (ORDER BY day) AS INTEGER)
         AS working_day_index
FROM calendar;
DELETE FROM calendar;
INSERT INTO calendar SELECT * FROM calendar_reindexed;
DROP TABLE calendar_reindexed;
"""

# Days of the package's calendar that are new, or whose working status differs from a
# row the package built; rows from a loaded 辦公日曆表 are not the package's to change.
PACKAGE_CHANGED_DAYS_SQL = """
SELECT f.day FROM calendar_package f LEFT JOIN calendar c USING (day)
WHERE c.day IS NULL OR (c.source = 'holidays' AND c.is_working_day <> f.is_working_day)
ORDER BY f.day
"""
PACKAGE_REPLACE_SQL = """
DELETE FROM calendar c WHERE c.source = 'holidays' AND EXISTS (
    SELECT 1 FROM calendar_package f WHERE f.day = c.day
    AND (f.is_working_day <> c.is_working_day OR f.reason IS DISTINCT FROM c.reason));
INSERT INTO calendar
SELECT day, is_working_day, reason, 'holidays', 0 FROM calendar_package f
WHERE NOT EXISTS (SELECT 1 FROM calendar c WHERE c.day = f.day);
"""

# A file's days against the calendar: new days, days whose row changes (status, reason
# or source), unchanged days.
OVERRIDE_COUNTS_SQL = """
SELECT count(*) FILTER (WHERE c.day IS NULL),
       count(*) FILTER (WHERE c.day IS NOT NULL AND (c.is_working_day <> o.is_working_day
                        OR c.reason IS DISTINCT FROM o.reason OR c.source <> 'dgpa')),
       count(*) FILTER (WHERE c.is_working_day = o.is_working_day
                        AND c.reason IS NOT DISTINCT FROM o.reason AND c.source = 'dgpa')
FROM calendar_override o LEFT JOIN calendar c USING (day)
"""
OVERRIDE_CHANGED_DAYS_SQL = """
SELECT o.day, c.day IS NULL AS new FROM calendar_override o LEFT JOIN calendar c USING (day)
WHERE c.day IS NULL OR c.is_working_day <> o.is_working_day
ORDER BY o.day
"""
# A weekday (Monday to Friday) that the calendar has as a day off and the file as a
# working day: the mark of an outdated file, e.g. 114年 before its 修正版 added 2025-09-29.
OVERRIDE_REVERTED_SQL = """
SELECT o.day FROM calendar_override o JOIN calendar c USING (day)
WHERE NOT c.is_working_day AND o.is_working_day AND isodow(o.day) <= 5
ORDER BY o.day
"""
OVERRIDE_REPLACE_SQL = """
DELETE FROM calendar WHERE day IN (SELECT day FROM calendar_override);
INSERT INTO calendar SELECT day, is_working_day, reason, 'dgpa', 0 FROM calendar_override;
"""


@dataclass
class CalendarChange:
    """What a change of the calendar did: the days whose working status changed (days new
    to the calendar are in ``days_added``) and the petitions whose calendar-derived values
    (due date, effective due date, working days to reply, on-time status, reply quality)
    were recomputed to a different value."""

    days_changed: list[dt.date] = field(default_factory=list)
    days_added: list[dt.date] = field(default_factory=list)
    petitions_changed: int = 0


@dataclass
class OverrideResult(CalendarChange):
    """``apply_overrides``: the file's days counted as new, updated (working status,
    reason or source changed: a day from the package becomes a 'dgpa' day) or unchanged,
    and the weekdays off that the file turns back into working days."""

    days_read: int = 0
    days_new: int = 0
    days_updated: int = 0
    days_unchanged: int = 0
    reverted_days: list[dt.date] = field(default_factory=list)


def holidays_version() -> str:
    return holidays.__version__


def check_holidays_version(version: str) -> None:
    """Refuse to build the calendar with a ``holidays`` release older than the floor."""
    parts = tuple(int(p) for p in version.split(".")[:2] if p.isdigit())
    if parts < MIN_HOLIDAYS_VERSION:
        floor = ".".join(map(str, MIN_HOLIDAYS_VERSION))
        raise ValueError(
            f"已安裝的 holidays 套件版本 {version} 過舊，缺少 2025 年修正後新增的假日；"
            f"請更新至 {floor} 以上（pip install -U holidays）後再載入"
        )


@functools.cache
def build_calendar_frame(first_year: int = FIRST_YEAR, last_year: int = LAST_YEAR) -> pd.DataFrame:
    """One row per day from the ``holidays`` package: day, is_working_day, reason, source."""
    tw = holidays.TW(years=range(first_year, last_year + 1), language="zh_TW")
    days = pd.date_range(dt.date(first_year, 1, 1), dt.date(last_year, 12, 31), freq="D")
    rows = []
    for ts in days:
        d = ts.date()
        working = tw.is_working_day(d)
        if d in tw:
            reason = tw.get(d)
        elif working and d.weekday() >= 5:
            reason = "補行上班"
        elif not working:
            reason = "例假日"
        else:
            reason = None
        rows.append((d, working, reason))
    frame = pd.DataFrame(rows, columns=["day", "is_working_day", "reason"])
    frame["source"] = "holidays"
    return frame


def ensure_calendar(con: duckdb.DuckDBPyConnection) -> CalendarChange | None:
    """Fill the calendar on first use, and rebuild the package's rows when the installed
    ``holidays`` release is not the one that built them (also when none is recorded, as
    in databases from before the release was recorded). Returns None when nothing had
    to be done (the usual case: one lookup in ``meta``)."""
    version = holidays_version()
    if meta.get(con, meta.CALENDAR_HOLIDAYS_VERSION) == version and scalar(
        con, "SELECT count(*) FROM calendar"
    ):
        return None
    check_holidays_version(version)
    change = _rebuild_package_rows(con, build_calendar_frame())
    meta.put(con, meta.CALENDAR_HOLIDAYS_VERSION, version)
    return change


def _rebuild_package_rows(con: duckdb.DuckDBPyConnection, frame: pd.DataFrame) -> CalendarChange:
    con.register("calendar_package_frame", frame)
    try:
        if not scalar(con, "SELECT count(*) FROM calendar"):  # a new database
            con.execute(
                "INSERT INTO calendar SELECT day, is_working_day, reason, 'holidays', 0 "
                "FROM calendar_package_frame"
            )
            change = CalendarChange(days_added=list(frame["day"]))
        else:
            con.execute(
                "CREATE OR REPLACE TEMP TABLE calendar_package AS "
                "SELECT * FROM calendar_package_frame"
            )
            changed = [r[0] for r in con.execute(PACKAGE_CHANGED_DAYS_SQL).fetchall()]
            known = set(_days(con))
            con.execute(PACKAGE_REPLACE_SQL)
            con.execute("DROP TABLE calendar_package")
            change = CalendarChange(
                days_changed=[d for d in changed if d in known],
                days_added=[d for d in changed if d not in known],
            )
    finally:
        con.unregister("calendar_package_frame")
    _after_change(con, change)
    return change


def _days(con: duckdb.DuckDBPyConnection) -> list[dt.date]:
    return [r[0] for r in con.execute("SELECT day FROM calendar").fetchall()]


def _after_change(con: duckdb.DuckDBPyConnection, change: CalendarChange) -> None:
    """Reindex the working days, then recompute the petitions the changed days touch."""
    con.execute(REINDEX_SQL)
    touched = change.days_changed + change.days_added
    if touched:
        change.petitions_changed = deadlines.recompute(con, min(touched), max(touched))


def apply_overrides(con: duckdb.DuckDBPyConnection, frame: pd.DataFrame) -> OverrideResult:
    """Replace calendar days with ``frame`` (day, is_working_day, reason; days unique), as
    source 'dgpa', and recompute the petitions the changed days touch."""
    con.register("calendar_override", frame)
    try:
        new, updated, unchanged = con.execute(OVERRIDE_COUNTS_SQL).fetchall()[0]
        changed = con.execute(OVERRIDE_CHANGED_DAYS_SQL).fetchall()
        reverted = [r[0] for r in con.execute(OVERRIDE_REVERTED_SQL).fetchall()]
        con.execute(OVERRIDE_REPLACE_SQL)
    finally:
        con.unregister("calendar_override")
    result = OverrideResult(
        days_changed=[d for d, is_new in changed if not is_new],
        days_added=[d for d, is_new in changed if is_new],
        days_read=len(frame),
        days_new=int(new),
        days_updated=int(updated),
        days_unchanged=int(unchanged),
        reverted_days=reverted,
    )
    _after_change(con, result)
    return result


def read_dgpa_calendar(path: Path) -> pd.DataFrame:
    """Parse the DGPA office calendar CSV (西元日期 YYYYMMDD, 星期, 是否放假 0/2, 備註).

    Raises ``ValueError`` with a Traditional Chinese message when the file is not
    that table.
    """
    return dgpa_frame(read_table(path), path.name)


def dgpa_frame(table: Table, name: str) -> pd.DataFrame:
    """The days of a 辦公日曆表 already read: day, is_working_day, reason.

    是否放假 0 is a working day, 2 a day off. 備註 is the reason; a working weekend day
    without one is 補行上班, a day off without one 例假日. The whole file is refused, with
    the row named, when a row cannot be read, a date is not YYYYMMDD or repeats, 是否放假
    is not 0 or 2, or 星期 (when given) is not the date's weekday.
    """
    frame = table.frame
    needed = {"西元日期", "是否放假"}
    missing = needed - set(frame.columns)
    if missing:
        raise ValueError(
            f"{name} 不是行政機關辦公日曆表：缺少欄位 {'、'.join(sorted(missing))}"
            "（應有 西元日期、星期、是否放假、備註）"
        )
    if table.malformed:
        number, cells = table.malformed[0]
        raise ValueError(
            f"{name} 第 {number} 列：有 {len(cells)} 個欄位，標題列有 {len(frame.columns)} 個"
        )
    if frame.empty:
        raise ValueError(f"{name} 沒有任何日期")
    numbers = pd.Series(table.row_numbers, index=frame.index)

    def refuse(mask: pd.Series, message: str) -> None:
        if mask.any():
            first = mask.idxmax()
            raise ValueError(
                f"{name} 第 {numbers[first]} 列：" + message.format(**frame.loc[first])
            )

    text = frame["西元日期"].str.strip()
    days = pd.to_datetime(text, format="%Y%m%d", errors="coerce")
    refuse(days.isna(), "西元日期「{西元日期}」無法解析（應為 YYYYMMDD）")
    refuse(days.duplicated(), "西元日期「{西元日期}」重複出現")
    flag = frame["是否放假"].str.strip()
    refuse(~flag.isin(["0", "2"]), "是否放假「{是否放假}」應為 0（上班）或 2（放假）")
    if "星期" in frame.columns:
        given = frame["星期"].str.strip().str[-1:]
        actual = days.dt.day_of_week.map(lambda i: WEEKDAYS[i])
        refuse(given.ne("") & given.ne(actual), "星期「{星期}」與西元日期「{西元日期}」不符")
    note = (
        frame["備註"].str.strip() if "備註" in frame.columns else pd.Series("", index=frame.index)
    )
    working = flag == "0"
    reason = note.where(note != "", None)
    reason = reason.where(~(working & days.dt.day_of_week.ge(5)) | reason.notna(), "補行上班")
    reason = reason.where(working | reason.notna(), "例假日")
    return pd.DataFrame({"day": days.dt.date, "is_working_day": working, "reason": reason})
