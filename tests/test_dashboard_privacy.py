"""No personal data on any dashboard page: petitions seeded with names, ID numbers,
phones, e-mails and house numbers (in the personal-data columns, in the subject and the
extension reason, and in rows that are rejected) are loaded, then every page and tab is
rendered in both languages and everything it shows (text, tables, tiles, chart data) is
searched for every printed form of them."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from etl.load import load_file
from tests.dashboard_pages import all_views
from tests.template_files import PETITION_COLUMNS, petition, write_rows

APP = str(Path(__file__).resolve().parent.parent / "dashboard" / "app.py")

NAME, THIRD = "王小明", "李大華"
NATIONAL_ID = "A123456789"
MOBILE = "0912-345-678"
EMAIL = "xiaoming.wang@example.com.tw"
HOUSE = "光遠路100巷5弄3號"
SECRETS = [NAME, THIRD, NATIONAL_ID, MOBILE, EMAIL, HOUSE]


def forms(value: str) -> set[str]:
    """A value as it might be printed: as written, without separators, full-width."""
    bare = re.sub(r"[\s\-.]", "", value)
    wide = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in value)
    return {value, bare, wide}


def _rows() -> list[dict]:
    personal = {"陳情人姓名": NAME, "身分證字號": NATIONAL_ID, "聯絡電話": MOBILE,
                "電子郵件": EMAIL, "聯絡地址": "高雄市鳳山區" + HOUSE}  # fmt: skip
    text = f"{NAME}（{MOBILE}，{EMAIL}）陳情鄰居{THIRD}在{HOUSE}前違停"
    rows = []
    for i in range(40):
        rows.append(petition(f"P{i:03d}", f"2025-03-{1 + i % 28:02d} 09:00:00", **personal,
                             陳情主旨=text, 展延原因=text, 首次回覆時間=f"2025-03-{1 + i % 28:02d} 15:00:00",
                             回覆滿意度="4"))  # fmt: skip
    # rejected: personal data in the district and date cells
    rows.append(petition("R1", "2025-03-05 09:00:00", 行政區=f"{MOBILE} {NAME}", **personal))
    rows.append(petition("R2", f"{NAME} {MOBILE}", **personal))
    return rows


@pytest.fixture(scope="module")
def seeded_db(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("dashboard-privacy")
    db = folder / "svcq.duckdb"
    result = load_file(db, "petitions", write_rows(folder / "p.csv", PETITION_COLUMNS, _rows()))
    assert result.rows_loaded == 40 and result.rows_rejected == 2
    return db


def _everything(at: AppTest) -> str:
    parts: list[str] = []
    for kind in ("markdown", "caption", "info", "warning", "error", "success", "title", "header",
                 "subheader", "metric", "dataframe", "table", "html", "vega_lite_chart", "selectbox",
                 "multiselect"):  # fmt: skip
        for element in at.get(kind):
            parts.append(str(getattr(element, "proto", element)))
            value = getattr(element, "value", None)
            if kind == "html":  # the text a reader sees, entities decoded
                parts.append(html.unescape(value))
            elif hasattr(value, "to_csv"):
                parts.append(value.to_csv())
            elif value is not None:
                parts.append(json.dumps(value, ensure_ascii=False, default=str))
    return "\n".join(parts)


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_no_page_shows_personal_data(seeded_db, monkeypatch, lang):
    monkeypatch.setenv("SVCQ_DB", str(seeded_db))
    shown = []
    opened = 0  # tables and definitions opened and searched
    for view in all_views():
        at = AppTest.from_file(APP, default_timeout=120)
        at.query_params["lang"] = lang
        at.query_params["period"] = "this_year"
        if view.tab:
            at.query_params["tab"] = view.tab
        at.run()
        at.switch_page(view.page).run()
        for folded in at.expander:  # tables and definitions are drawn once opened
            at.session_state[folded.key] = True
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        assert all(at.session_state[e.key] for e in at.expander)
        opened += len(at.expander)
        shown.append(_everything(at))
    assert opened >= 20
    text = "\n".join(shown)
    assert "2025" in text or "114" in text  # the pages did show the seeded data
    leaks = sorted(f for secret in SECRETS for f in forms(secret) if f in text)
    assert leaks == []
