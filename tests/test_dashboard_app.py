"""The dashboard through Streamlit's AppTest: every page renders without an exception on
the sample database, on an empty database and with no database at all; a filter change
changes the figures to what the metric functions give for that filter."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.i18n import translate
from etl.database import prepare
from metrics import freshness
from metrics.filters import Filters
from store.months import month_end
from tests.dashboard_pages import PAGES, TABS, View
from tests.html_tables import records
from tests.metrics_fixtures import headline_figures

APP = str(Path(__file__).resolve().parent.parent / "dashboard" / "app.py")


def zh(key: str, **values: object) -> str:
    return translate("zh", key, **values)


def _app(db: Path, monkeypatch, **params: str) -> AppTest:
    monkeypatch.setenv("SVCQ_DB", str(db))
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    return at


def _shown(at: AppTest) -> str:
    parts = [e.value for e in (*at.markdown, *at.caption, *at.info, *at.warning, *at.error)]
    return "\n".join(str(p) for p in parts)


def _no_failure(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]  # the pages' plain-word failure message


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_on_the_sample(sample_db, monkeypatch, page, lang):
    at = _app(sample_db, monkeypatch, lang=lang, period="last_12")
    at.run()
    _no_failure(at)
    at.switch_page(page).run()
    _no_failure(at)
    assert at.title and at.title[0].value  # the page title, from the catalog
    _every_tab(at, page, sample_db, monkeypatch, drawn=True, lang=lang, period="last_12")


def _every_tab(
    at: AppTest, page: str, db: Path, monkeypatch, *, drawn: bool, **params: str
) -> None:
    """The page's tabs: the first drawn by its path, each other opened by its link
    (?tab=<id>) in a new session. Unless they must be ``drawn``, a page with nothing to
    show (an empty database) may draw no tabs and say so once."""
    state = View(page, None).tab_state
    tabs = TABS.get(page, [])
    if tabs and not drawn and state not in at.session_state:
        assert at.info, "no tabs and no message"
        return
    if tabs:
        assert at.session_state[state] == tabs[0]  # the path opens the first
    for tab in tabs[1:]:
        fresh = _app(db, monkeypatch, tab=tab, **params)
        fresh.run()
        fresh.switch_page(page).run()
        _no_failure(fresh)
        assert fresh.session_state[state] == tab
        assert fresh.header or fresh.info  # the tab drew its content, or said it has none


@pytest.mark.parametrize("page", PAGES)
def test_every_page_says_so_when_there_is_no_database(tmp_path, monkeypatch, page):
    at = _app(tmp_path / "none.duckdb", monkeypatch)
    at.run()
    at.switch_page(page).run()
    _no_failure(at)
    assert "svcq sample" in _shown(at)


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_on_an_empty_database(tmp_path, monkeypatch, page):
    path = tmp_path / "empty.duckdb"
    con = duckdb.connect(str(path))
    prepare(con)
    con.close()
    at = _app(path, monkeypatch)
    at.run()
    at.switch_page(page).run()
    _no_failure(at)
    _every_tab(at, page, path, monkeypatch, drawn=False)


def _tile(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def test_a_unit_filter_changes_the_tiles_to_the_metrics_values(sample_db, monkeypatch):
    expected = headline_figures(sample_db)
    at = _app(sample_db, monkeypatch)
    at.run()
    _no_failure(at)
    assert _tile(at, "受理陳情件數") == expected["received_all"]
    at.multiselect(key="unit").select(expected["unit"]).run()
    _no_failure(at)
    assert _tile(at, "受理陳情件數") == expected["received_unit"]
    assert _tile(at, "依限辦結率") == expected["on_time_unit"]
    assert expected["received_unit_count"] < expected["received_all_count"]


def test_the_url_chooses_the_language_period_and_filters(sample_db, monkeypatch):
    con = duckdb.connect(str(sample_db), read_only=True)
    try:
        as_of = freshness.data_as_of(con, Filters())
    finally:
        con.close()
    at = _app(sample_db, monkeypatch, lang="en", cal="western", period="this_year")
    at.run()
    _no_failure(at)
    assert at.title[0].value == "Overview (monthly report)"
    shown = _shown(at)
    assert f"1 Jan {as_of.year} to {as_of.day} " in shown  # the period, Western years in English
    at.segmented_control(key="lang").set_value("zh").run()
    assert at.title[0].value == "總覽（月報）"
    assert at.selectbox(key="period").value == "this_year"  # kept across the language switch


def test_periods_never_reach_past_the_data():
    from dashboard.periods import preset_period

    anchor = dt.date(2025, 9, 15)
    assert preset_period("this_month", anchor) == (dt.date(2025, 9, 1), anchor)
    assert preset_period("last_month", anchor) == (dt.date(2025, 8, 1), dt.date(2025, 8, 31))
    assert preset_period("this_quarter", anchor) == (dt.date(2025, 7, 1), anchor)
    assert preset_period("this_year", anchor) == (dt.date(2025, 1, 1), anchor)
    assert preset_period("last_12", anchor) == (dt.date(2024, 10, 1), anchor)


def test_a_load_shows_up_on_the_next_rerun_without_a_restart(tmp_path, monkeypatch):
    from etl.load import load_file
    from tests.template_files import PETITION_COLUMNS, petition, write_rows

    db = tmp_path / "svcq.duckdb"
    first = [petition(f"A{i}", "2025-03-03 09:00:00") for i in range(3)]
    load_file(db, "petitions", write_rows(tmp_path / "a.csv", PETITION_COLUMNS, first))
    at = _app(db, monkeypatch)
    at.run()
    _no_failure(at)
    assert _tile(at, "受理陳情件數") == "3 件"
    more = [petition(f"B{i}", "2025-03-04 09:00:00") for i in range(4)]
    load_file(db, "petitions", write_rows(tmp_path / "b.csv", PETITION_COLUMNS, more))
    at.run()  # the same session: cached figures of the old file must not be reused
    _no_failure(at)
    assert _tile(at, "受理陳情件數") == "7 件"


def test_a_database_without_petitions_still_shows_its_surveys(tmp_path, monkeypatch):
    from etl.load import load_file
    from tests.conftest import SAMPLE_DATA

    db = tmp_path / "surveys-only.duckdb"
    load_file(db, "surveys", SAMPLE_DATA / "surveys.csv")
    at = _app(db, monkeypatch, period="last_12")
    at.run()
    at.switch_page("views/surveys.py").run()
    _no_failure(at)
    assert any(h.value.startswith("各波次整體滿意度") for h in [*at.header, *at.subheader])
    at.switch_page("views/petitions.py").run()
    _no_failure(at)
    assert "此篩選條件下沒有資料" in _shown(at)


def test_a_file_that_is_not_svcq_database_is_said_in_plain_words(tmp_path, monkeypatch):
    other = tmp_path / "other.duckdb"
    con = duckdb.connect(str(other))
    con.execute("CREATE TABLE t AS SELECT 1 AS x")
    con.close()
    at = _app(other, monkeypatch)
    at.run()
    _no_failure(at)
    assert "不是 svcq 的資料庫" in _shown(at)


@pytest.mark.parametrize(
    "page, metric_value",
    [
        # the phone page's N is the calls of the chosen unit's agency and name
        ("views/phone_tests.py", "calls"),
        ("views/scorecard.py", "rows"),
    ],
)
def test_a_unit_filter_changes_other_pages_to_the_metrics_values(sample_db, monkeypatch, page,
                                                                 metric_value):  # fmt: skip
    from metrics import phone_tests, scorecard

    con = duckdb.connect(str(sample_db), read_only=True)
    try:
        from dashboard.periods import preset_period

        start, end = preset_period("last_12", freshness.data_as_of(con, Filters()))
        tested = phone_tests.phone_scores(con, Filters(start, end), by=("unit",))
        agency, unit = tested.sort_values("calls").iloc[-1][["agency", "unit"]]
        chosen = Filters(start, end, agencies=(agency,), units=(unit,))
        calls = int(phone_tests.phone_scores(con, chosen, by=()).iloc[0]["calls"])
        rows = len(scorecard.unit_scorecard(con, chosen))
    finally:
        con.close()
    at = _app(sample_db, monkeypatch, period="last_12")
    at.run()
    at.switch_page(page).run()
    at.multiselect(key="agency").select(agency).run()
    at.multiselect(key="unit").select(unit).run()
    _no_failure(at)
    if metric_value == "calls":
        shown = _shown(at)
        assert f"N = {calls:,}" in shown
    else:
        table = at.dataframe[0].value
        assert len(table) == rows == 1


def test_without_population_the_map_makes_no_claim_about_rates(sample_db, monkeypatch):
    """The sample test database has no population table: the regional tab says rates per
    10,000 need it and says nothing about districts being significantly above the city."""
    at = _app(sample_db, monkeypatch, period="last_12", tab="regional")
    at.run()
    at.switch_page("views/petitions.py").run()
    _no_failure(at)
    shown = _shown(at)
    assert zh("regional.no_population").split("（")[0] in shown
    assert zh("regional.none_significant") not in shown
    assert "顯著高於全市" not in shown


def test_the_follow_up_list_is_a_plain_table_of_the_scorecards_flagged_units(
    sample_db, monkeypatch
):
    """The overview's units needing follow-up: the month's scorecard units standing 需追蹤 or
    注意, shown as a plain table (no grid repaint on every rerun) while the list is short."""
    from dashboard.blocks import SHORT_ROWS
    from metrics import scorecard

    con = duckdb.connect(str(sample_db), read_only=True)
    try:
        month = freshness.months_with_data(con, Filters())[-1]
        end = min(month_end(month), freshness.data_as_of(con, Filters()))
        card = scorecard.unit_scorecard(con, Filters(month, end))
    finally:
        con.close()
    flagged = card[card["standing"].isin([scorecard.FOLLOW_UP, scorecard.WATCH])]
    assert 0 < len(flagged) <= SHORT_ROWS  # the sample has such a list; else this proves nothing
    at = _app(sample_db, monkeypatch)
    at.run()
    _no_failure(at)
    tables = [records(h.proto.body) for h in at.get("html") if "<table" in h.proto.body]
    tables = [tb for tb in tables if tb and {"承辦單位", "燈號"} <= set(tb[0])]
    assert len(tables) == 1
    shown = tables[0]
    assert sorted((row["機關"], row["承辦單位"]) for row in shown) == sorted(
        zip(flagged["agency"], flagged["unit"], strict=True)
    )


def test_the_district_funnel_is_a_section_of_the_regional_tab(sample_db, tmp_path, monkeypatch):
    """With a population loaded the regional tab draws the district funnel; its title is a
    section heading (h2) like the map's: a loop once reused the heading-level name and
    turned it into a subheading."""
    import shutil

    from dashboard import geo
    from etl.reference_tables import load_population

    db = tmp_path / "with-population.duckdb"
    shutil.copy(sample_db, db)
    key = sample_db.with_name(sample_db.name + ".key")
    if key.exists():
        shutil.copy(key, db.with_name(db.name + ".key"))
    rows = ["district,population,as_of,source"]
    rows += [f"{d},{20_000 + 1_000 * i},2025-12-31,test" for i, d in enumerate(geo.short_labels())]
    (tmp_path / "population.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    load_population(db, tmp_path / "population.csv")
    title = zh("funnel.title", indicator=zh("indicator.petitions_per_10k"), by=zh("col.district"))
    at = _app(db, monkeypatch, period="last_12", tab="regional")
    at.run()
    at.switch_page("views/petitions.py").run()
    _no_failure(at)
    assert title in [h.value for h in at.header]
    assert title not in [h.value for h in at.subheader]


@pytest.mark.parametrize(
    ("tab", "title"), [("dimensions", "survey.dimensions"), ("units", "survey.units")]
)
def test_a_survey_tab_alone_says_when_the_period_has_no_survey(sample_db, monkeypatch, tab, title):
    """Each tab is drawn alone: its section keeps its heading and either draws its chart or
    says the period has no survey (the first tab's message is not there to say it)."""
    for period in ("this_month", "last_12"):  # the sample's latest month has no wave
        at = _app(sample_db, monkeypatch, tab=tab, period=period)
        at.run()
        at.switch_page("views/surveys.py").run()
        _no_failure(at)
        name = zh(title)
        assert name in [h.value for h in at.header]
        told = any(i.value == zh("empty.no_survey") for i in at.info)
        # a drawn chart has its table one click away
        drawn = any(e.label == zh("block.table", title=name) for e in at.expander)
        assert told != drawn, (period, told, drawn)


def test_a_language_switch_is_read_anew_on_every_run(sample_db, monkeypatch):
    """The language is read once per run (ui.settle): switching it in a session changes
    every text on the next run, and switching back restores them."""
    at = _app(sample_db, monkeypatch, period="last_12")
    at.run()
    for lang in ("en", "zh", "en"):
        at.session_state["lang"] = lang
        at.run()
        _no_failure(at)
        assert at.title[0].value == translate(lang, "page.overview")
        assert at.sidebar.multiselect[0].label == translate(lang, "filter.agency")


def test_a_page_failing_outside_its_sections_says_so_in_plain_words(sample_db, monkeypatch):
    """A failure in a page's own code (here its tabs), outside the guards around each
    section, is said in plain words by the entry file's guard, never as a traceback; the
    message carries nothing of the exception's text."""
    from dashboard import sections

    def broken(*args, **kwargs):
        raise RuntimeError("secret A123456789")

    monkeypatch.setattr(sections, "tabs", broken)
    at = _app(sample_db, monkeypatch, period="last_12")
    at.run()
    at.switch_page("views/petitions.py").run()
    assert not at.exception
    assert [e.value for e in at.error] == [zh("error.generic")]
    assert "A123456789" not in _shown(at)


def test_the_list_of_views_holds_every_page_and_tab_the_app_has():
    """tests/dashboard_pages.py drives the AppTests, the privacy and browser tests and the
    bench: a page or a tab added to the app and not to that list would go untested. Read
    from the sources: every file in dashboard/views/ is a page, its "tab.<id>" keys (in
    their order) its tabs."""
    import re

    views = Path(APP).parent / "views"
    assert sorted(PAGES) == sorted(f"views/{f.name}" for f in views.glob("*.py"))
    for page in PAGES:
        found = re.findall(r'"tab\.(\w+)"', (Path(APP).parent / page).read_text("utf-8"))
        assert found == TABS.get(page, []), page
