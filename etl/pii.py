"""Personal data: masking of text, and a keyed hash for repeat detection.

Names, national ID numbers, phone numbers, e-mail addresses, house numbers and
coordinates never reach the database, a message or an export in clear. Text that
is kept (subjects, extension reasons, the cells of a rejected row, a value quoted
in a reject reason) goes through ``mask_text``; what it catches and what it cannot
is listed in ``docs/privacy.md``.

The petitioner key is keyed BLAKE2b(secret, identity) (a MAC, like HMAC), where
the secret lives in a key file beside the database, not in it (``etl.keyfile``):
a copy of the database alone cannot be brute-forced back to ID numbers, yet the
same person gets the same key across loads.
"""

from __future__ import annotations

import hashlib
import re

from etl.keyfile import KEY_ENV, KeyFileError, key_path_for, load_or_create_key
from etl.text import halfwidth

__all__ = [
    "ANY_PATTERN", "KEY_ENV", "KeyFileError", "identity", "key_path_for", "load_or_create_key",
    "looks_personal", "mask_text", "name_forms", "petitioner_key", "valid_national_id",
]  # fmt: skip

# ---------------------------------------------------------------- vocabulary of the patterns


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# Taiwan's commonest surnames (together about 95% of the population), and compound ones.
SURNAMES = (
    "陳林黃張李王吳劉蔡楊許鄭謝洪郭邱曾廖賴徐周葉蘇莊呂江何蕭羅高潘簡朱鍾鐘游彭詹胡施沈余盧梁趙"
    "顏柯翁魏孫戴范方宋鄧杜傅侯曹薛丁卓阮馬董溫温唐藍蔣石古紀姚連馮歐程湯田康姜白汪鄒尤巫黎涂凃"
    "龔嚴韓袁金童陸夏柳邵錢伍倪于譚駱熊任甘秦顧毛章史官萬俞雷粘饒利凌包"
)
COMPOUND_SURNAMES = ("歐陽", "張簡", "范姜", "司馬", "諸葛", "上官", "東方", "司徒")
# Ordinary words that begin with a surname character: never read as a name.
NOT_NAMES = _words(
    "陳情 陳述 陳列 陳舊 陳年 林園 林地 林木 林立 林道 黃昏 黃色 黃線 黃燈 黃金 張貼 張數 許多 許可 "
    "許久 鄭重 謝謝 謝意 洪水 曾經 曾向 曾於 曾在 曾多 曾有 周邊 周遭 周末 周圍 周知 周全 周日 葉子 "
    "葉片 江邊 何時 何處 何種 何人 何以 高雄 高速 高架 高度 高樓 高中 高溫 高鐵 高空 高壓 高齡 高低 "
    "高峰 高級 高價 高於 高達 簡單 簡易 簡報 簡訊 簡化 簡稱 游泳 游客 胡亂 施工 施作 施放 施打 施行 "
    "施政 顏色 孫子 方面 方向 方便 方式 方法 方案 方能 方可 杜絕 丁字 卓越 馬路 馬上 馬桶 馬達 董事 "
    "溫度 溫泉 溫馨 溫暖 藍色 石頭 石材 古蹟 古早 紀錄 紀念 連續 連日 連線 連結 連絡 連同 連帶 歐洲 "
    "程序 程度 田地 白天 白色 白線 尤其 黎明 嚴重 嚴格 嚴禁 嚴加 韓國 金額 金錢 金屬 金門 陸橋 陸續 "
    "夏天 夏季 錢包 任何 任意 任職 顧客 顧及 顧問 章程 官方 官員 萬一 萬元 雷雨 利用 利益 利率 凌晨 "
    "包裹 包括 包含 包商 石化 王國 楊柳 江湖 羅列 蕭條 戴口 梁柱 史上 毛病 曾來"
)
# Words that introduce a person's name, and titles that follow one.
PERSON_CUES = _words(
    "陳情人 申請人 檢舉人 投訴人 聯絡人 連絡人 當事人 關係人 代理人 負責人 承租人 所有權人 承辦人 "
    "屋主 房東 房客 住戶 鄰居 鄰人 民眾 市民 居民 里民 姓名 名字 本人 敝人 我是 我叫 車主 駕駛人 網友 "
    "業主 老闆 家屬"
)
TITLES = _words("先生 小姐 女士 太太 同學 老師 醫師 律師 議員 里長 阿姨 伯伯")
# Verbs that follow a person who writes or calls in (林哲承來電).
PERSON_VERBS = _words("來電 來信 來函 反映 反應 陳情 表示 檢舉 投訴 指出 詢問 抱怨")
PHONE_CUES = _words(
    "電話 手機 行動 市話 專線 TEL Tel tel Phone phone PHONE Mobile mobile MOBILE 聯絡方式 聯繫方式"
)
# Taiwan's area codes (without the trunk 0) and the lengths of their local numbers.
AREA_CODES = {
    "826": (5,), "836": (5,), "37": (6,), "49": (7,), "82": (6,), "89": (6,),
    "2": (8,), "3": (7, 8), "4": (7, 8), "5": (7,), "6": (7,), "7": (7,), "8": (7,),
}  # fmt: skip

_CJK = "\u4e00-\u9fff"
_DASHES = "‐‑‒–—―−"  # U+2010..2015, U+2212: dashes typed as phone separators
# Characters that end a name-like token: space, digits, punctuation (full-width
# punctuation is half-width in the view the patterns run on).
_DELIM = r"\s0-9!-/:-@\[-`{-~、。「」『』【】〔〕《》"
_NUM = "0-9零〇一二三四五六七八九十百千兩壹貳參叁肆伍陸柒捌玖拾佰仟"

# ---------------------------------------------------------------- the patterns


def _alternation(words: tuple[str, ...]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_SURNAME = f"(?:{_alternation(COMPOUND_SURNAMES)}|[{SURNAMES}])"
_TITLE = _alternation(TITLES)
# A given-name character: not one that ends a place, office or role (林園區, 陳情人).
_GIVEN = (
    f"(?:(?![區市縣鄉鎮村里鄰路街巷弄號樓局處所課科室府院會站校隊組股館場廠團社部署人])[{_CJK}])"
)
_FIRSTS = SURNAMES + "".join(c[0] for c in COMPOUND_SURNAMES)
# The lookaheads before the surname fail fast where no surname starts (most positions).
_NAME = f"(?=[{_FIRSTS}])(?!{_alternation(NOT_NAMES)}){_SURNAME}(?!{_TITLE}){_GIVEN}{{1,2}}"

_SEP = f"(?:[ \\t]?[-.{_DASHES}][ \\t]?|[ \\t])"
# Not inside a longer number, a decimal or an amount. (A comma may follow or precede a
# phone: Chinese text lists numbers with "，", which is "," in the half-width view.)
_BEFORE = r"(?<![0-9$])(?<![0-9]\.)"
_AFTER = r"(?![0-9])(?!\.[0-9])"
_EXTENSION = r"(?:[ \t]?(?:#|分機|轉|ext\.?|EXT\.?|Ext\.?|x)[ \t]?\d{1,6})?"
_INTERNATIONAL = rf"(?:\(\+?886\)|(?:\+|00)?886){_SEP}?(?:\(0\)[ \t]?)?"


def _local(lengths: tuple[int, ...]) -> str:
    """A local number of one of these lengths, with at most one separator inside."""
    forms = []
    for n in lengths:
        forms.append(rf"\d{{{n}}}")
        forms += [rf"\d{{{i}}}{_SEP}\d{{{n - i}}}" for i in range(2, n - 1)]
    return "(?:" + "|".join(forms) + ")"


def _landline() -> str:
    forms = []
    for area, lengths in AREA_CODES.items():
        code = rf"(?:\(0{area}\)[ \t]?|0{area}{_SEP}?|{_INTERNATIONAL}(?:\(0?{area}\)[ \t]?|0?{area}{_SEP}?))"
        forms.append(code + _local(lengths))
    return "(?:" + "|".join(forms) + ")"


_MOBILE = rf"(?:\(09\d\d\)[ \t]?|09\d\d{_SEP}?|{_INTERNATIONAL}0?9\d\d{_SEP}?)\d{{3}}{_SEP}?\d{{3}}"

# (pattern, label). A pattern with a group named "v" masks only that group (the cue
# before it stays); otherwise the whole match. The patterns come in three families,
# each behind a gate: a cheap regex (RE2 syntax, no lookaround, also valid Python)
# that matches wherever any pattern of its family could. A text is searched only by
# the families whose gate it passes, and the gates together are ANY_PATTERN, the
# loader's bulk pre-filter. tests/test_pii_prefilter.py pins that they are supersets.
_CONTACT_PATTERNS: list[tuple[str, str]] = [
    (r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}", "〔電子郵件〕"),
    # National ID (letter + 1/2), resident certificate (letter + 8/9, or two letters).
    (r"(?<![A-Za-z0-9])[A-Za-z][1289A-Da-d]\d{8}(?![0-9])", "〔身分證號〕"),
    (r"(?=[0(+8])" + _BEFORE + _MOBILE + _AFTER + _EXTENSION, "〔電話〕"),
    (r"(?=[0(+8])" + _BEFORE + _landline() + _AFTER + _EXTENSION, "〔電話〕"),
    # Any 7-15 digits right after a word such as 電話 or 手機 (a number without area code).
    (
        rf"(?=[{''.join(sorted({w[0] for w in PHONE_CUES}))}])(?:{_alternation(PHONE_CUES)})"
        rf"[ \t]*(?:號碼)?[ \t]*:?[ \t]*"
        rf"(?P<v>\(?\d(?:[ \t\-.(){_DASHES}]{{0,2}}\d){{6,14}}(?![0-9]){_EXTENSION})",
        "〔電話〕",
    ),
    # A coordinate pair (latitude, longitude) written with at least four decimals.
    (
        r"(?=[-0-9])(?<![0-9.])-?\d{1,3}\.\d{4,}[ \t]*[,/][ \t]*-?\d{1,3}\.\d{4,}(?![0-9])",
        "〔座標〕",
    ),
]
# An @, an ID shape, or seven digits in a chain (every phone, cue number, coordinate).
_CONTACT_GATE = f"@|[A-Za-z][1289A-Da-d][0-9]{{8}}|[0-9](?:[\\s\\-.(){_DASHES}]{{0,3}}[0-9]){{6,}}"
_ADDRESS_PATTERNS: list[tuple[str, str]] = [
    # A house number from its neighbourhood/section/lane on: the road and district stay
    # (they are where the problem is), what identifies a home does not. Numbers in
    # digits or Chinese numerals (四維三路二號五樓).
    (
        rf"(?<=[路街道巷弄村里段])(?:[{_NUM}]+鄰)?(?:[{_NUM}]+段)?(?:[{_NUM}]+巷)?(?:[{_NUM}]+弄)?"
        rf"[{_NUM}]+(?:[之\-][{_NUM}]+)?號(?:之[{_NUM}]+)?"
        rf"(?:[ \t]?(?:[{_NUM}]+樓|\d+[Ff]|地下[{_NUM}]+樓|B\d+))?(?:之[{_NUM}]+)?(?:[{_NUM}]+室)?",
        "〔地址〕",
    ),
    (rf"(?<=[里村])[{_NUM}]+鄰", "〔地址〕"),
]
_ADDRESS_GATE = f"[{_NUM}][號鄰]"
_NAME_PATTERNS: list[tuple[str, str]] = [
    # After a word that introduces a person (鄰居李大華), before a title (李大華先生),
    # before 來電/反映 at the start of a clause, or alone between spaces or punctuation.
    (
        rf"(?=[{''.join(sorted({w[0] for w in PERSON_CUES}))}])(?:{_alternation(PERSON_CUES)})"
        rf"[ \t]*:?[ \t]*(?P<v>{_NAME})",
        "〔姓名〕",
    ),
    (rf"{_NAME}(?={_TITLE})", "〔姓名〕"),
    (rf"(?<![{_CJK}]){_NAME}(?={_alternation(PERSON_VERBS)})", "〔姓名〕"),
    (rf"(?<![^{_DELIM}]){_NAME}(?![^{_DELIM}])", "〔姓名〕"),
]
_NAME_GATE = f"{_alternation(TITLES + PERSON_CUES + PERSON_VERBS)}|(?:^|[{_DELIM}])[{_FIRSTS}]"


class _Family:
    """Patterns searched in one pass (at a position the first listed wins), behind a gate."""

    def __init__(self, gate: str, patterns: list[tuple[str, str]]) -> None:
        self.gate_pattern = gate
        self.gate = re.compile(gate)
        self.regex = re.compile(
            "|".join(
                f"(?P<p{i}>{pattern.replace('(?P<v>', f'(?P<v{i}>')})"
                for i, (pattern, _) in enumerate(patterns)
            )
        )
        self.labels = {f"p{i}": label for i, (_, label) in enumerate(patterns)}
        self.value_group = {f"p{i}": f"v{i}" for i, (p, _) in enumerate(patterns) if "(?P<v>" in p}

    def spans(self, view: str) -> list[tuple[int, int, str]]:
        if not self.gate.search(view):
            return []
        out = []
        for m in self.regex.finditer(view):
            group = self.value_group.get(m.lastgroup, m.lastgroup)
            out.append((m.start(group), m.end(group), self.labels[m.lastgroup]))
        return out


# In order of precedence where spans overlap.
_FAMILIES = (
    _Family(_CONTACT_GATE, _CONTACT_PATTERNS),
    _Family(_ADDRESS_GATE, _ADDRESS_PATTERNS),
    _Family(_NAME_GATE, _NAME_PATTERNS),
)
# The loader's bulk pre-filter (pyarrow, RE2): a text it does not match is left as is.
ANY_PATTERN = "|".join(f.gate_pattern for f in _FAMILIES)

# ---------------------------------------------------------------- masking


def mask_text(text: str, known: tuple[str, ...] = ()) -> str:
    """Text with personal data replaced by labels such as 〔電話〕.

    ``known`` holds this row's own personal values (name, phone, address parts, ...),
    masked verbatim first wherever they recur; the patterns then catch IDs, phones,
    e-mails, coordinates, house numbers and names in the contexts listed above.
    Matching runs on a half-width copy (full-width digits are common), which has
    the same length, so the spans found there are cut from the original text and
    its Chinese punctuation survives.
    """
    if not text:
        return text
    view = halfwidth(text)
    spans: list[tuple[int, int, str]] = []
    if known:
        forms = {(v if v.isascii() else halfwidth(v)).strip() for v in known}
        for form in sorted((f for f in forms if len(f) >= 2), key=len, reverse=True):
            spans += [(start, end, "〔個資〕") for start, end in _find_all(view, form)]
    for family in _FAMILIES:
        spans += family.spans(view)
    return _cut(text, spans)


# Letter values of the national ID checksum (A=10 ... in this order).
_ID_LETTERS = {c: v for v, c in enumerate("ABCDEFGHJKLMNPQRSTUVXYWZIO", start=10)}
_CONTACT = re.compile(
    "|".join(p for p, label in _CONTACT_PATTERNS if label in ("〔電子郵件〕", "〔電話〕"))
)
_ID_SHAPE = re.compile(r"(?<![A-Za-z0-9])[A-Za-z][1289]\d{8}(?![0-9])")


def looks_personal(value: str) -> bool:
    """Whether an identifier (a case number, say) holds an e-mail, a Taiwan phone number
    or a national ID number with a valid check digit. Stricter than ``mask_text``: an
    identifier that merely resembles one is kept."""
    view = halfwidth(value)
    return bool(_CONTACT.search(view)) or any(
        valid_national_id(m.group()) for m in _ID_SHAPE.finditer(view)
    )


def valid_national_id(text: str) -> bool:
    """The check digit of a national ID (or new-style resident certificate) number."""
    letter = _ID_LETTERS.get(text[:1].upper())
    if letter is None or len(text) != 10 or not text[1:].isdigit():
        return False
    digits = [int(c) for c in text[1:]]
    total = (
        letter // 10
        + (letter % 10) * 9
        + sum(d * w for d, w in zip(digits[:8], range(8, 0, -1), strict=True))
    )
    return (total + digits[-1]) % 10 == 0


def name_forms(name: str) -> tuple[str, ...]:
    """A name as it may recur in text: whole (without spaces) and, for a Chinese name
    of three or more characters, the given name alone (王小明 → 小明)."""
    whole = re.sub(r"\s", "", name)
    if len(whole) < 3 or not re.fullmatch(f"[{_CJK}]+", whole):
        return (whole,) if whole else ()
    surname = 2 if whole[:2] in COMPOUND_SURNAMES and len(whole) >= 4 else 1
    return (whole, whole[surname:])


def _find_all(view: str, needle: str) -> list[tuple[int, int]]:
    spans, start = [], view.find(needle)
    while start >= 0:
        spans.append((start, start + len(needle)))
        start = view.find(needle, start + len(needle))
    return spans


def _cut(text: str, spans: list[tuple[int, int, str]]) -> str:
    """Replace spans found on the half-width view (same length) in the original text.

    Where spans overlap, the one listed first wins (the row's own values, then the
    patterns in their order).
    """
    if not spans:
        return text
    taken: list[tuple[int, int, str]] = []
    for span in spans:
        if all(span[1] <= s or span[0] >= e for s, e, _ in taken):
            taken.append(span)
    pieces, last = [], 0
    for start, end, label in sorted(taken):
        pieces += [text[last:start], label]
        last = end
    return "".join(pieces) + text[last:]


# ---------------------------------------------------------------- petitioner key


def identity(national_id: str, email: str, phone: str, name: str) -> str:
    """The strongest identifier given, normalised; '' when none is."""
    nid = halfwidth(national_id).strip().upper()
    if nid:
        return "id:" + nid
    mail = halfwidth(email).strip().lower()
    if mail:
        return "mail:" + mail
    digits = re.sub(r"\D", "", halfwidth(phone))
    if digits:
        return "tel:" + digits
    person = re.sub(r"\s", "", name)
    return "name:" + person if person else ""


def petitioner_key(secret: bytes, who: str) -> int | None:
    """Keyed BLAKE2b (a MAC like HMAC-SHA256, cheaper per call) of an identity, as an
    unsigned 64-bit integer: the first 8 bytes of the 16-byte digest.

    Stored as UBIGINT, it groups and compares several times faster than the 32-character
    hex text it replaces (whose first 16 characters it equals, so old databases convert).
    Two of 3.4 million distinct petitioners share a key with a chance of about 3 in 10
    million, and even then only matter if they also write in the same category within
    the repeat window.
    """
    if not who:
        return None
    digest = hashlib.blake2b(who.encode("utf-8"), key=secret, digest_size=16).digest()
    return int.from_bytes(digest[:8], "big")
