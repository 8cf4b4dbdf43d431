"""Column mapping files: each field form, and each mistake as a Chinese MappingError."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from etl.load import resolve_mapping
from etl.mapping import MappingError, load_mapping, parse_mapping

REPO = Path(__file__).resolve().parent.parent
MAPPINGS = REPO / "sample_data" / "mappings"
CJK = re.compile(r"[\u4e00-\u9fff]")

PETITIONS_HEAD = 'kind = "petitions"\nsource_system = "test"\n'


def _mapping_error(text: str, name: str = "m.toml") -> str:
    with pytest.raises(MappingError) as info:
        parse_mapping(text, name=name)
    message = str(info.value)
    assert CJK.search(message), message
    return message


@pytest.mark.parametrize("path", sorted(MAPPINGS.glob("*.toml")), ids=lambda p: p.stem)
def test_shipped_mappings_parse(path: Path) -> None:
    mapping = load_mapping(path)
    assert mapping.kind in ("petitions", "surveys", "phone-tests")
    assert mapping.source_system


def test_taipei_mapping_points_at_the_taipei_district_list() -> None:
    mapping = load_mapping(MAPPINGS / "taipei_1999.toml")
    assert mapping.district_lists == [(REPO / "sample_data" / "districts" / "taipei.csv")]
    assert mapping.fields["district"].address == "案件地址"


def test_every_field_form_is_extracted() -> None:
    mapping = parse_mapping(
        PETITIONS_HEAD
        + """
[fields]
case_id = "案件編號"
channel = { column = "來源", codes = { "1" = "1999", "2" = "市長信箱" } }
agency = { value = "高雄市政府" }
received_at = { date = "立案日期", time = "立案時間" }
district = { address = "案件地址" }
[pii]
name = "姓名"
phone = "電話"
""",
        name="forms.toml",
    )
    frame = pd.DataFrame(
        {
            "案件編號": [" A1 ", "Ａ２", "A3"],
            "來源": ["1", "2", "9"],
            "立案日期": ["20260430", "1150501", "20260502"],
            "立案時間": ["235842", "", " 080000 "],
            "案件地址": ["高雄市前鎮區中華五路７８９號", "", "鳳山區"],
            "姓名": ["王小明", "", "李大華"],
            "電話": ["０９１２３４５６７８", "", ""],
            "不相關": ["x", "y", "z"],
        },
        index=[5, 6, 7],
    )
    out = mapping.extract(frame)
    assert list(out.index) == [5, 6, 7]
    assert out.to_dict("list") == {
        "case_id": ["A1", "A2", "A3"],  # trimmed, full-width to half-width
        "channel": ["1999", "市長信箱", "9"],  # unknown codes pass through
        "agency": ["高雄市政府"] * 3,
        "received_at": ["20260430 235842", "1150501", "20260502 080000"],
        "district": ["高雄市前鎮區中華五路789號", "", "鳳山區"],
        "pii_name": ["王小明", "", "李大華"],
        "pii_phone": ["0912345678", "", ""],
    }


def test_source_columns_lists_every_column_once() -> None:
    mapping = parse_mapping(
        PETITIONS_HEAD
        + """
[fields]
case_id = "編號"
received_at = { date = "日期", time = "時間" }
first_reply_at = { date = "日期" }
agency = { value = "常數" }
[pii]
name = "姓名"
""",
        name="cols.toml",
    )
    # [pii] columns may be missing from a file, so they are not among the required ones.
    assert mapping.source_columns() == ["編號", "日期", "時間"]


def test_survey_items_and_answer_codes() -> None:
    mapping = parse_mapping(
        """
kind = "surveys"
source_system = "s"
[fields]
wave = "波次"
respondent_id = "編號"
[answers]
"9" = "不知道"
[[items]]
column = "Q1"
code = "ENV1"
text = "環境整潔"
dimension = "洽公環境"
""",
        name="s.toml",
    )
    assert [(i.column, i.code, i.dimension) for i in mapping.items] == [("Q1", "ENV1", "洽公環境")]
    assert mapping.answers == {"9": "不知道"}
    out = mapping.extract(pd.DataFrame({"波次": ["2025Q1"], "編號": ["1"], "Q1": ["９"]}))
    assert out["item:ENV1"].tolist() == ["9"]


def test_phone_rubric() -> None:
    mapping = load_mapping(MAPPINGS / "svcq_phone_tests.toml")
    assert sum(r.max_points for r in mapping.rubric) == 100
    assert mapping.rubric_version


RUBRIC_HEAD = """
kind = "phone-tests"
source_system = "p"
rubric_version = "v1"
[fields]
call_id = "編號"
unit = "單位"
called_at = "時間"
round = "輪次"
"""


def _rubric(*points: object) -> str:
    return "".join(
        f'[[rubric]]\ncolumn = "R{i}"\ncode = "C{i}"\ntext = "項目{i}"\ncategory = "電話禮貌"\n'
        f"max_points = {p}\n"
        for i, p in enumerate(points, start=1)
    )


SURVEY_HEAD = """
kind = "surveys"
source_system = "s"
[fields]
wave = "波次"
respondent_id = "編號"
"""

# (id, mapping text, a phrase the message must contain)
ERRORS = [
    ("bad-toml", 'kind = "petitions\n', "TOML"),
    ("unknown-kind", 'kind = "complaints"\nsource_system = "x"\n', "kind"),
    ("missing-kind", 'source_system = "x"\n', "kind"),
    (
        "missing-source-system",
        'kind = "petitions"\n[fields]\ncase_id = "a"\nreceived_at = "b"\n',
        "source_system",
    ),
    (
        "blank-source-system",
        'kind = "petitions"\nsource_system = "  "\n[fields]\ncase_id = "a"\nreceived_at = "b"\n',
        "source_system",
    ),
    (
        "unknown-field",
        PETITIONS_HEAD + '[fields]\ncase_id = "a"\nreceived_at = "b"\nmood = "c"\n',
        "mood",
    ),
    ("missing-required-field", PETITIONS_HEAD + '[fields]\ncase_id = "a"\n', "received_at"),
    ("no-fields-at-all", PETITIONS_HEAD, "case_id"),
    (
        "address-for-non-district",
        PETITIONS_HEAD + '[fields]\ncase_id = "a"\nreceived_at = "b"\nunit = { address = "c" }\n',
        "address",
    ),
    (
        "time-without-date",
        PETITIONS_HEAD
        + '[fields]\ncase_id = "a"\nreceived_at = { column = "b", time = "c" }\n',
        "time",
    ),
    (
        "time-alone",
        PETITIONS_HEAD + '[fields]\ncase_id = "a"\nreceived_at = { time = "c" }\n',
        "received_at",
    ),
    (
        "two-sources",
        PETITIONS_HEAD + '[fields]\ncase_id = "a"\nreceived_at = { column = "b", value = "c" }\n',
        "received_at",
    ),
    (
        "unknown-setting",
        PETITIONS_HEAD + '[fields]\ncase_id = { column = "a", colour = "red" }\nreceived_at = "b"\n',
        "colour",
    ),
    (
        "field-not-string-or-table",
        PETITIONS_HEAD + '[fields]\ncase_id = 5\nreceived_at = "b"\n',
        "case_id",
    ),
    (
        "unknown-pii",
        PETITIONS_HEAD + '[fields]\ncase_id = "a"\nreceived_at = "b"\n[pii]\nshoe_size = "c"\n',
        "pii",
    ),
    (
        "survey-blank-dimension",
        SURVEY_HEAD + '[[items]]\ncolumn = "Q1"\ncode = "X"\ntext = "t"\ndimension = " "\n',
        "dimension 不可空白",
    ),
    (
        "survey-repeated-item-code",
        SURVEY_HEAD
        + '[[items]]\ncolumn = "Q1"\ncode = "X"\ntext = "t"\ndimension = "心情"\n'
        + '[[items]]\ncolumn = "Q2"\ncode = "X"\ntext = "u"\ndimension = "心情"\n',
        "題目代碼重複",
    ),
    ("survey-without-items", SURVEY_HEAD, "items"),
    (
        "survey-item-without-code",
        SURVEY_HEAD + '[[items]]\ncolumn = "Q1"\ntext = "t"\ndimension = "整體"\n',
        "code",
    ),
    ("rubric-sums-to-90", RUBRIC_HEAD + _rubric(50, 40), "90"),
    ("rubric-sums-to-110", RUBRIC_HEAD + _rubric(60, 50), "110"),
    ("rubric-points-not-a-number", RUBRIC_HEAD + _rubric('"many"'), "評分項目"),
    ("rubric-missing", RUBRIC_HEAD, "rubric"),
    ("rubric-without-version", RUBRIC_HEAD.replace('rubric_version = "v1"\n', "") + _rubric(100), "rubric_version"),
]  # fmt: skip


@pytest.mark.parametrize("text, phrase", [c[1:] for c in ERRORS], ids=[c[0] for c in ERRORS])
def test_mapping_errors_are_chinese(text: str, phrase: str) -> None:
    assert phrase in _mapping_error(text)


def test_rubric_summing_to_100_is_accepted() -> None:
    mapping = parse_mapping(RUBRIC_HEAD + _rubric(15, 85), name="ok.toml")
    assert [r.max_points for r in mapping.rubric] == [15.0, 85.0]


# Wrongly typed values in a hand-edited mapping should still give a MappingError,
# not a Python exception (and never a silently wrong mapping).
WRONG_TYPES = [
    ("codes-not-a-table", PETITIONS_HEAD + '[fields]\ncase_id = { column = "a", codes = "x" }\nreceived_at = "b"\n'),
    ("column-not-a-string", PETITIONS_HEAD + '[fields]\ncase_id = { column = 5 }\nreceived_at = "b"\n'),
    ("fields-not-a-table", PETITIONS_HEAD + "fields = 5\n"),
    ("answers-not-a-table", SURVEY_HEAD.replace("[fields]", "answers = [1]\n[fields]") + '[[items]]\ncolumn = "Q1"\ncode = "X"\ntext = "t"\ndimension = "整體"\n'),
    ("max-points-a-list", RUBRIC_HEAD + _rubric("[100]")),
    ("district-lists-a-string", PETITIONS_HEAD + '[fields]\ncase_id = "a"\nreceived_at = "b"\n[districts]\nlists = "../districts/taipei.csv"\n'),
]  # fmt: skip


@pytest.mark.parametrize("text", [c[1] for c in WRONG_TYPES], ids=[c[0] for c in WRONG_TYPES])
def test_wrongly_typed_mapping_values_are_mapping_errors(text: str) -> None:
    with pytest.raises(MappingError):
        mapping = parse_mapping(text, name="m.toml")
        mapping.check_columns(["a", "b"], "f.csv")


def test_missing_mapping_file(tmp_path: Path) -> None:
    with pytest.raises(MappingError) as info:
        load_mapping(tmp_path / "nope.toml")
    assert "nope.toml" in str(info.value) and CJK.search(str(info.value))


def test_mapping_for_another_kind_is_refused() -> None:
    with pytest.raises(MappingError) as info:
        resolve_mapping("surveys", MAPPINGS / "svcq_petitions.toml")
    assert "petitions" in str(info.value) and "surveys" in str(info.value)


def test_check_columns_names_the_missing_and_the_present_columns() -> None:
    mapping = parse_mapping(
        PETITIONS_HEAD + '[fields]\ncase_id = "案件編號"\nreceived_at = "受理時間"\n'
        'district = "行政區"\n[pii]\nname = "姓名"\n',
        name="mine.toml",
    )
    mapping.check_columns(["案件編號", "受理時間", "行政區", "姓名", "其他"], "ok.csv")
    with pytest.raises(MappingError) as info:
        mapping.check_columns(["案件編號", "受理日期", "區"], "export.csv")
    message = str(info.value)
    missing, _, present = message.partition("檔案的欄位為")
    assert "export.csv" in message and "mine.toml" in message
    for column in ("受理時間", "行政區"):
        assert column in missing
    assert "姓名" not in missing  # a [pii] column may be left out
    assert "案件編號" not in missing
    for column in ("案件編號", "受理日期", "區"):
        assert column in present


# ---------------------------------------------------------------- vectorised cleaning


@settings(max_examples=300, deadline=None, derandomize=True)
@given(
    st.lists(
        st.one_of(
            st.none(), st.text(alphabet=" \u3000\tａ１２Ａ（）鳳山區ｗ@\ufa11abc19", max_size=12)
        ),
        max_size=8,
    )
)
def test_vectorised_cleaning_matches_the_scalar_definition(cells):
    # etl.text.clean_cell is the readable definition; mapping._clean is its fast path.
    from etl.mapping import _clean
    from etl.text import clean_cell

    series = pd.Series(cells, dtype=object)
    assert _clean(series).tolist() == [clean_cell(c) for c in cells]
