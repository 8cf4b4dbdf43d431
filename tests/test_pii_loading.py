"""Masking at load time: every free-text field by one rule, coded fields, record ids,
and reject reasons that quote a cell only once it is masked."""

from __future__ import annotations

import pandas as pd
import pytest

from etl import petitions, validate
from etl.load import load_file
from etl.mapping import FIELDS, FREE_TEXT
from tests.conftest import query
from tests.template_files import PETITION_COLUMNS, petition, write_rows

PERSONAL = "李大華先生 0912-345-678 A123456789 wang@example.com 光遠路100巷5弄3號"
NEEDLES = ("李大華", "0912-345-678", "A123456789", "wang@example.com", "100巷5弄3號")
# The template column of each canonical petition field (the svcq_petitions.toml names).
TEMPLATE = {
    "agency": "機關", "unit": "承辦單位", "channel": "陳情管道", "category": "案件類別",
    "subcategory": "案件子類別", "status": "案件狀態", "extension_reason": "展延原因",
    "subject": "陳情主旨",
}  # fmt: skip


def test_every_free_text_field_of_a_petition_is_masked_before_it_is_stored(db_path, tmp_path):
    free = [f for f in FREE_TEXT if f in FIELDS["petitions"]["optional"]]
    assert free == ["subject", "extension_reason"]  # the rule covers both, by one list
    assert set(petitions.MASKED_TEXT) == set(free)
    cells = {TEMPLATE[f]: f"{f}：{PERSONAL}，其餘照常" for f in free}
    row = petition("T1", "2025-03-05 09:00:00", 展延後期限="2025-04-30", **cells)
    load_file(db_path, "petitions", write_rows(tmp_path / "t.csv", PETITION_COLUMNS, [row]))
    for field in free:
        column = petitions.MASKED_TEXT[field]
        [(stored,)] = query(db_path, f"SELECT {column} FROM petitions")  # noqa: S608 (fixed list)
        assert stored.startswith(f"{field}：") and stored.endswith("其餘照常"), stored
        for needle in NEEDLES:
            assert needle not in stored, (field, needle)


def test_personal_data_typed_into_a_coded_field_is_masked(db_path, tmp_path):
    row = petition(
        "T2", "2025-03-05 09:00:00", 承辦單位="養護工程處 0912-345-678", 案件類別="王小明",
        案件狀態="處理中 wang@example.com", 機關="工務局 本人 Ken Lee", 陳情人姓名="Ken Lee",
    )  # fmt: skip
    load_file(db_path, "petitions", write_rows(tmp_path / "t.csv", PETITION_COLUMNS, [row]))
    [(unit, category, status, agency)] = query(
        db_path, "SELECT unit, category, status, agency FROM petitions"
    )
    assert unit == "養護工程處 〔電話〕"
    assert category == "〔姓名〕"
    assert status == "處理中 〔電子郵件〕"
    assert agency == "工務局 本人 〔個資〕"  # the file's own name, found inside a code


def test_ordinary_coded_values_are_left_alone(sample_db):
    # Masking must not touch the sample's units, categories and channels.
    from tests.conftest import SAMPLE_DATA

    source = pd.read_csv(SAMPLE_DATA / "petitions.csv", dtype=str, keep_default_na=False)
    stored = dict(
        (column, {r[0] for r in query(sample_db, f"SELECT DISTINCT {column} FROM petitions")})  # noqa: S608
        for column in ("unit", "category", "subcategory", "channel", "agency")
    )
    for column in stored:
        expected = set(source[TEMPLATE[column]]) - {""}
        assert stored[column] - {None} == expected, column


def test_a_case_id_holding_personal_data_rejects_the_row(db_path, tmp_path):
    rows = [petition(cid, "2025-03-05 09:00:00") for cid in ("0912345678", "A123456789", "C1")]
    result = load_file(db_path, "petitions", write_rows(tmp_path / "t.csv", PETITION_COLUMNS, rows))
    assert (result.rows_loaded, result.rows_rejected) == (1, 2)
    reasons = [r for (r,) in query(db_path, "SELECT reason FROM rejects")]
    assert all("案件編號含有個人資料" in r for r in reasons)
    assert query(db_path, "SELECT case_id FROM petitions") == [("C1",)]


# ---------------------------------------------------------------- reasons


def test_quote_masks_and_shortens_a_cell():
    assert validate.quote("0966-777-888 吳建國") == "「〔電話〕 〔姓名〕」"
    assert validate.quote("火星區") == "「火星區」"
    long = validate.quote("路" * 100)
    assert len(long) == validate.QUOTE_LIMIT + 3 and long.endswith("…」")
    assert (
        validate.mask_quotes("日期「蔡淑芬 0977-888-999」無法解析")
        == "日期「〔姓名〕 〔電話〕」無法解析"
    )


REASON_CASES = [
    ("district", {"行政區": "0966-777-888 吳建國"}, ["無法辨識的行政區「〔電話〕 〔姓名〕」"],
     ["0966", "777-888", "吳建國"]),
    ("closed-at", {"結案時間": "蔡淑芬 0977-888-999"}, ["結案時間：", "〔姓名〕 〔電話〕"],
     ["蔡淑芬", "0977", "888-999"]),
    ("satisfaction", {"回覆滿意度": "E246813573"}, ["回覆滿意度「〔身分證號〕」"], ["E246813573"]),
    ("received", {"受理時間": "wang@example.com"}, ["受理時間：", "〔電子郵件〕"], ["wang@"]),
    ("time-part", {"受理時間": "2025-03-05 王小明"}, ["受理時間："], ["王小明"]),
]  # fmt: skip


@pytest.mark.parametrize("cells, must, never", [c[1:] for c in REASON_CASES],
                         ids=[c[0] for c in REASON_CASES])  # fmt: skip
def test_a_reason_quotes_a_cell_only_masked(db_path, tmp_path, cells, must, never):
    base = petition("R1", "2025-03-05 09:00:00")
    row = {**base, **cells}
    result = load_file(
        db_path, "petitions", write_rows(tmp_path / "r.csv", PETITION_COLUMNS, [row])
    )
    assert result.rows_rejected == 1
    [(reason,)] = query(db_path, "SELECT reason FROM rejects")
    for phrase in must:
        assert phrase in reason, reason
    for needle in never:
        assert needle not in reason, reason
        assert all(needle not in text for text, _ in result.top_reasons)


def test_survey_and_phone_test_reasons_quote_only_masked_cells(tmp_path):
    from tests.template_files import PHONE_COLUMNS, SURVEY_COLUMNS

    db = tmp_path / "k.duckdb"
    survey = {"調查波次": "114上", "問卷編號": "S1", "居住行政區": "鳳山區",
              "Q01": "王小明 0912-345-678"}  # fmt: skip
    result = load_file(db, "surveys", write_rows(tmp_path / "s.csv", SURVEY_COLUMNS, [survey]))
    call = {"測試編號": "T1", "受測單位": "秘書室", "測試時間": "2025-03-05 10:00",
            "測試輪次": "1", "R01": "E246813573"}  # fmt: skip
    calls = load_file(db, "phone-tests", write_rows(tmp_path / "p.csv", PHONE_COLUMNS, [call]))
    assert result.rows_rejected == 1 and calls.rows_rejected == 1
    reasons = " ".join(r for (r,) in query(db, "SELECT reason FROM rejects"))
    assert "Q01" in reasons and "〔電話〕" in reasons and "〔身分證號〕" in reasons
    for needle in ("王小明", "0912", "E246813573"):
        assert needle not in reasons
