"""Reference-table loads: the outdated-calendar warning, the batches they record, and the
files they refuse whole."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from typer.testing import CliRunner

from cli.main import app
from etl.reference_tables import load_calendar, load_deadline_policy, load_population
from tests.conftest import query
from tests.test_calendar_official import official_files

D = dt.date
runner = CliRunner()


def write(path, text: str, encoding: str = "utf-8"):
    path.write_text(text, encoding=encoding)
    return path


def batches(db_path) -> list[tuple]:
    return query(
        db_path,
        "SELECT batch_id, kind, file_name, file_sha256, mapping, rows_read, rows_loaded, "
        "rows_updated, rows_unchanged, rows_rejected, outcome FROM batches ORDER BY batch_id",
    )


def sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ---------------------------------------------------------------- an outdated 辦公日曆表

# How the 114年 file read before the 2025 amendment (by hand from the 修正版: the added days
# back to what they were): 09-28 an ordinary Sunday, 09-29 and 10-24 working days, 10-25 an
# ordinary Saturday, 12-25 a working day.
BEFORE_AMENDMENT = {
    "20250928": "20250928,日,2,",
    "20250929": "20250929,一,0,",
    "20251024": "20251024,五,0,",
    "20251025": "20251025,六,2,",
    "20251225": "20251225,四,0,",
}


def outdated_2025_file(tmp_path):
    lines = official_files()[2025].read_text(encoding="utf-8-sig").splitlines()
    out = [BEFORE_AMENDMENT.get(line.split(",")[0], line) for line in lines]
    assert sum(a != b for a, b in zip(lines, out, strict=True)) == 5
    return write(tmp_path / "114年（修正前）.csv", "\r\n".join(out) + "\r\n", "utf-8-sig")


def test_an_outdated_calendar_names_the_weekdays_off_it_turns_into_working_days(db_path, tmp_path):
    result = load_calendar(db_path, outdated_2025_file(tmp_path))
    assert result.reverted_days == [D(2025, 9, 29), D(2025, 10, 24), D(2025, 12, 25)]
    assert result.days_changed == [D(2025, 9, 29), D(2025, 10, 24), D(2025, 12, 25)]
    # Loaded all the same (the user's file is the override), and said on the command line.
    cli = runner.invoke(
        app, ["load", "calendar", str(outdated_2025_file(tmp_path)), "--db", str(db_path)]
    )
    assert cli.exit_code == 0
    assert "警告" not in cli.output  # the calendar already says so: nothing turns back now
    assert query(
        db_path, "SELECT is_working_day, source FROM calendar WHERE day = ?", [D(2025, 9, 29)]
    ) == [(True, "dgpa")]
    # The current file turns them back into days off, and warns of nothing.
    current = load_calendar(db_path, official_files()[2025])
    assert current.reverted_days == []
    assert current.days_changed == [D(2025, 9, 29), D(2025, 10, 24), D(2025, 12, 25)]


def test_the_warning_is_printed_with_the_days(db_path, tmp_path):
    cli = runner.invoke(
        app,
        ["load", "calendar", str(outdated_2025_file(tmp_path)), "--db", str(db_path)],
        terminal_width=200,
    )
    assert cli.exit_code == 0, cli.output
    assert "警告" in cli.output and "2025-09-29、2025-10-24、2025-12-25" in cli.output


def test_weekends_and_working_days_are_not_warned_about(db_path, tmp_path):
    # A Saturday off made a 補行上班 day, and a working day confirmed: no warning.
    path = write(
        tmp_path / "c.csv", "西元日期,星期,是否放假,備註\n20250927,六,0,\n20250930,二,0,\n"
    )
    assert load_calendar(db_path, path).reverted_days == []


# ---------------------------------------------------------------- batches


def test_calendar_loads_are_recorded_in_batches(db_path, tmp_path):
    path = write(
        tmp_path / "dgpa.csv",
        # 03-04 and 03-05 exist (from the package: they change source); 2033-01-03 is new.
        "西元日期,星期,是否放假,備註\n20250304,二,0,\n20250305,三,2,颱風停止上班\n20330103,一,0,\n",
        "cp950",
    )
    first = load_calendar(db_path, path)
    second = load_calendar(db_path, path)
    assert (first.batch_id, second.batch_id) == (1, 2)
    assert batches(db_path) == [
        (1, "calendar", "dgpa.csv", sha256(path), None, 3, 1, 2, 0, 0, "success"),
        (2, "calendar", "dgpa.csv", sha256(path), None, 3, 0, 0, 3, 0, "success"),
    ]


def test_population_loads_are_recorded_in_batches(db_path, tmp_path):
    header = "district,population,as_of,source\n"
    v1 = write(
        tmp_path / "pop1.csv",
        header + "鳳山區,350000,2024-12-31,戶政\n旗山區,35000,2024-12-31,戶政\n",
    )
    v2 = write(
        tmp_path / "pop2.csv",
        header + "鳳山區,351000,2024-12-31,戶政\n旗山區,35000,2024-12-31,戶政\n",
    )
    load_population(db_path, v1)
    result = load_population(db_path, v2)
    assert (result.rows_read, result.rows_loaded, result.rows_updated, result.rows_unchanged) == (
        2, 0, 1, 1,
    )  # fmt: skip
    assert batches(db_path) == [
        (1, "population", "pop1.csv", sha256(v1), None, 2, 2, 0, 0, 0, "success"),
        (2, "population", "pop2.csv", sha256(v2), None, 2, 0, 1, 1, 0, "success"),
    ]


def test_deadline_policy_loads_are_recorded_in_batches(db_path, tmp_path):
    # Against the default policy (1999, 市長信箱, 區長信箱, 首長信箱, 網路: 6 working days;
    # default 30 calendar days): the default row identical, 1999 changed, one new rule;
    # the four other channel rules are removed.
    path = write(
        tmp_path / "policy.csv",
        "channel,category,limit_days,limit_unit,note\n"
        ",,30,calendar,預設：其他管道 30 日曆天（行政院規定上限）\n"
        "1999,,5,working,本府 1999\n"
        "網路,交通規劃與裁決,3,working,\n",
    )
    result = load_deadline_policy(db_path, path)
    assert (result.rows_loaded, result.rows_updated, result.rows_unchanged) == (1, 1, 1)
    assert result.rows_removed == 4
    assert batches(db_path) == [
        (1, "deadline-policy", "policy.csv", sha256(path), None, 3, 1, 1, 1, 0, "success")
    ]


def test_svcq_batches_lists_every_kind(db_path, tmp_path, monkeypatch):
    load_calendar(
        db_path, write(tmp_path / "c.csv", "西元日期,星期,是否放假,備註\n20250305,三,2,颱風\n")
    )
    load_population(
        db_path,
        write(tmp_path / "p.csv", "district,population,as_of,source\n鳳山區,1,2024-12-31,x\n"),
    )
    load_deadline_policy(
        db_path,
        write(tmp_path / "d.csv", "channel,category,limit_days,limit_unit\n,,30,calendar\n"),
    )
    monkeypatch.setenv("COLUMNS", "200")  # Rich's width: the table cuts long words to fit
    listed = runner.invoke(app, ["batches", "--db", str(db_path)])
    assert listed.exit_code == 0
    for kind in ("calendar", "population", "deadline-policy"):
        assert kind in listed.output


# ---------------------------------------------------------------- refused whole


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "西元日期,星期,是否放假,備註\n20250305,三,2,颱風\n20250305,三,2,颱風\n",
            "第 2 列：西元日期「20250305」重複出現",
        ),
        (
            "西元日期,星期,是否放假,備註\n20250305,二,2,颱風\n",
            "第 1 列：星期「二」與西元日期「20250305」不符",
        ),
        (
            "西元日期,星期,是否放假,備註\n20250305,三,1,\n",
            "第 1 列：是否放假「1」應為 0（上班）或 2（放假）",
        ),
        ("西元日期,星期,是否放假,備註\n2025/3/5,三,2,\n", "第 1 列：西元日期「2025/3/5」無法解析"),
        (
            "西元日期,星期,是否放假,備註\n20250304,二,0,\n20250305,三,2,颱風,多一欄\n",
            "第 2 列：有 5 個欄位",
        ),
        ("西元日期,星期,是否放假,備註\n", "沒有任何日期"),
    ],
)
def test_a_bad_calendar_file_changes_nothing(db_path, tmp_path, text, message):
    path = write(tmp_path / "bad.csv", text)
    with pytest.raises(ValueError, match=message):
        load_calendar(db_path, path)
    assert not db_path.exists()


@pytest.mark.parametrize(
    ("loader", "text", "message"),
    [
        pytest.param(
            load_deadline_policy,
            "channel,category,limit_days,limit_unit\n,,30,calendar\n1999,,6,working\n1999,,5,working\n",
            "第 3 列：與第 2 列的 channel 與 category 相同",
            id="policy",
        ),
        pytest.param(
            load_population,
            "district,population,as_of,source\n鳳山區,1,2024-12-31,x\n鳳山,2,2024-12-31,x\n",
            "第 2 列：鳳山區 在 2024-12-31 的人口與第 1 列重複",
            id="population",
        ),
    ],
)
def test_duplicate_rows_are_refused(db_path, tmp_path, loader, text, message):
    path = write(tmp_path / "dup.csv", text)
    with pytest.raises(ValueError, match=message):
        loader(db_path, path)
