"""The svcq command line through Typer's CliRunner: help, exit codes, summaries."""

from __future__ import annotations

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from cli.main import EXIT_FAILED, EXIT_OK, EXIT_PARTIAL, app
from tests.conftest import SAMPLE_DATA, TAIPEI_SAMPLE
from tests.template_files import PETITION_COLUMNS, petition, write_rows

runner = CliRunner()


def all_commands(group, prefix=()):
    for name, command in group.commands.items():
        yield (*prefix, name), command
        if hasattr(command, "commands"):  # a group (Typer's own, not click.Group)
            yield from all_commands(command, (*prefix, name))


COMMANDS = list(all_commands(get_command(app)))


def test_the_command_list_includes_subcommands():
    assert {("load", "petitions"), ("load", "calendar"), ("metrics",)} <= dict(COMMANDS).keys()


@pytest.mark.parametrize("path", [p for p, _ in COMMANDS], ids=[" ".join(p) for p, _ in COMMANDS])
def test_every_command_has_help(path):
    command = dict(COMMANDS)[path]
    assert command.help and command.help.strip(), path
    result = runner.invoke(app, [*path, "--help"])
    assert result.exit_code == 0
    assert "Usage" in result.output


def test_a_clean_load_exits_0_and_prints_the_accounting(db_path, tmp_path):
    path = write_rows(tmp_path / "p.csv", PETITION_COLUMNS, [petition("A1", "2025-03-03 09:00:00")])
    result = runner.invoke(app, ["load", "petitions", str(path), "--db", str(db_path)])
    assert result.exit_code == EXIT_OK, result.output
    assert "讀取 1 = 新增 1 + 更新 0 + 未變更 0 + 拒絕 0" in result.output


def test_a_partial_load_exits_3_and_rejects_lists_rows_without_personal_data(db_path, tmp_path):
    rows = [
        petition("A1", "2025-03-03 09:00:00"),
        petition(
            "A2",
            "2025-03-03 09:00:00",
            行政區="火星區",
            陳情人姓名="林測試",
            聯絡電話="0987-654-321",
        ),
    ]
    path = write_rows(tmp_path / "p.csv", PETITION_COLUMNS, rows)
    result = runner.invoke(app, ["load", "petitions", str(path), "--db", str(db_path)])
    assert result.exit_code == EXIT_PARTIAL, result.output
    assert "svcq rejects 1" in result.output
    assert "無法辨識的行政區" in result.output

    listed = runner.invoke(app, ["rejects", "1", "--db", str(db_path)], terminal_width=200)
    assert listed.exit_code == 0
    assert "火星區" in listed.output and "2" in listed.output
    assert "林測試" not in listed.output and "0987-654-321" not in listed.output

    exported = tmp_path / "rejects.csv"
    runner.invoke(app, ["rejects", "1", "--csv", str(exported), "--db", str(db_path)])
    text = exported.read_text(encoding="utf-8-sig")
    assert "火星區" in text and "林測試" not in text


def test_a_file_that_cannot_load_exits_1_with_a_reason_and_changes_nothing(db_path, tmp_path):
    result = runner.invoke(app, ["load", "petitions", str(TAIPEI_SAMPLE), "--db", str(db_path)])
    assert result.exit_code == EXIT_FAILED
    output = result.output.replace("\n", "")  # Rich wraps long lines at 80 columns
    assert "缺少對照檔" in output and "案件地址" in output
    assert "資料庫未變更" in result.output
    assert not db_path.exists()


def test_the_taipei_sample_loads_with_its_mapping_from_the_command_line(db_path):
    mapping = SAMPLE_DATA / "mappings" / "taipei_1999.toml"
    result = runner.invoke(
        app, ["load", "petitions", str(TAIPEI_SAMPLE), "-m", str(mapping), "--db", str(db_path)]
    )
    assert result.exit_code == EXIT_OK, result.output
    assert "讀取 13,266 = 新增 13,266" in result.output


def test_the_db_defaults_to_the_environment_variable(tmp_path, monkeypatch):
    target = tmp_path / "env.duckdb"
    monkeypatch.setenv("SVCQ_DB", str(target))
    path = write_rows(tmp_path / "p.csv", PETITION_COLUMNS, [petition("A1", "2025-03-03 09:00:00")])
    assert runner.invoke(app, ["load", "petitions", str(path)]).exit_code == 0
    assert target.exists()
    summary = runner.invoke(app, ["summary"], terminal_width=200)
    assert summary.exit_code == 0 and "陳情 1 件" in summary.output


def test_calendar_override_from_a_dgpa_file_changes_due_dates(db_path, tmp_path):
    # Suppose the DGPA declares Wed 2025-03-05 a day off (e.g. a typhoon day added mid-year).
    dgpa = tmp_path / "dgpa.csv"
    dgpa.write_text(
        "西元日期,星期,是否放假,備註\n20250304,二,0,\n20250305,三,2,颱風停止上班\n",
        encoding="cp950",
    )
    assert runner.invoke(app, ["load", "calendar", str(dgpa), "--db", str(db_path)]).exit_code == 0
    path = write_rows(tmp_path / "p.csv", PETITION_COLUMNS, [petition("A1", "2025-03-03 09:00:00")])
    runner.invoke(app, ["load", "petitions", str(path), "--db", str(db_path)])
    import duckdb

    con = duckdb.connect(str(db_path), read_only=True)
    due = con.execute("SELECT due_date FROM petitions").fetchall()[0][0]
    con.close()
    # Working days after Mon 03-03 without 03-05: 03-04, 03-06, 03-07, 03-10, 03-11, 03-12.
    assert str(due) == "2025-03-12"


def test_a_bad_calendar_file_is_refused_in_plain_words(db_path, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("日期,放假\n20250304,0\n", encoding="utf-8")
    result = runner.invoke(app, ["load", "calendar", str(bad), "--db", str(db_path)])
    assert result.exit_code == EXIT_FAILED
    assert "不是行政機關辦公日曆表" in result.output


def test_rejects_csv_neutralises_formulas_in_raw_cells(db_path, tmp_path):
    import csv

    bad = petition("A1", "2025-03-03 09:00:00", 行政區="火星區", 承辦單位="@SUM(1)",
                   陳情主旨='=HYPERLINK("http://evil.example","點我")', 案件類別="-1+2")  # fmt: skip
    path = write_rows(tmp_path / "p.csv", PETITION_COLUMNS, [bad])
    assert runner.invoke(app, ["load", "petitions", str(path), "--db", str(db_path)]).exit_code == 3
    exported = tmp_path / "rejects.csv"
    result = runner.invoke(app, ["rejects", "1", "--csv", str(exported), "--db", str(db_path)])
    assert result.exit_code == EXIT_OK, result.output
    with open(exported, encoding="utf-8-sig", newline="") as fh:
        record = next(csv.DictReader(fh))
    assert record["承辦單位"] == "'@SUM(1)"
    assert record["陳情主旨"] == '\'=HYPERLINK("http://evil.example","點我")'
    assert record["案件類別"] == "'-1+2"
    assert record["列號"] == "1"


def test_a_wrong_mapping_stops_early_with_exit_1_and_a_hint(db_path, tmp_path):
    # every receipt written month-first with AM/PM: the template mapping cannot read one
    rows = [petition(f"S{i:03d}", f"03/{1 + i % 28:02d}/2025 10:00:00 AM") for i in range(60)]
    path = write_rows(tmp_path / "p.csv", PETITION_COLUMNS, rows)
    result = runner.invoke(app, ["load", "petitions", str(path), "--db", str(db_path)])
    assert result.exit_code == EXIT_FAILED, result.output
    text = result.output.replace("\n", "")
    assert "載入中止" in text and "format" in text and "Traceback" not in text
    listed = runner.invoke(app, ["batches", "--db", str(db_path)])
    assert "中止" in listed.output
