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

import datetime as dt
from typing import NamedTuple

import duckdb
import pandas as pd

from etl import petitions, row_hash
from store.db import scalar

FAST_CHANNELS = ("1999", "市長信箱", "區長信箱", "首長信箱", "網路")
DEFAULT_POLICY = [
    *[(ch, None, 6, "working", "預設：1999／信箱／網路案件 6 個工作天") for ch in FAST_CHANNELS],
    (None, None, 30, "calendar", "預設：其他管道 30 日曆天（行政院規定上限）"),
]
LIMIT_UNITS = ("working", "calendar")

# The limit of each staged row ({staging}: rid, channel, category), from the policy.
# Most specific row first: channel+category (3), channel (2), category (1), default (0).
POLICY_LIMITS_SQL = """
SELECT rid, limit_days, limit_unit FROM (
    SELECT s.rid, p.limit_days, p.limit_unit,
           row_number() OVER (
               PARTITION BY s.rid
               ORDER BY (p.channel IS NOT NULL)::INT * 2 + (p.category IS NOT NULL)::INT DESC
           ) AS rn
    FROM {staging} s
    JOIN deadline_policy p
      ON (p.channel IS NULL OR p.channel = s.channel)
     AND (p.category IS NULL OR p.category = s.category)
) WHERE rn = 1
"""
# The limit each stored case was given when it was loaded ({staging}: rid, limit_days,
# limit_unit): a recomputation after a calendar change keeps the policy the case was
# loaded under (a later policy applies to later loads only).
STORED_LIMITS_SQL = (
    "SELECT rid, stored_limit_days AS limit_days, stored_limit_unit AS limit_unit FROM {staging}"
)

# From a limit to a date on the office calendar, for every staged row ({staging}: rid,
# received_date; {limits}: one of the two above).
# Working-day limit: the working day whose index is the receipt day's index + N.
# Calendar-day limit: receipt + N days, moved to the next working day if that is a day off
# (the next working day on or after d has index idx(d) + (0 if d is working else 1)).
_DUE_FROM_LIMITS_SQL = """
WITH chosen AS ({limits}),
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
# rid -> limit_days, limit_unit, policy_due_date. Loading ({staging} after format):
DUE_DATES_SQL = _DUE_FROM_LIMITS_SQL.replace("{limits}", POLICY_LIMITS_SQL)
# The same arithmetic on each stored case's own limit (recomputation, migration).
STORED_DUE_DATES_SQL = _DUE_FROM_LIMITS_SQL.replace("{limits}", STORED_LIMITS_SQL)


def ensure_default_policy(con: duckdb.DuckDBPyConnection) -> None:
    """Install the documented default policy when none is loaded."""
    if scalar(con, "SELECT count(*) FROM deadline_policy"):
        return
    con.executemany("INSERT INTO deadline_policy VALUES (?, ?, ?, ?, ?)", DEFAULT_POLICY)


class PolicyChange(NamedTuple):
    """A policy replacement's accounting, rules keyed by (channel, category)."""

    rows: int  # rules in the file
    new: int  # keys the previous policy did not have
    updated: int  # keys whose limit, unit or note changed
    unchanged: int
    removed: int  # keys of the previous policy the file no longer has


POLICY_COUNTS_SQL = """
SELECT count(*) FILTER (WHERE p.limit_days IS NULL),
       count(*) FILTER (WHERE p.limit_days IS NOT NULL AND (p.limit_days <> f.limit_days
                        OR p.limit_unit <> f.limit_unit OR p.note IS DISTINCT FROM f.note)),
       count(*) FILTER (WHERE p.limit_days = f.limit_days AND p.limit_unit = f.limit_unit
                        AND p.note IS NOT DISTINCT FROM f.note),
       (SELECT count(*) FROM deadline_policy o WHERE NOT EXISTS (
            SELECT 1 FROM policy_file n WHERE n.channel IS NOT DISTINCT FROM o.channel
            AND n.category IS NOT DISTINCT FROM o.category))
FROM policy_file f LEFT JOIN deadline_policy p
  ON p.channel IS NOT DISTINCT FROM f.channel AND p.category IS NOT DISTINCT FROM f.category
"""


def replace_policy(
    con: duckdb.DuckDBPyConnection, frame: pd.DataFrame, *, row_numbers: list[int] | None = None
) -> PolicyChange:
    """Replace the policy with ``frame``; raises ``ValueError`` (Chinese) on a bad table,
    including two rules for the same channel and category (which one applies would be
    left to chance)."""
    numbers = row_numbers or list(range(1, len(frame) + 1))
    needed = {"limit_days", "limit_unit"}
    missing = needed - set(frame.columns)
    if missing:
        raise ValueError(f"期限政策檔缺少欄位：{'、'.join(sorted(missing))}")
    rows, seen = [], {}
    for i, rec in zip(numbers, frame.to_dict("records"), strict=True):
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
        if (channel, category) in seen:
            raise ValueError(
                f"期限政策檔第 {i} 列：與第 {seen[(channel, category)]} 列的 channel 與 category 相同"
            )
        seen[(channel, category)] = i
        rows.append((channel, category, days, unit, str(rec.get("note") or "").strip() or None))
    if not any(r[0] is None and r[1] is None for r in rows):
        raise ValueError("期限政策檔需要一列預設規則（channel 與 category 皆空白）")
    file_rows = pd.DataFrame(
        rows, columns=["channel", "category", "limit_days", "limit_unit", "note"]
    )
    con.register("policy_file", file_rows)
    try:
        new, updated, unchanged, removed = con.execute(POLICY_COUNTS_SQL).fetchall()[0]
    finally:
        con.unregister("policy_file")
    con.execute("DELETE FROM deadline_policy")
    con.executemany("INSERT INTO deadline_policy VALUES (?, ?, ?, ?, ?)", rows)
    return PolicyChange(len(rows), int(new), int(updated), int(unchanged), int(removed))


# ---------------------------------------------------------------- after a calendar change

# The stored cases whose calendar-derived values can depend on a day in [$first, $last]:
# a due date depends on the days after receipt up to it, working days to reply on the
# days after receipt up to the reply, so a case received after $last, or whose due date
# and reply both fall before $first, is untouched. A case without a due date may gain
# one (days added to the calendar). Each keeps its own limit and, when the source gave
# it, its due date (due_date_given NULL, not known, counts as given: never overwritten).
RECOMPUTE_STAGE_SQL = """
CREATE OR REPLACE TEMP TABLE recompute_stage AS
SELECT row_number() OVER () AS rid, source_system, case_id, channel, category,
       received_at, received_date, limit_days AS stored_limit_days,
       limit_unit AS stored_limit_unit,
       CASE WHEN due_date_given IS NOT FALSE THEN due_date END AS given_due_date,
       extended_due_date, first_reply_at, closed_at
FROM petitions
WHERE received_date <= $last
  AND (due_date IS NULL OR greatest(due_date, replied_date) >= $first)
"""
# The derivation itself is the loader's (petitions.DERIVE_SQL); these are its outputs
# that depend on the calendar. Only rows whose values change are written, with their
# row hash, so a later reload of an unchanged file still finds them unchanged.
CALENDAR_DERIVED = (
    "due_date", "effective_due_date", "reply_working_days", "on_time", "reply_quality"
)  # fmt: skip
_DIFFERS = " OR ".join(f"p.{c} IS DISTINCT FROM f.{c}" for c in CALENDAR_DERIVED)
RECOMPUTE_CHANGED_SQL = f"""
CREATE OR REPLACE TEMP TABLE recompute_changed AS
SELECT f.source_system, f.case_id, {", ".join(f"f.{c}" for c in CALENDAR_DERIVED)}
FROM petitions_final f JOIN petitions p USING (source_system, case_id)
WHERE {_DIFFERS}
"""  # noqa: S608 (fixed column names)
RECOMPUTE_UPDATE_SQL = f"""
UPDATE petitions AS p SET {", ".join(f"{c} = c.{c}" for c in CALENDAR_DERIVED)}
FROM recompute_changed c
WHERE p.source_system = c.source_system AND p.case_id = c.case_id
"""  # noqa: S608 (fixed column names)
RECOMPUTE_HASH_SQL = """
UPDATE petitions SET row_hash = {hash}
WHERE EXISTS (SELECT 1 FROM recompute_changed c
              WHERE c.source_system = petitions.source_system AND c.case_id = petitions.case_id)
"""
RECOMPUTE_TEMP_TABLES = ("recompute_stage", "petitions_derived", "petitions_final",
                         "recompute_changed")  # fmt: skip


def recompute(con: duckdb.DuckDBPyConnection, first: dt.date, last: dt.date) -> int:
    """Recompute, in place, the due dates, effective due dates, working days to reply,
    on-time status and reply quality of the petitions that a change of the office
    calendar between ``first`` and ``last`` (inclusive) can touch, by the loader's own
    derivation on each case's stored limit. Returns the number of petitions whose values
    changed."""
    con.execute(RECOMPUTE_STAGE_SQL, {"first": first, "last": last})
    changed = 0
    try:
        if not scalar(con, "SELECT count(*) FROM recompute_stage"):
            return 0
        con.execute(
            petitions.DERIVE_SQL.format(
                stage="recompute_stage",
                due_sql=STORED_DUE_DATES_SQL.format(staging="recompute_stage"),
                reply_quality=petitions.REPLY_QUALITY_SQL,
            )
        )
        con.execute(RECOMPUTE_CHANGED_SQL)
        changed = int(scalar(con, "SELECT count(*) FROM recompute_changed"))
        if changed:
            con.execute(RECOMPUTE_UPDATE_SQL)
            digest = row_hash.expression(row_hash.column_types(con, "petitions"), petitions.COLUMNS)
            con.execute(RECOMPUTE_HASH_SQL.format(hash=digest))
    finally:
        for name in RECOMPUTE_TEMP_TABLES:
            con.execute(f"DROP TABLE IF EXISTS {name}")
    return changed


# For petitions stored before due_date_given existed (schema step 5): a due date equal to
# what the case's own limit gives on the calendar of the time is taken as computed, any
# other as given by the source. A source that gave exactly the policy's date cannot be
# told apart and counts as computed; reloading its file sets the flag from the file.
MARK_GIVEN_STAGE_SQL = """
CREATE OR REPLACE TEMP TABLE given_stage AS
SELECT row_number() OVER () AS rid, source_system, case_id, received_date, due_date,
       limit_days AS stored_limit_days, limit_unit AS stored_limit_unit
FROM petitions WHERE due_date_given IS NULL
"""
MARK_GIVEN_SQL = """
UPDATE petitions AS p
SET due_date_given = (g.due_date IS NOT NULL AND g.due_date IS DISTINCT FROM g.policy_due_date)
FROM (SELECT s.source_system, s.case_id, s.due_date, d.policy_due_date
      FROM given_stage s JOIN ({due_sql}) d USING (rid)) AS g
WHERE p.source_system = g.source_system AND p.case_id = g.case_id
"""


def mark_given_due_dates(con: duckdb.DuckDBPyConnection) -> int:
    """Fill ``due_date_given`` where it is NULL (see above); returns the rows marked given."""
    con.execute(MARK_GIVEN_STAGE_SQL)
    try:
        con.execute(
            MARK_GIVEN_SQL.format(due_sql=STORED_DUE_DATES_SQL.format(staging="given_stage"))
        )
        return int(
            scalar(
                con,
                "SELECT count(*) FROM petitions p JOIN given_stage g USING (source_system, case_id)"
                " WHERE p.due_date_given",
            )
        )
    finally:
        con.execute("DROP TABLE IF EXISTS given_stage")
