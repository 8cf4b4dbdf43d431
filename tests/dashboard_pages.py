"""The dashboard's pages and their sections (tabs), for the tests that visit every view:
the AppTests, the privacy test and the browser tests. The first tab of a page is what
its path opens; the others are opened by ``?tab=<id>``."""

from __future__ import annotations

PAGES = ["views/overview.py", "views/scorecard.py", "views/petitions.py", "views/surveys.py",
         "views/phone_tests.py", "views/data_status.py"]  # fmt: skip
TABS = {
    "views/scorecard.py": ["scorecard", "funnels"],
    "views/petitions.py": ["timeliness", "regional", "types", "repeats"],
    "views/surveys.py": ["waves", "dimensions", "units"],
    "views/phone_tests.py": ["scores", "improve"],
}
URL_PATHS = {"views/overview.py": "", "views/phone_tests.py": "phone-tests",
             "views/data_status.py": "data-status"}  # fmt: skip


def views() -> list[tuple[str, str | None]]:
    """(page, tab or None) of every view."""
    return [(page, tab) for page in PAGES for tab in TABS.get(page, [None])]


def view_paths() -> dict[str, str]:
    """Every view's name (e.g. petitions-regional) -> its link path and query."""
    out = {}
    for page, tab in views():
        path = URL_PATHS.get(page, page.removeprefix("views/").removesuffix(".py"))
        stem = page.removeprefix("views/").removesuffix(".py").replace("_", "-")
        first = tab is None or tab == TABS[page][0]
        name = stem if tab is None else f"{stem}-{tab}"
        out[name or "overview"] = path + ("" if first else f"?tab={tab}")
    return out
