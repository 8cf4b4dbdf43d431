"""Fake personal data: names, national ID numbers, phones, e-mails and addresses.

Realistic enough that the loader's masking and repeat detection have something
to find: ID numbers carry a valid checksum, phones follow Taiwan's formats, and
addresses name the petitioner's district. E-mail addresses use the reserved
example.com/.net/.org domains. Every character encodes in cp950, so the Big5
variant can carry the same values.
"""

from __future__ import annotations

import numpy as np

from etl.samplegen.reference import CITY, ROADS, Districts

# Approximate shares of Taiwan's commonest surnames, with passport romanisation.
SURNAMES = (
    ("陳", 11.1, "chen"), ("林", 8.3, "lin"), ("黃", 6.0, "huang"), ("張", 5.3, "chang"),
    ("李", 5.1, "lee"), ("王", 4.1, "wang"), ("吳", 4.0, "wu"), ("劉", 3.2, "liu"),
    ("蔡", 2.9, "tsai"), ("楊", 2.6, "yang"), ("許", 2.3, "hsu"), ("鄭", 1.9, "cheng"),
    ("謝", 1.8, "hsieh"), ("郭", 1.7, "kuo"), ("洪", 1.6, "hung"), ("曾", 1.4, "tseng"),
    ("邱", 1.4, "chiu"), ("廖", 1.3, "liao"), ("賴", 1.3, "lai"), ("周", 1.2, "chou"),
    ("徐", 1.1, "hsu"), ("蘇", 1.1, "su"), ("葉", 1.1, "yeh"), ("莊", 1.0, "chuang"),
    ("呂", 1.0, "lu"), ("江", 0.9, "chiang"), ("何", 0.9, "ho"), ("蕭", 0.9, "hsiao"),
    ("羅", 0.8, "lo"), ("高", 0.8, "kao"), ("潘", 0.7, "pan"), ("簡", 0.7, "chien"),
    ("朱", 0.7, "chu"), ("鍾", 0.7, "chung"), ("游", 0.6, "yu"), ("彭", 0.6, "peng"),
    ("詹", 0.6, "chan"), ("胡", 0.5, "hu"), ("施", 0.5, "shih"), ("沈", 0.5, "shen"),
    ("余", 0.5, "yu"), ("盧", 0.5, "lu"), ("梁", 0.5, "liang"), ("趙", 0.4, "chao"),
    ("顏", 0.4, "yen"), ("柯", 0.4, "ko"), ("翁", 0.4, "weng"), ("魏", 0.4, "wei"),
    ("孫", 0.3, "sun"), ("戴", 0.3, "tai"),
)  # fmt: skip
GIVEN_MALE = "志明俊傑建宏家豪冠宇承恩柏翰文雄國華正偉信良哲瑋嘉銘育誠彥廷昱凱勝榮輝德仁峰慶祥"
GIVEN_FEMALE = "淑芬美玲雅婷怡君惠珍佳慧靜宜欣穎筱涵詩萍秀琴麗娟玉蓉品妤郁庭瑜芳婉如思彤心曉雯琪"
MAIL_WORDS = ("ming", "hua", "wei", "sunny", "happy", "lucky", "kh", "tw", "home", "work", "abc")
MAIL_DOMAINS = ("example.com", "example.net", "example.org")

# Letter of a national ID number → its two-digit value in the checksum.
ID_LETTER_VALUE = dict(zip("ABCDEFGHJKLMNPQRSTUVXYWZIO", range(10, 36), strict=True))
# Kaohsiung residents mostly hold E (高雄市) or S (former 高雄縣) numbers.
ID_LETTERS = np.array(list("ES") + [c for c in ID_LETTER_VALUE if c not in "ES"])
ID_LETTER_P = np.array([0.55, 0.25] + [0.20 / 24] * 24)


def _pick(rng: np.random.Generator, values: tuple | str | np.ndarray, n: int) -> np.ndarray:
    arr = np.array(list(values), dtype=object)
    return arr[rng.integers(0, len(arr), n)]


def digits(rng: np.random.Generator, n: int, width: int, low: int = 0) -> np.ndarray:
    """n random zero-padded digit strings of the given width (object array)."""
    values = rng.integers(low, 10**width, n)
    return np.strings.zfill(values.astype(str), width).astype(object)


def names(rng: np.random.Generator, female: np.ndarray) -> np.ndarray:
    n = len(female)
    weights = np.array([s[1] for s in SURNAMES])
    surname = np.array([s[0] for s in SURNAMES], dtype=object)[
        rng.choice(len(SURNAMES), n, p=weights / weights.sum())
    ]
    male_pool = np.array(list(GIVEN_MALE), dtype=object)
    female_pool = np.array(list(GIVEN_FEMALE), dtype=object)
    first = np.where(female, _pick(rng, female_pool, n), _pick(rng, male_pool, n))
    second = np.where(female, _pick(rng, female_pool, n), _pick(rng, male_pool, n))
    second = np.where(rng.random(n) < 0.1, "", second)  # some single-character given names
    return surname + first + second


def id_check_digit(letter: np.ndarray, body: np.ndarray) -> np.ndarray:
    """Check digit of national ID numbers: ``body`` holds the 8 digits after the letter."""
    value = np.array([ID_LETTER_VALUE[c] for c in letter]) if len(letter) else np.zeros(0, int)
    total = value // 10 + (value % 10) * 9
    for i, w in enumerate(range(8, 0, -1)):
        total = total + body[:, i] * w
    return (10 - total % 10) % 10


def national_ids(rng: np.random.Generator, female: np.ndarray) -> np.ndarray:
    n = len(female)
    letter = ID_LETTERS[rng.choice(len(ID_LETTERS), n, p=ID_LETTER_P)]
    body = np.column_stack([np.where(female, 2, 1), rng.integers(0, 10, (n, 7))])
    check = id_check_digit(letter, body)
    number = (body * 10 ** np.arange(7, -1, -1)).sum(axis=1) * 10 + check
    return letter.astype(object) + np.strings.zfill(number.astype(str), 9).astype(object)


def phones(rng: np.random.Generator, n: int) -> np.ndarray:
    """Mobile 09xx-xxx-xxx (three in four) or Kaohsiung landline 07-xxxxxxx."""
    mobile = "09" + digits(rng, n, 2, 10) + "-" + digits(rng, n, 3) + "-" + digits(rng, n, 3)
    land = "07-" + rng.integers(2, 9, n).astype(str).astype(object) + digits(rng, n, 6)
    return np.where(rng.random(n) < 0.75, mobile, land)


def emails(rng: np.random.Generator, n: int) -> np.ndarray:
    weights = np.array([s[1] for s in SURNAMES])
    roman = np.array([s[2] for s in SURNAMES], dtype=object)[
        rng.choice(len(SURNAMES), n, p=weights / weights.sum())
    ]
    word = _pick(rng, MAIL_WORDS, n)
    number = rng.integers(1, 2000, n).astype(str).astype(object)
    sep = np.where(rng.random(n) < 0.5, ".", "")
    return roman + sep + word + number + "@" + _pick(rng, MAIL_DOMAINS, n)


def road_table(d: Districts) -> tuple[np.ndarray, np.ndarray]:
    """Roads per district as a padded 2-D object array, and the count per district."""
    lists = [ROADS[name].split() for name in d.names]
    width = max(len(x) for x in lists)
    table = np.array([x + [x[0]] * (width - len(x)) for x in lists], dtype=object)
    return table, np.array([len(x) for x in lists])


def roads(rng: np.random.Generator, d: Districts, district: np.ndarray) -> np.ndarray:
    """A random main road of each district (district index -1 gives '')."""
    table, counts = road_table(d)
    safe = np.maximum(district, 0)
    pick = (rng.random(len(district)) * counts[safe]).astype(int)
    return np.where(district >= 0, table[safe, pick], "")


def addresses(rng: np.random.Generator, d: Districts, district: np.ndarray) -> np.ndarray:
    """Street addresses such as 830高雄市鳳山區光復路二段132號5樓 ('' without a district)."""
    n = len(district)
    safe = np.maximum(district, 0)
    names_ = np.array(d.names, dtype=object)[safe]
    postal = np.array(d.postal, dtype=object)[safe]
    lane = np.where(
        rng.random(n) < 0.2, rng.integers(1, 200, n).astype(str).astype(object) + "巷", ""
    )
    number = rng.integers(1, 420, n).astype(str).astype(object)
    sub = np.where(
        rng.random(n) < 0.05, "之" + rng.integers(1, 5, n).astype(str).astype(object), ""
    )
    floor = np.where(
        rng.random(n) < 0.45, rng.integers(2, 16, n).astype(str).astype(object) + "樓", ""
    )
    prefix = np.where(rng.random(n) < 0.25, postal, "")
    text = prefix + CITY + names_ + roads(rng, d, district) + lane + number + sub + "號" + floor
    return np.where(district >= 0, text, "")
