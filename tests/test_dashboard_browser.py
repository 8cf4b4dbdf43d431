"""The dashboard in a real browser: Playwright driving Debian's Chromium against
`streamlit run` on the session's sample database (one server and one browser for the
module). What a person does: change a filter and see the headline figure follow, open a
copied link, click a district on the map, switch the language, use the keyboard; and on
every page: axe-core finds no serious or critical problem in what this project controls,
no request leaves the machine, and a screenshot is saved under test-artifacts/.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from browser_support import (
    REPO,
    Server,
    after,
    clock,
    foreign,
    full_screenshot,
    goto,
    launch,
    new_page,
    recorded_requests,
)

from dashboard.i18n import HTML_LANG, translate
from tests.dashboard_pages import all_views
from tests.metrics_fixtures import headline_figures

pytestmark = pytest.mark.slow

ARTIFACTS = REPO / "test-artifacts"
SHOTS = ARTIFACTS / "screenshots"

# Every page, and each tab of every page: screenshot name -> path and query.
VIEWS = {view.name: view for view in all_views()}
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
BLOCKING = {"serious", "critical"}
# Serious or critical findings inside Streamlit's own markup, which this project cannot
# change: (rule, the Streamlit element the node sits in) -> why. docs/accessibility.md
# keeps the same list and says what was done about each.
STREAMLIT_OWN: dict[tuple[str, str], str] = {
    # None at present: Streamlit's own page navigation (section headers inside its <ul>:
    # axe list, listitem) was replaced by the app's page links.
}


def zh(key: str, **values: object) -> str:
    return translate("zh", key, **values)


@pytest.fixture(scope="module")
def server(sample_db: Path):
    with Server(sample_db, ARTIFACTS / "streamlit.log") as running:
        yield running


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    opened = new_page(browser)
    yield opened
    opened.context.close()


@pytest.fixture(scope="module")
def expected(sample_db: Path) -> dict:
    """The headline figures straight from the metric functions on the same database."""
    return headline_figures(sample_db)


def sidebar(page):
    return page.locator('[data-testid="stSidebar"]')


def tile(page, label: str) -> str:
    metric = page.locator('[data-testid="stMetric"]').filter(has_text=label)
    return metric.locator('[data-testid="stMetricValue"]').inner_text().strip()


def query(page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def pick(page, label: str, option: str) -> float:
    """Choose ``option`` in the sidebar's select or multiselect ``label``; ms until settled."""
    box = sidebar(page).get_by_role("combobox", name=label, exact=True)
    box.click()
    box.fill(option)  # the list is virtual: only what is typed for is surely drawn
    before = clock(page)
    page.get_by_role("option", name=option, exact=True).click()
    took = after(page, before)
    page.keyboard.press("Escape")  # a multiselect's list stays open after a choice
    return took


def chosen(page, label: str) -> list[str]:
    """The values shown as chosen in the sidebar's multiselect ``label``."""
    widget = (
        sidebar(page)
        .locator('[data-testid="stMultiSelect"]')
        .filter(has=page.get_by_role("combobox", name=label, exact=True))
    )
    return widget.locator("[data-tag]").evaluate_all("tags => tags.map(t => t.ariaLabel)")


def press(page, name: str) -> None:
    """Click a segmented-control button and wait for the rerun it starts."""
    before = clock(page)
    sidebar(page).get_by_role("radio", name=name, exact=True).click()
    after(page, before)


# ---------------------------------------------------------------- filters and the URL


def test_a_unit_filter_changes_the_headline_to_the_metrics_value(server, page, expected):
    goto(page, server.url + "/")
    label = zh("indicator.received")
    assert tile(page, label) == expected["received_all"]
    pick(page, zh("filter.unit"), expected["unit"])
    assert tile(page, label) == expected["received_unit"]
    assert tile(page, zh("indicator.on_time_rate")) == expected["on_time_unit"]
    assert expected["received_unit"] != expected["received_all"]
    assert query(page)["unit"] == [expected["unit"]]


def test_a_copied_link_opens_the_same_view(server, browser, page, expected):
    goto(page, server.url + "/")
    pick(page, zh("filter.unit"), expected["unit"])
    pick(page, zh("sidebar.period"), zh("preset.last_12"))
    press(page, zh("sidebar.calendar.western"))
    link = page.url
    assert query(page) == {"unit": [expected["unit"]], "period": ["last_12"], "cal": ["western"]}
    shown = page.locator('[data-testid="stMain"]').inner_text()

    copy = new_page(browser)
    try:
        goto(copy, link)
        assert tile(copy, zh("indicator.received")) == expected["received_unit"]
        assert copy.locator('[data-testid="stMain"]').inner_text() == shown
        assert chosen(copy, zh("filter.unit")) == [expected["unit"]]
        period = sidebar(copy).get_by_role("combobox", name=zh("sidebar.period"), exact=True)
        assert period.input_value() == zh("preset.last_12")
        western = sidebar(copy).get_by_role("radio", name=zh("sidebar.calendar.western"))
        assert western.get_attribute("aria-checked") == "true"
        assert query(copy) == query(page)
    finally:
        copy.context.close()


def _click_point(page, chart_key: str, district: str) -> None:
    """Click ``district`` in the chart ``chart_key``: its mark is the one whose accessible
    name (the hover text in one line) starts with the district's name; the click lands on
    a pixel where that very mark is on top (a district's shape is not a box)."""
    mark = page.locator(f'.st-key-{chart_key} [role="graphics-symbol"][aria-label^="{district} "]')
    mark.first.wait_for()
    mark.first.scroll_into_view_if_needed()  # a mouse click lands only inside the viewport
    where = mark.first.evaluate(
        """(mark) => {
          const box = mark.getBoundingClientRect();
          for (let i = 1; i < 20; i++) for (let j = 1; j < 20; j++) {
            const x = box.left + box.width * i / 20, y = box.top + box.height * j / 20;
            if (document.elementFromPoint(x, y) === mark) return {x, y};
          }
          return null;
        }"""
    )
    assert where is not None, f"{district} cannot be clicked on the chart"
    before = clock(page)
    page.mouse.click(where["x"], where["y"])
    after(page, before)


# 林園區 is the map's southernmost district: clipped under the source line when the map
# was fitted into its height instead of drawn at its own size
@pytest.mark.parametrize(
    ("view", "district"), [("map", "鳳山區"), ("map", "林園區"), ("grid", "鹽埕區")]
)
def test_clicking_a_district_sets_the_district_filter(server, page, view, district):
    goto(page, f"{server.url}/petitions?tab=regional&period=last_12&map_view={view}")
    assert chosen(page, zh("filter.district")) == []
    _click_point(page, f"district_{view}", district)
    assert chosen(page, zh("filter.district")) == [district]
    assert query(page)["district"] == [district]
    assert query(page)["tab"] == ["regional"]  # still on the same view


def test_switching_to_english_and_back(server, page):
    goto(page, server.url + "/petitions")
    assert page.locator("h1").first.inner_text() == zh("page.petitions")
    assert page.evaluate("document.documentElement.lang") == HTML_LANG["zh"]

    press(page, "English")
    assert page.locator("h1").first.inner_text() == translate("en", "page.petitions")
    assert page.get_by_role("tab", name=translate("en", "tab.timeliness")).count() == 1
    assert sidebar(page).get_by_text(translate("en", "filter.district"), exact=True).count()
    assert query(page)["lang"] == ["en"]
    assert page.evaluate("document.documentElement.lang") == HTML_LANG["en"]

    press(page, "中文")
    assert page.locator("h1").first.inner_text() == zh("page.petitions")
    assert page.get_by_role("tab", name=zh("tab.timeliness")).count() == 1
    assert "lang" not in query(page)
    assert page.evaluate("document.documentElement.lang") == HTML_LANG["zh"]


def test_switching_the_language_keeps_the_other_choices(server, page):
    goto(page, server.url + "/petitions?period=this_year")
    press(page, "English")
    assert query(page)["period"] == ["this_year"]
    press(page, "中文")
    assert query(page)["period"] == ["this_year"]
    period = sidebar(page).get_by_role("combobox", name=zh("sidebar.period"), exact=True)
    assert period.input_value() == zh("preset.this_year")


# ---------------------------------------------------------------- keyboard


def _focused(page) -> dict:
    return page.evaluate(
        """() => { const e = document.activeElement;
                   return {label: e.getAttribute('aria-label') || e.innerText || '',
                           role: e.getAttribute('role') || e.tagName.toLowerCase(),
                           sidebar: !!e.closest('[data-testid="stSidebar"]'),
                           summary: e.tagName === 'SUMMARY'}; }"""
    )


def _tab_to(page, wanted, limit: int = 120) -> dict:
    """Press Tab until the focused element satisfies ``wanted``."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = _focused(page)
        if wanted(focused):
            return focused
    raise AssertionError("the keyboard never reached it")


def test_the_keyboard_reaches_the_filters_and_operates_the_controls(server, page):
    goto(page, server.url + "/")
    page.evaluate("document.activeElement.blur()")  # Tab starts from the top of the page
    unit = zh("filter.unit")
    _tab_to(page, lambda f: f["sidebar"] and f["role"] == "combobox" and f["label"] == unit)
    month = zh("overview.month")
    _tab_to(page, lambda f: not f["sidebar"] and f["role"] == "combobox" and f["label"] == month)

    # a segmented control is one Tab stop (its chosen button); an arrow key moves to the
    # other choice and Space takes it (the dates follow)
    page.evaluate("document.activeElement.blur()")
    roc, western = zh("sidebar.calendar.roc"), zh("sidebar.calendar.western")
    _tab_to(page, lambda f: f["role"] == "radio" and f["label"].strip() == roc)
    page.keyboard.press("ArrowRight")
    assert _focused(page)["label"].strip() == western
    before = clock(page)
    page.keyboard.press("Space")
    after(page, before)
    assert query(page)["cal"] == ["western"]

    # an expander: Tab to its summary, Enter opens it
    _tab_to(page, lambda f: f["summary"])
    details = page.locator("details:has(summary:focus)")
    assert details.get_attribute("open") is None
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.querySelector('summary:focus').parentElement.open")


# ---------------------------------------------------------------- every page


def _blocking(page, results: dict) -> list[str]:
    """Serious or critical axe findings not in Streamlit's own markup (STREAMLIT_OWN)."""
    problems = []
    for violation in results["violations"]:
        if violation["impact"] not in BLOCKING:
            continue
        regions = [where for rule, where in STREAMLIT_OWN if rule == violation["id"]]
        for node in violation["nodes"]:
            inside = page.evaluate(
                """([target, regions]) => { const e = document.querySelector(target);
                     return !!e && regions.some(r => e.closest(r)); }""",
                [node["target"][0], regions],
            )
            if not inside:
                problems.append(f"{violation['id']} ({violation['impact']}): {node['html'][:160]}")
    return problems


FONT = "Noto Sans CJK TC"
# Text whose font is checked on every page (the material icons are a font of their own).
TEXT_SELECTORS = ('h1, h2, h3, [data-testid="stMarkdownContainer"] p, .vega-embed text, '
                  '[data-testid^="stPageLink"] span:not([data-testid="stIconMaterial"])')  # fmt: skip


def _fonts(page) -> set[str]:
    """The font families Chromium actually drew the page's text with (not what CSS asked
    for: fontconfig falls back silently, e.g. to Japanese glyph forms)."""
    cdp = page.context.new_cdp_session(page)
    try:
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
        nodes = cdp.send("DOM.querySelectorAll", {"nodeId": root, "selector": TEXT_SELECTORS})
        families = set()
        for node in nodes["nodeIds"][:200]:
            fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
            families |= {font["familyName"] for font in fonts}
        return families
    finally:
        cdp.detach()


NO_CHART = {"scorecard-scorecard"}  # the scorecard's table itself


def _charts_are_described(page, name: str) -> None:
    """Every chart is a figure named by its text description, with its data table."""
    charts = page.locator('[data-testid="stVegaLiteChart"]')
    if name not in NO_CHART:  # every other view draws a chart at 近 12 個月 on the sample
        assert charts.count() >= 1
    for chart in charts.all():
        assert chart.get_attribute("role") == "graphics-document"
        assert (chart.get_attribute("aria-label") or "").strip()
    tables = page.locator("summary").filter(has_text=zh("block.table", title=""))
    assert tables.count() >= charts.count()


@pytest.mark.parametrize("name", list(VIEWS))
def test_every_page_is_accessible_stays_local_and_is_screenshot(server, page, name):
    from axe_playwright_python.sync_playwright import Axe

    with recorded_requests(page) as urls:
        goto(page, f"{server.url}/{VIEWS[name].url('period=last_12')}")
        assert not page.locator('[data-testid="stException"]').count()
        assert page.evaluate("document.documentElement.lang") == HTML_LANG["zh"]
        results = Axe().run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
        full_screenshot(page, SHOTS / f"{name}.png")
    found = {kind: [{"id": v["id"], "impact": v["impact"], "help": v["help"],
                     "nodes": [n["html"][:200] for n in v["nodes"]]}
                    for v in results.response[kind]]
             for kind in ("violations", "incomplete")}  # fmt: skip
    report = ARTIFACTS / "axe" / f"{name}.json"
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text(json.dumps(found, ensure_ascii=False, indent=1), encoding="utf-8")
    assert urls, "no request was recorded at all"
    assert foreign(urls) == []
    assert _blocking(page, results.response) == []
    _charts_are_described(page, name)
    assert _fonts(page) == {FONT}
