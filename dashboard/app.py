"""The svcq dashboard: `svcq dashboard`, or `streamlit run dashboard/app.py`.

The entry file draws what every page shares (the language and calendar switches, the
period and the filters in the sidebar, all bound to the URL) and hands over to the page
chosen in the navigation. Pages live in dashboard/views/.
"""

from __future__ import annotations

import json
from pathlib import Path

import streamlit as st

from dashboard import blocks, sidebar, ui
from dashboard.i18n import HTML_LANG
from dashboard.ui import lang, t

# A local icon: a material or emoji icon would be fetched from a CDN.
ICON = str(Path(__file__).resolve().parent / "assets" / "favicon.png")
st.set_page_config(page_title="svcq", page_icon=ICON, layout="wide")

# The navigation is drawn at the top of the sidebar (a container kept for it) by page
# links of our own: Streamlit's navigation puts section headers inside its <ul>, which
# screen readers announce as a broken list (axe: list, listitem; docs/accessibility.md).
navigation_area = st.sidebar.container()
ui.unsettle()
with st.sidebar:
    sidebar.switches()
ui.settle()  # the language and calendar, read once for the rest of the run
# The page declares its language for screen readers (Streamlit's page says lang="en").
# Captions: Streamlit draws them in the text colour at 60% opacity (4.0:1 on white, under
# WCAG AA's 4.5:1); a solid grey reads 6.4:1 (docs/accessibility.md). The lists on the
# pages are plain HTML tables (blocks.short_table) in Streamlit's table look.
st.html(
    f"<script>document.documentElement.lang = {json.dumps(HTML_LANG[lang()])};</script>"
    "<style>"
    '.stApp [data-testid="stCaptionContainer"] {opacity: 1; color: #52606D;}'
    ".svcq-table {border-collapse: collapse; width: 100%; font-size: 0.875rem;"
    " margin-bottom: 1rem; font-variant-numeric: tabular-nums;}"
    ".svcq-table th, .svcq-table td {border: 1px solid #D5DAE1; padding: 0.3rem 0.6rem;"
    " text-align: left; vertical-align: top;}"
    ".svcq-table th {background: #F0F2F6; font-weight: 600;}"
    ".svcq-table .num {text-align: right;}"
    "</style>",
    unsafe_allow_javascript=True,
)

PAGES = {
    t("nav.meeting"): [
        st.Page("views/overview.py", title=t("page.overview"), url_path="overview", default=True),
        st.Page("views/scorecard.py", title=t("page.scorecard"), url_path="scorecard"),
    ],
    t("nav.analysis"): [
        st.Page("views/petitions.py", title=t("page.petitions"), url_path="petitions"),
        st.Page("views/surveys.py", title=t("page.surveys"), url_path="surveys"),
        st.Page("views/phone_tests.py", title=t("page.phone_tests"), url_path="phone-tests"),
    ],
    # Exports and the monthly report, the import page with sign-in and the FAQ go here.
    t("nav.data"): [
        st.Page("views/data_status.py", title=t("page.data_status"), url_path="data-status"),
    ],
}
current = st.navigation(PAGES, position="hidden")
with navigation_area:
    for section, pages in PAGES.items():
        st.caption(section)
        for page in pages:
            st.page_link(page, label=page.title)
    st.divider()
with st.sidebar:
    st.session_state["selection"] = sidebar.filters()
with blocks.guarded():  # a page's own failure, outside its sections' guards: plain words too
    current.run()
