"""The sample data generator: reproducible, realistic in the ways the metrics rely on,
and its messy variants hold the clean records.

Expected values are computed here independently of the generator's code (the ID
checksum, Cronbach's alpha, ROC date conversion) from the files it writes.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from python_calamine import CalamineWorkbook

from etl.samplegen import MAPPINGS_DIR, PLANTED_SPIKE, SampleFiles, generate
from etl.samplegen import surveys as survey_gen

REPO = Path(__file__).resolve().parent.parent
DISTRICT_CSV = REPO / "etl" / "data" / "kaohsiung_districts.csv"
SCALE = 0.02
TOP_FOUR = ("都市建設與發展", "環境與動物保護", "交通規劃與裁決", "警政與消防事務")

# Official letter values of the national ID checksum (內政部), typed from the table.
ID_LETTERS = {
    "A": 10, "B": 11, "C": 12, "D": 13, "E": 14, "F": 15, "G": 16, "H": 17, "I": 34,
    "J": 18, "K": 19, "L": 20, "M": 21, "N": 22, "O": 35, "P": 23, "Q": 24, "R": 25,
    "S": 26, "T": 27, "U": 28, "V": 29, "W": 32, "X": 30, "Y": 31, "Z": 33,
}  # fmt: skip


def valid_national_id(text: str) -> bool:
    if not re.fullmatch(r"[A-Z][12]\d{8}", text):
        return False
    value = ID_LETTERS[text[0]]
    digits = [value // 10, value % 10] + [int(c) for c in text[1:]]
    weights = [1, 9, 8, 7, 6, 5, 4, 3, 2, 1, 1]
    return sum(d * w for d, w in zip(digits, weights, strict=True)) % 10 == 0


def cronbach_alpha(scores: np.ndarray) -> float:
    """alpha = k/(k-1) * (1 - sum of item variances / variance of the total)."""
    k = scores.shape[1]
    item_var = scores.var(axis=0, ddof=1).sum()
    total_var = scores.sum(axis=1).var(ddof=1)
    return k / (k - 1) * (1 - item_var / total_var)


def read(path: Path, **kw) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, **kw)


def district_names() -> list[str]:
    with open(DISTRICT_CSV, encoding="utf-8") as fh:
        return [row["district"] for row in csv.DictReader(fh)]


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> SampleFiles:
    return generate(tmp_path_factory.mktemp("sample"), scale=SCALE)


@pytest.fixture(scope="module")
def petitions(sample: SampleFiles) -> pd.DataFrame:
    return read(sample.petitions)


# ---------------------------------------------------------------- reproducibility and layout


def test_same_inputs_give_byte_identical_files(tmp_path: Path) -> None:
    a = generate(tmp_path / "a", scale=0.004, months=6)
    b = generate(tmp_path / "b", scale=0.004, months=6)
    names_a = sorted(p.relative_to(a.out_dir) for p in a.out_dir.rglob("*") if p.is_file())
    names_b = sorted(p.relative_to(b.out_dir) for p in b.out_dir.rglob("*") if p.is_file())
    assert names_a == names_b
    assert len(names_a) == 24  # 3 clean + 13 variants + 3 sidecars + 4 mappings + manifest
    for name in names_a:
        assert (a.out_dir / name).read_bytes() == (b.out_dir / name).read_bytes(), name
    other = generate(tmp_path / "c", scale=0.004, months=6, seed=7, variants=False)
    assert other.petitions.read_bytes() != a.petitions.read_bytes()


def test_written_names_match_the_documented_layout(sample: SampleFiles) -> None:
    names = {p.name for p in sample.out_dir.iterdir() if p.is_file()}
    for stem in ("petitions", "surveys", "phone_tests"):
        for suffix in (".csv", "_big5_roc.csv", ".xlsx", "_bom_fullwidth.csv", "_bad_rows.csv",
                       "_bad_rows.expected.csv"):  # fmt: skip
            assert stem + suffix in names
    assert "petitions_legacy.csv" in names
    assert (sample.out_dir / "mappings" / "legacy_petitions.toml").exists()
    manifest = read(sample.manifest)
    assert set(manifest["file"]) == names - {"manifest.csv"} - {
        n for n in names if n.endswith(".expected.csv")
    }
    for kind, (clean, pairs) in sample.by_kind().items():
        assert clean.exists()
        assert len(pairs) == (5 if kind == "petitions" else 4)
        for variant, mapping in pairs:
            assert variant.exists() and mapping.exists()


def test_clean_headers_are_the_template_mappings_columns(sample: SampleFiles) -> None:
    def toml(name: str) -> dict:
        return tomllib.loads((MAPPINGS_DIR / name).read_text(encoding="utf-8"))

    pet = toml("svcq_petitions.toml")
    sur = toml("svcq_surveys.toml")
    tel = toml("svcq_phone_tests.toml")
    assert read(sample.petitions).columns.tolist() == [
        *pet["fields"].values(),
        *pet["pii"].values(),
    ]
    assert read(sample.surveys).columns.tolist() == [
        *sur["fields"].values(),
        *(i["column"] for i in sur["items"]),
    ]
    assert read(sample.phone_tests).columns.tolist() == [
        *tel["fields"].values(),
        *(r["column"] for r in tel["rubric"]),
    ]


def test_clean_files_are_plain_utf8_with_western_dates(sample: SampleFiles) -> None:
    raw = sample.petitions.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    frame = read(sample.petitions)
    assert frame["受理時間"].str.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d").all()
    due = frame["限辦日期"][frame["限辦日期"] != ""]
    assert len(due) > 0 and due.str.fullmatch(r"\d{4}-\d\d-\d\d").all()


# ---------------------------------------------------------------- petitions realism


def test_row_counts_scale(tmp_path: Path, petitions: pd.DataFrame) -> None:
    half = read(generate(tmp_path, scale=SCALE / 2, variants=False).petitions)
    # About 20,000 a month at scale 1 over 24 months.
    assert 0.95 * 9600 < len(petitions) < 1.05 * 9600
    assert 1.85 < len(petitions) / len(half) < 2.15
    waves = survey_gen.build(20261121, dt.date(2024, 11, 1), 24, 0.1).groupby("調查波次").size()
    assert list(waves.index) == [
        "2024Q4", "2025Q1", "2025Q2", "2025Q3", "2025Q4", "2026Q1", "2026Q2", "2026Q3",
    ]  # fmt: skip
    assert waves.between(105, 115).all()  # 1,100 x 0.1, give or take 4%


def test_every_district_appears_weighted_by_population(petitions: pd.DataFrame) -> None:
    counts = petitions["行政區"].value_counts()
    assert set(counts.index) - {""} == set(district_names())
    assert counts["鳳山區"] > 50 * counts["茂林區"]  # about 356,000 residents against 1,900
    assert 0.002 < counts[""] / len(petitions) < 0.01  # mayor-mailbox opinions without a place


def test_four_main_categories_exceed_80_percent(petitions: pd.DataFrame) -> None:
    share = petitions["案件類別"].isin(TOP_FOUR).mean()
    assert 0.8 < share < 0.92
    assert petitions["案件類別"].nunique() == 11


def test_channels_are_led_by_1999_and_the_mayors_mailbox(petitions: pd.DataFrame) -> None:
    share = petitions["陳情管道"].value_counts(normalize=True)
    assert share.index[:2].tolist() == ["1999", "市長信箱"]
    assert set(share.index) == {
        "1999",
        "市長信箱",
        "區長信箱",
        "網路",
        "電子郵件",
        "書面",
        "臨櫃",
        "電話",
        "社群",
    }


def test_planted_spike_is_the_only_hot_spot(petitions: pd.DataFrame) -> None:
    month = petitions["受理時間"].str[:7]
    counts = (
        petitions.assign(month=month)
        .groupby(["案件類別", "行政區", "month"])
        .size()
        .unstack(fill_value=0)
    )
    median = counts.median(axis=1)
    ratio = counts.div(median.clip(lower=0.5), axis=0)
    z = counts.sub(median, axis=0).div(np.sqrt(median + 1), axis=0)
    hot = (ratio >= 2.5) & (z >= 4)
    spike = (PLANTED_SPIKE.category, PLANTED_SPIKE.district)
    spike_month = PLANTED_SPIKE.month.strftime("%Y-%m")
    assert ratio.loc[spike, spike_month] >= 2.5
    assert hot.to_numpy().sum() == 1 and hot.loc[spike, spike_month]
    noise = petitions[(month == spike_month) & (petitions["行政區"] == spike[1])]
    assert (noise["案件子類別"] == "噪音").sum() > 0.5 * (noise["案件類別"] == spike[0]).sum()


def test_fewer_cases_on_weekends(petitions: pd.DataFrame) -> None:
    per_weekday = pd.to_datetime(petitions["受理時間"]).dt.day_of_week.value_counts()
    assert per_weekday[[5, 6]].max() < 0.7 * per_weekday[[1, 2, 3]].min()


def test_replies_have_a_long_tail_and_recent_cases_are_open(petitions: pd.DataFrame) -> None:
    received = pd.to_datetime(petitions["受理時間"])
    replied = pd.to_datetime(petitions["首次回覆時間"].replace("", None))
    closed = pd.to_datetime(petitions["結案時間"].replace("", None))
    days = (replied - received).dt.days.dropna()
    assert days.median() <= 7
    assert (days > 30).mean() > 0.01
    assert (replied.dropna() > received[replied.notna()]).all()
    assert (closed.dropna() >= replied[closed.notna()]).all()
    status = petitions["案件狀態"]
    assert set(status) == {"已結案", "處理中"}
    assert ((status == "已結案") == closed.notna()).all()
    is_open = replied.isna() & closed.isna()
    last_week = received >= pd.Timestamp("2026-10-25")
    assert 0.3 < is_open[last_week].mean() < 0.95
    assert 0 < is_open[received < pd.Timestamp("2026-08-01")].sum() < 0.01 * len(petitions)


def test_extensions_and_given_due_dates(petitions: pd.DataFrame) -> None:
    extended = petitions["展延後期限"] != ""
    assert 0.03 < extended.mean() < 0.07
    assert ((petitions["展延原因"] != "") == extended).all()
    given = petitions["限辦日期"] != ""
    assert (petitions.loc[given, "陳情管道"] == "書面").all()
    both = given & extended
    assert (petitions.loc[both, "展延後期限"] > petitions.loc[both, "限辦日期"]).all()
    assert (
        petitions.loc[extended, "展延後期限"] > petitions.loc[extended, "受理時間"].str[:10]
    ).all()


def test_reply_ratings_are_a_satisfied_minority(petitions: pd.DataFrame) -> None:
    rated = petitions["回覆滿意度"][petitions["回覆滿意度"] != ""].astype(int)
    assert 0.1 < len(rated) / len(petitions) < 0.2
    assert rated.between(1, 5).all()
    assert (rated >= 4).mean() > 0.6


# ---------------------------------------------------------------- personal data


def test_national_ids_carry_valid_checksums(petitions: pd.DataFrame) -> None:
    assert valid_national_id("A123456789") and not valid_national_id("A123456788")
    ids = petitions["身分證字號"][petitions["身分證字號"] != ""]
    assert len(ids) > 500
    assert all(valid_national_id(x) for x in ids)


def test_contact_details_follow_taiwan_formats(petitions: pd.DataFrame) -> None:
    phone = petitions["聯絡電話"][petitions["聯絡電話"] != ""]
    assert phone.str.fullmatch(r"09\d\d-\d{3}-\d{3}|07-\d{7}").all()
    mail = petitions["電子郵件"][petitions["電子郵件"] != ""]
    assert mail.str.fullmatch(r"[a-z.]+\d+@example\.(com|net|org)").all()
    has = petitions[(petitions["聯絡地址"] != "") & (petitions["行政區"] != "")]
    assert [d in a for d, a in zip(has["行政區"], has["聯絡地址"], strict=True)] == [True] * len(
        has
    )


def test_some_subjects_embed_the_petitioners_own_data(petitions: pd.DataFrame) -> None:
    rows = petitions.to_dict("records")

    def embeds(r: dict, column: str) -> bool:
        return r[column] != "" and r[column] in r["陳情主旨"]

    for column in ("陳情人姓名", "聯絡電話", "身分證字號", "電子郵件", "聯絡地址"):
        assert sum(embeds(r, column) for r in rows) > 20, column
    assert sum(embeds(r, "陳情人姓名") for r in rows) < 0.2 * len(rows)


def test_some_petitioners_file_repeatedly(petitions: pd.DataFrame) -> None:
    who = (
        petitions["陳情人姓名"]
        + "|"
        + petitions["身分證字號"]
        + "|"
        + petitions["電子郵件"]
        + "|"
        + petitions["聯絡電話"]
    )
    frame = petitions.assign(who=who, at=pd.to_datetime(petitions["受理時間"]))
    frame = frame[
        (frame["陳情人姓名"] != "")
        & (frame[["身分證字號", "電子郵件", "聯絡電話"]] != "").any(axis=1)
    ]
    repeats = frame[frame.duplicated("who", keep=False)]
    assert 200 < len(repeats) < 0.2 * len(frame)
    spread = repeats.groupby("who").agg(
        cats=("案件類別", "nunique"), days=("at", lambda s: (s.max() - s.min()).days)
    )
    assert (spread["cats"] == 1).all()
    assert spread["days"].median() < 40


def test_all_text_encodes_in_cp950(sample: SampleFiles) -> None:
    for path in (sample.petitions, sample.surveys, sample.phone_tests):
        path.read_text(encoding="utf-8").encode("cp950")


# ---------------------------------------------------------------- surveys and phone tests


def test_survey_reliability_and_trend(sample: SampleFiles) -> None:
    frame = read(sample.surveys)
    items = [f"Q{i:02d}" for i in range(1, 14)]
    cells = frame[items]
    assert frame.groupby("調查波次").size().min() >= 60
    assert set(np.unique(cells.to_numpy())) <= {"", "0", "1", "2", "3", "4", "5", "6", "9"}
    substantive = cells.isin(["1", "2", "3", "4", "5"])
    assert 0.02 < 1 - substantive.to_numpy().mean() < 0.05
    complete = cells[substantive.all(axis=1)].astype(int).to_numpy()
    assert 0.85 <= cronbach_alpha(complete) <= 0.94
    overall = frame.assign(
        q13=pd.to_numeric(frame["Q13"], errors="coerce").where(substantive["Q13"])
    )
    by_wave = overall.groupby("調查波次")["q13"].mean()
    slope = np.polyfit(np.arange(len(by_wave)), by_wave.to_numpy(), 1)[0]
    assert slope > 0
    assert set(frame["調查方式"]) == {"臨櫃", "電話", "網路"}
    assert set(frame["居住行政區"]) - {""} <= set(district_names())
    assert "未滿20歲" in set(frame["年齡層"])


def test_phone_tests_cover_every_unit_each_round(sample: SampleFiles) -> None:
    frame = read(sample.phone_tests)
    rubric = tomllib.loads((MAPPINGS_DIR / "svcq_phone_tests.toml").read_text(encoding="utf-8"))[
        "rubric"
    ]
    points = frame[[r["column"] for r in rubric]].astype(int)
    for r in rubric:
        assert points[r["column"]].between(0, r["max_points"]).all()
    total = points.sum(axis=1)
    assert total.between(75, 98).mean() > 0.75
    assert 0 < (total < 60).sum() < 0.1 * len(frame)
    assert set(frame["測試輪次"]) == {"2024-2", "2025-1", "2025-2", "2026-1", "2026-2"}
    per_round = frame.groupby("測試輪次")["受測單位"].nunique()
    assert (per_round == frame["受測單位"].nunique()).all()
    assert frame["測試人員"].str.fullmatch(r"T\d\d").all()
    # Some units lose transfer points every time they are called.
    transfer = frame[["R09", "R10", "R11"]].astype(int).sum(axis=1)
    by_unit = transfer.groupby(frame["受測單位"]).max()
    assert (by_unit <= 10).sum() >= 2


# ---------------------------------------------------------------- messy variants


def roc_to_western(text: str) -> str:
    """Independent ROC parser for the forms the Big5 variant writes."""
    m = re.fullmatch(r"(\d{2,3})[/.年](\d{1,2})[/.月](\d{1,2})日?(?: (\d\d:\d\d:\d\d))?", text)
    if m is None:
        m = re.fullmatch(r"(\d{3})(\d\d)(\d\d)", text)
        assert m, text
        return f"{int(m[1]) + 1911}-{m[2]}-{m[3]}"
    date = f"{int(m[1]) + 1911}-{int(m[2]):02d}-{int(m[3]):02d}"
    return f"{date} {m[4]}" if m[4] else date


def test_big5_variant_is_cp950_with_roc_dates(sample: SampleFiles) -> None:
    for clean_path, (big5, _) in [(c, pairs[0]) for c, pairs in sample.by_kind().values()]:
        raw = big5.read_bytes()
        with pytest.raises(UnicodeDecodeError):
            raw.decode("utf-8")
        messy = pd.read_csv(io.StringIO(raw.decode("cp950")), dtype=str, keep_default_na=False)
        clean = read(clean_path)
        assert messy.columns.tolist() == clean.columns.tolist()
        for column in ("受理時間", "限辦日期", "填答日期", "測試時間"):
            if column in clean:
                back = messy[column].map(lambda v: roc_to_western(v) if v else "")
                assert back.tolist() == clean[column].tolist()
    messy = pd.read_csv(
        io.StringIO(sample.petitions_variants[0][0].read_bytes().decode("cp950")), dtype=str
    )
    forms = set(messy["行政區"].dropna())
    assert {"鳳山", "高雄市鳳山區", "鳳山市", "鳳山區"} <= forms


def test_fullwidth_variant_is_the_clean_file_in_wide_digits(sample: SampleFiles) -> None:
    narrow = str.maketrans("０１２３４５６７８９", "0123456789")
    for clean_path, pairs in sample.by_kind().values():
        wide = dict(pairs)
        path = next(p for p in wide if p.name.endswith("_bom_fullwidth.csv"))
        raw = path.read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")
        text = raw[3:].decode("utf-8")
        assert "２０２５" in text
        assert text.translate(narrow) == clean_path.read_text(encoding="utf-8")


def test_xlsx_variant_mixes_real_dates_and_text(sample: SampleFiles) -> None:
    path = sample.petitions_variants[1][0]
    rows = (
        CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python(skip_empty_area=False)
    )
    clean = read(sample.petitions)
    header = list(rows[0])
    assert header == clean.columns.tolist() and len(rows) - 1 == len(clean)
    first = dict(zip(header, rows[1], strict=True))
    assert isinstance(first["受理時間"], dt.datetime)
    assert first["受理時間"].strftime("%Y-%m-%d %H:%M:%S") == clean["受理時間"][0]
    assert first["案件編號"] == clean["案件編號"][0]
    assert {type(r[header.index("首次回覆時間")]) for r in rows[1:]} <= {str}
    assert {type(r[header.index("結案時間")]) for r in rows[1:]} == {
        dt.datetime,
        str,
    }  # '' when open


def test_legacy_layout_holds_the_same_cases(sample: SampleFiles) -> None:
    path, mapping = sample.petitions_variants[3]
    legacy = read(path)
    clean = read(sample.petitions)
    doc = tomllib.loads(mapping.read_text(encoding="utf-8"))
    assert doc["source_system"] == "svcq"
    assert legacy["收文編號"].tolist() == clean["案件編號"].tolist()
    stamp = legacy["收文日期"] + legacy["收文時間"]
    as_western = pd.to_datetime(stamp, format="%Y%m%d%H%M%S").dt.strftime("%Y-%m-%d %H:%M:%S")
    assert as_western.tolist() == clean["受理時間"].tolist()
    channel_codes = doc["fields"]["channel"]["codes"]
    assert legacy["來源代碼"].map(channel_codes).tolist() == clean["陳情管道"].tolist()
    district_in_address = [
        (d in a) if d else a == "" for d, a in zip(clean["行政區"], legacy["陳情地址"], strict=True)
    ]
    assert all(district_in_address)


def test_bad_rows_are_the_clean_rows_plus_the_listed_defects(sample: SampleFiles) -> None:
    known = set(district_names())
    rubric = tomllib.loads((MAPPINGS_DIR / "svcq_phone_tests.toml").read_text(encoding="utf-8"))
    maximum = {r["column"]: r["max_points"] for r in rubric["rubric"]}
    maximum.update({f"Q{i:02d}": 5 for i in range(1, 14)}, 回覆滿意度=5)
    for clean_path, pairs in sample.by_kind().values():
        bad_path = next(p for p, _ in pairs if p.name.endswith("_bad_rows.csv"))
        expected = read(sample.bad_rows_expected[bad_path])
        lines = bad_path.read_text(encoding="utf-8").splitlines()
        clean_lines = clean_path.read_text(encoding="utf-8").splitlines()
        listed = set(expected["row_number"].astype(int))
        kept = [line for i, line in enumerate(lines[1:], start=1) if i not in listed]
        assert [lines[0], *kept] == clean_lines
        kinds = expected["defect"].nunique()
        assert kinds in (4, 5, 6)
        assert 2 * kinds <= len(listed) <= 0.03 * len(clean_lines) + 2 * kinds
        frame = read(bad_path)
        id_col = frame.columns[1] if frame.columns[0] == "調查波次" else frame.columns[0]
        for row_number, defect, column in expected[["row_number", "defect", "column"]].itertuples(
            index=False
        ):
            row = frame.iloc[int(row_number) - 1]
            if defect == "missing_id":
                assert row[id_col] == ""
            elif defect == "duplicate_id":
                later = frame.iloc[int(row_number) :]
                assert (later[id_col] == row[id_col]).any()
            elif defect == "unknown_district":
                assert row[column] not in known
            elif defect == "unparseable_date":
                with pytest.raises(ValueError):
                    dt.datetime.fromisoformat(row[column])
            elif defect == "score_out_of_range":
                assert not 0 <= int(row[column]) <= maximum[column]
            elif defect == "reply_before_receipt":
                assert row["首次回覆時間"] < row["受理時間"]
            else:
                pytest.fail(f"unexpected defect {defect}")
    petitions_expected = read(sample.bad_rows_expected[sample.petitions_variants[4][0]])
    assert set(petitions_expected["defect"]) == {
        "reply_before_receipt", "unknown_district", "score_out_of_range", "missing_id",
        "unparseable_date", "duplicate_id",
    }  # fmt: skip
