"""Mapping options real exports need: named date formats, optional columns, the export's
extraction date. Each case is a tiny file written by hand and loaded end to end."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from etl.load import load_file
from etl.mapping import MappingError, parse_mapping

HEAD = 'kind = "petitions"\nsource_system = "city-311"\n'


def _load(tmp_path, mapping_text: str, csv_text: str):
    mapping = tmp_path / "m.toml"
    mapping.write_text(HEAD + mapping_text, encoding="utf-8")
    data = tmp_path / "cases.csv"
    data.write_text(csv_text, encoding="utf-8")
    db_path = tmp_path / "db.duckdb"
    return load_file(db_path, "petitions", data, mapping_path=mapping), db_path


def _rows(db_path, sql: str):
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


MONTH_FIRST = (
    "CaseID,Opened,Closed\n"
    "1,01/01/2018 12:00:09 AM,01/02/2018 01:30:00 PM\n"
    "2,12/31/2017 11:59:59 PM,\n"
)


def test_month_first_am_pm_dates_load_with_a_named_format(tmp_path):
    fmt = '"%m/%d/%Y %I:%M:%S %p"'
    result, db_path = _load(
        tmp_path,
        f'[fields]\ncase_id = "CaseID"\nreceived_at = {{ column = "Opened", format = {fmt} }}\n'
        f'closed_at = {{ column = "Closed", format = {fmt} }}\n',
        MONTH_FIRST,
    )
    assert (result.rows_loaded, result.rows_rejected) == (2, 0)
    got = _rows(db_path, "SELECT case_id, received_at, closed_at FROM petitions ORDER BY 1")
    assert got == [
        ("1", dt.datetime(2018, 1, 1, 0, 0, 9), dt.datetime(2018, 1, 2, 13, 30)),
        ("2", dt.datetime(2017, 12, 31, 23, 59, 59), None),
    ]


def test_without_a_format_the_reason_names_the_accepted_forms(tmp_path):
    result, db_path = _load(
        tmp_path, '[fields]\ncase_id = "CaseID"\nreceived_at = "Opened"\n', MONTH_FIRST
    )
    assert result.rows_rejected == 2
    reasons = [r[0] for r in _rows(db_path, "SELECT reason FROM rejects")]
    for reason in reasons:
        assert "無法解析" in reason and "可接受的格式" in reason and "format" in reason


def test_a_value_that_does_not_fit_the_named_format_says_so(tmp_path):
    result, db_path = _load(
        tmp_path,
        '[fields]\ncase_id = "CaseID"\nreceived_at = { column = "Opened", format = "%Y-%m-%d" }\n',
        "CaseID,Opened\n1,2025-03-04\n2,03/04/2025\n",
    )
    assert (result.rows_loaded, result.rows_rejected) == (1, 1)
    (reason,) = _rows(db_path, "SELECT reason FROM rejects")[0]
    assert "不符合對照檔指定的格式 %Y-%m-%d" in reason


def test_a_date_and_time_column_pair_takes_one_format(tmp_path):
    result, db_path = _load(
        tmp_path,
        '[fields]\ncase_id = "ID"\n'
        'received_at = { date = "D", time = "T", format = "%d.%m.%Y %H%M" }\n',
        "ID,D,T\n1,04.03.2025,0905\n",
    )
    assert result.rows_loaded == 1
    assert _rows(db_path, "SELECT received_at FROM petitions") == [(dt.datetime(2025, 3, 4, 9, 5),)]


OPTIONAL = (
    '[fields]\ncase_id = "CaseID"\nreceived_at = "Opened"\n'
    'category = { column = "Category", optional = true }\n'
    'closed_at = { column = "Closed", optional = true }\n'
)


def test_one_mapping_serves_two_versions_of_an_export(tmp_path):
    new, db_path = _load(
        tmp_path, OPTIONAL, "CaseID,Opened,Category,Closed\n1,2025-03-03,路燈,2025-03-05\n"
    )
    assert new.absent_columns == []
    old, _ = _load(tmp_path, OPTIONAL, "CaseID,Opened\n2,2025-03-04\n")
    assert (old.rows_loaded, old.rows_rejected) == (1, 0)
    assert old.absent_columns == ["Category", "Closed"]
    got = _rows(db_path, "SELECT case_id, category, closed_at FROM petitions ORDER BY 1")
    assert got == [("1", "路燈", dt.datetime(2025, 3, 5)), ("2", None, None)]


def test_a_required_column_missing_still_stops_the_load(tmp_path):
    with pytest.raises(MappingError, match="缺少"):
        _load(tmp_path, OPTIONAL, "CaseID,Category\n1,路燈\n")


@pytest.mark.parametrize(
    "fields, phrase",
    [
        ('case_id = "C"\nreceived_at = { column = "R", format = "%H:%M" }', "需包含年"),
        (
            'case_id = "C"\nreceived_at = "R"\nunit = { column = "U", format = "%Y" }',
            "不是日期欄位",
        ),
        ('case_id = "C"\nreceived_at = { column = "R", optional = true }', "必要欄位"),
        (
            'case_id = "C"\nreceived_at = "R"\nunit = { column = "U", optional = "yes" }',
            "true 或 false",
        ),
    ],
    ids=["format-without-date", "format-on-text", "optional-required", "optional-not-bool"],
)
def test_wrong_options_are_refused_in_plain_words(fields, phrase):
    with pytest.raises(MappingError, match=phrase):
        parse_mapping(HEAD + "[fields]\n" + fields + "\n", name="m.toml")
