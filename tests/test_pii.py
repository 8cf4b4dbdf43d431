"""Personal data: masking free text, the keyed petitioner hash, and its key file.

What is masked: national ID numbers, mobile and landline numbers, e-mail
addresses, street addresses (road + number), in half- or full-width forms, and
the row's own known values (name, ...). What is deliberately left alone: ordinary
complaint text, dates (2025-03-15, 113/03/15), times, case numbers that do not
start with 0 (1130315001), short numbers such as 1999. A 10-digit number starting
with 0 reads as a phone number and is masked; masking too much there is the safe
side.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from etl.pii import identity, key_path_for, load_or_create_key, mask_text, petitioner_key

# (id, text, expected)
MASKED = [
    ("national-id", "身分證 A123456789 請查", "身分證 〔身分證號〕 請查"),
    ("national-id-female", "B234567890", "〔身分證號〕"),
    ("national-id-lowercase", "a123456789", "〔身分證號〕"),
    ("national-id-fullwidth", "Ａ１２３４５６７８９", "〔身分證號〕"),
    ("mobile-dashes", "電話0912-345-678", "電話〔電話〕"),
    ("mobile-plain", "0912345678", "〔電話〕"),
    ("mobile-spaces", "手機 0912 345 678 謝謝", "手機 〔電話〕 謝謝"),
    ("mobile-fullwidth", "０９１２３４５６７８", "〔電話〕"),
    ("mobile-fullwidth-dashes", "０９１２－３４５－６７８", "〔電話〕"),
    ("landline-dash", "07-1234567", "〔電話〕"),
    ("landline-parens", "(07)123-4567", "〔電話〕"),
    ("landline-taipei", "02-2345-6789", "〔電話〕"),
    ("landline-extension", "TEL:07-1234567#123", "TEL:〔電話〕"),
    ("landline-fullwidth-parens", "（０７）１２３－４５６７", "〔電話〕"),
    ("email", "請回覆 wang.xm@example.com.tw", "請回覆 〔電子郵件〕"),
    ("email-fullwidth", "ｗａｎｇ＠ｅｘａｍｐｌｅ．ｃｏｍ", "〔電子郵件〕"),
    ("address-section-floor", "光復路二段132號5樓", "光復路〔地址〕"),
    ("address-lane-alley", "中華五路789巷3弄2號", "中華五路〔地址〕"),
    ("address-fullwidth", "中華五路７８９巷３弄２號", "中華五路〔地址〕"),
    ("address-zhi", "中正一路100之2號", "中正一路〔地址〕"),
    ("address-floor-zhi-fullwidth", "市中一路１２號３樓之１", "市中一路〔地址〕"),
    ("address-avenue", "凱旋大道1號", "凱旋大道〔地址〕"),
    ("address-street", "文化街12號", "文化街〔地址〕"),
    ("several-kinds", "A123456789 0912345678 a@b.tw", "〔身分證號〕 〔電話〕 〔電子郵件〕"),
]


# Addresses: the road stays (it is where the problem is, and no one's home); the
# section, lane, alley, number and floor that identify a home are masked.
@pytest.mark.parametrize("text, expected", [c[1:] for c in MASKED], ids=[c[0] for c in MASKED])
def test_mask_text_masks_personal_data(text: str, expected: str) -> None:
    assert mask_text(text) == expected


KEPT = [
    ("complaint", "路燈故障已三天"),
    ("iso-date", "2025-03-15 發生"),
    ("roc-date", "113/03/15 發生"),
    ("time", "時間14:05"),
    ("case-number", "案號1130315001"),
    ("hotline", "請撥1999"),
    ("count", "共3件"),
    ("not-an-id-too-short", "A12345678"),
    ("not-an-id-too-long", "A1234567890"),
    ("road-without-number", "中正路的路燈不亮"),
    ("empty", ""),
]


@pytest.mark.parametrize("text", [c[1] for c in KEPT], ids=[c[0] for c in KEPT])
def test_mask_text_leaves_ordinary_text(text: str) -> None:
    assert mask_text(text) == text


def test_leading_zero_ten_digit_number_is_masked_as_a_phone() -> None:
    # Documented choice: indistinguishable from a landline, so masked.
    assert mask_text("0113031500") == "〔電話〕"


def test_mask_text_masks_the_rows_known_values() -> None:
    assert mask_text("我是王小明，住鳳山", ("王小明",)).startswith("我是〔個資〕")
    assert mask_text("我是 王小明", (" 王小明 ",)) == "我是 〔個資〕"
    assert mask_text("ｋｅｎ說", ("ken",)) == "〔個資〕說"
    # Empty and one-character values would mask ordinary text everywhere.
    assert mask_text("王先生來電", ("王", "")) == "王先生來電"


def test_mask_text_keeps_fullwidth_punctuation() -> None:
    assert mask_text("路燈故障，已三天！（急）") == "路燈故障，已三天！（急）"


@pytest.mark.parametrize(
    "text, kept",
    [("路燈故障於中華五路789號", "路燈故障"), ("高雄市鳳山區光復路二段132號", "高雄市鳳山區")],
    ids=["complaint-words", "district"],
)
def test_address_mask_does_not_swallow_the_words_before_it(text: str, kept: str) -> None:
    masked = mask_text(text)
    assert masked.startswith(kept)
    assert "132" not in masked and "789" not in masked


@pytest.mark.parametrize("text", ["+886-912-345-678", "+886912345678", "+886 912 345 678"])
def test_international_mobile_is_masked(text: str) -> None:
    assert "345" not in mask_text(text)


def test_hyphenated_house_number_is_masked() -> None:
    assert "132" not in mask_text("光復路二段132-1號")


# ---------------------------------------------------------------- petitioner key

SECRET = bytes(range(32))
OTHER_SECRET = bytes(range(1, 33))


def key(national_id: str = "", email: str = "", phone: str = "", name: str = "") -> int | None:
    return petitioner_key(SECRET, identity(national_id, email, phone, name))


def test_key_is_stable_and_opaque() -> None:
    first = key("A123456789")
    assert first == key("A123456789")
    assert isinstance(first, int) and 0 <= first < 2**64
    assert "123456789" not in str(first)


def test_key_differs_across_secrets_and_identities() -> None:
    who = identity("A123456789", "", "", "")
    assert petitioner_key(SECRET, who) != petitioner_key(OTHER_SECRET, who)
    assert key("A123456789") != key("A123456780")
    assert key(email="a@b.tw") != key(email="c@b.tw")
    # Same characters in a different role are a different identity.
    assert key(national_id="0912345678") != key(phone="0912345678")


def test_no_identity_gives_no_key() -> None:
    assert key() is None
    assert key("  ", " ", "-", "  ") is None


def test_national_id_wins_over_everything_else() -> None:
    assert key("A123456789", "x@y.tw", "0912345678", "王小明") == key("A123456789")
    assert key("A123456789", "other@y.tw", "0987654321", "李大華") == key("A123456789")


def test_email_wins_over_phone_and_name() -> None:
    assert key(email="x@y.tw", phone="0912345678", name="王小明") == key(email="x@y.tw")
    assert key(email="x@y.tw", phone="0912345678") != key(phone="0912345678")


def test_phone_wins_over_name() -> None:
    assert key(phone="0912345678", name="王小明") == key(phone="0912345678")
    assert key(phone="0912345678", name="王小明") != key(name="王小明")


NORMALISED = [
    ("id-case", dict(national_id="a123456789"), dict(national_id="A123456789")),
    ("id-fullwidth", dict(national_id="Ａ１２３４５６７８９"), dict(national_id="A123456789")),
    ("id-spaces", dict(national_id=" A123456789 "), dict(national_id="A123456789")),
    ("email-case-space", dict(email=" Wang@Example.COM "), dict(email="wang@example.com")),
    (
        "email-fullwidth",
        dict(email="ｗａｎｇ＠ｅｘａｍｐｌｅ．ｃｏｍ"),
        dict(email="wang@example.com"),
    ),
    ("phone-dashes", dict(phone="0912-345-678"), dict(phone="0912345678")),
    ("phone-fullwidth", dict(phone="０９１２ ３４５ ６７８"), dict(phone="0912345678")),
    ("landline-parens", dict(phone="(07)123-4567"), dict(phone="071234567")),
    ("name-spaces", dict(name=" 王 小明\u3000"), dict(name="王小明")),
]


@pytest.mark.parametrize("a, b", [c[1:] for c in NORMALISED], ids=[c[0] for c in NORMALISED])
def test_key_normalises_the_identity(a: dict, b: dict) -> None:
    assert key(**a) == key(**b)


# ---------------------------------------------------------------- key file


def test_key_file_is_created_owner_only_and_reused(tmp_path: Path) -> None:
    path = tmp_path / "deeper" / "svcq.duckdb.key"
    secret = load_or_create_key(path)
    assert len(secret) >= 16
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert load_or_create_key(path) == secret
    other = load_or_create_key(tmp_path / "other.key")
    assert other != secret


def test_key_file_sits_beside_the_database(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("SVCQ_KEY_FILE", raising=False)
    db = tmp_path / "svcq.duckdb"
    assert key_path_for(db).parent == tmp_path
    assert key_path_for(db) != db
    monkeypatch.setenv("SVCQ_KEY_FILE", str(tmp_path / "elsewhere.key"))
    assert key_path_for(db) == tmp_path / "elsewhere.key"
