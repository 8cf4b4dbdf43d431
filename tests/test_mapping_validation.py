"""A mapping file that cannot be right is refused with a plain message naming the file and
the setting, before any data is read (issue 8: nothing turned into text, no English)."""

from __future__ import annotations

import pytest

from etl.mapping import MappingError, load_mapping, parse_mapping
from tests.conftest import SAMPLE_DATA

TEMPLATE = (SAMPLE_DATA / "mappings" / "svcq_petitions.toml").read_text(encoding="utf-8")
SURVEYS = (SAMPLE_DATA / "mappings" / "svcq_surveys.toml").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("kind = \n", "第 1 行第 8 字附近有語法錯誤"),  # the value missing at the line end
        (TEMPLATE.replace('source_system = "svcq"', "source_system = { a = 1 }"),
         "source_system 應為文字"),
        (TEMPLATE + "\n[read]\nencoding = 950\n", "[read] encoding 應為文字"),
        (TEMPLATE + "\n[read]\nsheet = 1\n", "[read] sheet 應為文字"),
        (TEMPLATE.replace('name = "陳情人姓名"', "name = { column = 1 }"), "[pii] name 應為欄位名稱或欄位名稱清單"),
        (TEMPLATE.replace('channel = "陳情管道"', 'channel = { column = "陳情管道", codes = { "1" = true } }'),
         "對照檔 t.toml：欄位 channel 的 codes"),
        (TEMPLATE.replace('channel = "陳情管道"', 'channel = { column = "陳情管道", codes = { "1" = ["a"] } }'),
         "欄位 channel 的 codes"),
        (SURVEYS.replace('dimension = "洽公環境"', "dimension = { a = 1 }", 1), "第 1 個題目的 dimension 應為文字"),
        (SURVEYS.replace('"9" = "不知道"', '"9" = { a = 1 }'), "[answers] 每個代碼應對應一個文字"),
    ],
    ids=["toml-syntax", "source-system", "encoding", "sheet", "pii", "codes-bool", "codes-list",
         "item-dimension", "answers"],
)  # fmt: skip
def test_refused_with_the_setting_named(text, phrase):
    with pytest.raises(MappingError) as caught:
        parse_mapping(text, name="t.toml")
    assert phrase in str(caught.value)
    assert "t.toml" in str(caught.value)


def test_the_answers_template_has_the_code_the_test_replaces():
    assert '"9" = "不知道"' in SURVEYS and 'dimension = "洽公環境"' in SURVEYS


def test_a_mapping_saved_with_a_bom_is_read(tmp_path):
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + TEMPLATE.encode())
    assert load_mapping(path).kind == "petitions"


def test_a_big5_districts_list_is_named(tmp_path):
    (tmp_path / "other.csv").write_bytes("district,city\n中正區,臺北市\n".encode("cp950"))
    path = tmp_path / "m.toml"
    path.write_text(TEMPLATE + '\n[districts]\nlists = ["other.csv"]\n', encoding="utf-8")
    with pytest.raises(MappingError, match="對照檔 m.toml 的行政區清單 other.csv 必須以 UTF-8"):
        load_mapping(path)
