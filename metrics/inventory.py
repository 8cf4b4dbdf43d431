"""What a database holds: row counts, periods and coverage, for `svcq summary`.

Rates and open cases are not computed here: `svcq summary` takes them from
``metrics.timeliness`` (``on_time_rate``, ``open_cases``), their one definition.
"""

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

COVERAGE_SQL = """
SELECT count(*) AS petitions,
       count(DISTINCT district) FILTER (WHERE in_city) AS districts,
       count(DISTINCT unit) AS units
FROM petitions
"""


def inventory(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """One row per kind of record: count, first and last day, rows outside the city."""
    return con.execute(INVENTORY_SQL).df()


def coverage(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Petitions loaded, and how many districts of the configured city and handling units
    they cover."""
    names = ("petitions", "districts", "units")
    return dict(zip(names, con.execute(COVERAGE_SQL).fetchall()[0], strict=True))
