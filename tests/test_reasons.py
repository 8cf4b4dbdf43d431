"""``etl.validate.Reasons``: reasons per row kept as arrays, joined only when stored."""

from __future__ import annotations

import pandas as pd

from etl.validate import DUPLICATE_IN_FILE, Reasons


def _reasons() -> Reasons:
    index = pd.RangeIndex(5)
    reasons = Reasons(index)
    reasons.add(pd.Series([True, False, True, False, False]), "缺少案件編號")
    dates = pd.Series(["", "", "日期「x」無法解析", "", "日期「y」無法解析"])
    failed = dates.ne("")
    reasons.add(failed, dates[failed].map(lambda d: f"受理時間：{d}"))
    reasons.add(pd.Series([False] * 5), "never")  # hits nothing: no rule recorded
    rows = pd.Series([7, 9], index=[0, 3])
    dup = pd.Series([True, False, False, True, False])
    reasons.add(dup, rows.map(lambda r: DUPLICATE_IN_FILE.format(column="案件編號", row=r)))
    return reasons


def test_texts_join_each_rows_reasons_in_rule_order() -> None:
    texts = _reasons().texts()
    assert texts.to_dict() == {
        0: "缺少案件編號；同一檔案中案件編號重複，以第 7 列為準",
        2: "缺少案件編號；受理時間：日期「x」無法解析",
        3: "同一檔案中案件編號重複，以第 9 列為準",
        4: "受理時間：日期「y」無法解析",
    }


def test_rejected_text_and_length_agree_with_texts() -> None:
    reasons = _reasons()
    assert list(reasons.rejected()) == [True, False, True, True, True]
    assert len(reasons) == 4
    assert reasons.text(2) == "缺少案件編號；受理時間：日期「x」無法解析"
    assert reasons.text(1) == ""


def test_rules_are_named_without_cell_values() -> None:
    labels = [(label, hits) for label, hits, _ in _reasons().rules()]
    # Row numbers differ between the duplicate messages: the label stops before them.
    assert labels == [("缺少案件編號", 2), ("受理時間：日期", 2), ("同一檔案中案件編號重複", 2)]


def test_a_mask_on_another_index_is_aligned_by_label() -> None:
    reasons = Reasons(pd.Index([10, 11, 12]))
    reasons.add(pd.Series([True], index=[12]), "x")
    assert list(reasons.rejected()) == [False, False, True]
