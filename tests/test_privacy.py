"""The privacy promise, end to end: personal data seeded everywhere is found nowhere.

A petitions file in the template layout carries every kind of personal data the
product knows (names of the petitioner and of third parties, national ID numbers,
mobiles and landlines in every printed form, e-mails, house numbers in digits and
Chinese numerals, coordinates) in every column, in rows that load and in rows that
are rejected (unknown district, bad date, bad score, a case id that is a phone
number, a row one field short). It is loaded through the command line, and then
each value is searched, in each of its printed forms (with and without separators,
full-width), in:

- the database file's bytes (after the load's CHECKPOINT),
- a dump of every table and view (DuckDB may compress strings, so bytes alone
  prove nothing),
- the output of every command (load, batches, rejects, rejects --csv, summary, and
  every metric in every format, grouped by the text columns where it can be),
- every file the product wrote (database, key, lock, the rejects CSV).

A control value seeded beside them proves that each search does see stored text.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from cli.main import app
from etl.text import halfwidth
from metrics import registry
from tests.template_files import PETITION_COLUMNS, petition

pytestmark = pytest.mark.slow
runner = CliRunner()

CONTROL = "控制字串甲乙丙"  # ordinary text, stored in a coded field: every search must see it

# Every seeded personal value; each is searched in all its printed forms (see forms()).
NAMES = ["吳建國", "蔡淑芬", "李大華", "黃志明", "張簡美玲", "林雅婷"]
IDS = ["F123456789", "E246813573", "B223456781", "A812345678"]
PHONES = ["0966-777-888", "0977-888-999", "0912.345.678", "+886-7-123-4567", "(07)765-4321",
          "02 2345 6789", "0955 666 777", "037-123456"]  # fmt: skip
EMAILS = ["wu.jianguo@example.com", "lee.dahua@example.org"]
HOUSES = ["光遠路100巷5弄3號", "四維三路二號五樓", "中山一路258號7樓之3", "文山里5鄰12號"]
HOUSE_NUMBERS = ["100巷5弄3號", "二號五樓", "258號7樓", "5鄰12號"]  # what must not survive
COORDINATES = ["22.627278, 120.301435"]

FULLWIDTH = str.maketrans({chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)} | {" ": "\u3000"})


def full(text: str) -> str:
    return text.translate(FULLWIDTH)


def digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def forms(value: str) -> set[str]:
    """The printed forms a value may take: as given, without separators, full-width."""
    out = {value, value.lower(), value.upper(), re.sub(r"[\s\-.()+]", "", value)}
    return out | {full(v) for v in out}


NEEDLES = sorted(
    set().union(
        *map(forms, NAMES + IDS + EMAILS + HOUSE_NUMBERS),
        *(forms(c) for pair in COORDINATES for c in pair.split(", ")),
    )
)


def phone_digits(phone: str) -> set[str]:
    """A phone's digits as any digit run may hold them: with and without the trunk 0,
    with the 886 country code."""
    d = digits(phone)
    national = d.removeprefix("886") if d.startswith("886") else d.removeprefix("0")
    return {"0" + national, national, "886" + national}


# Phones are also searched as bare digits inside any run of digits and separators.
PHONE_DIGITS = sorted(set().union(*map(phone_digits, PHONES)))


def leaks(text: str) -> list[str]:
    """The seeded values found in a text, in any of their forms."""
    found = [n for n in NEEDLES if n in text]
    view = halfwidth(text)
    runs = {digits(r) for r in re.findall(r"[0-9][0-9\s\-.()+]*[0-9]", view)}
    found += [d for d in PHONE_DIGITS if any(d in r for r in runs)]
    return found


def byte_leaks(data: bytes) -> list[str]:
    return [n for n in NEEDLES + PHONE_DIGITS if n.encode("utf-8") in data]


# ---------------------------------------------------------------- the seeded file

SUBJECT = (
    "本人吳建國（0966-777-888，０９５５　６６６　７７７）反映：鄰居李大華長期佔用騎樓，"
    "地址四維三路二號五樓，座標22.627278, 120.301435，身分證F123456789，"
    "請回信 wu.jianguo@example.com 或 ｌｅｅ．ｄａｈｕａ＠ｅｘａｍｐｌｅ．ｏｒｇ，"
    "市話+886-7-123-4567、(07)765-4321，黃志明先生也知情"
)
EXTENSION = "會勘：蔡淑芬 0912.345.678 E246813573 光遠路100巷5弄3號，另洽02 2345 6789"
CONTACT = {
    "陳情人姓名": "吳建國",
    "身分證字號": "ｆ１２３４５６７８９",
    "聯絡電話": "0966-777-888",
    "電子郵件": "wu.jianguo@example.com",
    "聯絡地址": "高雄市鳳山區光遠路100巷5弄3號",
}
# One accepted row with personal data in every column that can hold text.
GOOD = petition(
    "OK1", "2025-03-05 09:00:00", 機關="工務局 李大華先生", 承辦單位="養護工程處 0977-888-999",
    陳情管道="1999 037-123456", 案件類別=CONTROL, 案件子類別="坑洞 蔡淑芬 E246813573",
    案件狀態="處理中 lee.dahua@example.org", 展延後期限="2025-04-30", 展延原因=EXTENSION,
    陳情主旨=SUBJECT, **CONTACT,
)  # fmt: skip
REJECTED = [
    # The audit's three reasons that quoted a raw cell.
    petition("RJ1", "2025-03-05 09:00:00", 行政區="0966-777-888 吳建國", 陳情主旨=SUBJECT, **CONTACT),
    petition("RJ2", "2025-03-05 09:00:00", 結案時間="蔡淑芬 0977-888-999", 展延原因=EXTENSION,
             陳情人姓名="林雅婷", 聯絡電話="0955 666 777"),
    petition("RJ3", "2025-03-05 09:00:00", 回覆滿意度="E246813573", 聯絡地址="中山一路258號7樓之3"),
    # A case id that is a phone number; a bad receipt date holding an e-mail and an ID.
    petition("0912345678", "2025-03-05 09:00:00", 陳情人姓名="張簡美玲"),
    petition("RJ5", "B223456781 lee.dahua@example.org", 承辦單位="文山里5鄰12號 A812345678",
             陳情主旨="張簡美玲小姐 02 2345 6789"),
]  # fmt: skip


def short_row() -> list[str]:
    """A row one field short: the subject is missing, so every personal value that
    follows shifts one column left (the name lands under 陳情主旨)."""
    row = petition("SH1", "2025-03-05 09:00:00", 陳情主旨="", **CONTACT)
    row["陳情人姓名"] = "黃志明"
    return [row.get(c, "") for c in PETITION_COLUMNS if c != "陳情主旨"]


def seeded_file(path: Path) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(PETITION_COLUMNS)
        for row in [GOOD, *REJECTED]:
            writer.writerow([row.get(c, "") for c in PETITION_COLUMNS])
        writer.writerow(short_row())
    return path


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    """The seeded file loaded through the CLI; returns (folder, db, outputs so far)."""
    folder = tmp_path_factory.mktemp("privacy")
    (folder / "input").mkdir()
    source = seeded_file(folder / "input" / "petitions.csv")
    db = folder / "data" / "svcq.duckdb"
    result = runner.invoke(
        app, ["load", "petitions", str(source), "--db", str(db)], terminal_width=200
    )
    assert result.exit_code == 3, result.output  # partial: some rows rejected
    assert "拒絕 6" in result.output, result.output
    return folder, db, {"load": result.output}


def run(*args: str) -> str:
    result = runner.invoke(app, list(args), terminal_width=300)
    text = result.output
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        text += "\n" + repr(result.exception)
    return text


# ---------------------------------------------------------------- the searches


def test_the_seeds_are_what_the_search_looks_for():
    # The search itself must find the seeded text in every form (or it proves nothing).
    assert leaks(SUBJECT) and leaks(EXTENSION)
    for value in NAMES + IDS + PHONES + EMAILS + HOUSES:
        assert leaks(value) or leaks(full(value)), value
        assert leaks(full(value)), value
    assert leaks("0966 777 888") and leaks("０９６６７７７８８８") and leaks("+886 966-777-888")
    assert not leaks("路燈不亮 2025-03-05 09:00:00 批次 1")


def test_the_database_file_holds_none_of_it(loaded):
    _, db, _ = loaded
    data = db.read_bytes()
    assert byte_leaks(data) == []


def test_no_table_or_view_holds_any_of_it(loaded):
    _, db, _ = loaded
    con = duckdb.connect(str(db), read_only=True)
    names = [r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()]
    names += [
        r[0]
        for r in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()
    ]
    # Cells joined as text, not repr(): repr escapes some characters (U+3000 → \\u3000),
    # which would hide a full-width number from the search.
    dump = "\n".join(
        f"{name}: " + "\t".join(map(str, row))
        for name in names
        for row in con.execute(f'SELECT * FROM "{name}"').fetchall()
    )  # names from DuckDB's own catalogue
    con.close()
    assert {"petitions", "rejects", "batches", "meta"} <= set(names)
    assert CONTROL in dump
    assert "反映" in dump and "會勘" in dump  # the masked texts are kept, only masked
    assert leaks(dump) == []


def test_the_rejected_rows_are_all_there_masked(loaded):
    _, db, _ = loaded
    con = duckdb.connect(str(db), read_only=True)
    rejects = con.execute(
        "SELECT row_number, reason, raw FROM rejects ORDER BY row_number"
    ).fetchall()
    con.close()
    assert [r[0] for r in rejects] == [2, 3, 4, 5, 6, 7]  # data rows, the header not counted
    reasons = " ".join(r[1] for r in rejects)
    for phrase in ("無法辨識的行政區", "結案時間", "回覆滿意度", "案件編號含有個人資料", "欄位數"):
        assert phrase in reasons
    # NOTE (merge): the raw rows are masked cell by cell by etl.load._store_rejects, which
    # another change rewrites (every cell through pii.mask_text). These assertions hold
    # on this branch and must keep holding after that merge.
    assert leaks(" ".join(r[2] for r in rejects)) == []
    assert leaks(reasons) == []


def test_no_command_prints_any_of_it(loaded):
    folder, db, outputs = loaded
    exported = folder / "exports" / "rejects.csv"
    exported.parent.mkdir(exist_ok=True)
    outputs["batches"] = run("batches", "--db", str(db))
    outputs["rejects"] = run("rejects", "1", "--db", str(db))
    outputs["rejects --csv"] = run("rejects", "1", "--csv", str(exported), "--db", str(db))
    outputs["rejects.csv"] = exported.read_text(encoding="utf-8-sig")
    outputs["summary"] = run("summary", "--db", str(db))
    for family in registry.FAMILIES:
        for name, fn in registry.functions(family).items():
            for fmt in ("table", "csv", "json"):
                outputs[f"{family} {name} {fmt}"] = run(
                    "metrics", family, "--metric", name, "--format", fmt, "--db", str(db)
                )
            if registry.accepts(fn, "by"):
                for by in ("unit", "category", "channel", "agency", "subcategory"):
                    outputs[f"{family} {name} --by {by}"] = run(
                        "metrics", family, "--metric", name, "--by", by, "--format", "csv",
                        "--db", str(db),
                    )  # fmt: skip
    # The searches see what the commands print: the control value and the masked rows.
    assert CONTROL in outputs["types type_counts --by category"]
    assert "〔姓名〕" in outputs["rejects.csv"] and "〔電話〕" in outputs["rejects.csv"]
    found = {label: leaks(text) for label, text in outputs.items()}
    assert {label: hits for label, hits in found.items() if hits} == {}


def test_no_file_the_product_wrote_holds_any_of_it(loaded):
    folder, _, _ = loaded
    written = [p for p in folder.rglob("*") if p.is_file() and p.parent.name != "input"]
    assert {p.suffix for p in written} >= {".duckdb", ".key", ".lock"}
    for path in written:
        data = path.read_bytes()
        assert byte_leaks(data) == [], path
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            continue
        assert leaks(text) == [], path
