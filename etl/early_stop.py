"""Stopping a load early when the file does not fit its mapping.

A wrong mapping (a date column in another form, another city's districts, a column
mapped to the wrong name) makes nearly every row fail the same rule. Rejecting a
year of rows one by one tells the user nothing more than the first thousand do, so
the loader checks the first ``PROBE_ROWS`` data rows of the file before the rest:
when at least ``MIN_EXAMINED`` rows were checked and one rule rejected at least
``SHARE`` of them, it stops with that rule and a hint in plain Chinese.

Where the line is drawn: a file with a few bad rows among many good ones loads as
before (its bad rows are rejected one by one); 90 % of the rows failing for one
reason is not a file with some bad rows, it is a file read the wrong way, and
loading the 10 % that happen to pass would only half-load it. Fewer than
``MIN_EXAMINED`` rows are too few to call it; such a file is small and loads (and
rejects) in full in no time.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from etl import validate
from etl.rejects import RejectedRows
from store.vocabulary import VALUE_QUOTE

PROBE_ROWS = 1_000
MIN_EXAMINED = 20
SHARE = 0.9

# ---------------------------------------------------------------- wording (one place)

STOPPED = (
    "已中止載入：檢查檔案的前 {examined:,} 列（全檔 {total:,} 列）後，其中 {matching:,} 列"
    "（{share:.0%}）因同一原因被拒絕：{reason}。這通常表示對照檔與這個檔案不符。"
)
RECORDED = (
    "這個檔案的資料列一筆都沒有寫入；批次 {batch_id} 已記錄為「中止」，"
    "檢查過的列可用 svcq rejects {batch_id} 查看。"
)
# Stored as the reason of an examined row that passed every check, so that every row
# counted as rejected in an aborted batch can be listed with a reason.
NOT_LOADED = "這一列未發現問題，但整個檔案已中止載入（前 {examined:,} 列中 {matching:,} 列因同一原因被拒絕：{reason}）"
DATE_REASON = "「{column}」的日期無法辨識"
MALFORMED_RULE = "欄位數與標題列不符"

DATE_HINT = (
    "提示：「{column}」不是系統能辨識的日期寫法。可接受的寫法：2024-03-15、2024/3/15、20240315、"
    "民國年的 113/03/15、113.3.15、1130315、113年3月15日，日期後可接時間（14:05、14:05:09、"
    "下午2:05）。若匯出檔用其他寫法（例如月在前並附 AM/PM 的 01/31/2018 02:05:09 PM），"
    '請在對照檔中為這一欄指定日期格式，例如 received_at = {{ column = "{column}", '
    'format = "%m/%d/%Y %I:%M:%S %p" }}（見 docs/mapping.md）。'
)
DISTRICT_HINT = (
    "提示：這些行政區不在高雄市 38 區之中。若資料來自其他縣市，請準備該縣市的行政區清單（CSV），"
    '並在對照檔加上 [districts] lists = ["清單.csv"]（路徑相對於對照檔，清單格式見 docs/mapping.md）；'
    "若只是欄位對錯，請檢查對照檔中 district 對應的欄位。"
)
MISSING_HINT = "提示：幾乎每一列的這個欄位都是空的，請確認對照檔把它對應到檔案中正確的欄名。"
DUPLICATE_HINT = "提示：幾乎每一列的編號都重複，對照檔的編號欄可能對應到不是唯一編號的欄位。"
MALFORMED_HINT = (
    "提示：幾乎每一列的欄位數都與標題列不符，請確認分隔符號，"
    "以及含分隔符號或換行的欄位是否以雙引號括起。"
)
BLANK_HINT = "提示：檔案開頭幾乎都是空白列，請確認匯出的是正確的檔案。"
GENERIC_HINT = "提示：請檢查對照檔的欄位對應與代碼表是否符合這個檔案。"

# Which rule a message comes from, recognised by the wording in etl.validate.
_BAD_DATE = re.compile(
    "^" + re.escape(validate.BAD_DATE.split("{detail}")[0]).replace(r"\{column\}", "(?P<column>.+?)")
    + "(?:日期|時間)"
)  # fmt: skip
_UNKNOWN_DISTRICT = validate.UNKNOWN_DISTRICT.split(VALUE_QUOTE)[0]
_MISSING = validate.MISSING_ID.split("{")[0]
_DUPLICATE = validate.DUPLICATE_IN_FILE.split("{")[0]


@dataclass(frozen=True)
class EarlyStop:
    """Why a load stopped: the rule most rows failed, with counts and a hint.

    ``message`` is what to show the user (plain Chinese, no cell values: the rule is
    named by its label, which stops before any quoted value).
    """

    rule: str  # the rule's label (as in top_reasons)
    reason: str  # the rule in words for the message
    matching: int  # examined rows that failed the rule
    examined: int  # rows checked: the first PROBE_ROWS data rows of the file
    rows_in_file: int
    hint: str
    batch_id: int = 0

    @property
    def message(self) -> str:
        stopped = STOPPED.format(
            examined=self.examined, total=self.rows_in_file, matching=self.matching,
            share=self.matching / self.examined, reason=self.reason,
        )  # fmt: skip
        return f"{stopped}\n{self.hint}\n{RECORDED.format(batch_id=self.batch_id)}"

    def not_loaded(self) -> str:
        return NOT_LOADED.format(examined=self.examined, matching=self.matching, reason=self.reason)


def decide(
    reasons: validate.Reasons, broken: list[RejectedRows], examined: int, rows_in_file: int
) -> EarlyStop | None:
    """Stop when one rule rejected at least SHARE of at least MIN_EXAMINED examined rows.

    ``reasons`` holds the well-formed examined rows' reasons, ``broken`` the malformed
    and blank examined rows.
    """
    if examined < MIN_EXAMINED:
        return None
    counts: dict[str, int] = defaultdict(int)
    samples: dict[str, str] = {}
    for label, hits, sample in reasons.rules():
        counts[label] += hits
        samples.setdefault(label, sample)
    for group in broken:
        for text in group.reasons:
            label = validate.BLANK_ROW if text == validate.BLANK_ROW else MALFORMED_RULE
            counts[label] += 1
            samples.setdefault(label, label)
    if not counts:
        return None
    rule = max(counts, key=lambda label: counts[label])
    if counts[rule] < SHARE * examined:
        return None
    reason, hint = explain(rule, samples[rule])
    return EarlyStop(rule, reason, counts[rule], examined, rows_in_file, hint)


def explain(rule: str, sample: str) -> tuple[str, str]:
    """The rule in words and its hint, from its label and one of its messages."""
    date = _BAD_DATE.match(sample)
    if date:
        column = date["column"]
        return DATE_REASON.format(column=column), DATE_HINT.format(column=column)
    if sample.startswith(_UNKNOWN_DISTRICT):
        return rule, DISTRICT_HINT
    if rule == MALFORMED_RULE:
        return rule, MALFORMED_HINT
    if rule == validate.BLANK_ROW:
        return rule, BLANK_HINT
    if rule.startswith(_MISSING):
        return rule, MISSING_HINT
    if rule.startswith(_DUPLICATE):
        return rule, DUPLICATE_HINT
    return rule, GENERIC_HINT
