"""Deadline policy: how many days a petition may take, by channel and category.

No single national number exists. The Executive Yuan rule allows at most 30 days
(with written notice of extension); Taipei 1999 answers within 6 working days
counted from the next working day. svcq's documented default, overridable with
``svcq load deadline-policy FILE`` (CSV: channel, category, limit_days, limit_unit, note):

- 6 working days for 1999, 市長信箱, 區長信箱, 首長信箱 and 網路 cases;
- 30 calendar days for every other channel.

A calendar-day limit that ends on a day off moves to the next working day
(行政程序法 §48 ¶4).
"""

from __future__ import annotations

import duckdb
import pandas as pd

from store.db import scalar

FAST_CHANNELS = ("1999", "市長信箱", "區長信箱", "首長信箱", "網路")
DEFAULT_POLICY = [
    *[(ch, None, 6, "working", "預設：1999／信箱／網路案件 6 個工作天") for ch in FAST_CHANNELS],
    (None, None, 30, "calendar", "預設：其他管道 30 日曆天（行政院規定上限）"),
]
LIMIT_UNITS = ("working", "calendar")

# Most specific row first: channel+category (3), channel (2), category (1), default (0).
# Working-day limit: the working day whose index is the receipt day's index + N.
# Calendar-day limit: receipt + N days, moved to the next working day if that is a day off
# (the next working day on or after d has index idx(d) + (0 if d is working else 1)).
DUE_DATES_SQL = """
WITH policy_ranked AS (
    SELECT s.rid, p.limit_days, p.limit_unit,
           row_number() OVER (
               PARTITION BY s.rid
               ORDER BY (p.channel IS NOT NULL)::INT * 2 + (p.category IS NOT NULL)::INT DESC
           ) AS rn
    FROM {staging} s
    JOIN deadline_policy p
      ON (p.channel IS NULL OR p.channel = s.channel)
     AND (p.category IS NULL OR p.category = s.category)
),
chosen AS (SELECT rid, limit_days, limit_unit FROM policy_ranked WHERE rn = 1),
working AS (SELECT day, working_day_index FROM calendar WHERE is_working_day),
targets AS (
    SELECT s.rid, c.limit_days, c.limit_unit,
           CASE WHEN c.limit_unit = 'working'
                THEN r.working_day_index + c.limit_days
                ELSE e.working_day_index + CASE WHEN e.is_working_day THEN 0 ELSE 1 END
           END AS target_index
    FROM {staging} s
    LEFT JOIN chosen c USING (rid)
    LEFT JOIN calendar r ON r.day = s.received_date
    LEFT JOIN calendar e ON e.day = s.received_date + CAST(c.limit_days AS INTEGER)
)
SELECT t.rid, t.limit_days, t.limit_unit, w.day AS policy_due_date
FROM targets t
LEFT JOIN working w ON w.working_day_index = t.target_index
"""


def ensure_default_policy(con: duckdb.DuckDBPyConnection) -> None:
    """Install the documented default policy when none is loaded."""
    if scalar(con, "SELECT count(*) FROM deadline_policy"):
        return
    con.executemany("INSERT INTO deadline_policy VALUES (?, ?, ?, ?, ?)", DEFAULT_POLICY)


def replace_policy(con: duckdb.DuckDBPyConnection, frame: pd.DataFrame) -> int:
    """Replace the policy with ``frame``; raises ``ValueError`` (Chinese) on a bad table."""
    needed = {"limit_days", "limit_unit"}
    missing = needed - set(frame.columns)
    if missing:
        raise ValueError(f"期限政策檔缺少欄位：{'、'.join(sorted(missing))}")
    rows = []
    for i, rec in enumerate(frame.to_dict("records"), start=1):
        unit = str(rec.get("limit_unit") or "").strip()
        if unit not in LIMIT_UNITS:
            raise ValueError(f"期限政策檔第 {i} 列：limit_unit 應為 working 或 calendar")
        try:
            days = int(str(rec["limit_days"]).strip())
        except ValueError:
            raise ValueError(f"期限政策檔第 {i} 列：limit_days 應為整數") from None
        if days <= 0:
            raise ValueError(f"期限政策檔第 {i} 列：limit_days 應大於 0")
        channel = (str(rec.get("channel") or "").strip()) or None
        category = (str(rec.get("category") or "").strip()) or None
        rows.append((channel, category, days, unit, str(rec.get("note") or "").strip() or None))
    if not any(r[0] is None and r[1] is None for r in rows):
        raise ValueError("期限政策檔需要一列預設規則（channel 與 category 皆空白）")
    con.execute("DELETE FROM deadline_policy")
    con.executemany("INSERT INTO deadline_policy VALUES (?, ?, ?, ?, ?)", rows)
    return len(rows)
