"""The clean records plus a few deliberately broken rows, and the list of what is broken.

Each bad row has exactly one defect, and every bad row but the duplicates and
the missing ids carries a new id, so the rows a loader keeps are exactly the
clean file's. A duplicate (same id, different content) is placed *before* the
genuine record: the loader keeps the last occurrence of an id, so the earlier,
altered copy is the one to reject. The sidecar ``*_bad_rows.expected.csv``
lists (row_number, defect, column, detail) with 1-based data row numbers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

BAD_ROW_RATE = 0.015
BAD_DATETIMES = ("2025-13-45 10:00:00", "abc", "2025-02-30 09:15:00", "明天下午")
BAD_DATES = ("2025-13-45", "abc", "2025-02-30", "下週一")
UNKNOWN_DISTRICTS = ("火星區", "月球區", "亞特蘭提斯區")
DETAIL = {
    "reply_before_receipt": "首次回覆時間早於受理時間",
    "unknown_district": "行政區不存在",
    "score_out_of_range": "分數超出範圍",
    "missing_id": "缺少編號",
    "unparseable_date": "日期無法解析",
    "duplicate_id": "與後面一列編號相同但內容不同（以後者為準）",
}


@dataclass(frozen=True)
class Spec:
    """Where each kind keeps the values its defects break."""

    id_column: str
    date_column: str
    date_only: bool
    score_max: dict[str, int]  # score column → highest valid value
    district_column: str | None = None
    reply_column: str | None = None
    received_column: str | None = None
    alter_columns: tuple[str, ...] = ()  # changed in a duplicate
    bad_scores: tuple[str, ...] = ()  # out-of-range values; default: just above the maximum
    defects: tuple[str, ...] = field(default=())


def make(
    text: pd.DataFrame, spec: Spec, rng: np.random.Generator
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(the clean rows with bad rows interleaved, the expected-rejects table).

    ``text`` is the clean file's cells as strings.
    """
    n = len(text)
    if n == 0:  # nothing to break or to copy
        return text, pd.DataFrame(columns=["row_number", "defect", "column", "detail"])
    count = max(2 * len(spec.defects), round(n * BAD_ROW_RATE))
    defects = rng.permutation(np.resize(np.array(spec.defects, dtype=object), count))
    template = rng.integers(0, n, count)
    clean = {c: text[c].to_numpy(dtype=object) for c in text.columns}
    bad = {c: values[template].copy() for c, values in clean.items()}
    detail_col, detail = [], []
    for i, defect in enumerate(defects):
        col, note = _break(bad, i, defect, spec, clean, rng)
        detail_col.append(col)
        detail.append(note)
    # Bad row i goes in front of clean row `before`; a duplicate must precede its original.
    before = np.where(
        defects == "duplicate_id",
        (rng.random(count) * (template + 1)).astype(int),
        rng.integers(0, n + 1, count),
    )
    position = np.concatenate([np.arange(n), before])
    clean_first = np.concatenate([np.ones(n, dtype=int), np.zeros(count, dtype=int)])
    order = np.lexsort((np.arange(n + count), clean_first, position))
    merged = pd.DataFrame({c: np.concatenate([clean[c], bad[c]])[order] for c in text.columns})
    row_number = np.empty(n + count, dtype=int)
    row_number[order] = np.arange(1, n + count + 1)
    expected = pd.DataFrame(
        {"row_number": row_number[n:], "defect": defects, "column": detail_col, "detail": detail}
    ).sort_values("row_number", kind="stable")
    return merged, expected.reset_index(drop=True)


def _break(bad: dict[str, np.ndarray], i: int, defect: str, spec: Spec,
           clean: dict[str, np.ndarray], rng: np.random.Generator) -> tuple[str, str]:  # fmt: skip
    """Give bad row i one defect; returns (column, detail)."""
    original_id = bad[spec.id_column][i]
    if defect not in ("duplicate_id", "missing_id"):
        bad[spec.id_column][i] = f"{original_id}X{i + 1:03d}"
    if defect == "missing_id":
        bad[spec.id_column][i] = ""
        return spec.id_column, DETAIL[defect]
    if defect == "unknown_district":
        value = UNKNOWN_DISTRICTS[i % len(UNKNOWN_DISTRICTS)]
        bad[spec.district_column][i] = value
        return spec.district_column, f"{DETAIL[defect]}：{value}"
    if defect == "unparseable_date":
        choices = BAD_DATES if spec.date_only else BAD_DATETIMES
        value = choices[i % len(choices)]
        bad[spec.date_column][i] = value
        return spec.date_column, f"{DETAIL[defect]}：{value}"
    if defect == "score_out_of_range":
        column = list(spec.score_max)[i % len(spec.score_max)]
        value = (
            spec.bad_scores[i % len(spec.bad_scores)]
            if spec.bad_scores
            else str(spec.score_max[column] + 1 + i % 7)
        )
        bad[column][i] = value
        return column, f"{DETAIL[defect]}：{value}（上限 {spec.score_max[column]}）"
    if defect == "reply_before_receipt":
        received = dt.datetime.fromisoformat(bad[spec.received_column][i])
        reply = received - dt.timedelta(seconds=int(rng.integers(3600, 3 * 86400)))
        bad[spec.reply_column][i] = reply.strftime("%Y-%m-%d %H:%M:%S")
        return spec.reply_column, f"{DETAIL[defect]}：{bad[spec.reply_column][i]}"
    if defect == "duplicate_id":
        other = int(rng.integers(0, len(clean[spec.id_column])))
        for column in spec.alter_columns:
            mine, theirs = bad[column][i], clean[column][other]
            bad[column][i] = theirs if theirs != mine else mine + "（更正前）"
        return spec.id_column, f"{DETAIL[defect]}：{original_id}"
    raise ValueError(f"unknown defect {defect}")


PETITIONS = Spec(
    id_column="案件編號",
    date_column="受理時間",
    date_only=False,
    score_max={"回覆滿意度": 5},
    district_column="行政區",
    reply_column="首次回覆時間",
    received_column="受理時間",
    alter_columns=("案件子類別", "陳情主旨"),
    defects=(
        "reply_before_receipt", "unknown_district", "score_out_of_range", "missing_id",
        "unparseable_date", "duplicate_id",
    ),
)  # fmt: skip


def surveys_spec(items: tuple[str, ...]) -> Spec:
    return Spec(
        id_column="問卷編號",
        date_column="填答日期",
        date_only=True,
        score_max={item: 5 for item in items},
        district_column="居住行政區",
        alter_columns=("調查方式", "年齡層"),
        bad_scores=("12", "7", "8", "-1"),  # 6, 9 and 0 are valid codes (無意見, 不知道, 拒答)
        defects=(
            "unknown_district",
            "score_out_of_range",
            "missing_id",
            "unparseable_date",
            "duplicate_id",
        ),
    )


def phone_tests_spec(rubric: tuple[tuple[str, int, str], ...]) -> Spec:
    return Spec(
        id_column="測試編號",
        date_column="測試時間",
        date_only=False,
        score_max={col: m for col, m, _ in rubric},
        alter_columns=("測試人員", "受測單位"),
        defects=("score_out_of_range", "missing_id", "unparseable_date", "duplicate_id"),
    )
