"""Updates in place for surveys and phone tests: child rows follow their parent."""

from __future__ import annotations

from etl.load import load_file
from tests.conftest import query
from tests.template_files import PHONE_COLUMNS, SURVEY_COLUMNS, write_rows

FULL_MARKS = {"R01": "15", "R02": "10", "R03": "10", "R04": "10", "R05": "5", "R06": "15",
              "R07": "10", "R08": "10", "R09": "5", "R10": "5", "R11": "5"}  # fmt: skip


def call(call_id: str, **points: str) -> dict:
    row = {"測試編號": call_id, "機關": "鳳山區公所", "受測單位": "民政課", "測試時間": "2025-05-06 10:00:00",
           "測試輪次": "2025-1", "測試人員": "T01"}  # fmt: skip
    return row | FULL_MARKS | points


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


def test_monthly_counts_follow_loads_and_moved_cases(db_path, tmp_path):
    import pandas as pd

    from tests.template_files import PETITION_COLUMNS, petition

    dims = ["agency", "unit", "channel", "category", "subcategory", "district", "in_city"]

    def monthly_table():
        rows = query(db_path, f"SELECT month, {', '.join(dims)}, cases FROM petition_monthly")
        return sorted(rows, key=repr)

    def counted_from_petitions():
        # Independent of the SQL: pandas over the rows themselves.
        rows = query(db_path, f"SELECT received_date, {', '.join(dims)} FROM petitions")
        frame = pd.DataFrame(rows, columns=["received_date", *dims], dtype=object)
        frame["month"] = [d.replace(day=1) for d in frame["received_date"]]
        grouped = frame.groupby(["month", *dims], dropna=False).size()
        keys = [tuple(None if pd.isna(v) else v for v in k) for k in grouped.index]
        return sorted(((*k, int(n)) for k, n in zip(keys, grouped, strict=True)), key=repr)

    def load(name, rows):
        load_file(db_path, "petitions", write_rows(tmp_path / name, PETITION_COLUMNS, rows))

    load("1.csv", [petition("A", "2025-03-05 09:00:00"), petition("B", "2025-03-06 09:00:00"),
                   petition("C", "2025-04-01 09:00:00", 行政區="")])  # fmt: skip
    assert monthly_table() == counted_from_petitions()
    assert len(monthly_table()) == 2 and sum(r[-1] for r in monthly_table()) == 3
    # A moves from March to May and to another category; nothing else in the file is in
    # March, so March must be recounted for A's old row alone.
    load("2.csv", [petition("A", "2025-05-02 09:00:00", 案件類別="其他"),
                   petition("D", "2025-06-30 23:59:00")])  # fmt: skip
    assert monthly_table() == counted_from_petitions()
    assert [r[-1] for r in monthly_table() if r[0].month == 3] == [1]  # B only
    # B changes unit within March.
    load("3.csv", [petition("B", "2025-03-06 09:00:00", 承辦單位="新工處")])
    assert monthly_table() == counted_from_petitions()
    assert [r[2] for r in monthly_table() if r[0].month == 3] == ["新工處"]
    # Reloading an unchanged file changes nothing.
    before = monthly_table()
    load("2.csv", [petition("A", "2025-05-02 09:00:00", 案件類別="其他")])
    assert monthly_table() == before
