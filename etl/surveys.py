"""Surveys: one row per respondent (wide) to survey_responses + survey_answers (long).

Answer cells go through the mapping's code list (e.g. 9 = 不知道), then to a
score 1-5 (5 = 非常滿意) or a non-substantive label with no score. A blank cell is
未答; anything else is an error naming the item and the value.
"""

from __future__ import annotations

import pandas as pd

from etl import validate
from etl.districts import DistrictResolver
from etl.mapping import Mapping
from etl.validate import Reasons

KEY = ("source_system", "wave", "respondent_id")
COLUMNS = (
    "source_system", "wave", "respondent_id", "agency", "unit", "mode", "district", "in_city",
    "sex", "age_group", "responded_on",
)  # fmt: skip
ANSWER_COLUMNS = ("source_system", "wave", "respondent_id", "item_code", "score", "answer")
NON_SUBSTANTIVE = ("無意見", "不知道", "拒答")
UNANSWERED = "未答"
BAD_ANSWER = "第 {column} 題答案「{value}」不是有效代碼（1–5 或代碼表所列）"


def _answer(value: str, codes: dict[str, str]) -> tuple[int | None, str] | None:
    if value == "":
        return None, UNANSWERED
    label = codes.get(value, value)
    if label in validate.SCORE_LABELS:
        return validate.SCORE_LABELS[label], label
    if label in NON_SUBSTANTIVE:
        return None, label
    return None  # invalid


def prepare(raw: pd.DataFrame, mapping: Mapping, resolver: DistrictResolver,
            reasons: Reasons) -> tuple[pd.DataFrame, pd.DataFrame]:  # fmt: skip
    """(responses, answers) for every row; answers carry the frame index in ``row``."""
    col = lambda name: raw[name] if name in raw else pd.Series("", index=raw.index, dtype=object)  # noqa: E731
    out = pd.DataFrame(index=raw.index)
    out["source_system"] = mapping.source_system
    out["wave"] = validate.required_text(col("wave"), "調查波次", reasons)
    out["respondent_id"] = validate.required_text(col("respondent_id"), "問卷編號", reasons)
    for name in ("agency", "unit", "mode", "sex", "age_group"):
        out[name] = col(name).replace("", None)
    districts = validate.district_columns(col("district"), resolver, reasons, from_address=False)
    out["district"], out["in_city"] = districts["district"], districts["in_city"]
    out["responded_on"] = validate.datetime_column(
        col("responded_on"), "填答日期", reasons, fmt=mapping.date_formats().get("responded_on")
    ).dt.normalize()
    codes = {**{str(i): label for label, i in validate.SCORE_LABELS.items()}, **mapping.answers}
    long_parts = []
    signature = pd.Series("", index=raw.index, dtype=object)
    for item in mapping.items:
        cells = raw["item:" + item.code]
        lookup = {v: _answer(v, codes) for v in cells.unique()}
        parsed = cells.map(lookup)
        bad = parsed.isna()
        reasons.add(
            bad,
            validate.per_value(
                cells[bad], lambda v, c=item.column: BAD_ANSWER.format(column=c, value=v)
            ),
        )
        ok = parsed[~bad]
        long_parts.append(
            pd.DataFrame(
                {
                    "row": ok.index,
                    "item_code": item.code,
                    "score": [p[0] for p in ok],
                    "answer": [p[1] for p in ok],
                }
            )
        )
        signature = signature + "|" + parsed.map(lambda p: p[1] if p else "?")
    out["answers_signature"] = signature
    answers = pd.concat(long_parts, ignore_index=True)
    answers["score"] = answers["score"].astype("Int16")
    return out, answers
