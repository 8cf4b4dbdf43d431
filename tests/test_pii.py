"""Personal data: masking free text, and the keyed petitioner hash.

What is masked: national ID and resident certificate numbers, Taiwan mobile and
landline numbers (with area codes, +886 forms, separators, extensions), e-mail
addresses, coordinate pairs, house numbers (road + number, in digits or Chinese
numerals), names in the contexts docs/privacy.md lists, in half- or full-width
forms, and the row's own known values (name, ...). What is deliberately left
alone: ordinary complaint text, dates, times, decimals, amounts, case numbers,
short numbers such as 1999, and a digit run that is not a Taiwan phone form.
The key file has its own tests (tests/test_keyfile.py).
"""

from __future__ import annotations

import pytest

from etl.pii import (
    identity,
    looks_personal,
    mask_text,
    name_forms,
    petitioner_key,
    valid_national_id,
)

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
    ("resident-certificate-new", "居留證A812345678", "居留證〔身分證號〕"),
    ("resident-certificate-old", "居留證AB12345678", "居留證〔身分證號〕"),
    # Phones: every separator (- . space, dashes), parentheses, +886 forms, extensions.
    ("mobile-dots", "0912.345.678", "〔電話〕"),
    ("mobile-3-6", "0912-345678", "〔電話〕"),
    ("mobile-space-6", "0912 345678", "〔電話〕"),
    ("mobile-en-dash", "0912–345–678", "〔電話〕"),
    ("mobile-parens", "(0912)345-678", "〔電話〕"),
    ("mobile-886-no-plus", "886-912-345-678", "〔電話〕"),
    ("mobile-00886", "00886912345678", "〔電話〕"),
    ("mobile-886-parens", "(+886)912-345-678", "〔電話〕"),
    ("intl-landline-dashes", "+886-7-123-4567", "〔電話〕"),
    ("intl-landline-spaces", "+886 7 1234567", "〔電話〕"),
    ("intl-landline-trunk-zero", "+886 (0)7 123 4567", "〔電話〕"),
    ("intl-landline-taipei", "(+886)2-2345-6789", "〔電話〕"),
    ("landline-dots", "07.123.4567", "〔電話〕"),
    ("landline-spaces", "07 123 4567", "〔電話〕"),
    ("landline-miaoli", "037-123456", "〔電話〕"),
    ("landline-nantou", "049-2345678", "〔電話〕"),
    ("landline-taitung", "089-123456", "〔電話〕"),
    ("landline-kinmen", "(082)123456", "〔電話〕"),
    ("landline-matsu", "0836-12345", "〔電話〕"),
    ("landline-taichung-8", "04-2345-6789", "〔電話〕"),
    ("landline-ext-fenji", "07-1234567分機123", "〔電話〕"),
    ("landline-ext-zhuan", "07-1234567轉8", "〔電話〕"),
    ("landline-ext-latin", "02-2345-6789 ext. 12", "〔電話〕"),
    ("landline-fullwidth-dots", "０７．１２３．４５６７", "〔電話〕"),
    ("number-after-phone-word", "電話：7123456", "電話：〔電話〕"),
    (
        "phones-listed-with-commas",
        "（0966-777-888，０９５５　６６６　７７７）",
        "（〔電話〕，〔電話〕）",
    ),
    ("phones-ascii-commas", "0912345678,07-1234567", "〔電話〕,〔電話〕"),
    ("number-after-tel", "Tel: 123-4567", "Tel: 〔電話〕"),
    # Addresses in Chinese numerals, lanes and alleys, neighbourhoods, floors.
    ("address-chinese-numerals", "四維三路二號五樓", "四維三路〔地址〕"),
    ("address-chinese-hundreds", "中正路一百二十號", "中正路〔地址〕"),
    ("address-lane-alley-digits", "光遠路100巷5弄3號", "光遠路〔地址〕"),
    ("address-neighbourhood", "文山里5鄰12號", "文山里〔地址〕"),
    ("address-neighbourhood-only", "文山里5鄰", "文山里〔地址〕"),
    ("address-floor-f", "中山路12號5F", "中山路〔地址〕"),
    ("address-named-lane", "自強巷12號", "自強巷〔地址〕"),
    # Coordinate pairs.
    ("coordinates-taiwan", "22.627278, 120.301435", "〔座標〕"),
    ("coordinates-negative", "位置34.052235,-118.243683", "位置〔座標〕"),
    # Names: after a cue, before a title, before 來電/反映 at a clause start, alone.
    ("name-after-neighbour", "鄰居李大華長期佔用騎樓", "鄰居〔姓名〕長期佔用騎樓"),
    ("name-after-petitioner", "陳情人：王大明", "陳情人：〔姓名〕"),
    ("name-after-citizen", "民眾林美玲反映路燈不亮", "民眾〔姓名〕反映路燈不亮"),
    ("name-before-title", "李大華先生來電", "〔姓名〕先生來電"),
    ("name-before-title-female", "請轉告張淑芬小姐", "請轉告〔姓名〕小姐"),
    ("name-compound-surname", "歐陽小明先生", "〔姓名〕先生"),
    ("name-before-calls-in", "林哲承來電：路燈不亮", "〔姓名〕來電：路燈不亮"),
    ("name-alone", "吳建國", "〔姓名〕"),
    ("name-two-characters", "王明", "〔姓名〕"),
    ("name-and-phone-cell", "0966-777-888 吳建國", "〔電話〕 〔姓名〕"),
    ("name-then-phone-cell", "蔡淑芬 0977-888-999", "〔姓名〕 〔電話〕"),
    ("name-list", "王小明、李大華", "〔姓名〕、〔姓名〕"),
]


# Addresses: the road stays (it is where the problem is, and no one's home); the
# section, lane, alley, number and floor that identify a home are masked.
@pytest.mark.parametrize("text, expected", [c[1:] for c in MASKED], ids=[c[0] for c in MASKED])
def test_mask_text_masks_personal_data(text: str, expected: str) -> None:
    assert mask_text(text) == expected


KEPT = [
    ("complaint", "路燈故障已三天"),
    ("iso-date", "2025-03-15 發生"),
    ("iso-date-time", "2025-03-15 07:30:00"),
    ("slash-date", "2025/03/15"),
    ("dotted-date", "2025.03.15"),
    ("roc-date", "113/03/15 發生"),
    ("roc-compact-date", "1140315"),
    ("roc-dotted-date", "113.3.15"),
    ("yyyymmdd-hhmmss", "20250315 140509"),
    ("time", "時間14:05"),
    ("time-range", "09:00-17:30"),
    ("case-number", "案號1130315001"),
    ("long-case-number", "2026043010407"),
    ("zero-case-number", "0113031500"),  # no Taiwan area code 01: not a phone form
    ("hotline", "請撥1999"),
    ("count", "共3件"),
    ("latitude", "34.0522"),
    ("negative-longitude", "-118.2437"),
    ("latitude-word", "緯度 22.6273"),
    ("longitude", "120.301234"),
    ("decimal", "3.14159"),
    ("small-decimal", "0.0522"),
    ("amount-ntd", "NT$12,345"),
    ("amount-large", "罰款1,234,567元"),
    ("amount-thousands", "12,345,678"),
    ("amount-dollar", "$0912345"),
    ("percentage", "達成率 98.76%"),
    ("not-an-id-too-short", "A12345678"),
    ("not-an-id-too-long", "A1234567890"),
    ("road-without-number", "中正路的路燈不亮"),
    ("road-section", "中山路一段"),
    ("exit-number", "捷運2號出口"),
    ("honorific-surname-only", "王先生來電"),
    ("surname-and-title", "民眾陳小姐反映"),
    ("petition-word", "民眾陳情路燈不亮"),
    ("many", "許多民眾反映"),
    ("construction", "道路施工 謝謝"),
    ("district-chief", "林園區里長"),
    ("city-government", "高雄市政府"),
    ("office", "陳情人來電"),
    ("empty", ""),
]


@pytest.mark.parametrize("text", [c[1] for c in KEPT], ids=[c[0] for c in KEPT])
def test_mask_text_leaves_ordinary_text(text: str) -> None:
    assert mask_text(text) == text


def test_a_phone_inside_a_longer_number_or_decimal_is_not_cut_out() -> None:
    # The digits of a phone form inside a longer run are not a phone.
    for text in ("10912345678", "09123456789", "1.0912345678", "0912345678.5"):
        assert "〔電話〕" not in mask_text(text), text


def test_mask_text_masks_the_rows_known_values() -> None:
    assert mask_text("我是王小明，住鳳山", ("王小明",)).startswith("我是〔個資〕")
    assert mask_text("我是 王小明", (" 王小明 ",)) == "我是 〔個資〕"
    assert mask_text("ｋｅｎ說", ("ken",)) == "〔個資〕說"
    # Empty and one-character values would mask ordinary text everywhere.
    assert mask_text("王先生來電", ("王", "")) == "王先生來電"


def test_the_rows_own_name_is_masked_with_its_given_name() -> None:
    assert name_forms("王小明") == ("王小明", "小明")
    assert name_forms("歐陽小明") == ("歐陽小明", "小明")
    assert name_forms(" 王 明 ") == ("王明",)
    assert name_forms("Ken Lee") == ("KenLee",)
    assert mask_text("小明說他是王小明", name_forms("王小明")) == "〔個資〕說他是〔個資〕"


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


# ---------------------------------------------------------------- identifiers


@pytest.mark.parametrize(
    "value, personal",
    [
        ("1130315001", False),
        ("2026043010407", False),
        ("K120230001", False),  # the shape of an ID, but its check digit is wrong
        ("A123456789", True),  # a valid check digit
        ("0912345678", True),
        ("07-1234567", True),
        ("wang@example.com", True),
        ("", False),
    ],
)
def test_an_identifier_is_personal_only_when_clearly_so(value: str, personal: bool) -> None:
    assert looks_personal(value) is personal


def test_national_id_check_digit() -> None:
    # A = 10: 1 + 0*9 + 1*8 + 2*7 + 3*6 + 4*5 + 5*4 + 6*3 + 7*2 + 8*1 + 9 = 130.
    assert valid_national_id("A123456789")
    assert not valid_national_id("A123456788")
    assert not valid_national_id("A12345678")
    assert not valid_national_id("1123456789")


# Known gaps, listed in docs/privacy.md section 5 (residual risk). They are pinned so
# that the page stays true: when one of them starts being masked, update the page.
RESIDUAL = [
    ("name-mid-sentence-no-cue", "住3樓的王小明反映"),
    ("name-at-start-no-cue", "李大華佔用騎樓"),
    ("nickname", "阿明來電"),
    ("foreign-phone", "+1 415 555 0100"),
    ("local-number-no-area-code", "7123456"),
    ("phone-in-chinese-numerals", "零九一二三四五六七八"),
    ("id-with-a-space", "A 123456789"),
    ("building-without-road", "XX社區A棟5樓"),
    ("lone-coordinate", "緯度 22.627278"),
]


@pytest.mark.parametrize("text", [c[1] for c in RESIDUAL], ids=[c[0] for c in RESIDUAL])
def test_documented_residual_risks_are_what_the_page_says(text: str) -> None:
    assert mask_text(text) == text
