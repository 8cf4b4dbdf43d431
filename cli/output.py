"""Everything the command line prints goes through here, as plain text.

File names, unit names, reasons and cells come from users and their data: square
brackets (``科[/]室``, ``[fields]``) or ``:emoji:`` codes in them must print as written,
so nothing here lets Rich interpret markup or emoji in a string; styles are applied
to whole ``Text`` objects instead.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Sequence

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from reports.tables import csv_text

console = Console(highlight=False, emoji=False)
err = Console(stderr=True, highlight=False, emoji=False)


def say(message: str, *, style: str = "") -> None:
    """A line on standard output, exactly as written."""
    console.print(Text(message, style=style), soft_wrap=True)


def warn(message: str) -> None:
    """A warning on standard error, so piped CSV or JSON stays data."""
    err.print(Text("注意：", style="yellow") + Text(message), soft_wrap=True)


def error(heading: str, message: str) -> None:
    err.print(Text(f"{heading}：", style="bold red") + Text(message), soft_wrap=True)


def table(
    columns: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    title: str | None = None,
    right: Sequence[str] = (),
    header: bool = True,
) -> None:
    """A table whose every cell, heading and title prints as written."""
    grid = Table(title=Text(title) if title else None, show_header=header)
    for name in columns:
        grid.add_column(Text(str(name)), justify="right" if name in right else "left")
    for row in rows:
        grid.add_row(*[Text(_fmt(v)) for v in row])
    console.print(grid)


def frame(data: pd.DataFrame, fmt: str, *, title: str) -> None:
    """A metric result as a table, CSV (formula-safe, see reports.tables) or JSON."""
    if fmt == "csv":
        typer.echo(csv_text(data), nl=False)
    elif fmt == "json":
        typer.echo(data.to_json(orient="records", force_ascii=False, date_format="iso", indent=2))
    else:
        numeric = [str(c) for c in data.columns if pd.api.types.is_numeric_dtype(data[c])]
        table(
            [str(c) for c in data.columns],
            ([_metric_cell(v) for v in rec] for rec in data.itertuples(index=False)),
            title=title,
            right=numeric,
        )


def _metric_cell(value: object) -> object:
    if isinstance(value, float) and not pd.isna(value) and not value.is_integer():
        return f"{value:,.4g}" if abs(value) < 1 else f"{value:,.2f}"
    return value


def _missing(value: object) -> bool:
    try:
        return value is None or bool(pd.isna(value))
    except (TypeError, ValueError):  # a list or an array: not one missing value
        return False


def _fmt(value: object) -> str:
    """A cell for the terminal: thousands separators, dates without time, '—' for missing."""
    if _missing(value):
        return "—"
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, numbers.Integral):
        return f"{int(value):,}"
    if isinstance(value, numbers.Real):
        return f"{float(value):,.0f}" if float(value).is_integer() else f"{float(value):,}"
    return str(value)
