"""The [pii] section of a mapping: several columns per kind, location columns dropped,
personal columns never routed into stored fields, and columns that may be missing."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from etl.load import load_file
from etl.mapping import MappingError, load_mapping, parse_mapping
from tests.template_files import MAPPINGS, PETITION_COLUMNS, petition, write_rows

HEAD = 'kind = "petitions"\nsource_system = "t"\n[fields]\ncase_id = "編號"\nreceived_at = "受理"\n'
CJK = re.compile(r"[\u4e00-\u9fff]")


def refused(text: str) -> str:
    with pytest.raises(MappingError) as info:
        parse_mapping(text, name="m.toml")
    assert CJK.search(str(info.value))
    return str(info.value)


def dump(db: Path) -> str:
    con = duckdb.connect(str(db), read_only=True)
    tables = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()]
    text = "\n".join(str(r) for t in tables for r in con.execute(f'SELECT * FROM "{t}"').fetchall())
    con.close()
    return text


# ---------------------------------------------------------------- parsing


def test_a_pii_entry_takes_a_column_or_a_list_and_drop_takes_the_rest():
    mapping = parse_mapping(
        HEAD + '[pii]\nname = "姓名"\nphone = ["手機", "市話"]\naddress = ["街道", "門牌"]\n'
        'drop = ["緯度", "經度"]\n',
        name="m.toml",
    )
    assert mapping.pii == {
        "name": ("姓名",),
        "phone": ("手機", "市話"),
        "address": ("街道", "門牌"),
        "drop": ("緯度", "經度"),
    }
    assert mapping.personal_columns() == ["姓名", "手機", "市話", "街道", "門牌", "緯度", "經度"]
    assert mapping.source_columns() == ["編號", "受理"]  # personal columns are not required


@pytest.mark.parametrize(
    "section, phrase",
    [
        ('shoe_size = "鞋"', "shoe_size"),
        ("name = 123", "name"),
        ('address = ["街道", 5]', "address"),
        ('drop = ""', "drop"),
        ("drop = []", None),  # an empty list is allowed (nothing to drop)
    ],
    ids=["unknown-key", "number", "list-with-number", "empty-name", "empty-list"],
)
def test_a_malformed_pii_entry_is_refused_in_words(section, phrase):
    text = HEAD + "[pii]\n" + section + "\n"
    if phrase is None:
        assert parse_mapping(text, name="m.toml").pii == {"drop": ()}
        return
    message = refused(text)
    assert "[pii]" in message and phrase in message


@pytest.mark.parametrize(
    "field_line, column, field",
    [
        ('unit = "陳情人姓名"', "陳情人姓名", "unit"),
        ('subject = "緯度"', "緯度", "subject"),
        ('category = { column = "手機", codes = { "1" = "x" } }', "手機", "category"),
        ('closed_at = { date = "受理", time = "門牌" }', "門牌", "closed_at"),
    ],
    ids=["name-into-unit", "coordinate-into-subject", "phone-with-codes", "time-column"],
)
def test_a_personal_column_routed_into_a_stored_field_is_refused(field_line, column, field):
    message = refused(
        HEAD + field_line + '\n[pii]\nname = "陳情人姓名"\nphone = "手機"\naddress = ["門牌"]\n'
        'drop = ["緯度"]\n'
    )
    assert f"「{column}」" in message and field in message and "[pii]" in message


def test_the_district_may_be_taken_from_a_personal_address_column():
    mapping = parse_mapping(
        HEAD + 'district = { address = "地址" }\n[pii]\naddress = "地址"\n', name="m.toml"
    )
    assert mapping.personal_columns() == ["地址"]


def test_every_shipped_mapping_keeps_its_personal_columns_out_of_stored_fields():
    for path in sorted(MAPPINGS.glob("*.toml")):
        mapping = load_mapping(path)  # refused at parse time otherwise
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
        assert set(mapping.personal_columns()) >= {
            c for v in doc.get("pii", {}).values() for c in ([v] if isinstance(v, str) else v)
        }


def test_extract_gives_the_first_non_empty_identifier_and_every_personal_column():
    mapping = parse_mapping(
        HEAD + '[pii]\nname = "姓名"\nphone = ["手機", "市話"]\naddress = ["街道", "門牌"]\n'
        'drop = ["緯度"]\n',
        name="m.toml",
    )
    frame = pd.DataFrame(
        {
            "編號": ["A", "B"],
            "受理": ["2025-03-05", "2025-03-05"],
            "姓名": ["王小明", ""],
            "手機": ["", "０９１２３４５６７８"],
            "市話": ["07-1234567", "07-7654321"],
            "街道": ["光復路二段", ""],
            "門牌": ["132號", ""],
        }
    )
    out = mapping.extract(frame)
    assert out["pii_phone"].tolist() == ["07-1234567", "0912345678"]
    assert out["pii_name"].tolist() == ["王小明", ""]
    assert out["pii:街道"].tolist() == ["光復路二段", ""] and "pii:緯度" not in out  # absent
    assert {"pii:手機", "pii:市話", "pii:門牌"} <= set(out.columns)


# ---------------------------------------------------------------- loading


def test_the_template_loads_without_any_pii_column_and_says_which_were_absent(db_path, tmp_path):
    # The template's comment says the [pii] columns may be left out; so they may.
    doc = tomllib.loads((MAPPINGS / "svcq_petitions.toml").read_text(encoding="utf-8"))
    personal = list(doc["pii"].values())
    columns = [c for c in PETITION_COLUMNS if c not in personal]
    path = write_rows(tmp_path / "no-pii.csv", columns, [petition("N1", "2025-03-05 09:00:00")])
    result = load_file(db_path, "petitions", path)
    assert (result.rows_loaded, result.rows_rejected) == (1, 0)
    assert result.absent_pii == personal
    comment = (MAPPINGS / "svcq_petitions.toml").read_text(encoding="utf-8")
    assert "may be left out" in comment


def test_a_partly_present_pii_section_names_only_the_absent_columns(db_path, tmp_path):
    columns = [c for c in PETITION_COLUMNS if c not in ("電子郵件", "聯絡地址")]
    path = write_rows(
        tmp_path / "some.csv",
        columns,
        [petition("S1", "2025-03-05 09:00:00", 身分證字號="A123456789")],
    )
    result = load_file(db_path, "petitions", path)
    assert result.absent_pii == ["電子郵件", "聯絡地址"]
    con = duckdb.connect(str(db_path), read_only=True)
    assert con.execute("SELECT petitioner_key IS NOT NULL FROM petitions").fetchall() == [(True,)]
    con.close()


LOCATION_MAPPING = """
kind = "petitions"
source_system = "geo"
[fields]
case_id = "編號"
received_at = "受理時間"
district = "行政區"
subject = "主旨"
extension_reason = "展延原因"
[pii]
name = "姓名"
address = ["街道", "門牌"]
drop = ["緯度", "經度"]
"""
LOCATION_COLUMNS = ["編號", "受理時間", "行政區", "主旨", "展延原因", "姓名", "街道", "門牌",
                    "緯度", "經度"]  # fmt: skip


def test_location_columns_are_masked_where_they_recur_and_never_stored(db_path, tmp_path):
    mapping = tmp_path / "geo.toml"
    mapping.write_text(LOCATION_MAPPING, encoding="utf-8")
    rows = [
        {"編號": "G1", "受理時間": "2025-03-05 09:00", "行政區": "鳳山區", "姓名": "張淑芬",
         "主旨": "自強新村巷口 22.613571 路燈不亮，門牌玖拾玖號之三", "展延原因": "會勘 120.358422",
         "街道": "自強新村巷", "門牌": "玖拾玖號之三", "緯度": "22.613571", "經度": "120.358422"},
        {"編號": "G2", "受理時間": "不是日期", "行政區": "鳳山區", "姓名": "張淑芬",
         "主旨": "同上", "街道": "自強新村巷", "門牌": "玖拾玖號之三",
         "緯度": "22.613571", "經度": "120.358422"},
    ]  # fmt: skip
    path = write_rows(tmp_path / "geo.csv", LOCATION_COLUMNS, rows)
    result = load_file(db_path, "petitions", path, mapping_path=mapping)
    assert (result.rows_loaded, result.rows_rejected) == (1, 1)

    text = dump(db_path)
    for needle in ("22.613571", "120.358422", "自強新村巷", "玖拾玖號之三", "張淑芬"):
        assert needle not in text, needle
    assert "路燈不亮" in text and "會勘" in text
    con = duckdb.connect(str(db_path), read_only=True)
    [(raw,)] = con.execute("SELECT raw FROM rejects").fetchall()
    con.close()
    cells = json.loads(raw)
    for column in ("街道", "門牌", "緯度", "經度", "姓名"):
        assert cells[column] == "〔已遮蔽〕", column
