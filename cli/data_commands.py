"""`svcq batches`, `svcq rejects` and `svcq summary`: what the database holds."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer

from cli import output
from cli.common import DbOption, database_path, open_readonly
from cli.errors import EXIT_FAILED, CliError, involve
from etl import load
from metrics import data_status
from reports import overview, tables

BATCH_COLUMNS = ("batch_id", "kind", "file_name", "rows_read", "rows_loaded", "rows_updated",
                 "rows_unchanged", "rows_rejected", "outcome", "finished_at")  # fmt: skip
BATCH_LABELS = ("批次", "種類", "檔案", "讀取", "新增", "更新", "未變更", "拒絕", "結果", "完成時間")  # fmt: skip
OUTCOMES = {"success": "成功", "partial": "部分拒絕", "aborted": "中止"}


def batches(db_path: DbOption = None) -> None:
    """列出載入紀錄（每批的讀取、新增、更新、未變更、拒絕列數）。List load batches."""
    con = open_readonly(db_path)
    try:
        frame = data_status.load_batches(con).sort_values("batch_id")
    finally:
        con.close()
    if frame.empty:
        output.say("資料庫中還沒有任何載入紀錄。")
        return
    frame = frame[list(BATCH_COLUMNS)].assign(
        outcome=frame["outcome"].map(OUTCOMES).fillna(frame["outcome"])
    )
    output.table(BATCH_LABELS, frame.itertuples(index=False), title="載入紀錄")


def rejects(
    batch: Annotated[int, typer.Argument(help="批次編號（見 svcq batches）")],
    csv: Annotated[
        Path | None, typer.Option("--csv", help="另存為 CSV（UTF-8 BOM，可用 Excel 開啟）")
    ] = None,
    db_path: DbOption = None,
) -> None:
    """列出某批次被拒絕的列與原因。List the rejected rows of a batch."""
    involve("輸出檔", csv)
    con = open_readonly(db_path)
    try:
        if not data_status.batch_exists(con, batch):
            raise CliError(f"沒有批次 {batch}；svcq batches 列出所有批次。", EXIT_FAILED)
        frame = load.list_rejects(con, batch)
    finally:
        con.close()
    if frame.empty:
        output.say(f"批次 {batch} 沒有被拒絕的列。")
        return
    if csv is not None:
        raws = pd.DataFrame([json.loads(r) for r in frame["raw"]])
        out = frame[["row_number", "reason"]].rename(
            columns={"row_number": "列號", "reason": "原因"}
        )
        out = pd.concat([out.reset_index(drop=True), raws], axis=1)
        tables.write_csv(out, csv)
        output.say(f"已寫出 {len(out):,} 列到 {csv}")
        return
    rows = ((rec.row_number, rec.reason, rec.raw[:120]) for rec in frame.itertuples())
    output.table(["列號", "原因", "原始資料"], rows, title=f"批次 {batch} 被拒絕的列（個資已遮蔽）",
                 right=("列號",))  # fmt: skip


SUMMARY_LABELS = ("資料", "筆數", "起日", "迄日", "外縣市或未填區")


def summary(db_path: DbOption = None) -> None:
    """顯示資料庫內容摘要。Show what the database holds."""
    from metrics.inventory import inventory

    target = database_path(db_path)
    con = open_readonly(target)
    try:
        frame = inventory(con)
        figures = overview.overview(con)
    finally:
        con.close()
    output.table(SUMMARY_LABELS, frame.itertuples(index=False), title=f"資料庫摘要：{target}",
                 right=("筆數", "外縣市或未填區"))  # fmt: skip
    if figures.petitions:
        output.say(overview.sentence(figures))
