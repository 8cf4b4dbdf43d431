"""dashboard.data's cache key: two calls share a cached result exactly when they name the
same metric, arguments, database file and file identity."""

from __future__ import annotations

import dataclasses
import datetime as dt

from dashboard import data
from metrics import timeliness
from metrics.filters import Filters

JAN = Filters(dt.date(2025, 1, 1), dt.date(2025, 1, 31), units=("民政課",))


def _call(filters=JAN, stamp=(1, 2), **kwargs):
    return data._call(timeliness.on_time_rate, "/x/svcq.duckdb", stamp, (filters,), kwargs)


def test_equal_calls_one_key_and_any_difference_another():
    same = Filters(dt.date(2025, 1, 1), dt.date(2025, 1, 31), units=["民政課"])  # a list given
    assert data._key(_call()) == data._key(_call(same))
    assert data._key(_call(by=["unit"])) == data._key(_call(by=("unit",)))
    others = [
        _call(Filters(dt.date(2025, 1, 1), dt.date(2025, 1, 30), units=("民政課",))),
        _call(Filters(dt.date(2025, 1, 1), dt.date(2025, 1, 31), agencies=("民政課",))),
        _call(stamp=(1, 3)),  # the loader replaced the file
        _call(by=("unit",)),
        _call(by=("month",)),
        _call(cap=30),
        _call(cap=30.0001),
    ]
    keys = {data._key(c) for c in [_call(), *others]}
    assert len(keys) == len(others) + 1


def test_plain_calls_keyed_by_their_repr_others_by_their_bytes():
    assert data._key(_call()) == repr(_call())
    odd = _call(weights={"a": [1, 2]})  # a dict of lists: not plain after freezing
    assert data._key(odd).startswith("pickle:")
    assert data._key(odd) == data._key(_call(weights={"a": [1, 2]}))
    assert data._key(odd) != data._key(_call(weights={"a": [1, 3]}))


def test_run_keys_its_call_so(monkeypatch, tmp_path):
    """``run`` is keyed by exactly this call: the path it reads and the file's identity."""
    monkeypatch.setenv("SVCQ_DB", str(tmp_path / "svcq.duckdb"))
    seen = []

    class Reader:
        def stamp(self):
            return (7, 8)

    monkeypatch.setattr(data, "_reader", lambda path: Reader())
    monkeypatch.setattr(data, "_cached", lambda key, call: seen.append((key, call)))
    data.run(timeliness.on_time_rate, JAN, by=["unit"])
    path = str((tmp_path / "svcq.duckdb").resolve())
    expected = data._call(timeliness.on_time_rate, path, (7, 8), (JAN,), {"by": ("unit",)})
    assert seen == [(data._key(expected), expected)]
    assert expected[2:4] == (path, (7, 8)) and expected[5] == (("by", ("unit",)),)


@dataclasses.dataclass(frozen=True)
class Odd:
    shown: int
    hidden: int = dataclasses.field(repr=False)


def test_a_dataclass_that_hides_a_field_from_its_repr_is_keyed_by_its_bytes():
    """Two arguments whose reprs are equal but whose values differ get two keys."""
    a, b = _call(extra=Odd(1, 2)), _call(extra=Odd(1, 3))
    assert repr(a) == repr(b)
    assert data._key(a) != data._key(b)
