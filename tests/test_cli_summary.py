"""`svcq summary` uses the one definition of the on-time rate (metrics.timeliness), with its
data-quality exclusions said aloud, not a copy of its own."""

from __future__ import annotations

from typer.testing import CliRunner

from cli.main import EXIT_OK, app
from reports.overview import EXCLUSION_LABELS
from store.vocabulary import EXCLUSION_COLUMNS
from tests.template_files import PETITION_COLUMNS, petition, write_rows

runner = CliRunner()


def test_summary_rate_excludes_a_same_minute_closure(db_path, tmp_path, monkeypatch):
    # A: closed 30 seconds after receipt (a same-minute closure: left out of the rate).
    # B: 1999 case received Mon 2025-03-03; six working days from Tue 03-04 give a due
    #    date of Tue 03-11; closed Fri 03-14, so late.
    # By hand: rate = on time 0 / counted 1 = 0.0%; one case excluded. The old summary
    # averaged on_time over both closed cases: (1 + 0) / 2 = 50%.
    rows = [
        petition("A", "2025-03-20 09:00:00", 結案時間="2025-03-20 09:00:30"),
        petition("B", "2025-03-03 09:00:00", 結案時間="2025-03-14 16:00:00"),
    ]
    path = write_rows(tmp_path / "two.csv", PETITION_COLUMNS, rows)
    assert runner.invoke(app, ["load", "petitions", str(path), "--db", str(db_path)]).exit_code == 0
    monkeypatch.setenv("COLUMNS", "300")
    result = runner.invoke(app, ["summary", "--db", str(db_path)])
    assert result.exit_code == EXIT_OK, result.output
    assert (
        "陳情 2 件，已結案或回覆 2 件；依限辦結率 0.0%（計入 1 件，依限 0 件；"
        "另 1 件不計入：受理後一分鐘內即結案 1 件）；截至 2025-03-20 處理中 0 件；"
        "涵蓋 1 區、1 個承辦單位。"
    ) in result.output
    assert "50.0%" not in result.output


def test_every_exclusion_has_words():
    assert set(EXCLUSION_LABELS) == set(EXCLUSION_COLUMNS)


def test_without_petitions_there_is_no_petition_sentence(db_path, tmp_path):
    from etl.load import load_file
    from tests.template_files import SURVEY_COLUMNS

    survey = {"調查波次": "2025Q1", "問卷編號": "R1", "填答日期": "2025-02-01", "Q13": "5"}
    load_file(db_path, "surveys", write_rows(tmp_path / "s.csv", SURVEY_COLUMNS, [survey]))
    result = runner.invoke(app, ["summary", "--db", str(db_path)])
    assert result.exit_code == EXIT_OK, result.output
    assert "滿意度問卷" in result.output and "依限辦結率" not in result.output
