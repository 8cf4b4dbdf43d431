"""What a database holds: row counts, periods and the latest loads, for `svcq summary`."""

from __future__ import annotations

import duckdb
import pandas as pd

INVENTORY_SQL = """
SELECT '陳情案件' AS what, count(*) AS rows,
       min(received_date) AS first_day, max(received_date) AS last_day,
       count(*) FILTER (WHERE in_city IS NOT TRUE) AS outside_or_unknown
FROM petitions
UNION ALL
SELECT '滿意度問卷', count(*), min(responded_on), max(responded_on),
       count(*) FILTER (WHERE in_city IS NOT TRUE)
FROM survey_responses
UNION ALL
SELECT '電話禮貌測試', count(*), CAST(min(called_at) AS DATE), CAST(max(called_at) AS DATE), NULL
FROM phone_tests
"""

HEADLINE_SQL = """
SELECT count(*) AS petitions,
       count(*) FILTER (WHERE NOT is_open) AS replied,
       avg(CASE WHEN on_time THEN 1.0 WHEN NOT on_time THEN 0.0 END) AS on_time_rate,
       count(*) FILTER (WHERE is_open) AS open_cases,
       count(DISTINCT district) FILTER (WHERE in_city) AS districts,
       count(DISTINCT unit) AS units
FROM petitions
"""


def inventory(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """One row per kind of record: count, first and last day, rows outside the city."""
    return con.execute(INVENTORY_SQL).df()


def headline(con: duckdb.DuckDBPyConnection) -> dict:
    """A few petition figures over everything loaded."""
    names = ("petitions", "replied", "on_time_rate", "open_cases", "districts", "units")
    return dict(zip(names, con.execute(HEADLINE_SQL).fetchall()[0], strict=True))
