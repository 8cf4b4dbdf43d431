"""Personal data: a keyed hash for repeat detection, and masking of free text.

Names, national ID numbers, phone numbers, e-mail addresses and street addresses
never reach the database or logs in clear. The petitioner key is
keyed BLAKE2b(secret, identity) (a MAC, like HMAC), where the secret lives in a key file beside the
database (mode 0600), not in it: a copy of the database alone cannot be
brute-forced back to ID numbers, yet the same person gets the same key across
loads.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
from pathlib import Path

from etl.text import halfwidth

KEY_ENV = "SVCQ_KEY_FILE"

_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}"), "〔電子郵件〕"),
    (re.compile(r"(?<![A-Za-z0-9])[A-Za-z][1289]\d{8}(?!\d)"), "〔身分證號〕"),
    (re.compile(r"(?<!\d)(?:\+?886[\s\-]?|0)9\d{2}[\s\-]?\d{3}[\s\-]?\d{3}(?!\d)"), "〔電話〕"),
    (re.compile(r"(?<!\d)\(?0\d{1,2}\)?[\s\-]?\d{3,4}[\s\-]?\d{3,4}(?:#\d+)?(?!\d)"), "〔電話〕"),
    # A street address from its section/lane/number on: the road and district stay (they
    # are where the problem is), the house number that identifies a home does not.
    (
        re.compile(
            r"(?<=[路街道])(?:[一二三四五六七八九十\d]+段)?(?:\d+巷)?(?:\d+弄)?"
            r"\d+(?:[之\-]\d+)?號(?:之\d+)?(?:\d+樓|[一二三四五六七八九十]+樓)?(?:之\d+)?"
        ),
        "〔地址〕",
    ),
]


# All patterns in one regex, one pass per text; at a given position the first
# alternative that matches wins, in the order of _PATTERNS.
_COMBINED = re.compile("|".join(f"(?P<p{i}>{p.pattern})" for i, (p, _) in enumerate(_PATTERNS)))
_LABELS = {f"p{i}": label for i, (_, label) in enumerate(_PATTERNS)}

# A cheap bulk pre-filter (RE2 syntax, no lookbehind) that matches at least wherever
# any pattern above does: an @, an ID shape, a run of phone digits, or a house number.
ANY_PATTERN = r"@|[A-Za-z][1289]\d{8}|\d{2,}[\s\-)]*\d{3}|\d號"


def key_path_for(db_path: Path) -> Path:
    env = os.environ.get(KEY_ENV)
    return Path(env) if env else db_path.with_name(db_path.name + ".key")


def load_or_create_key(path: Path) -> bytes:
    """The secret for petitioner keys; created on first use, readable by the owner only."""
    if path.exists():
        return bytes.fromhex(path.read_text().strip())
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_bytes(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(secret.hex())
    return secret


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


def mask_text(text: str, known: tuple[str, ...] = ()) -> str:
    """Free text with personal data replaced by labels such as 〔電話〕.

    ``known`` holds this row's own personal values (name, phone, ...), masked
    verbatim first; patterns then catch IDs, phones, e-mails and house numbers.
    Matching runs on a half-width copy (full-width digits are common), which has
    the same length, so the spans found there are cut from the original text and
    its Chinese punctuation survives.
    """
    if not text:
        return text
    view = halfwidth(text)
    spans: list[tuple[int, int, str]] = []
    forms = sorted(
        {(v if v.isascii() else halfwidth(v)).strip() for v in known} - {""}, key=len, reverse=True
    )
    for form in (f for f in forms if len(f) >= 2):
        spans += [(start, end, "〔個資〕") for start, end in _find_all(view, form)]
    for m in _COMBINED.finditer(view):
        spans.append((m.start(), m.end(), _LABELS[m.lastgroup]))
    return _cut(text, spans)


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
