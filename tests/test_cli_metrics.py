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
