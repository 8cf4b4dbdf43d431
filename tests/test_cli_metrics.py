"""`svcq metrics FAMILY`: every family answers, JSON is the function's own rows."""

from __future__ import annotations

import datetime as dt
import json

import duckdb
import pandas as pd
import pytest
from typer.testing import CliRunner

from cli.main import app
from metrics import registry
from metrics.filters import Filters

runner = CliRunner()


@pytest.mark.parametrize("family", list(registry.FAMILIES))
def test_every_family_answers_from_the_command_line(sample_db, family):
    result = runner.invoke(app, ["metrics", family, "--format", "csv", "--db", str(sample_db)])
    assert result.exit_code == 0, result.output
    assert len(result.output.strip().splitlines()) >= 2  # a header and at least one row


def test_json_output_is_the_functions_rows(sample_db):
    args = ["metrics", "timeliness", "--by", "month", "--from", "2026-01-01", "--to", "2026-03-31",
            "--channel", "1999", "--format", "json", "--db", str(sample_db)]  # fmt: skip
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)

    con = duckdb.connect(str(sample_db), read_only=True)
    fn = registry.functions("timeliness")["on_time_rate"]
    expected = fn(
        con, Filters(dt.date(2026, 1, 1), dt.date(2026, 3, 31), channels=("1999",)), by=("month",)
    )
    con.close()
    assert [r["month"] for r in rows] == ["2026-01", "2026-02", "2026-03"]
    got = pd.DataFrame(rows)[list(expected.columns)]
    pd.testing.assert_frame_equal(got, expected.reset_index(drop=True), check_dtype=False)


def test_roc_dates_are_accepted_for_the_period(sample_db):
    western = runner.invoke(app, ["metrics", "types", "--from", "2026-01-01", "--to", "2026-01-31",
                                  "--format", "csv", "--db", str(sample_db)])  # fmt: skip
    roc = runner.invoke(app, ["metrics", "types", "--from", "115/01/01", "--to", "115/01/31",
                              "--format", "csv", "--db", str(sample_db)])  # fmt: skip
    assert western.exit_code == roc.exit_code == 0
    assert western.output == roc.output


@pytest.mark.parametrize(
    "args, phrase",
    [
        (["metrics", "nosuch"], "沒有「nosuch」這個指標類別"),
        (["metrics", "timeliness", "--metric", "nosuch"], "沒有指標 nosuch"),
        (["metrics", "timeliness", "--by", "unit; DROP TABLE petitions"], ""),
        (["metrics", "timeliness", "--from", "abc"], "無法解析"),
        (["metrics", "timeliness", "--format", "xml"], "--format"),
    ],
    ids=["family", "metric", "by-injection", "date", "format"],
)
def test_bad_arguments_exit_2_with_a_reason(sample_db, args, phrase):
    result = runner.invoke(app, [*args, "--db", str(sample_db)])
    assert result.exit_code == 2, result.output
    assert phrase in result.output.replace("\n", "")  # rich wraps long lines
    con = duckdb.connect(str(sample_db), read_only=True)
    assert con.execute("SELECT count(*) FROM petitions").fetchall()[0][0] > 0
    con.close()


# ---------------------------------------------------------------- survey items from the CLI


def _json(args: list[str], db) -> list[dict]:
    result = runner.invoke(app, [*args, "--format", "json", "--db", str(db)])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def _sample_answers(sample_db) -> pd.DataFrame:
    con = duckdb.connect(str(sample_db), read_only=True)
    frame = con.execute(
        "SELECT a.item_code, a.score, a.answer, i.dimension "
        "FROM survey_answers a JOIN survey_items i USING (item_code)"
    ).df()
    con.close()
    return frame


def _rate(answers: pd.DataFrame, *, no_opinion_counts: bool) -> float:
    # Independent of the metric's SQL: satisfied = score 4 or 5 over the valid answers.
    valid = answers["score"].notna()
    if no_opinion_counts:
        valid |= answers["answer"].isin(["無意見", "不知道"])
    return float((answers["score"] >= 4).sum() / valid.sum())


def test_item_codes_choose_the_items_pooled(sample_db):
    rows = _json(["metrics", "satisfaction", "--item", "ENV1", "--item", "ENV2", "--by", "item"],
                 sample_db)  # fmt: skip
    answers = _sample_answers(sample_db)
    assert [r["item"] for r in rows] == ["ENV1", "ENV2"]
    for row in rows:
        mine = answers[answers["item_code"] == row["item"]]
        assert row["rate"] == pytest.approx(_rate(mine, no_opinion_counts=True))


def test_a_dimension_and_a_convention(sample_db):
    [row] = _json(["metrics", "satisfaction", "--dimension", "服務禮儀", "--by", "dimension",
                   "--convention", "substantive_only"], sample_db)  # fmt: skip
    answers = _sample_answers(sample_db)
    mine = answers[answers["dimension"] == "服務禮儀"]
    assert row["dimension"] == "服務禮儀"
    assert row["n"] == int(mine["score"].notna().sum())
    assert row["rate"] == pytest.approx(_rate(mine, no_opinion_counts=False))


def test_reliability_takes_a_dimension(sample_db):
    rows = _json(["metrics", "satisfaction", "--metric", "survey_reliability",
                  "--dimension", "服務禮儀"], sample_db)  # fmt: skip
    assert rows and {r["items"] for r in rows} == {3}  # ETQ1-3 of the template


@pytest.mark.parametrize(
    ("args", "phrase"),
    [
        (["metrics", "timeliness", "--item", "ENV1"], "on_time_rate 不接受題目（--item）"),
        (["metrics", "satisfaction", "--metric", "survey_reliability", "--convention", "taiwan"],
         "survey_reliability 不接受滿意度計算方式（--convention）"),
        (["metrics", "satisfaction", "--convention", "us"], "不支援的滿意度計算方式"),
        (["metrics", "satisfaction", "--channel", "1999"], "沒有陳情管道（--channel）"),
    ],
)  # fmt: skip
def test_options_a_metric_does_not_take_are_refused(sample_db, args, phrase):
    result = runner.invoke(app, [*args, "--db", str(sample_db)])
    assert result.exit_code == 2, result.output
    assert phrase in result.output.replace("\n", "")


# ---------------------------------------------------------------- empty results say why


@pytest.mark.parametrize(
    ("args", "phrase"),
    [
        (["metrics", "regional", "--district", "鳳三區"], "行政區「鳳三區」不在資料中；最接近的有：鳳山區"),
        (["metrics", "types", "--category", "都市建設與發屜"],
         "陳情類別「都市建設與發屜」不在資料中；最接近的有：都市建設與發展"),
        (["metrics", "satisfaction", "--item", "ENV9"], "題目代碼「ENV9」不在資料中"),
        (["metrics", "satisfaction", "--dimension", "服務禮義"], "最接近的有：服務禮儀"),
        (["metrics", "timeliness", "--by", "month", "--from", "2040-01-01"],
         "沒有符合條件的資料（期間自 2040-01-01 起）"),
    ],
)  # fmt: skip
def test_a_value_that_matches_nothing_is_named(sample_db, args, phrase):
    result = runner.invoke(app, [*args, "--db", str(sample_db)])
    assert result.exit_code == 0, result.output
    assert "注意：" in result.output and phrase in result.output.replace("\n", "")
    assert "[]" not in result.output


@pytest.mark.parametrize("typed", ["鳳山", "鳳山市", "830", "高雄市鳳山區"])
def test_a_district_by_its_short_or_former_name_or_postal_code_is_that_district(sample_db, typed):
    args = ["metrics", "timeliness", "--by", "month", "--from", "2026-01-01", "--to", "2026-03-31",
            "--district", typed, "--format", "json", "--db", str(sample_db)]  # fmt: skip
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    con = duckdb.connect(str(sample_db), read_only=True)
    fn = registry.functions("timeliness")["on_time_rate"]
    expected = fn(con, Filters(dt.date(2026, 1, 1), dt.date(2026, 3, 31), districts=("鳳山區",)),
                  by=("month",))  # fmt: skip
    con.close()
    rows = json.loads(result.stdout)
    assert len(rows) == 3 and [r["replied"] for r in rows] == list(expected["replied"])
    assert f"行政區「{typed}」視為「鳳山區」" in result.stderr.replace("\n", "")


def test_machine_formats_stay_parseable_with_the_warning_beside(sample_db):
    args = ["metrics", "timeliness", "--by", "month", "--from", "2040-01-01", "--format", "json",
            "--db", str(sample_db)]  # fmt: skip
    result = runner.invoke(app, args)
    assert result.exit_code == 0
    assert json.loads(result.stdout) == []
    assert "沒有符合條件的資料" in result.stderr


# ---------------------------------------------------------------- formula injection


def test_metric_csv_neutralises_formulas(db_path, tmp_path):
    from tests.template_files import PETITION_COLUMNS, petition, write_rows

    units = ['=HYPERLINK("http://x","y")', "+SUM(1+1)", "@SUM(1)", "\r=1+2", "-1+2"]
    rows = [
        petition(f"C{i}", "2025-03-03 09:00:00", 承辦單位=unit, 結案時間="2025-03-04 10:00:00")
        for i, unit in enumerate(units)
    ]
    path = write_rows(tmp_path / "p.csv", PETITION_COLUMNS, rows)
    assert runner.invoke(app, ["load", "petitions", str(path), "--db", str(db_path)]).exit_code == 0
    result = runner.invoke(app, ["metrics", "timeliness", "--by", "unit", "--format", "csv",
                                 "--db", str(db_path)])  # fmt: skip
    assert result.exit_code == 0, result.output
    import csv
    import io

    table = list(csv.reader(io.StringIO(result.stdout, newline="")))
    at = table[0].index("unit")  # agency comes before it
    cells = [r[at] for r in table[1:]]
    # the loader trims cells, so "\r=1+2" is stored as "=1+2"
    expected = ['\'=HYPERLINK("http://x","y")', "'+SUM(1+1)", "'@SUM(1)", "'=1+2", "'-1+2"]
    assert sorted(cells) == sorted(expected)
