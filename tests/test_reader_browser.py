"""Readers in a real headless Chromium: accessibility (axe-core), search, keyboard, agenda."""

import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.readerkit import build_sample, build_test_site, serve_folder

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def sample_url(tmp_path_factory):
    out = build_sample(tmp_path_factory.mktemp("sample") / "out")
    with serve_folder(out) as url:
        yield url


@pytest.fixture(scope="module")
def test_site_url(tmp_path_factory):
    out = build_test_site(tmp_path_factory.mktemp("testsite"))
    with serve_folder(out) as url:
        yield url


def test_search_finds_parana_by_a_word_form_not_in_the_text(page, sample_url):
    text = Path(__file__).resolve().parent.parent / "content/projecten/parana.md"
    assert "woonvoorzieningen" not in text.read_text().lower()
    page.clock.install()
    page.goto(sample_url + "/zoeken/")
    page.clock.pause_at(time.time() + 60)  # from here the page's timers run when told to
    page.get_by_label("Zoek in artikelen, projecten en evenementen").fill("woonvoorzieningen")
    page.get_by_role("button", name="Zoek", exact=True).click()
    results = page.locator("#zoekresultaten li")
    results.first.wait_for()
    titles = results.locator("h2 a").all_inner_texts()
    assert "Parana" in titles
    assert page.locator("#zoekresultaten mark").count() >= 1
    expect(page.locator("#zoekstatus")).to_contain_text("resultaat")
    # Submitted, the search ran at once; the one the typing set off for 250 ms later is
    # called off, or the results would blink back to "Zoeken…" and be fetched again.
    page.evaluate(
        """() => { window.statusChanges = [];
        new MutationObserver(() => window.statusChanges.push(zoekstatus.textContent))
          .observe(zoekstatus, {childList: true, characterData: true, subtree: true}); }"""
    )
    page.clock.run_for(1000)
    assert page.evaluate("window.statusChanges") == []
    page.get_by_role("link", name="Parana").click()
    page.wait_for_url("**/projecten/parana/")


def test_search_downloads_only_part_of_the_index(page, sample_url):
    fetched = []
    page.on("request", lambda r: fetched.append(r.url))
    page.goto(sample_url + "/zoeken/?q=daklozen")
    page.locator("#zoekresultaten li").first.wait_for()
    assert any("/pagefind/index/" in u for u in fetched)
    assert not any("pagefind-ui" in u for u in fetched)


def test_keyboard_reaches_search_field_and_main_menu(page, sample_url):
    page.goto(sample_url + "/artikelen/gemengd-wonen-kwetsbare-bewoners/")
    reached = []
    for _ in range(12):
        page.keyboard.press("Tab")
        reached.append(
            page.evaluate(
                "() => { const e = document.activeElement;"
                " return [e.id, e.closest('nav') ? e.closest('nav').getAttribute('aria-label') : '',"
                " e.textContent.trim()]; }"
            )
        )
    assert reached[0][2] == "Naar de inhoud"
    assert any(item[0] == "snelzoeken" for item in reached)
    menu = [item[2] for item in reached if item[1] == "Hoofdmenu"]
    assert menu[:3] == ["Artikelen", "Projecten", "Evenementen"] and "Zoeken" in menu
    # Typing into the search field and pressing Enter leads to results.
    page.focus("#snelzoeken")
    page.keyboard.type("Avicenna")
    page.keyboard.press("Enter")
    page.wait_for_url("**/zoeken/?q=Avicenna")
    page.locator("#zoekresultaten li").first.wait_for()
    assert page.input_value("#zoekveld") == "Avicenna"


def test_events_page_refiles_finished_events_in_the_readers_browser(browser, test_site_url):
    # Built on 1 June 2024: the summer event is upcoming there. Readers' clocks are later.
    context = browser.new_context()
    tab = context.new_page()
    try:
        tab.goto(test_site_url + "/evenementen/")
        past = tab.locator('[data-events="past"] .event-card h3')
        tab.wait_for_function(
            "() => document.querySelector('[data-events=\"upcoming\"] .event-card') === null"
        )
        assert past.all_inner_texts() == [
            "Winteravond",
            "Studiedag",
            "Zomerbijeenkomst; met, tekens",
            "Voorjaarsbijeenkomst",
        ]
        assert tab.locator(".registration").count() == 0
        assert tab.locator('[data-events="upcoming"] .empty').is_visible()
        tab.goto(test_site_url + "/evenementen/zomerbijeenkomst/")
        tab.locator(".when-past").wait_for(state="visible")
        assert tab.locator(".registration").count() == 0
    finally:
        context.close()


def test_events_page_without_javascript_keeps_the_build_time_order(browser, test_site_url):
    context = browser.new_context(java_script_enabled=False)
    tab = context.new_page()
    try:
        tab.goto(test_site_url + "/evenementen/")
        upcoming = tab.locator('[data-events="upcoming"] .event-card h3').all_inner_texts()
        assert upcoming == ["Zomerbijeenkomst; met, tekens", "Studiedag", "Winteravond"]
        past = tab.locator('[data-events="past"] .event-card h3').all_inner_texts()
        assert past == ["Voorjaarsbijeenkomst"]
        assert tab.locator('[data-events="upcoming"] .registration').count() == 2
        assert tab.locator('[data-events="past"] .registration').count() == 0
    finally:
        context.close()


def test_nothing_scrolls_sideways_on_a_320px_phone(browser, sample_url):
    context = browser.new_context(viewport={"width": 320, "height": 640})
    tab = context.new_page()
    try:
        for path in [
            "/",
            "/artikelen/gemengd-wonen-kwetsbare-bewoners/",
            "/projecten/parana/",
            "/evenementen/",
            "/tags/",
            "/zoeken/",
        ]:
            tab.goto(sample_url + path)
            overflow = tab.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{path} is {overflow}px too wide at 320px"
            # The main menu stays visible: no links hidden behind a JavaScript toggle.
            assert (
                tab.get_by_role("navigation", name="Hoofdmenu")
                .get_by_role("link")
                .nth(0)
                .is_visible()
            )
    finally:
        context.close()
