"""Each validation rule, end to end through ``etl.load.load_file`` on tiny template files.

Every case writes a file of good rows around one bad row and checks that the bad
row, and only it, lands in ``rejects`` with a reason in plain Chinese, that the
good rows load, and that nothing is lost: rows read = loaded + updated +
unchanged + rejected, in the result and in the ``batches`` table.

Row numbers are 1-based data rows (the header is not counted), as in the schema.
"""

from __future__ import annotations

import csv
import json
import tomllib
from pathlib import Path

import pytest

from etl.load import LoadResult, load_file
from tests.conftest import query

MAPPINGS = Path(__file__).resolve().parent.parent / "sample_data" / "mappings"


def _columns(mapping_file: str) -> list[str]:
    """The template's header, read from its mapping file with tomllib (not the code under test)."""
    doc = tomllib.loads((MAPPINGS / mapping_file).read_text(encoding="utf-8"))
    cols = [v for v in doc["fields"].values() if isinstance(v, str)]
    cols += list(doc.get("pii", {}).values())
    cols += [i["column"] for i in doc.get("items", [])]
    cols += [r["column"] for r in doc.get("rubric", [])]
    return cols


PETITION_COLUMNS = _columns("svcq_petitions.toml")
SURVEY_COLUMNS = _columns("svcq_surveys.toml")
PHONE_COLUMNS = _columns("svcq_phone_tests.toml")
ITEMS = [f"Q{i:02d}" for i in range(1, 14)]
RUBRIC_MAX = {"R01": 15, "R02": 10, "R03": 10, "R04": 10, "R05": 5, "R06": 15,
              "R07": 10, "R08": 10, "R09": 5, "R10": 5, "R11": 5}  # fmt: skip


def test_template_headers_are_what_these_tests_assume() -> None:
    for column in ("案件編號", "受理時間", "行政區", "首次回覆時間", "結案時間", "回覆滿意度"):
        assert column in PETITION_COLUMNS
    assert [c for c in SURVEY_COLUMNS if c.startswith("Q")] == ITEMS
    assert [c for c in PHONE_COLUMNS if c.startswith("R")] == list(RUBRIC_MAX)
    assert sum(RUBRIC_MAX.values()) == 100


def _write(path: Path, columns: list[str], rows: list[dict[str, str]]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns)
        writer.writeheader()
        for row in rows:
            assert not set(row) - set(columns), f"test bug: {set(row) - set(columns)}"
            writer.writerow({c: row.get(c, "") for c in columns})
    return path


def _rejects(db: Path, batch_id: int) -> list[tuple[int, str]]:
    return query(
        db,
        "SELECT row_number, reason FROM rejects WHERE batch_id = ? ORDER BY row_number",
        [batch_id],
    )


def _assert_nothing_lost(db: Path, result: LoadResult, rows_written: int) -> None:
    counts = (result.rows_loaded, result.rows_updated, result.rows_unchanged, result.rows_rejected)
    assert result.rows_read == rows_written
    assert result.rows_read == sum(counts)
    stored = query(
        db,
        "SELECT rows_read, rows_loaded, rows_updated, rows_unchanged, rows_rejected "
        "FROM batches WHERE batch_id = ?",
        [result.batch_id],
    )
    assert stored == [(result.rows_read, *counts)]
    assert len(_rejects(db, result.batch_id)) == result.rows_rejected


def _load(
    tmp_path: Path, kind: str, columns: list[str], rows: list[dict]
) -> tuple[Path, LoadResult]:
    db = tmp_path / "t.duckdb"
    path = _write(tmp_path / f"{kind}.csv", columns, rows)
    return db, load_file(db, kind, path)


# ---------------------------------------------------------------- petitions
#
# One file per kind holds the good rows and one bad row per rule, loaded once per
# module (a load costs about half a second); each rule is then its own test.

GOOD_PETITIONS = [
    {"案件編號": "G1", "行政區": "鳳山區", "受理時間": "2025-03-03 09:00",
     "首次回覆時間": "2025-03-04 10:00", "結案時間": "2025-03-05 10:00", "回覆滿意度": "5"},
    {"案件編號": "G2", "行政區": "三民區", "受理時間": "114/03/04 10:00"},
    # replied and closed in the same minute as received; label as satisfaction; old name
    {"案件編號": "G3", "行政區": "高雄縣鳳山市", "受理時間": "2025-03-05 09:00",
     "首次回覆時間": "2025-03-05 09:00", "結案時間": "2025-03-05 09:00", "回覆滿意度": "滿意"},
]  # fmt: skip


def _petition(case_id: str, **cells: str) -> dict[str, str]:
    row = {"案件編號": case_id, "行政區": "苓雅區", "受理時間": "2025-03-05 09:00"}
    row.update(cells)
    return row


# (id, the bad row, phrases its reason must contain, number of reasons)
PETITION_RULES = [
    ("reply-before-receipt", _petition("B01", 首次回覆時間="2025-03-04 10:00"), ["首次回覆時間早於受理時間"], 1),
    ("close-before-receipt", _petition("B02", 結案時間="2025-03-05 08:59"), ["結案時間早於受理時間"], 1),
    ("unknown-district", _petition("B03", 行政區="火星區"), ["無法辨識的行政區「火星區」"], 1),
    ("satisfaction-7", _petition("B04", 回覆滿意度="7"), ["回覆滿意度「7」超出範圍"], 1),
    ("satisfaction-0", _petition("B05", 回覆滿意度="0"), ["回覆滿意度「0」超出範圍"], 1),
    ("satisfaction-abc", _petition("B06", 回覆滿意度="abc"), ["回覆滿意度「abc」超出範圍"], 1),
    ("satisfaction-negative", _petition("B07", 回覆滿意度="-1"), ["回覆滿意度「-1」超出範圍"], 1),
    ("missing-case-id", _petition(""), ["缺少案件編號"], 1),
    ("missing-received", _petition("B09", 受理時間=""), ["缺少受理時間"], 1),
    ("unparseable-received", _petition("B10", 受理時間="abc"), ["受理時間", "「abc」", "無法解析"], 1),
    ("impossible-received", _petition("B11", 受理時間="1140231"), ["受理時間", "「1140231」", "不存在"], 1),
    ("received-1989", _petition("B12", 受理時間="1989-12-31"), ["受理時間", "超出合理範圍"], 1),
    ("received-hour-25", _petition("B13", 受理時間="2025-03-05 25:00"), ["受理時間", "「25:00」"], 1),
    ("unparseable-reply", _petition("B14", 首次回覆時間="明天"), ["首次回覆時間", "「明天」", "無法解析"], 1),
    ("unparseable-close", _petition("B15", 結案時間="2025/13/01"), ["結案時間", "「2025/13/01」"], 1),
    ("impossible-due-date", _petition("B16", 限辦日期="2025-02-30"), ["限辦日期", "「2025-02-30」"], 1),
    ("impossible-extension", _petition("B17", 展延後期限="1140230"), ["展延後期限", "「1140230」"], 1),
    ("every-reason-kept", _petition("", 行政區="火星區", 回覆滿意度="9"),
     ["缺少案件編號", "「火星區」", "回覆滿意度「9」"], 3),
]  # fmt: skip


def _batch(tmp_path_factory, kind: str, columns: list[str], good: list[dict], rules: list):
    """Load good[0], every rule's bad row, then the other good rows; bad rows are rows 2..n+1."""
    tmp = tmp_path_factory.mktemp(kind)
    rows = [good[0], *(rule[1] for rule in rules), *good[1:]]
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("SVCQ_KEY_FILE", raising=False)
        db, result = _load(tmp, kind, columns, rows)
    return db, result, dict(_rejects(db, result.batch_id))


@pytest.fixture(scope="module")
def petitions_batch(tmp_path_factory):
    return _batch(tmp_path_factory, "petitions", PETITION_COLUMNS, GOOD_PETITIONS, PETITION_RULES)


def _check_rule(batch, index: int, phrases: list[str], count: int) -> None:
    _, _, reasons = batch
    reason = reasons[index + 2]
    for phrase in phrases:
        assert phrase in reason
    assert len(reason.split("；")) == count, reason


@pytest.mark.parametrize(
    "index, phrases, count",
    [(i, c[2], c[3]) for i, c in enumerate(PETITION_RULES)],
    ids=[c[0] for c in PETITION_RULES],
)
def test_petition_rule(petitions_batch, index: int, phrases: list[str], count: int) -> None:
    _check_rule(petitions_batch, index, phrases, count)


def test_petition_batch_loads_the_good_rows_and_loses_nothing(petitions_batch) -> None:
    db, result, reasons = petitions_batch
    n_bad = len(PETITION_RULES)
    _assert_nothing_lost(db, result, n_bad + len(GOOD_PETITIONS))
    assert (result.rows_loaded, result.rows_rejected) == (len(GOOD_PETITIONS), n_bad)
    assert sorted(reasons) == list(range(2, n_bad + 2))
    assert result.outcome == "partial"
    got = query(
        db,
        "SELECT case_id, district, in_city, CAST(received_at AS VARCHAR), reply_satisfaction, "
        "is_open FROM petitions ORDER BY case_id",
    )
    assert got == [
        ("G1", "鳳山區", True, "2025-03-03 09:00:00", 5, False),
        ("G2", "三民區", True, "2025-03-04 10:00:00", None, True),
        ("G3", "鳳山區", True, "2025-03-05 09:00:00", 4, False),
    ]


def test_key_file_is_written_beside_the_database(petitions_batch) -> None:
    db, _, _ = petitions_batch
    assert [p.name for p in db.parent.glob("*.key")] == [db.name + ".key"]


def test_duplicate_case_id_keeps_the_last_row(tmp_path: Path) -> None:
    rows = [
        GOOD_PETITIONS[0],
        _petition("DUP", 陳情主旨="第一次"),
        GOOD_PETITIONS[1],
        _petition("ＤＵＰ", 陳情主旨="第二次"),  # full-width: the same id
    ]
    db, result = _load(tmp_path, "petitions", PETITION_COLUMNS, rows)
    _assert_nothing_lost(db, result, 4)
    assert (result.rows_loaded, result.rows_rejected) == (3, 1)
    [(row_number, reason)] = _rejects(db, result.batch_id)
    assert row_number == 2
    assert "案件編號重複" in reason and "第 4 列" in reason
    assert query(db, "SELECT subject_masked FROM petitions WHERE case_id = 'DUP'") == [("第二次",)]


def test_malformed_and_blank_rows_are_rejected_not_dropped(tmp_path: Path) -> None:
    path = _write(tmp_path / "p.csv", PETITION_COLUMNS, GOOD_PETITIONS[:2])
    width = len(PETITION_COLUMNS)
    with open(path, "a", encoding="utf-8", newline="") as fh:
        fh.write("\r\n")  # row 3: blank line
        csv.writer(fh).writerow(["TOO-MANY"] + [""] * width + ["extra"])  # row 4
        csv.writer(fh).writerow(["TOO-FEW", "x"])  # row 5
        csv.writer(fh).writerow(["G9", *[""] * (width - 1)])  # row 6: right width, no date
    db = tmp_path / "t.duckdb"
    result = load_file(db, "petitions", path)
    _assert_nothing_lost(db, result, 6)
    assert (result.rows_loaded, result.rows_rejected) == (2, 4)
    reasons = dict(_rejects(db, result.batch_id))
    assert set(reasons) == {3, 4, 5, 6}
    assert reasons[3] == "空白列"
    assert f"欄位數 {width + 2}" in reasons[4] and f"{width} 欄" in reasons[4]
    assert "欄位數 2" in reasons[5]
    assert "缺少受理時間" in reasons[6]


def test_rejected_rows_keep_no_personal_data_in_clear(tmp_path: Path) -> None:
    bad = _petition(
        "BAD",
        行政區="火星區",
        陳情人姓名="王小明",
        身分證字號="A123456789",
        聯絡電話="0912-345-678",
        電子郵件="wang@example.com",
        聯絡地址="高雄市鳳山區光復路二段132號",
        陳情主旨="王小明反映：請回電0987654321或寄到lee@example.org",
    )
    db, result = _load(tmp_path, "petitions", PETITION_COLUMNS, [bad])
    [(raw,)] = query(db, "SELECT raw FROM rejects WHERE batch_id = ?", [result.batch_id])
    cells = json.loads(raw)
    assert cells["案件編號"] == "BAD" and cells["行政區"] == "火星區"
    for secret in ("王小明", "A123456789", "0912-345-678", "wang@example.com",
                   "光復路", "0987654321", "lee@example.org"):  # fmt: skip
        assert secret not in raw


def test_partial_received_date_is_rejected(tmp_path: Path) -> None:
    rows = [GOOD_PETITIONS[0], _petition("B", 受理時間="2024")]
    db, result = _load(tmp_path, "petitions", PETITION_COLUMNS, rows)
    assert result.rows_rejected == 1


def test_received_time_with_offset_does_not_crash_the_load(tmp_path: Path) -> None:
    rows = [GOOD_PETITIONS[0], _petition("B", 受理時間="2025-03-05T09:00:00+08:00")]
    db, result = _load(tmp_path, "petitions", PETITION_COLUMNS, rows)
    _assert_nothing_lost(db, result, 2)


# ---------------------------------------------------------------- surveys


def _respondent(rid: str, answer: str = "4", **cells: str) -> dict[str, str]:
    row = {"調查波次": "2025Q1", "問卷編號": rid, "居住行政區": "鳳山區", "填答日期": "114/03/01"}
    row.update({q: answer for q in ITEMS})
    row.update(cells)
    return row


GOOD_RESPONDENTS = [
    _respondent("S1", "5"),
    _respondent("S2", "4", Q01="9", Q02="", Q03="滿意", Q04="6", Q05="0", Q06="1"),
]

SURVEY_RULES = [
    ("answer-12-not-in-code-list", _respondent("B1", Q01="12"), ["Q01", "「12」", "不是有效代碼"], 1),
    ("answer-7-not-in-code-list", _respondent("B2", Q13="7"), ["Q13", "「7」"], 1),
    ("answer-text-not-a-label", _respondent("B3", Q05="很好"), ["Q05", "「很好」"], 1),
    ("missing-respondent-id", _respondent(""), ["缺少問卷編號"], 1),
    ("missing-wave", _respondent("B5", 調查波次=""), ["缺少調查波次"], 1),
    ("unknown-district", _respondent("B6", 居住行政區="火星區"), ["無法辨識的行政區「火星區」"], 1),
    ("bad-date", _respondent("B7", 填答日期="abc"), ["填答日期", "「abc」"], 1),
    ("two-bad-answers", _respondent("B8", Q02="12", Q03="x"), ["Q02", "Q03"], 2),
]  # fmt: skip


@pytest.fixture(scope="module")
def surveys_batch(tmp_path_factory):
    return _batch(tmp_path_factory, "surveys", SURVEY_COLUMNS, GOOD_RESPONDENTS, SURVEY_RULES)


@pytest.mark.parametrize(
    "index, phrases, count",
    [(i, c[2], c[3]) for i, c in enumerate(SURVEY_RULES)],
    ids=[c[0] for c in SURVEY_RULES],
)
def test_survey_rule(surveys_batch, index: int, phrases: list[str], count: int) -> None:
    _check_rule(surveys_batch, index, phrases, count)


def test_survey_batch_loads_the_good_rows_and_loses_nothing(surveys_batch) -> None:
    db, result, reasons = surveys_batch
    n_bad = len(SURVEY_RULES)
    _assert_nothing_lost(db, result, n_bad + len(GOOD_RESPONDENTS))
    assert (result.rows_loaded, result.rows_rejected) == (2, n_bad)
    assert sorted(reasons) == list(range(2, n_bad + 2))
    assert query(db, "SELECT respondent_id FROM survey_responses ORDER BY 1") == [
        ("S1",),
        ("S2",),
    ]
    # Rejected respondents leave no answers behind: 2 respondents x 13 items.
    assert query(db, "SELECT count(*) FROM survey_answers") == [(26,)]


def test_survey_answer_codes_and_labels(surveys_batch) -> None:
    db, _, _ = surveys_batch
    got = query(
        db,
        "SELECT item_code, score, answer FROM survey_answers WHERE respondent_id = 'S2' "
        "AND item_code IN ('ENV1', 'ENV2', 'ENV3', 'ETQ1', 'ETQ2', 'ETQ3', 'OVR') "
        "ORDER BY item_code",
    )
    assert got == [
        ("ENV1", None, "不知道"),  # 9
        ("ENV2", None, "未答"),  # blank
        ("ENV3", 4, "滿意"),  # the label itself
        ("ETQ1", None, "無意見"),  # 6
        ("ETQ2", None, "拒答"),  # 0
        ("ETQ3", 1, "非常不滿意"),  # 1
        ("OVR", 4, "滿意"),  # 4
    ]
    assert query(db, "SELECT DISTINCT score FROM survey_answers WHERE respondent_id = 'S1'") == [
        (5,)
    ]


def test_duplicate_respondent_keeps_the_last_row(tmp_path: Path) -> None:
    rows = [_respondent("S1", "5"), _respondent("S1", "3")]
    db, result = _load(tmp_path, "surveys", SURVEY_COLUMNS, rows)
    _assert_nothing_lost(db, result, 2)
    [(row_number, reason)] = _rejects(db, result.batch_id)
    assert row_number == 1 and "問卷編號重複" in reason and "第 2 列" in reason
    assert query(db, "SELECT DISTINCT score FROM survey_answers") == [(3,)]


# ---------------------------------------------------------------- phone tests


def _call(call_id: str, **cells: str) -> dict[str, str]:
    row = {"測試編號": call_id, "受測單位": "民政局", "測試時間": "2025-03-05 10:30",
           "測試輪次": "2025-1", "測試人員": "T01"}  # fmt: skip
    row.update({r: str(m) for r, m in RUBRIC_MAX.items()})
    row.update(cells)
    return row


GOOD_CALLS = [_call("P1"), _call("P2", R01="7.5", R06="0")]

PHONE_RULES = [
    ("points-above-max", _call("B1", R01="16"), ["評分項目 R01「16」", "0 到 15"], 1),
    ("points-negative", _call("B2", R02="-1"), ["評分項目 R02「-1」", "0 到 10"], 1),
    ("points-not-a-number", _call("B3", R03="abc"), ["評分項目 R03「abc」"], 1),
    ("points-blank", _call("B4", R11=""), ["評分項目 R11"], 1),
    ("missing-unit", _call("B5", 受測單位=""), ["缺少受測單位"], 1),
    ("missing-call-id", _call(""), ["缺少測試編號"], 1),
    ("missing-time", _call("B7", 測試時間=""), ["缺少測試時間"], 1),
    ("bad-time", _call("B8", 測試時間="下週一"), ["測試時間", "「下週一」"], 1),
    ("missing-round", _call("B9", 測試輪次=""), ["缺少測試輪次"], 1),
]  # fmt: skip


@pytest.fixture(scope="module")
def phone_batch(tmp_path_factory):
    return _batch(tmp_path_factory, "phone-tests", PHONE_COLUMNS, GOOD_CALLS, PHONE_RULES)


@pytest.mark.parametrize(
    "index, phrases, count",
    [(i, c[2], c[3]) for i, c in enumerate(PHONE_RULES)],
    ids=[c[0] for c in PHONE_RULES],
)
def test_phone_test_rule(phone_batch, index: int, phrases: list[str], count: int) -> None:
    _check_rule(phone_batch, index, phrases, count)


def test_phone_batch_loads_the_good_rows_and_loses_nothing(phone_batch) -> None:
    db, result, reasons = phone_batch
    n_bad = len(PHONE_RULES)
    _assert_nothing_lost(db, result, n_bad + len(GOOD_CALLS))
    assert (result.rows_loaded, result.rows_rejected) == (2, n_bad)
    assert sorted(reasons) == list(range(2, n_bad + 2))
    # P2 loses 7.5 of R01's 15 and all 15 of R06: 100 - 7.5 - 15 = 77.5
    assert query(db, "SELECT call_id, total_score FROM phone_tests ORDER BY 1") == [
        ("P1", 100.0),
        ("P2", 77.5),
    ]
    assert query(db, "SELECT count(*) FROM phone_test_scores") == [(22,)]
