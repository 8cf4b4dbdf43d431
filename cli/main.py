"""The `svcq` command line: parses arguments, calls the library, formats the output."""

from __future__ import annotations

import json
import numbers
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table as RichTable

from etl import load
from etl.mapping import MappingError
from etl.reader import ReadError
from store import db

EXIT_OK, EXIT_FAILED, EXIT_PARTIAL = 0, 1, 3

app = typer.Typer(
    help="svcq：服務品質分析（人民陳情、滿意度調查、電話禮貌測試）。Service-quality analytics.",
    no_args_is_help=True,
    add_completion=False,
)
load_app = typer.Typer(
    help="載入檔案到資料庫（CSV／Excel，任何編碼）。Load export files.", no_args_is_help=True
)
app.add_typer(load_app, name="load")
console = Console()
err = Console(stderr=True)

DbOption = Annotated[
    Path | None,
    typer.Option("--db", help="資料庫檔案；預設為環境變數 SVCQ_DB，否則 ./data/svcq.duckdb"),
]
MappingOption = Annotated[
    Path | None, typer.Option("--mapping", "-m", help="欄位對照檔（TOML）；預設為 svcq 範本格式")
]
EncodingOption = Annotated[
    str | None,
    typer.Option("--encoding", help="檔案編碼（utf-8、cp950/big5、utf-16）；預設自動偵測"),
]
FileArg = Annotated[Path, typer.Argument(help="要載入的檔案", show_default=False)]


def _db(path: Path | None) -> Path:
    return path or db.default_db_path()


def _fail(message: str) -> typer.Exit:
    err.print(f"[bold red]載入失敗[/]：{message}\n資料庫未變更。")
    return typer.Exit(EXIT_FAILED)


def _run_load(
    kind: str, file: Path, mapping: Path | None, encoding: str | None, db_path: Path | None
) -> None:
    target = _db(db_path)
    columns = (TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed:,}/{task.total:,}"),
               TimeElapsedColumn())  # fmt: skip
    with Progress(*columns, console=err, transient=True, disable=not err.is_terminal) as bar:
        tasks: dict[str, int] = {}

        def progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=max(total, 1))
            bar.update(tasks[stage], completed=done, total=max(total, 1))

        try:
            result = load.load_file(
                target, kind, file, mapping_path=mapping, encoding=encoding, progress=progress
            )
        except (ReadError, MappingError, ValueError) as exc:
            raise _fail(f"{file}：{exc}") from None
    _print_result(result, target)
    raise typer.Exit(EXIT_PARTIAL if result.rows_rejected else EXIT_OK)


def _print_result(result: load.LoadResult, target: Path) -> None:
    console.print(f"[bold]批次 {result.batch_id}[/]：{result.file_name}（編碼 {result.encoding}）")
    table = RichTable(show_header=False)
    table.add_column(justify="left")
    table.add_column(justify="right")
    for label, value in (
        ("讀取列數", result.rows_read),
        ("新增", result.rows_loaded),
        ("更新", result.rows_updated),
        ("未變更", result.rows_unchanged),
        ("拒絕", result.rows_rejected),
    ):
        table.add_row(label, f"{value:,}")
    table.add_row("耗時", f"{result.seconds:.1f} 秒")
    console.print(table)
    console.print(
        f"讀取 {result.rows_read:,} = 新增 {result.rows_loaded:,} + 更新 {result.rows_updated:,} "
        f"+ 未變更 {result.rows_unchanged:,} + 拒絕 {result.rows_rejected:,}"
    )
    if result.rows_rejected:
        console.print("[yellow]被拒絕的主要原因：[/]")
        for reason, count in result.top_reasons:
            console.print(f"  {count:,} 列：{reason}")
        console.print(
            f"查看每一列：svcq rejects {result.batch_id}；修正原始檔後重新載入即可補入（已載入的列不會重複）。"
        )
    console.print(f"資料庫：{target}")


@load_app.command("petitions")
def load_petitions(file: FileArg, mapping: MappingOption = None, encoding: EncodingOption = None,
                   db_path: DbOption = None) -> None:  # fmt: skip
    """載入人民陳情案件。Load petitions."""
    _run_load("petitions", file, mapping, encoding, db_path)


@load_app.command("surveys")
def load_surveys(file: FileArg, mapping: MappingOption = None, encoding: EncodingOption = None,
                 db_path: DbOption = None) -> None:  # fmt: skip
    """載入滿意度調查問卷（每列一位受訪者）。Load survey responses."""
    _run_load("surveys", file, mapping, encoding, db_path)


@load_app.command("phone-tests")
def load_phone_tests(file: FileArg, mapping: MappingOption = None, encoding: EncodingOption = None,
                     db_path: DbOption = None) -> None:  # fmt: skip
    """載入電話禮貌測試結果（每列一通測試電話）。Load telephone courtesy tests."""
    _run_load("phone-tests", file, mapping, encoding, db_path)


def _reference(action, file: Path, db_path: Path | None):
    try:
        return action(_db(db_path), file)
    except (ReadError, ValueError) as exc:
        raise _fail(f"{file}：{exc}") from None


@load_app.command("calendar")
def load_calendar(file: FileArg, db_path: DbOption = None) -> None:
    """以行政院人事行政總處「辦公日曆表」CSV 覆寫辦公日曆。Override the office calendar (DGPA CSV)."""
    from etl.reference_tables import load_calendar as run

    result = _reference(run, file, db_path)
    console.print(
        f"辦公日曆（批次 {result.batch_id}）：讀取 {result.rows_read:,} 天，其中 "
        f"{len(result.days_changed):,} 天上班／放假與原日曆不同；"
        f"已依新日曆重算 {result.petitions_changed:,} 件案件的期限與是否依限。"
    )
    if result.reverted_days:
        days = "、".join(d.isoformat() for d in result.reverted_days)
        console.print(
            f"[yellow]警告[/]：此檔把原為放假的平日改回上班日：{days}。"
            "可能是舊版日曆表，請確認是人事行政總處最新（修正版）的檔案。"
        )


@load_app.command("population")
def load_population(file: FileArg, db_path: DbOption = None) -> None:
    """載入各區人口數（district, population, as_of, source）。Load district population."""
    from etl.reference_tables import load_population as run

    result = _reference(run, file, db_path)
    console.print(f"人口資料（批次 {result.batch_id}）：已載入 {result.rows_read:,} 列。")


@load_app.command("deadline-policy")
def load_deadline_policy(file: FileArg, db_path: DbOption = None) -> None:
    """載入處理期限規則（channel, category, limit_days, limit_unit, note）。Load the deadline policy."""
    from etl.reference_tables import load_deadline_policy as run

    result = _reference(run, file, db_path)
    console.print(
        f"處理期限規則（批次 {result.batch_id}）：已載入 {result.rows_read:,} 條；"
        "之後載入的案件依新規則計算期限。"
    )


@app.command("rejects")
def rejects(
    batch: Annotated[int, typer.Argument(help="批次編號（見 svcq batches）")],
    csv: Annotated[
        Path | None, typer.Option("--csv", help="另存為 CSV（UTF-8 BOM，可用 Excel 開啟）")
    ] = None,
    db_path: DbOption = None,
) -> None:
    """列出某批次被拒絕的列與原因。List the rejected rows of a batch."""
    con = db.connect_readonly(_db(db_path))
    frame = load.list_rejects(con, batch)
    con.close()
    if frame.empty:
        console.print(f"批次 {batch} 沒有被拒絕的列。")
        return
    if csv is not None:
        raws = [json.loads(r) for r in frame["raw"]]
        out = frame[["row_number", "reason"]].rename(
            columns={"row_number": "列號", "reason": "原因"}
        )
        out = pd.concat([out, pd.DataFrame(raws)], axis=1)
        out.to_csv(csv, index=False, encoding="utf-8-sig")
        console.print(f"已寫出 {len(out):,} 列到 {csv}")
        return
    table = RichTable(title=f"批次 {batch} 被拒絕的列（個資已遮蔽）")
    table.add_column("列號", justify="right")
    table.add_column("原因")
    table.add_column("原始資料")
    for rec in frame.itertuples():
        table.add_row(str(rec.row_number), rec.reason, rec.raw[:120])
    console.print(table)


@app.command("batches")
def batches(db_path: DbOption = None) -> None:
    """列出載入紀錄（每批的讀取、新增、更新、未變更、拒絕列數）。List load batches."""
    con = db.connect_readonly(_db(db_path))
    frame = con.execute(
        "SELECT batch_id, kind, file_name, rows_read, rows_loaded, rows_updated, rows_unchanged, "
        "rows_rejected, outcome, finished_at FROM batches ORDER BY batch_id"
    ).df()
    con.close()
    table = RichTable(title="載入紀錄")
    for label in (
        "批次",
        "種類",
        "檔案",
        "讀取",
        "新增",
        "更新",
        "未變更",
        "拒絕",
        "結果",
        "完成時間",
    ):
        table.add_column(label)
    for rec in frame.itertuples(index=False):
        table.add_row(*[f"{v:,}" if isinstance(v, int) else str(v) for v in rec])
    console.print(table)


@app.command("sample")
def sample(
    scale: Annotated[float, typer.Option(help="規模：1 = 每月約兩萬件陳情、兩年")] = 0.1,
    seed: Annotated[int, typer.Option(help="亂數種子（同種子產生相同資料）")] = 20261121,
    out: Annotated[Path, typer.Option(help="範例檔案輸出目錄")] = Path("data/sample"),
    files_only: Annotated[
        bool, typer.Option("--files-only", help="只產生檔案，不載入資料庫")
    ] = False,
    variants: Annotated[
        bool, typer.Option(help="同時產生格式雜亂的變體檔（Big5、民國日期、Excel…）")
    ] = False,
    db_path: DbOption = None,
) -> None:
    """產生範例資料（高雄市 38 區）並載入資料庫。Generate seeded sample data and load it."""
    from etl.samplegen import generate

    with console.status("產生範例資料…") as status:
        files = generate(out, scale=scale, seed=seed, variants=variants or files_only,
                         progress=lambda text: status.update(text))  # fmt: skip
    console.print(f"範例檔案已寫入 {out}")
    if files_only:
        return
    target = _db(db_path)
    for kind, path in (("petitions", files.petitions), ("surveys", files.surveys),
                       ("phone-tests", files.phone_tests)):  # fmt: skip
        try:
            result = load.load_file(target, kind, path)
        except (ReadError, MappingError, ValueError) as exc:
            raise _fail(f"{path}：{exc}") from None
        console.print(
            f"{path.name}：讀取 {result.rows_read:,}，新增 {result.rows_loaded:,}，更新 {result.rows_updated:,}，"
            f"未變更 {result.rows_unchanged:,}，拒絕 {result.rows_rejected:,}（{result.seconds:.1f} 秒）"
        )


@app.command("summary")
def summary(db_path: DbOption = None) -> None:
    """顯示資料庫內容摘要。Show what the database holds."""
    from metrics.inventory import headline, inventory

    target = _db(db_path)
    if not target.exists():
        err.print(f"找不到資料庫 {target}；請先執行 svcq sample 或 svcq load。")
        raise typer.Exit(EXIT_FAILED)
    con = db.connect_readonly(target)
    frame, head = inventory(con), headline(con)
    con.close()
    table = RichTable(title=f"資料庫摘要：{target}")
    for label in ("資料", "筆數", "起日", "迄日", "外縣市或未填區"):
        table.add_column(label)
    for rec in frame.itertuples(index=False):
        table.add_row(rec.what, _fmt(rec.rows), _fmt(rec.first_day), _fmt(rec.last_day),
                      _fmt(rec.outside_or_unknown))  # fmt: skip
    console.print(table)
    if head["petitions"]:
        rate = head["on_time_rate"]
        console.print(
            f"陳情 {head['petitions']:,} 件，已回覆 {head['replied']:,} 件，依限辦結率 "
            f"{'—' if pd.isna(rate) else f'{rate:.1%}'}，處理中 {head['open_cases']:,} 件；"
            f"涵蓋 {head['districts']} 區、{head['units']} 個承辦單位。"
        )


@app.command("metrics")
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
    output: Annotated[str, typer.Option("--format", help="輸出格式：table、csv、json")] = "table",
    db_path: DbOption = None,
) -> None:
    """計算指標並輸出表格、CSV 或 JSON。Compute a metric family (table, CSV or JSON)."""
    from etl.dates import DateError, parse_datetime
    from metrics import registry
    from metrics.filters import Filters

    try:
        available = registry.functions(family)
        name = metric or next(iter(available), None)
        if name not in available:
            raise ValueError(f"「{family}」沒有指標 {name}；可用：{'、'.join(available)}")
        fn = available[name]
        start = parse_datetime(date_from).date() if date_from else None
        end = parse_datetime(date_to).date() if date_to else None
        filters = Filters(start, end, tuple(agency or ()), tuple(unit or ()), tuple(district or ()),
                          tuple(channel or ()), tuple(category or ()))  # fmt: skip
        kwargs: dict = {}
        if by:
            if not registry.accepts(fn, "by"):
                raise ValueError(f"{name} 不接受 --by")
            kwargs["by"] = tuple(by)
        if month:
            if not registry.accepts(fn, "month"):
                raise ValueError(f"{name} 不接受 --month")
            kwargs["month"] = parse_datetime(month + "-01" if len(month) <= 7 else month).date()
        if output not in ("table", "csv", "json"):
            raise ValueError("--format 應為 table、csv 或 json")
    except (ValueError, DateError) as exc:
        err.print(f"[bold red]參數錯誤[/]：{exc}")
        raise typer.Exit(2) from None
    target = _db(db_path)
    if not target.exists():
        err.print(f"找不到資料庫 {target}；請先執行 svcq sample 或 svcq load。")
        raise typer.Exit(EXIT_FAILED)
    con = db.connect_readonly(target)
    try:
        frame = fn(con, filters, **kwargs)
    except ValueError as exc:
        err.print(f"[bold red]參數錯誤[/]：{exc}")
        raise typer.Exit(2) from None
    finally:
        con.close()
    _print_frame(frame, output, title=f"{family} / {name}")


def _print_frame(frame: pd.DataFrame, output: str, title: str) -> None:
    if output == "csv":
        typer.echo(frame.to_csv(index=False), nl=False)
    elif output == "json":
        typer.echo(frame.to_json(orient="records", force_ascii=False, date_format="iso", indent=2))
    else:
        table = RichTable(title=title)
        for column in frame.columns:
            table.add_column(str(column))
        for rec in frame.itertuples(index=False):
            table.add_row(*[_cell(v) for v in rec])
        console.print(table)


def _cell(value: object) -> str:
    if isinstance(value, float) and not pd.isna(value) and not value.is_integer():
        return f"{value:,.4g}" if abs(value) < 1 else f"{value:,.2f}"
    return _fmt(value)


def _fmt(value: object) -> str:
    """A cell for the terminal: thousands separators, dates without time, '—' for missing."""
    if value is None or pd.isna(value):
        return "—"
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if isinstance(value, numbers.Number):
        return f"{int(value):,}"
    return str(value)


def main() -> None:  # pragma: no cover
    app()
