"""The office calendar: which days are working days, and working-day arithmetic.

Built from the ``holidays`` package (Taiwan, which models observed days 補假 and
make-up working Saturdays 補行上班) and overridden day by day by the DGPA
「中華民國政府行政機關辦公日曆表」 open-data CSV, the official source, which can
change mid-year.

Working days follow 文書處理手冊 and 行政程序法 §48: a limit counts from the day
after receipt, and a limit ending on a day off moves to the next working day.
"""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path

import duckdb
import holidays
import pandas as pd

from store.db import scalar

FIRST_YEAR = 2008
LAST_YEAR = 2032

CALENDAR_MARKER_SQL = "SELECT count(*) FROM calendar"
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


def ensure_calendar(con: duckdb.DuckDBPyConnection) -> None:
    """Fill the calendar table on first use."""
    if scalar(con, CALENDAR_MARKER_SQL):
        return
    frame = build_calendar_frame().copy()
    con.register("calendar_frame", frame)
    con.execute(
        "INSERT INTO calendar SELECT day, is_working_day, reason, source, 0 FROM calendar_frame"
    )
    con.unregister("calendar_frame")
    con.execute(REINDEX_SQL)


def apply_overrides(con: duckdb.DuckDBPyConnection, frame: pd.DataFrame) -> int:
    """Replace calendar days with ``frame`` (day, is_working_day, reason); returns days changed."""
    con.register("calendar_override", frame)
    changed = scalar(
        con,
        """
        SELECT count(*) FROM calendar c JOIN calendar_override o ON c.day = o.day
        WHERE c.is_working_day <> o.is_working_day
        """,
    )
    con.execute(
        """
        DELETE FROM calendar WHERE day IN (SELECT day FROM calendar_override);
        INSERT INTO calendar
        SELECT day, is_working_day, reason, 'dgpa', 0 FROM calendar_override;
        """
    )
    con.unregister("calendar_override")
    con.execute(REINDEX_SQL)
    return int(changed)


def read_dgpa_calendar(path: Path) -> pd.DataFrame:
    """Parse the DGPA office calendar CSV (西元日期 YYYYMMDD, 星期, 是否放假 0/2, 備註).

    Raises ``ValueError`` with a Traditional Chinese message when the file is not
    that table.
    """
    from etl.reader import read_table

    table = read_table(path)
    frame = table.frame
    needed = {"西元日期", "是否放假"}
    missing = needed - set(frame.columns)
    if missing:
        raise ValueError(
            f"{path.name} 不是行政機關辦公日曆表：缺少欄位 {'、'.join(sorted(missing))}"
            "（應有 西元日期、星期、是否放假、備註）"
        )
    days = pd.to_datetime(frame["西元日期"].str.strip(), format="%Y%m%d", errors="coerce")
    bad = days.isna()
    if bad.any():
        row = int(bad.idxmax()) + 1
        raise ValueError(
            f"{path.name} 第 {row} 列：西元日期「{frame['西元日期'][row - 1]}」無法解析"
        )
    flag = frame["是否放假"].str.strip()
    if not flag.isin(["0", "2"]).all():
        row = int((~flag.isin(["0", "2"])).idxmax()) + 1
        raise ValueError(f"{path.name} 第 {row} 列：是否放假應為 0 或 2")
    note = (
        frame["備註"].str.strip() if "備註" in frame.columns else pd.Series("", index=frame.index)
    )
    working = flag == "0"
    reason = note.where(note != "", None)
    reason = reason.where(~(working & days.dt.day_of_week.ge(5)) | reason.notna(), "補行上班")
    reason = reason.where(working | reason.notna(), "例假日")
    return pd.DataFrame({"day": days.dt.date, "is_working_day": working, "reason": reason})
