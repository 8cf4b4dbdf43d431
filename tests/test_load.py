"""Loading petitions end to end: accounting, idempotence, updates, derivations, privacy."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import unicodedata
from collections import Counter

import duckdb
import pytest

from etl import pii
from etl.load import load_file
from tests.conftest import SAMPLE_DATA, TAIPEI_SAMPLE, query
from tests.template_files import PETITION_COLUMNS, petition, write_rows

GOOD = [
    petition("A1", "2025-01-24 14:00:00", 首次回覆時間="2025-02-08 10:00:00"),
    petition("A2", "2025-01-24 15:00:00", 首次回覆時間="2025-02-10 09:00:00"),
    petition("A3", "2025-01-03 09:00:00", 陳情管道="書面", 結案時間="2025-02-03 16:00:00"),
    petition(
        "A4",
        "2025-03-03 09:00:00",
        展延後期限="2025-03-20",
        展延原因="會勘",
        首次回覆時間="2025-03-18 09:00:00",
    ),
    petition(
        "A5",
        "2025-03-03 09:00:00",
        陳情管道="書面",
        限辦日期="2025-03-10",
        首次回覆時間="2025-03-12 09:00:00",
    ),
]
BAD = [
    # (row, expected phrase in the reason)
    (
        petition("B1", "2025-03-05 09:00:00", 首次回覆時間="2025-03-04 09:00:00"),
        "首次回覆時間早於受理時間",
    ),
    (petition("B2", "2025-03-05 09:00:00", 行政區="火星區"), "無法辨識的行政區「火星區」"),
    (petition("B3", "2025-03-05 09:00:00", 回覆滿意度="7"), "回覆滿意度「7」超出範圍"),
    (petition("", "2025-03-05 09:00:00"), "缺少案件編號"),
    (petition("B5", "abc"), "受理時間：日期「abc」無法解析"),
]


def test_every_row_is_accounted_for(db_path, tmp_path):
    # The duplicate of A1 comes first, so it is the one rejected (the last occurrence wins).
    duplicate = petition("A1", "2025-01-24 14:00:00", 案件類別="其他")
    rows = [duplicate, *GOOD, *[r for r, _ in BAD]]
    path = write_rows(tmp_path / "p.csv", PETITION_COLUMNS, rows)

    result = load_file(db_path, "petitions", path)

    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (11, 5, 6)
    assert (
        result.rows_read
        == result.rows_loaded + result.rows_updated + result.rows_unchanged + result.rows_rejected
    )
    stored = query(
        db_path,
        "SELECT rows_read, rows_loaded, rows_updated, rows_unchanged, rows_rejected, outcome FROM batches",
    )
    assert stored == [(11, 5, 0, 0, 6, "partial")]
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    assert query(db_path, "SELECT file_sha256 FROM batches") == [(digest,)]
    rejects = dict(query(db_path, "SELECT row_number, reason FROM rejects"))
    assert "同一檔案中案件編號重複，以第 2 列為準" in rejects[1]
    for offset, (_, phrase) in enumerate(BAD, start=7):
        assert phrase in rejects[offset], (offset, rejects[offset])
    assert query(db_path, "SELECT category FROM petitions WHERE case_id = 'A1'") == [
        ("都市建設與發展",)
    ]


def test_due_dates_working_days_and_on_time_follow_the_office_calendar(db_path, tmp_path):
    load_file(db_path, "petitions", write_rows(tmp_path / "p.csv", PETITION_COLUMNS, GOOD))
    got = {
        r[0]: r[1:]
        for r in query(
            db_path,
            "SELECT case_id, due_date, effective_due_date, reply_working_days, on_time FROM petitions",
        )
    }
    d = dt.date
    # A1/A2: received Fri 2025-01-24; 1999 = 6 working days from the next working day.
    # 01-25..02-02 are weekend, 補假 and 春節; working days 02-03(1) .. 02-07(5), then
    # Sat 02-08 is a 補行上班 day (6). Reply 02-08 = 6 days, on time; 02-10 = 7, late.
    assert got["A1"] == (d(2025, 2, 8), d(2025, 2, 8), 6, True)
    assert got["A2"] == (d(2025, 2, 8), d(2025, 2, 8), 7, False)
    # A3: 書面 = 30 calendar days: 01-03 + 30 = Sun 02-02, moved to Mon 02-03 (§48).
    # Working days 01-06..01-24 = 15, plus 02-03 = 16.
    assert got["A3"] == (d(2025, 2, 3), d(2025, 2, 3), 16, True)
    # A4: due Tue 03-11 (03-04..03-07, 03-10, 03-11) but extended to 03-20: reply 03-18 is on time.
    assert got["A4"] == (d(2025, 3, 11), d(2025, 3, 20), 11, True)
    # A5: the source's own due date (03-10) wins over the policy; reply 03-12 is late.
    assert got["A5"] == (d(2025, 3, 10), d(2025, 3, 10), 7, False)


def test_loading_the_same_file_twice_changes_nothing(db_path, tmp_path):
    path = write_rows(tmp_path / "p.csv", PETITION_COLUMNS, GOOD + [r for r, _ in BAD])
    load_file(db_path, "petitions", path)
    before = query(db_path, "SELECT * FROM petitions ORDER BY case_id")

    again = load_file(db_path, "petitions", path)

    assert (again.rows_loaded, again.rows_updated, again.rows_unchanged, again.rows_rejected) == (
        0,
        0,
        5,
        5,
    )
    assert query(db_path, "SELECT * FROM petitions ORDER BY case_id") == before


def test_a_later_export_updates_cases_in_place(db_path, tmp_path):
    open_cases = [petition(f"U{i}", "2025-03-03 09:00:00") for i in range(3)]
    load_file(db_path, "petitions", write_rows(tmp_path / "v1.csv", PETITION_COLUMNS, open_cases))
    later = [
        petition(
            "U0", "2025-03-03 09:00:00", 首次回覆時間="2025-03-05 09:00:00", 案件狀態="已結案"
        ),
        petition(
            "U1", "2025-03-03 09:00:00", 首次回覆時間="2025-03-20 09:00:00", 案件狀態="已結案"
        ),
        open_cases[2],
    ]

    result = load_file(
        db_path, "petitions", write_rows(tmp_path / "v2.csv", PETITION_COLUMNS, later)
    )

    assert (result.rows_loaded, result.rows_updated, result.rows_unchanged) == (0, 2, 1)
    got = query(
        db_path,
        "SELECT case_id, is_open, on_time, reply_working_days, batch_id FROM petitions ORDER BY case_id",
    )
    # Due Tue 03-11: U0 replied on 03-05 (2 working days), U1 on 03-20 (13), U2 still open.
    assert got == [
        ("U0", False, True, 2, 2),
        ("U1", False, False, 13, 2),
        ("U2", True, None, None, 1),
    ]


def test_a_corrected_file_reloads_the_rejected_rows(db_path, tmp_path):
    bad = petition("C1", "2025-03-05 09:00:00", 行政區="火星區")
    first = load_file(
        db_path, "petitions", write_rows(tmp_path / "v1.csv", PETITION_COLUMNS, [*GOOD, bad])
    )
    assert first.rows_rejected == 1
    fixed = {**bad, "行政區": "前鎮"}

    second = load_file(
        db_path, "petitions", write_rows(tmp_path / "v2.csv", PETITION_COLUMNS, [*GOOD, fixed])
    )

    assert (second.rows_loaded, second.rows_unchanged, second.rows_rejected) == (1, 5, 0)
    assert query(db_path, "SELECT district FROM petitions WHERE case_id = 'C1'") == [("前鎮區",)]


SEEDED = {
    "name": "林測試",
    "national_id": "F123456789",
    "phone": "0987-654-321",
    "email": "pii.seed@example.tw",
    "address": "高雄市鳳山區光復路二段132號7樓",
}
NEEDLES = [
    "林測試",
    "F123456789",
    "0987-654-321",
    "0987654321",
    "pii.seed@example.tw",
    "光復路二段132號",
]


def test_personal_data_never_reaches_the_database(db_path, tmp_path):
    subject = "本人林測試（0987-654-321）反映光復路二段132號7樓前路燈故障，請回信 pii.seed@example.tw，身分證F123456789"
    cells = {
        "陳情人姓名": SEEDED["name"],
        "身分證字號": SEEDED["national_id"],
        "聯絡電話": SEEDED["phone"],
        "電子郵件": SEEDED["email"],
        "聯絡地址": SEEDED["address"],
        "陳情主旨": subject,
    }
    good = petition("P1", "2025-03-05 09:00:00", 案件子類別="控制字串甲乙丙", **cells)
    rejected = petition("P2", "2025-03-05 09:00:00", 行政區="火星區", **cells)
    load_file(
        db_path, "petitions", write_rows(tmp_path / "p.csv", PETITION_COLUMNS, [good, rejected])
    )

    # Dump every column of every table as text and search it; the control proves the search sees stored text.
    con = duckdb.connect(str(db_path), read_only=True)
    tables = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()]
    dump = "\n".join(
        str(row) for t in tables for row in con.execute(f'SELECT * FROM "{t}"').fetchall()
    )
    con.close()
    assert "控制字串甲乙丙" in dump
    for needle in NEEDLES:
        assert needle not in dump, needle
    raw = db_path.read_bytes()
    for needle in NEEDLES:
        assert needle.encode() not in raw, needle
    masked = query(db_path, "SELECT subject_masked, petitioner_key FROM petitions")[0]
    assert "路燈故障" in masked[0] and "〔" in masked[0]
    # The stored key is the keyed hash of the strongest identifier (the national ID).
    secret = pii.load_or_create_key(pii.key_path_for(db_path))
    assert masked[1] == pii.petitioner_key(secret, "id:" + SEEDED["national_id"])
    assert str(masked[1]) not in SEEDED["national_id"]


def test_the_same_petitioner_gets_the_same_key_across_loads(db_path, tmp_path):
    a = petition("K1", "2025-03-05 09:00:00", 身分證字號="F123456789")
    b = petition("K2", "2025-04-05 09:00:00", 身分證字號="f123456789")
    c = petition("K3", "2025-04-05 09:00:00", 身分證字號="F223456789")
    load_file(db_path, "petitions", write_rows(tmp_path / "1.csv", PETITION_COLUMNS, [a]))
    load_file(db_path, "petitions", write_rows(tmp_path / "2.csv", PETITION_COLUMNS, [b, c]))
    keys = dict(query(db_path, "SELECT case_id, petitioner_key FROM petitions"))
    assert keys["K1"] == keys["K2"] != keys["K3"]


def test_taipei_1999_export_loads_through_its_mapping_alone(db_path):
    result = load_file(
        db_path,
        "petitions",
        TAIPEI_SAMPLE,
        mapping_path=SAMPLE_DATA / "mappings" / "taipei_1999.toml",
    )

    # Independent count: the district is the first three characters of the address.
    with open(TAIPEI_SAMPLE, encoding="utf-8-sig", newline="") as fh:
        source = list(csv.DictReader(fh))
    expected = Counter(r["案件地址"][:3] for r in source)
    assert result.rows_read == len(source) == 13266
    assert (result.rows_loaded, result.rows_rejected) == (13266, 0)
    got = dict(query(db_path, "SELECT district, count(*) FROM petitions GROUP BY district"))
    assert got == dict(expected)
    assert query(db_path, "SELECT DISTINCT in_city, district_city FROM petitions") == [
        (False, "臺北市")
    ]
    categories = dict(query(db_path, "SELECT category, count(*) FROM petitions GROUP BY category"))
    # Text is stored NFC-normalised: this file writes one category with a CJK
    # compatibility ideograph, which becomes its unified form.
    assert categories == dict(Counter(unicodedata.normalize("NFC", r["派工項目"]) for r in source))
    addresses = {r["案件地址"] for r in source}
    assert not addresses & {r[0] for r in query(db_path, "SELECT subject_masked FROM petitions")}


@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp950", "utf-16"])
def test_the_same_records_in_another_encoding_load_identically(db_path, tmp_path, encoding):
    clean = tmp_path / "clean.duckdb"
    load_file(clean, "petitions", write_rows(tmp_path / "a.csv", PETITION_COLUMNS, GOOD))
    load_file(
        db_path,
        "petitions",
        write_rows(tmp_path / "b.csv", PETITION_COLUMNS, GOOD, encoding=encoding),
    )
    rows = "SELECT * EXCLUDE (batch_id) FROM petitions ORDER BY case_id"
    assert query(db_path, rows) == query(clean, rows)
