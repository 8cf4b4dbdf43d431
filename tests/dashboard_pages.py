"""The dashboard's pages and their sections (tabs), for everything that visits every view:
the AppTests, the privacy test, the browser tests and bench/bench_dashboard.py. The first
tab of a page is what its path opens; the others are opened by ``?tab=<id>``."""

from __future__ import annotations

from dataclasses import dataclass

PAGES = ["views/overview.py", "views/scorecard.py", "views/petitions.py", "views/surveys.py",
         "views/phone_tests.py", "views/data_status.py"]  # fmt: skip
TABS = {
    "views/scorecard.py": ["scorecard", "funnels"],
    "views/petitions.py": ["timeliness", "overdue", "regional", "types", "repeats"],
    "views/surveys.py": ["waves", "dimensions", "units"],
    "views/phone_tests.py": ["scores", "improve"],
}
URL_PATHS = {"views/overview.py": "", "views/phone_tests.py": "phone-tests",
             "views/data_status.py": "data-status"}  # fmt: skip


@dataclass(frozen=True)
class View:
    page: str  # views/petitions.py
    tab: str | None  # its id (regional), None on a page without tabs

    @property
    def stem(self) -> str:
        return self.page.removeprefix("views/").removesuffix(".py")

    @property
    def tab_state(self) -> str:  # the session state key of the page's open tab (sections.tabs)
        return f"{self.stem}_tab_id"

    @property
    def first(self) -> bool:
        """The page's first tab, or a page without tabs: its path opens it."""
        return self.tab is None or self.tab == TABS[self.page][0]

    @property
    def name(self) -> str:  # petitions-regional
        stem = self.stem.replace("_", "-")
        return stem if self.tab is None else f"{stem}-{self.tab}"

    @property
    def link(self) -> str:  # petitions?tab=regional
        path = URL_PATHS.get(self.page, self.stem)
        return path if self.first else f"{path}?tab={self.tab}"

    def url(self, query: str) -> str:  # petitions?tab=regional&period=last_12
        """The link with ``query`` (key=value&…) added."""
        return f"{self.link}{'&' if '?' in self.link else '?'}{query}"

    @property
    def page_key(self) -> str:  # the page's title in the catalog (and its navigation link)
        return f"page.{self.stem}"

    @property
    def tab_key(self) -> str | None:  # the tab's label in the catalog
        return None if self.tab is None else f"tab.{self.tab}"


def all_views() -> list[View]:
    """Every view, page by page, a page's first tab first."""
    return [View(page, tab) for page in PAGES for tab in TABS.get(page, [None])]
