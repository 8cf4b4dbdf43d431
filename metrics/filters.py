"""The one filter object every metric function takes, and its SQL.

Values are always bound as parameters; column names come only from the fixed
allow-list below, never from the caller.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field, fields

# Filter field -> canonical column it restricts.
FILTER_COLUMNS = {
    "agencies": "agency",
    "units": "unit",
    "districts": "district",
    "channels": "channel",
    "categories": "category",
}


@dataclass(frozen=True)
class Filters:
    """Period (inclusive dates) and dimension restrictions; empty means no restriction."""

    start: dt.date | None = None
    end: dt.date | None = None
    agencies: tuple[str, ...] = field(default_factory=tuple)
    units: tuple[str, ...] = field(default_factory=tuple)
    districts: tuple[str, ...] = field(default_factory=tuple)
    channels: tuple[str, ...] = field(default_factory=tuple)
    categories: tuple[str, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name in FILTER_COLUMNS and not isinstance(value, tuple):
                object.__setattr__(self, f.name, tuple(value))
        if self.start and self.end and self.start > self.end:
            raise ValueError(f"期間起日 {self.start} 晚於迄日 {self.end}")

    def with_period(self, start: dt.date | None, end: dt.date | None) -> Filters:
        return Filters(
            start, end, self.agencies, self.units, self.districts, self.channels, self.categories
        )

    def where(
        self,
        date_column: str | None,
        *,
        alias: str = "",
        applies: Iterable[str] = tuple(FILTER_COLUMNS),
    ) -> tuple[str, list]:
        """A SQL boolean expression and its parameters.

        ``date_column`` is the DATE/TIMESTAMP column the period applies to (None: no
        period); ``applies`` names the filter fields that exist on the table (e.g. a
        survey has no channel); restrictions on other fields are ignored.
        ``alias`` prefixes column names (``"p"`` gives ``p.unit``).
        """
        prefix = f"{alias}." if alias else ""
        clauses: list[str] = ["TRUE"]
        params: list = []
        if date_column is not None:
            if self.start is not None:
                clauses.append(f"CAST({prefix}{date_column} AS DATE) >= ?")
                params.append(self.start)
            if self.end is not None:
                clauses.append(f"CAST({prefix}{date_column} AS DATE) <= ?")
                params.append(self.end)
        allowed = set(applies)
        for name, column in FILTER_COLUMNS.items():
            values = getattr(self, name)
            if values and name in allowed:
                clauses.append(f"{prefix}{column} IN ({', '.join('?' for _ in values)})")
                params.extend(values)
        return " AND ".join(clauses), params


ALL = Filters()
