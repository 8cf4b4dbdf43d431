"""District population as loaded by the user (svcq load population FILE).

Only figures in ``district_population`` are used; nothing is invented or taken from
the reference bands in the district list. Per-10,000 rates use, for each district, the
latest figure dated on or before the period end.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd

# Latest figure per district dated on or before the bound date.
LATEST_POPULATION_SQL = """
SELECT district, population, as_of, source
FROM district_population
WHERE as_of <= ?
QUALIFY row_number() OVER (PARTITION BY district ORDER BY as_of DESC) = 1
"""


def latest_population(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> pd.DataFrame:
    """Columns district, population, as_of, source: each district's latest figure up to ``as_of``."""
    return con.execute(LATEST_POPULATION_SQL + " ORDER BY district", [as_of]).df()
