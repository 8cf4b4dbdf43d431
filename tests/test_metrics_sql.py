"""Shared SQL helpers of the metrics layer."""

from __future__ import annotations

import pytest

from etl.database import memory_db
from metrics import _sql


def test_concurrent_calls_return_in_order_on_their_own_cursors():
    con = memory_db()
    con.execute("CREATE TABLE t AS SELECT range AS x FROM range(100000)")
    seen = []

    def call(k):
        def run(cursor):
            seen.append(cursor)
            return cursor.execute("SELECT sum(x) * ? FROM t", [k]).fetchall()[0][0]

        return run

    results = _sql.concurrently(con, [call(k) for k in range(6)])
    assert results == [k * 4999950000 for k in range(6)]
    assert len({id(c) for c in seen}) == 6 and all(c is not con for c in seen)
    con.close()


def test_a_failing_call_raises_its_error():
    con = memory_db()

    def bad(cursor):
        return cursor.execute("SELECT * FROM no_such_table").fetchall()

    with pytest.raises(Exception, match="no_such_table"):
        _sql.concurrently(con, [lambda c: 1, bad])
    con.close()
