"""How far the loaded petitions reach: the latest date the data can speak for.

A case counts as open at a date only if the data could have recorded its reply by then,
so "open" needs a date the data is known to cover. That is the latest receipt, first
reply or closure in the loaded petitions (closures run past the last receipt in most
exports), or the export's own extraction date when its mapping names one
(batches.data_as_of), whichever is later. Never today: an old load stays as of its data.
"""

from __future__ import annotations

import datetime as dt

import duckdb

from metrics.filters import Filters
from store.db import scalar

PUBLIC_METRICS: tuple[str, ...] = ()  # a helper for the open-case metrics, not a table

DATA_AS_OF_SQL = """
SELECT greatest(
  (SELECT max(greatest(received_date, CAST(first_reply_at AS DATE), CAST(closed_at AS DATE)))
   FROM petitions WHERE {where}),
  (SELECT max(data_as_of) FROM batches WHERE kind = 'petitions')
)
"""


def data_as_of(con: duckdb.DuckDBPyConnection, filters: Filters) -> dt.date | None:
    """The latest date the loaded petitions speak for (see the module docstring), under
    the dimension filters (the period is ignored); None when nothing is loaded."""
    where, params = filters.with_period(None, None).where(None)
    return scalar(con, DATA_AS_OF_SQL.format(where=where), params)


MONTHS_SQL = "SELECT DISTINCT month FROM petition_monthly WHERE {where} ORDER BY month"


def months_with_data(con: duckdb.DuckDBPyConnection, filters: Filters) -> list[dt.date]:
    """The months (first days) in which petitions matching the dimension filters were
    received, oldest first: what a month picker can offer. The period is ignored."""
    where, params = filters.with_period(None, None).where(None)
    rows = con.execute(MONTHS_SQL.format(where=where), params).fetchall()
    return [row[0] for row in rows]


LATEST_ANY_SQL = """
SELECT greatest(
  (SELECT max(responded_on) FROM survey_responses),
  (SELECT CAST(max(called_at) AS DATE) FROM phone_tests)
)
"""


def latest_date(con: duckdb.DuckDBPyConnection, filters: Filters) -> dt.date | None:
    """The date the loaded data runs to, whatever its kind: the petitions' ``data_as_of``,
    else the latest survey response or test call (a database may hold no petitions)."""
    petitions = data_as_of(con, filters)
    return petitions if petitions is not None else scalar(con, LATEST_ANY_SQL)
