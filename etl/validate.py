"""Row-level validation shared by the kinds: collecting reasons in plain Chinese.

A row may fail several rules; all its reasons are kept, joined by 「；」, so the
person correcting the file sees everything at once. A reason may quote the cell it
is about, but only masked, since reasons are stored and printed: every quoted value
goes through ``masked_value`` (by way of ``per_value`` or ``quote``, or ``mask_quotes``
for a message made elsewhere, such as a date parser's).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from etl import pii
from etl.dates import parse_series
from etl.districts import DistrictResolver
from store.vocabulary import REASON_SEPARATOR, VALUE_QUOTE

# The wording of each rule, in one place. {column} is filled in; {value} only with a
# masked cell (per_value / masked_value).
MISSING_ID = "缺少{column}"
MISSING_DATE = "缺少{column}"
BAD_DATE = "{column}：{detail}"
UNKNOWN_DISTRICT = (
    "無法辨識的行政區「{value}」（請使用高雄市 38 區名稱或郵遞區號，其他縣市的行政區請在對照檔以 "
    '[districts] lists = ["清單.csv"] 提供清單，格式見 docs/mapping.md）'
)
BEFORE_RECEIPT = "{column}早於受理時間"
OUT_OF_RANGE = "{column}「{value}」超出範圍（{allowed}）"
PERSONAL_KEY = "{column}含有個人資料（電話、電子郵件或身分證號），此列未載入，請確認欄位對照"
DUPLICATE_IN_FILE = "同一檔案中{column}重複，以第 {row} 列為準"
MALFORMED_ROW = "欄位數 {found} 與標題列的 {expected} 欄不符"
BLANK_ROW = "空白列"

SCORE_LABELS = {"非常滿意": 5, "滿意": 4, "普通": 3, "不滿意": 2, "非常不滿意": 1}


# A quoted value longer than this is cut: a reason points at a cell, it does not copy it.
QUOTE_LIMIT = 40
_QUOTED = re.compile("「([^」]*)」")


def masked_value(value: str) -> str:
    """A cell as a reason may show it: personal data masked (etl.pii.mask_text), cut short."""
    text = pii.mask_text(value)
    return text if len(text) <= QUOTE_LIMIT else text[:QUOTE_LIMIT] + "…"


def quote(value: object) -> str:
    """「value」 for a reason, masked: the one way a reason quotes a cell."""
    return f"「{masked_value(str(value))}」"


def per_value(values: pd.Series, message: Callable[[str], str]) -> pd.Series:
    """``message(masked cell)`` for each cell, made once per distinct value (a bad value
    usually repeats down a column)."""
    texts = {v: message(masked_value(str(v))) for v in values.unique()}
    return values.map(texts)


def mask_quotes(message: str) -> str:
    """A message made elsewhere (a date parser's) with each 「…」 it quotes masked."""
    return _QUOTED.sub(lambda m: quote(m[1]), message)


class Reasons:
    """Reasons per row index; a row with any reason is rejected.

    Each ``add`` is one rule applied to one column. It keeps the positions it hit and
    their messages as arrays, so a file whose every row fails costs a few array
    operations per rule instead of a Python call per row and reason; the messages of
    a row are joined only when they are stored. The rules are kept in order, each
    with a label (``rules()``) for summaries and for stopping early.
    """

    def __init__(self, index: pd.Index) -> None:
        self.index = index
        self._rules: list[_Rule] = []

    def add(self, mask: pd.Series, message: str | pd.Series) -> None:
        if not mask.index.equals(self.index):
            mask = mask.reindex(self.index, fill_value=False)
        positions = np.flatnonzero(mask.fillna(False).to_numpy(dtype=bool))
        if not len(positions):
            return
        if isinstance(message, str):
            self._rules.append(_Rule(positions, message, _label([message]), message))
            return
        texts = message.reindex(self.index[positions]).to_numpy(dtype=object)
        distinct = (min(texts), max(texts))  # their common prefix is everyone's
        self._rules.append(_Rule(positions, texts, _label(distinct), texts[0]))

    def rejected(self) -> pd.Series:
        """Boolean mask over the index: rows with at least one reason."""
        return pd.Series(self._hit(), index=self.index)

    def texts(self) -> pd.Series:
        """The reasons of each rejected row joined by 「；」, in rule order, by row index."""
        joined = np.full(len(self.index), "", dtype=object)
        seen = np.zeros(len(self.index), dtype=bool)
        for rule in self._rules:
            at = rule.positions
            separator = np.where(seen[at], REASON_SEPARATOR, "").astype(object)
            joined[at] = joined[at] + separator + rule.messages
            seen[at] = True
        hit = np.flatnonzero(seen)
        return pd.Series(joined[hit], index=self.index[hit], dtype=object)

    def text(self, row: object) -> str:
        at = self.index.get_loc(row)
        parts = []
        for rule in self._rules:
            k = np.searchsorted(rule.positions, at)
            if k < len(rule.positions) and rule.positions[k] == at:
                parts.append(rule.messages if isinstance(rule.messages, str) else rule.messages[k])
        return REASON_SEPARATOR.join(parts)

    def rules(self) -> list[tuple[str, int, str]]:
        """(label, rows hit, one of its messages) per rule, in the order they were added.

        The label is what the messages share before the first quoted value (「…」), so it
        names the rule and the column but no cell's content. The sample message may hold
        a cell value: for classifying the rule, not for showing.
        """
        return [(r.label, len(r.positions), r.sample) for r in self._rules]

    def __len__(self) -> int:
        return int(self._hit().sum())

    def _hit(self) -> np.ndarray:
        hit = np.zeros(len(self.index), dtype=bool)
        for rule in self._rules:
            hit[rule.positions] = True
        return hit


@dataclass(frozen=True)
class _Rule:
    positions: np.ndarray  # ascending positions in the index
    messages: np.ndarray | str  # one per position, or one for all
    label: str
    sample: str


def _label(texts: list[str] | tuple[str, str]) -> str:
    """The name of the rule behind these messages: their shared text before any quoted
    value, cut back to a clause boundary when they differ earlier (a row number)."""
    shared = os.path.commonprefix(list(texts))
    head = shared.split(VALUE_QUOTE)[0]
    if len(set(texts)) > 1 and VALUE_QUOTE not in shared:
        cut = max(head.rfind("，"), head.rfind("："))
        head = head[:cut] if cut > 0 else head
    return head.rstrip("：，") or texts[0]


def required_text(values: pd.Series, column: str, reasons: Reasons) -> pd.Series:
    reasons.add(values.eq(""), MISSING_ID.format(column=column))
    return values


def record_id(values: pd.Series, column: str, reasons: Reasons) -> pd.Series:
    """A record's id (stored as given, so it must not be personal data): required, and
    rejected when it holds a phone number, an e-mail or a valid national ID number."""
    required_text(values, column, reasons)
    distinct = pa.array(values.unique(), type=pa.string())
    # Most case numbers are a short letter prefix and digits that do not start with 0 or
    # 8 (886): no phone or e-mail fits in them, and no ID unless they have its shape.
    plain = pc.and_(
        pc.match_substring_regex(distinct, "^[A-Za-z]{0,3}[1-79][0-9]*$"),
        pc.invert(pc.match_substring_regex(distinct, "^[A-Za-z][0-9]{9}$")),
    )
    suspects = distinct.filter(pc.invert(plain)).to_pylist()
    personal = [v for v in suspects if pii.looks_personal(v)]
    if personal:
        reasons.add(values.isin(personal), PERSONAL_KEY.format(column=column))
    return values


def datetime_column(
    values: pd.Series,
    column: str,
    reasons: Reasons,
    *,
    required: bool = False,
    fmt: str | None = None,
) -> pd.Series:
    """Parse a date/time column (automatic detection, or ``fmt`` when the mapping names
    one); problems become reasons naming the column."""
    parsed, errors = parse_series(values, fmt=fmt)
    failed = errors.ne("")
    messages = {
        d: BAD_DATE.format(column=column, detail=mask_quotes(d)) for d in errors[failed].unique()
    }
    reasons.add(failed, errors[failed].map(messages))
    if required:
        reasons.add(values.eq(""), MISSING_DATE.format(column=column))
    return parsed


def district_columns(
    values: pd.Series, resolver: DistrictResolver, reasons: Reasons, *, from_address: bool
) -> pd.DataFrame:
    """Canonical district, its city and in_city for each row.

    An explicit district cell that cannot be recognised is an error; an address in
    which no district is found only leaves the district empty (the case may not be
    about a place at all).
    """
    lookup = resolver.from_address if from_address else resolver.resolve
    resolved = {v: lookup(v) for v in values.unique()}
    hits = values.map(resolved)
    unknown = values.ne("") & hits.isna()
    if not from_address:
        reasons.add(unknown, per_value(values[unknown], lambda v: UNKNOWN_DISTRICT.format(value=v)))
    return pd.DataFrame(
        {
            "district": hits.map(lambda h: h.district if h else None),
            "district_city": hits.map(lambda h: h.city if h else None),
            "in_city": hits.map(lambda h: h.in_city if h else None).astype("boolean"),
        },
        index=values.index,
    )


def satisfaction_score(values: pd.Series, column: str, reasons: Reasons) -> pd.Series:
    """1-5 (5 = 非常滿意) from digits or labels; '' stays missing."""

    def convert(v: str) -> int | None | str:
        if v == "":
            return None
        if v in SCORE_LABELS:
            return SCORE_LABELS[v]
        if v.isdigit() and 1 <= int(v) <= 5:
            return int(v)
        return "bad"

    mapping = {v: convert(v) for v in values.unique()}
    out = values.map(mapping)
    bad = out.eq("bad")
    allowed = "1–5 或 非常滿意…非常不滿意"
    message = lambda v: OUT_OF_RANGE.format(column=column, value=v, allowed=allowed)  # noqa: E731
    reasons.add(bad, per_value(values[bad], message))
    return out.where(~bad, None).astype("Int16")


def duplicates_keep_last(
    keys: pd.DataFrame, row_numbers: pd.Series, column: str, reasons: Reasons
) -> None:
    """Reject all but the last occurrence of a key within the file."""
    dup = keys.duplicated(keep="last") & keys.notna().all(axis=1) & keys.ne("").all(axis=1)
    if not dup.any():
        return
    last_row = row_numbers.groupby([keys[c] for c in keys.columns]).transform("last")
    reasons.add(dup, last_row.map(lambda r: DUPLICATE_IN_FILE.format(column=column, row=r)))
