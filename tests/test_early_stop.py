"""Stopping early on a wrong mapping, through ``etl.load.load_file``.

The rule (etl.early_stop): the first 1,000 data rows are checked first; when at
least 20 were checked and one rule rejected at least 90 % of them, the load stops.
An aborted batch loads no row, records the examined rows as rejected (rows_read =
examined = rejected) with a reason each, and says why with a hint.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from etl.load import list_rejects, load_file
from tests.conftest import query
from tests.template_files import (
    PETITION_COLUMNS,
    SURVEY_COLUMNS,
    petition,
    write_rows,
)

NAMES = ["林美玲", "陳志明", "黃淑芬"]


def _month_first(i: int) -> str:
    """A month-first AM/PM time as US 311 exports write it; distinct per row."""
    return f"{1 + i % 12:02d}/{1 + i % 28:02d}/2018 {1 + i % 12:02d}:{i % 60:02d}:09 PM"


def _rows(n: int, bad: set[int], **cells: str) -> list[dict]:
    """n petitions (row numbers 1..n); rows in ``bad`` have a month-first receipt time."""
    return [
        petition(
            f"P{i:05d}",
            _month_first(i) if i in bad else f"2025-03-{1 + i % 28:02d} 09:{i % 60:02d}:00",
            陳情人姓名=NAMES[i % 3],
            聯絡電話=f"0912-345-{i % 1000:03d}",
            **cells,
        )
        for i in range(1, n + 1)
    ]


def _batch(db: Path, batch_id: int) -> tuple:
    [row] = query(
        db,
        "SELECT rows_read, rows_loaded, rows_updated, rows_unchanged, rows_rejected, outcome "
        "FROM batches WHERE batch_id = ?",
        [batch_id],
    )
    read, loaded, updated, unchanged, rejected, _ = row
    assert read == loaded + updated + unchanged + rejected
    return row


def test_month_first_dates_stop_with_the_reason_and_a_hint(tmp_path: Path, db_path: Path):
    path = write_rows(tmp_path / "la311.csv", PETITION_COLUMNS, _rows(1_200, set(range(1, 1_201))))
    result = load_file(db_path, "petitions", path)

    assert result.aborted and result.outcome == "aborted"
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (1_000, 0, 1_000)
    assert _batch(db_path, result.batch_id) == (1_000, 0, 0, 0, 1_000, "aborted")
    message = result.stop.message
    for phrase in ("中止", "前 1,000 列", "全檔 1,200 列", "1,000 列（100%）", "受理時間",
                   "2024-03-15", "1130315", "對照檔", "日期格式", f"svcq rejects {result.batch_id}"):  # fmt: skip
        assert phrase in message, phrase
    for secret in (*NAMES, "0912-345"):
        assert secret not in message
    assert result.top_reasons[0] == ("受理時間：日期", 1_000)
    # Nothing of the file is loaded; what was examined can be listed, row by row.
    assert query(db_path, "SELECT count(*) FROM petitions") == [(0,)]
    assert query(db_path, "SELECT count(*) FROM petition_monthly") == [(0,)]
    con = duckdb.connect(str(db_path), read_only=True)
    listed = list_rejects(con, result.batch_id)
    con.close()
    assert list(listed["row_number"]) == list(range(1, 1_001))
    assert listed["reason"].str.contains("受理時間：日期「").all()


def test_an_aborted_load_leaves_the_loaded_data_as_it_was(tmp_path: Path, db_path: Path):
    first = load_file(
        db_path, "petitions", write_rows(tmp_path / "a.csv", PETITION_COLUMNS, _rows(3, set()))
    )
    before = query(db_path, "SELECT * FROM petitions ORDER BY case_id")
    bad = write_rows(tmp_path / "b.csv", PETITION_COLUMNS, _rows(50, set(range(1, 51))))
    result = load_file(db_path, "petitions", bad)
    assert result.aborted and result.rows_read == 50  # a short file is examined whole
    assert query(db_path, "SELECT * FROM petitions ORDER BY case_id") == before
    assert query(db_path, "SELECT batch_id, outcome FROM batches ORDER BY 1") == [
        (first.batch_id, "success"),
        (result.batch_id, "aborted"),
    ]


@pytest.mark.parametrize(
    "bad_in_first_1000, stops",
    [(900, True), (899, False)],
    ids=["90-percent-stops", "just-under-loads"],
)
def test_the_line_is_90_percent_of_the_first_1000_rows(
    tmp_path: Path, db_path: Path, bad_in_first_1000: int, stops: bool
):
    bad = set(range(1, bad_in_first_1000 + 1))  # rows 1001..1200 are all good
    path = write_rows(tmp_path / "p.csv", PETITION_COLUMNS, _rows(1_200, bad))
    result = load_file(db_path, "petitions", path)
    assert result.aborted is stops
    if stops:
        # Examined rows that passed are listed too, with the reason the file stopped.
        assert (result.rows_read, result.rows_rejected) == (1_000, 1_000)
        reasons = dict(query(db_path, "SELECT row_number, reason FROM rejects"))
        assert "未發現問題" in reasons[901] and "中止" in reasons[901]
        assert "受理時間：日期「" in reasons[900]
    else:
        assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (1_200, 301, 899)
        assert _batch(db_path, result.batch_id)[-1] == "partial"


def test_a_few_bad_rows_among_many_good_ones_do_not_stop(tmp_path: Path, db_path: Path):
    bad = set(range(20, 1_201, 20))  # 60 of 1,200, spread through the file
    path = write_rows(tmp_path / "p.csv", PETITION_COLUMNS, _rows(1_200, bad))
    result = load_file(db_path, "petitions", path)
    assert result.stop is None
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (1_200, 1_140, 60)
    assert query(db_path, "SELECT count(*) FROM petitions") == [(1_140,)]


@pytest.mark.parametrize("rows, stops", [(19, False), (20, True)])
def test_fewer_than_20_rows_are_too_few_to_call_it(tmp_path, db_path, rows: int, stops: bool):
    path = write_rows(tmp_path / "p.csv", PETITION_COLUMNS, _rows(rows, set(range(1, rows + 1))))
    result = load_file(db_path, "petitions", path)
    assert result.aborted is stops
    assert (result.rows_read, result.rows_rejected, result.rows_loaded) == (rows, rows, 0)


def test_stopping_early_can_be_turned_off(tmp_path: Path, db_path: Path):
    path = write_rows(tmp_path / "p.csv", PETITION_COLUMNS, _rows(1_200, set(range(1, 1_201))))
    result = load_file(db_path, "petitions", path, stop_early=False)
    assert result.stop is None and result.outcome == "partial"
    assert (result.rows_read, result.rows_rejected) == (1_200, 1_200)
    assert _batch(db_path, result.batch_id) == (1_200, 0, 0, 0, 1_200, "partial")


def test_another_citys_districts_stop_with_how_to_supply_a_list(tmp_path: Path, db_path: Path):
    rows = _rows(30, set(), 行政區="大安區")  # a Taipei district, no districts list given
    result = load_file(db_path, "petitions", write_rows(tmp_path / "p.csv", PETITION_COLUMNS, rows))
    assert result.aborted
    assert result.stop.rule == "無法辨識的行政區"
    assert "[districts]" in result.stop.message and "其他縣市" in result.stop.message


def test_rows_broken_by_an_unquoted_comma_stop_with_a_hint_about_quotes(tmp_path, db_path):
    path = tmp_path / "p.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(",".join(PETITION_COLUMNS) + "\n")
        for row in _rows(40, set(), 聯絡地址="高雄市鳳山區光復路二段132號"):
            cells = [row.get(c, "") for c in PETITION_COLUMNS]
            cells[PETITION_COLUMNS.index("陳情主旨")] = "路燈故障,已三天"  # not quoted
            fh.write(",".join(cells) + "\n")
    result = load_file(db_path, "petitions", path)
    assert result.aborted and result.stop.rule == "欄位數與標題列不符"
    assert "雙引號" in result.stop.message
    assert (result.rows_read, result.rows_rejected) == (40, 40)
    assert query(db_path, "SELECT count(*) FROM rejects WHERE reason LIKE '欄位數%'") == [(40,)]


def test_a_survey_file_with_another_date_form_stops_and_loads_nothing(tmp_path, db_path):
    rows = [
        {"調查波次": "2025Q1", "問卷編號": f"S{i:03d}", "居住行政區": "鳳山區",
         "填答日期": _month_first(i), **{c: "4" for c in SURVEY_COLUMNS if c.startswith("Q")}}
        for i in range(1, 41)
    ]  # fmt: skip
    path = write_rows(tmp_path / "s.csv", SURVEY_COLUMNS, rows)
    result = load_file(db_path, "surveys", path)
    assert result.aborted and "填答日期" in result.stop.message
    assert query(db_path, "SELECT count(*) FROM survey_responses") == [(0,)]
    assert query(db_path, "SELECT count(*) FROM survey_answers") == [(0,)]
    assert _batch(db_path, result.batch_id) == (40, 0, 0, 0, 40, "aborted")
