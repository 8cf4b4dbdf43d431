"""Small reference tables the user loads whole: office calendar, population, deadline policy.

Each replaces or overrides its table in one write session, so a bad file changes
nothing. Errors are ``ValueError`` with a Chinese message naming file and row.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from etl import calendar, database, deadlines, districts
from etl.dates import DateError, parse_datetime
from etl.reader import read_table

POPULATION_COLUMNS = ("district", "population", "as_of", "source")


def load_calendar(db_path: Path, path: Path) -> tuple[int, int]:
    """Override the office calendar with the DGPA file; returns (days read, days changed)."""
    frame = calendar.read_dgpa_calendar(path)
    with database.write_session(db_path) as con:
        changed = calendar.apply_overrides(con, frame)
    return len(frame), changed


def read_population(path: Path) -> pd.DataFrame:
    frame = read_table(path).frame
    missing = [c for c in POPULATION_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(
            f"{path.name} 缺少欄位：{'、'.join(missing)}（人口檔需有 district, population, as_of, source）"
        )
    resolver = districts.resolver_for()
    rows = []
    for i, rec in enumerate(frame.to_dict("records"), start=1):
        hit = resolver.resolve(rec["district"])
        if hit is None or not hit.in_city:
            raise ValueError(f"{path.name} 第 {i} 列：無法辨識的行政區「{rec['district']}」")
        text = str(rec["population"]).replace(",", "").strip()
        if not text.isdigit() or int(text) <= 0:
            raise ValueError(f"{path.name} 第 {i} 列：人口數「{rec['population']}」應為正整數")
        try:
            as_of = parse_datetime(rec["as_of"])
        except DateError as exc:
            raise ValueError(f"{path.name} 第 {i} 列：{exc}") from None
        if as_of is None or not str(rec["source"]).strip():
            raise ValueError(f"{path.name} 第 {i} 列：as_of（資料日期）與 source（來源）都必須填寫")
        rows.append((hit.district, int(text), as_of.date(), str(rec["source"]).strip()))
    return pd.DataFrame(rows, columns=list(POPULATION_COLUMNS))


def load_population(db_path: Path, path: Path) -> int:
    frame = read_population(path)
    with database.write_session(db_path) as con:
        con.executemany(
            "INSERT OR REPLACE INTO district_population VALUES (?, ?, ?, ?)", frame.values.tolist()
        )
    return len(frame)


def load_deadline_policy(db_path: Path, path: Path) -> int:
    frame = read_table(path).frame
    with database.write_session(db_path) as con:
        return deadlines.replace_policy(con, frame)
