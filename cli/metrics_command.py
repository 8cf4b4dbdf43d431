"""`svcq metrics FAMILY`: the command-line values become a metric call in
``metrics.request`` (shared with the dashboard); this module only parses and prints."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer

from cli import output
from cli.common import DbOption, open_readonly
from cli.errors import EXIT_USAGE, CliError
from etl.dates import parse_datetime
from etl.districts import resolver_for

FORMATS = ("table", "csv", "json")
Many = Annotated[list[str] | None, typer.Option()]


def _roc_or_western(text: str) -> dt.date:
    """A date as the loader reads one: 2025-01-31, 114/01/31, 1140131, 114年1月31日 ..."""
    return parse_datetime(text).date()


def _district_names(values: list[str]) -> list[str]:
    """Each --district as the loader stores it: 鳳山, 鳳山市 (its former name), 830 (its
    postal code) and 高雄市鳳山區 all mean 鳳山區, and a note says so. A value the city's
    list does not know (another city's district, a typo) is kept as typed, so the metric
    names it with the closest names in the data."""
    resolver = resolver_for()
    names = []
    for value in values:
        hit = resolver.resolve(value)
        if hit is not None and hit.district != value:
            output.warn(f"行政區「{value}」視為「{hit.district}」")
            names.append(hit.district)
        else:
            names.append(value)
    return names


def metrics_command(
    family: Annotated[
        str,
        typer.Argument(
            help="指標類別：timeliness, regional, types, satisfaction, phone-tests, scorecard, summary"
        ),
    ],
    metric: Annotated[
        str | None, typer.Option("--metric", help="類別中的指標函式名稱；預設為該類別第一個")
    ] = None,
    by: Annotated[
        list[str] | None, typer.Option("--by", help="分組欄位，可重複（如 --by month --by unit）")
    ] = None,
    date_from: Annotated[
        str | None, typer.Option("--from", help="期間起日（含），如 2025-01-01 或 114/01/01")
    ] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="期間迄日（含）")] = None,
    agency: Annotated[list[str] | None, typer.Option(help="機關（可重複）")] = None,
    unit: Annotated[list[str] | None, typer.Option(help="承辦單位（可重複）")] = None,
    district: Annotated[list[str] | None, typer.Option(help="行政區（可重複）")] = None,
    channel: Annotated[list[str] | None, typer.Option(help="陳情管道（可重複）")] = None,
    category: Annotated[list[str] | None, typer.Option(help="陳情類別（可重複）")] = None,
    month: Annotated[str | None, typer.Option(help="月份（summary 用），如 2026-09")] = None,
    item: Annotated[
        list[str] | None,
        typer.Option("--item", help="滿意度題目代碼（可重複）；overall = 整體題，all = 全部題目"),
    ] = None,
    convention: Annotated[
        str | None,
        typer.Option(help="滿意度計算方式：taiwan（無意見計入分母）或 substantive_only"),
    ] = None,
    dimension: Annotated[
        str | None, typer.Option(help="滿意度構面，如 服務禮儀（滿意度與信度用）")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="輸出格式：table、csv、json")] = "table",
    db_path: DbOption = None,
) -> None:
    """計算指標並輸出表格、CSV 或 JSON。Compute a metric family (table, CSV or JSON)."""
    if fmt not in FORMATS:
        raise CliError(f"--format 應為 {'、'.join(FORMATS)}", EXIT_USAGE)
    # Imported here: metrics.request pulls in scipy (~0.7 s), which every other command
    # (and --help) would otherwise pay at start-up.
    from metrics import request

    call = request.build(
        family, metric, by=by, start=date_from, end=date_to, agencies=agency or (),
        units=unit or (), districts=_district_names(district or []), channels=channel or (),
        categories=category or (), month=month, items=item, convention=convention,
        dimension=dimension, parse_date=_roc_or_western,
    )  # fmt: skip
    con = open_readonly(db_path)
    try:
        problems = call.problems(con)
        frame = call.run(con)
        empty = call.empty_reason(con) if frame.empty and not problems else ""
    finally:
        con.close()
    for problem in problems:
        output.warn(problem)
    if empty:
        output.warn(empty)
    if frame.empty and fmt == "table":
        return
    output.frame(frame, fmt, title=call.title)
