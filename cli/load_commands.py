"""`svcq load ...` and `svcq sample`: files into the database, with the row accounting."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.text import Text

from cli import output
from cli.common import DbOption, check_database, database_path
from cli.errors import EXIT_FAILED, EXIT_OK, EXIT_PARTIAL, involve, involve_database
from etl import load, pii

MappingOption = Annotated[
    Path | None, typer.Option("--mapping", "-m", help="欄位對照檔（TOML）；預設為 svcq 範本格式")
]
EncodingOption = Annotated[
    str | None,
    typer.Option("--encoding", help="檔案編碼（utf-8、cp950/big5、utf-16）；預設自動偵測"),
]
FileArg = Annotated[Path, typer.Argument(help="要載入的檔案", show_default=False)]


def _writing_to(db_path: Path | None) -> Path:
    """The database to write, checked, with its files named for messages."""
    target = database_path(db_path)
    involve_database(target, pii.key_path_for(target))
    check_database(target, must_exist=False)
    return target


def exit_code(result: load.LoadResult) -> int:
    """0 when every row loaded, 3 when some were rejected, 1 when the load stopped early
    on a file that does not fit its mapping (no data row loaded; the batch and the reasons
    of the rows examined are recorded)."""
    if result.stop is not None:
        return EXIT_FAILED
    return EXIT_PARTIAL if result.rows_rejected else EXIT_OK


def _run_load(
    kind: str, file: Path, mapping: Path | None, encoding: str | None, db_path: Path | None
) -> None:
    involve("資料檔", file)
    involve("對照檔", mapping)
    target = _writing_to(db_path)
    columns = (TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed:,}/{task.total:,}"),
               TimeElapsedColumn())  # fmt: skip
    err = output.err
    with Progress(*columns, console=err, transient=True, disable=not err.is_terminal) as bar:
        tasks: dict[str, int] = {}

        def progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=max(total, 1))
            bar.update(tasks[stage], completed=done, total=max(total, 1))

        result = load.load_file(
            target, kind, file, mapping_path=mapping, encoding=encoding, progress=progress
        )
    if result.stop is not None:
        output.error("載入中止", f"{result.stop.message}\n資料庫中的案件未變更。")
    else:
        _print_result(result, target)
    raise typer.Exit(exit_code(result))


def _print_result(result: load.LoadResult, target: Path) -> None:
    output.say(
        f"批次 {result.batch_id}：{result.file_name}（編碼 {result.encoding}）", style="bold"
    )
    counts = (
        ("讀取列數", result.rows_read),
        ("新增", result.rows_loaded),
        ("更新", result.rows_updated),
        ("未變更", result.rows_unchanged),
        ("拒絕", result.rows_rejected),
    )
    rows = [(label, f"{value:,}") for label, value in counts]
    output.table(["項目", "列數"], [*rows, ("耗時", f"{result.seconds:.1f} 秒")],
                 right=("列數",), header=False)  # fmt: skip
    output.say(
        f"讀取 {result.rows_read:,} = 新增 {result.rows_loaded:,} + 更新 {result.rows_updated:,} "
        f"+ 未變更 {result.rows_unchanged:,} + 拒絕 {result.rows_rejected:,}"
    )
    if result.rows_rejected:
        output.say("被拒絕的主要原因：", style="yellow")
        for reason, count in result.top_reasons:
            output.say(f"  {count:,} 列：{reason}")
        output.say(
            f"查看每一列：svcq rejects {result.batch_id}；修正原始檔後重新載入即可補入（已載入的列不會重複）。"
        )
    if result.absent_columns:
        output.say(f"檔案沒有這些選填欄位，已以空白載入：{'、'.join(result.absent_columns)}")
    if result.absent_pii:
        output.say(f"檔案沒有這些個資欄位（可省略）：{'、'.join(result.absent_pii)}")
    output.say(f"資料庫：{target}")


def load_petitions(file: FileArg, mapping: MappingOption = None, encoding: EncodingOption = None,
                   db_path: DbOption = None) -> None:  # fmt: skip
    """載入人民陳情案件。Load petitions."""
    _run_load("petitions", file, mapping, encoding, db_path)


def load_surveys(file: FileArg, mapping: MappingOption = None, encoding: EncodingOption = None,
                 db_path: DbOption = None) -> None:  # fmt: skip
    """載入滿意度調查問卷（每列一位受訪者）。Load survey responses."""
    _run_load("surveys", file, mapping, encoding, db_path)


def load_phone_tests(file: FileArg, mapping: MappingOption = None, encoding: EncodingOption = None,
                     db_path: DbOption = None) -> None:  # fmt: skip
    """載入電話禮貌測試結果（每列一通測試電話）。Load telephone courtesy tests."""
    _run_load("phone-tests", file, mapping, encoding, db_path)


def _reference(action: Callable, file: Path, db_path: Path | None):
    involve("資料檔", file)
    return action(_writing_to(db_path), file)


def load_calendar(file: FileArg, db_path: DbOption = None) -> None:
    """以行政院人事行政總處「辦公日曆表」CSV 覆寫辦公日曆。Override the office calendar (DGPA CSV)."""
    from etl.reference_tables import load_calendar as run

    result = _reference(run, file, db_path)
    output.say(
        f"辦公日曆（批次 {result.batch_id}）：讀取 {result.rows_read:,} 天，其中 "
        f"{len(result.days_changed):,} 天上班／放假與原日曆不同；"
        f"已依新日曆重算 {result.petitions_changed:,} 件案件的期限與是否依限。"
    )
    if result.reverted_days:
        days = "、".join(d.isoformat() for d in result.reverted_days)
        output.warn(
            f"警告：此檔把原為放假的平日改回上班日：{days}。"
            "可能是舊版日曆表，請確認是人事行政總處最新（修正版）的檔案。"
        )


def load_population(file: FileArg, db_path: DbOption = None) -> None:
    """載入各區人口數（district, population, as_of, source）。Load district population."""
    from etl.reference_tables import load_population as run

    result = _reference(run, file, db_path)
    output.say(f"人口資料（批次 {result.batch_id}）：已載入 {result.rows_read:,} 列。")


def load_deadline_policy(file: FileArg, db_path: DbOption = None) -> None:
    """載入處理期限規則（channel, category, limit_days, limit_unit, note）。Load the deadline policy."""
    from etl.reference_tables import load_deadline_policy as run

    result = _reference(run, file, db_path)
    output.say(
        f"處理期限規則（批次 {result.batch_id}）：已載入 {result.rows_read:,} 條；"
        "之後載入的案件依新規則計算期限。"
    )


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

    involve("範例輸出資料夾", out)
    target = None if files_only else _writing_to(db_path)
    with output.console.status("產生範例資料…") as status:
        files = generate(out, scale=scale, seed=seed, variants=variants or files_only,
                         progress=lambda text: status.update(Text(text)))  # fmt: skip
    output.say(f"範例檔案已寫入 {out}")
    if target is None:
        return
    for kind, path in (("petitions", files.petitions), ("surveys", files.surveys),
                       ("phone-tests", files.phone_tests)):  # fmt: skip
        involve("資料檔", path)
        result = load.load_file(target, kind, path)
        output.say(
            f"{path.name}：讀取 {result.rows_read:,}，新增 {result.rows_loaded:,}，更新 {result.rows_updated:,}，"
            f"未變更 {result.rows_unchanged:,}，拒絕 {result.rows_rejected:,}（{result.seconds:.1f} 秒）"
        )
    _sample_population(out, target)


def _sample_population(out: Path, target: Path) -> None:
    """An invented population, labelled as such, so the sample shows the per-10,000 views."""
    from etl.reference_tables import load_population
    from etl.samplegen import DEFAULT_START
    from etl.samplegen.reference import synthetic_population

    path = out / "population.csv"
    rows = synthetic_population(DEFAULT_START)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    involve("資料檔", path)
    result = load_population(target, path)
    output.say(
        f"{path.name}：範例用虛構人口 {result.rows_read:,} 區（僅供示範每萬人比率，非官方統計）"
    )
