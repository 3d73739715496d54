"""The live preview in a real headless Chromium against a running `serve`.

Every wait has a deadline (Playwright's `expect` or `wait_until`); none sleeps and hopes.
"""

from __future__ import annotations

import os
import re

import pytest
from playwright.sync_api import expect

from tests.previewkit import Served, get, wait_until
from tests.sitekit import write_site

pytestmark = pytest.mark.browser
LIVE = 15_000  # ms an edit may take to show in the open page

SITE = """
-- content/artikelen/a.md --
---
title: Eerste artikel
date: 2024-01-02
tags: [wonen]
---
Tekst van A.
-- content/artikelen/b.md --
---
title: Tweede artikel
date: 2024-01-01
tags: [wonen]
---
Tekst van B.
-- static/css/site.css --
body { background-color: rgb(255, 255, 255); }
"""


def article(title: str, body: str, date: str = "2024-01-02", tags: str = "[wonen]") -> str:
    return f"---\ntitle: {title}\ndate: {date}\ntags: {tags}\n---\n{body}\n"


@pytest.fixture
def served(tmp_path):
    server = Served(write_site(tmp_path / "site", SITE))
    yield server
    code = server.stop()
    assert code == 0, server.log()
    assert "Traceback" not in server.log()


def test_body_edit_appears_in_the_open_page(page, served):
    page.goto(served.url + "/artikelen/a/")
    expect(page.locator(".prose")).to_contain_text("Tekst van A.")
    served.write("content/artikelen/a.md", article("Eerste artikel", "Nieuwe alinea over buren."))
    expect(page.locator(".prose")).to_contain_text("Nieuwe alinea over buren.", timeout=LIVE)


def test_title_edit_appears_on_the_open_tag_page_and_home_page(page, served):
    home = page.context.new_page()
    home.goto(served.url + "/")
    page.goto(served.url + "/tags/wonen/")
    expect(page.locator("main")).to_contain_text("Eerste artikel")
    served.write("content/artikelen/a.md", article("Buren helpen elkaar", "Tekst van A."))
    expect(page.locator("main")).to_contain_text("Buren helpen elkaar", timeout=LIVE)
    expect(home.locator("main")).to_contain_text("Buren helpen elkaar", timeout=LIVE)
    expect(page.locator("main")).not_to_contain_text("Eerste artikel")


def test_new_file_appears_on_its_tag_page(page, served):
    page.goto(served.url + "/tags/wonen/")
    served.write("content/artikelen/c.md", article("Derde artikel", "Nieuw.", "2024-01-03"))
    expect(page.get_by_role("link", name="Derde artikel")).to_be_visible(timeout=LIVE)


def test_deleted_file_turns_404_and_leaves_its_lists(page, served):
    home = page.context.new_page()
    home.goto(served.url + "/")
    expect(home.locator("main")).to_contain_text("Tweede artikel")
    page.goto(served.url + "/artikelen/b/")
    (served.root / "content/artikelen/b.md").unlink()
    expect(page.get_by_role("heading", level=1)).to_have_text("Pagina niet gevonden", timeout=LIVE)
    expect(home.locator("main")).not_to_contain_text("Tweede artikel", timeout=LIVE)
    assert get(served.port, "/artikelen/b/")[0] == 404
    assert "Tweede artikel" not in get(served.port, "/tags/wonen/")[1]


def test_broken_front_matter_shows_overlay_keeps_site_and_clears_when_fixed(page, served):
    page.goto(served.url + "/artikelen/a/")
    overlay = page.locator("#kb-preview-fout")
    broken = (
        '---\ntitle: "<img src=x onerror=window.kwaad=1> kapot\ndate: 2024-01-02\n---\nTekst.\n'
    )
    served.write("content/artikelen/a.md", broken)
    expect(overlay).to_be_visible(timeout=LIVE)
    expect(overlay).to_contain_text("content/artikelen/a.md:2")
    assert page.locator("#kb-preview-fout img").count() == 0  # shown as text, never as HTML
    assert page.evaluate("window.kwaad") is None
    status, text = get(served.port, "/artikelen/a/")
    assert status == 200 and "Tekst van A." in text  # the last good site stays served
    wait_until(lambda: "content/artikelen/a.md:2" in served.log(), 5, "the error on the terminal")
    served.write("content/artikelen/a.md", article("Eerste artikel", "Hersteld."))
    expect(overlay).to_have_count(0, timeout=LIVE)
    expect(page.locator(".prose")).to_contain_text("Hersteld.", timeout=LIVE)


def test_overlay_appears_in_a_page_opened_while_the_build_is_broken(page, served):
    served.write("content/artikelen/b.md", "---\ntitle: [open\n---\n")
    wait_until(lambda: served.status()["problems"], what="the failed build")
    page.goto(served.url + "/")
    expect(page.locator("#kb-preview-fout")).to_contain_text(
        re.compile(r"content/artikelen/b\.md:\d")
    )


def test_css_edit_applies_without_a_reload(page, served):
    page.goto(served.url + "/artikelen/a/")
    page.evaluate("window.kbBlijft = 42")
    served.write("static/css/site.css", "body { background-color: rgb(1, 2, 3); }\n")
    wait_until(
        lambda: page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(1, 2, 3)",
        what="the new stylesheet",
    )
    assert page.evaluate("window.kbBlijft") == 42  # the page was not reloaded


def test_atomic_save_is_picked_up(page, served):
    page.goto(served.url + "/artikelen/a/")
    folder = served.root / "content/artikelen"
    temp = folder / ".a.md.kb-save-1234"
    temp.write_text(article("Eerste artikel", "Atomair opgeslagen."), encoding="utf-8")
    os.replace(temp, folder / "a.md")
    expect(page.locator(".prose")).to_contain_text("Atomair opgeslagen.", timeout=LIVE)


def test_two_hundred_files_written_at_once_all_land_in_few_builds(page, served):
    page.goto(served.url + "/artikelen/")
    before = served.builds()
    for number in range(200):
        served.write(
            f"content/artikelen/nieuw-{number:03}.md",
            article(f"Nieuw artikel {number:03}", f"Tekst {number}.", "2024-02-01"),
        )
    wait_until(lambda: get(served.port, "/artikelen/nieuw-199/")[0] == 200, what="the last file")
    wait_until(lambda: served.status()["problems"] == [], what="a clean build")
    missing = [n for n in range(200) if get(served.port, f"/artikelen/nieuw-{n:03}/")[0] != 200]
    assert missing == []
    assert 1 <= served.builds() - before <= 3, served.log()
    expect(page.locator("main")).to_contain_text("Nieuw artikel", timeout=LIVE)
