"""Updates in place for surveys and phone tests: child rows follow their parent."""

from __future__ import annotations

import duckdb

from etl.load import load_file
from tests.template_files import PHONE_COLUMNS, SURVEY_COLUMNS, write_rows

FULL_MARKS = {"R01": "15", "R02": "10", "R03": "10", "R04": "10", "R05": "5", "R06": "15",
              "R07": "10", "R08": "10", "R09": "5", "R10": "5", "R11": "5"}  # fmt: skip


def call(call_id: str, **points: str) -> dict:
    row = {"測試編號": call_id, "機關": "鳳山區公所", "受測單位": "民政課", "測試時間": "2025-05-06 10:00:00",
           "測試輪次": "2025-1", "測試人員": "T01"}  # fmt: skip
    return row | FULL_MARKS | points


def query(db, sql):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_moving_points_between_items_updates_the_call(db_path, tmp_path):
    load_file(
        db_path, "phone-tests", write_rows(tmp_path / "a.csv", PHONE_COLUMNS, [call("C1", R02="5")])
    )
    # Same total (95): 5 points move from R02 (identifies the unit) to R05 (closing).
    moved = call("C1", R05="0")
    result = load_file(
        db_path, "phone-tests", write_rows(tmp_path / "b.csv", PHONE_COLUMNS, [moved])
    )

    assert (result.rows_updated, result.rows_unchanged) == (1, 0)
    points = dict(
        query(
            db_path,
            "SELECT item_code, points FROM phone_test_scores WHERE item_code IN ('IDN', 'CLS')",
        )
    )
    assert points == {"IDN": 10.0, "CLS": 0.0}
    assert query(db_path, "SELECT total_score FROM phone_tests") == [(95.0,)]


def test_a_changed_survey_answer_replaces_that_respondents_answers(db_path, tmp_path):
    base = {
        "調查波次": "2025Q2",
        "問卷編號": "R1",
        "受訪單位": "民政課",
        "調查方式": "臨櫃",
        "居住行政區": "鳳山區",
    }
    answers = {f"Q{i:02d}": "4" for i in range(1, 14)}
    load_file(db_path, "surveys", write_rows(tmp_path / "a.csv", SURVEY_COLUMNS, [base | answers]))
    changed = base | answers | {"Q13": "9"}  # 9 = 不知道 in the template's code list
    result = load_file(
        db_path, "surveys", write_rows(tmp_path / "b.csv", SURVEY_COLUMNS, [changed])
    )

    assert (result.rows_updated, result.rows_unchanged) == (1, 0)
    assert query(db_path, "SELECT score, answer FROM survey_answers WHERE item_code = 'OVR'") == [
        (None, "不知道")
    ]
    assert query(db_path, "SELECT count(*) FROM survey_answers") == [(13,)]


def test_repeat_gaps_follow_inserts_between_cases_and_category_changes(db_path, tmp_path):
    from tests.template_files import PETITION_COLUMNS, petition

    def case(case_id, day, category="都市建設與發展"):
        return petition(
            case_id, f"2025-03-{day:02d} 09:00:00", 身分證字號="F123456789", 案件類別=category
        )

    def gaps():
        return dict(query(db_path, "SELECT case_id, repeat_gap_days FROM petitions"))

    load_file(
        db_path,
        "petitions",
        write_rows(tmp_path / "1.csv", PETITION_COLUMNS, [case("A", 1), case("C", 20)]),
    )
    assert gaps() == {"A": None, "C": 19}
    # B arrives later but was received between A and C: C's gap shrinks to 10 days.
    load_file(
        db_path, "petitions", write_rows(tmp_path / "2.csv", PETITION_COLUMNS, [case("B", 10)])
    )
    assert gaps() == {"A": None, "B": 9, "C": 10}
    # B is recategorised: it leaves the pair, so C's gap goes back to 19 and B has none.
    load_file(
        db_path,
        "petitions",
        write_rows(tmp_path / "3.csv", PETITION_COLUMNS, [case("B", 10, "其他")]),
    )
    assert gaps() == {"A": None, "B": None, "C": 19}
