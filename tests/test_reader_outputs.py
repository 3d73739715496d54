"""What readers' tools get: feeds, sitemap, robots, calendars, rebuild.json, share data."""

import json
import re
import xml.etree.ElementTree as ET
from datetime import timedelta
from pathlib import Path

import icalendar
import pytest

from tests.readerkit import TEST_SITE, build_sample, build_test_site
from tests.sitekit import build_site, write_site

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return build_test_site(tmp_path_factory.mktemp("readers"))


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    return build_sample(tmp_path_factory.mktemp("sample") / "out")


def test_every_feed_and_the_sitemap_parse_as_xml(site, sample):
    for out in (site, sample):
        feeds = sorted(out.rglob("*.xml"))
        assert len(feeds) >= 4
        for path in feeds:
            ET.parse(path)  # raises on anything that is not well-formed


def test_site_and_tag_feeds_hold_their_pages_with_escaped_titles(site):
    root = ET.parse(site / "feed.xml").getroot()
    titles = [e.findtext(f"{ATOM}title") for e in root.iter(f"{ATOM}entry")]
    assert 'Zomer </script><script>alert(1)</script> & "meer"' in titles
    assert "Later stuk" not in titles  # scheduled, not yet published
    tag = ET.parse(site / "tags/zomer-zon/feed.xml").getroot()
    assert [e.findtext(f"{ATOM}title") for e in tag.iter(f"{ATOM}entry")] == [titles[0]]
    assert tag.find(f"{ATOM}link[@rel='self']").get("href").startswith("https://test.example.nl/")
    assert 'href="/tags/zomer-zon/feed.xml"' in (site / "tags/zomer-zon/index.html").read_text()


def test_a_page_is_the_same_entry_in_every_feed_that_shows_it(site):
    """Entries are made once and reused by every feed (feeds._entry): a page's entry
    in its tag's feed is exactly its entry in the site's feed."""

    def entries(path: Path) -> dict[str, str]:
        text = path.read_text(encoding="utf-8")
        found = re.findall(r"<entry>.*?</entry>", text, flags=re.S)
        return {re.search(r"<id>(.*?)</id>", entry).group(1): entry for entry in found}

    everything = entries(site / "feed.xml")
    in_tag = entries(site / "tags/zomer-zon/feed.xml")
    assert in_tag and all(everything[url] == entry for url, entry in in_tag.items())
    assert all('<content type="html">' in entry for entry in in_tag.values())


def test_sitemap_lists_absolute_canonical_urls_and_robots_names_it(site):
    root = ET.parse(site / "sitemap.xml").getroot()
    locs = [u.findtext(f"{SITEMAP}loc") for u in root]
    assert all(loc.startswith("https://test.example.nl/") for loc in locs)
    assert "https://test.example.nl/artikelen/tweede/" in locs
    assert "https://test.example.nl/tags/gemengd-wonen/" in locs
    assert not any("404" in loc or "later" in loc for loc in locs)
    assert len(locs) == len(set(locs))
    robots = (site / "robots.txt").read_text()
    assert "Sitemap: https://test.example.nl/sitemap.xml" in robots


def _events(path: Path) -> dict[str, icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(path.read_bytes())
    return {str(e["summary"]): e for e in calendar.walk("VEVENT")}


def test_agenda_ics_holds_upcoming_events_with_summer_and_winter_offsets(site):
    calendar = icalendar.Calendar.from_ical((site / "evenementen/agenda.ics").read_bytes())
    assert [str(tz["tzid"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Amsterdam"]
    events = _events(site / "evenementen/agenda.ics")
    assert set(events) == {"Zomerbijeenkomst; met, tekens", "Winteravond", "Studiedag"}
    summer = events["Zomerbijeenkomst; met, tekens"]["dtstart"].dt
    winter = events["Winteravond"]["dtstart"].dt
    assert summer.utcoffset() == timedelta(hours=2) and summer.hour == 14
    assert winter.utcoffset() == timedelta(hours=1) and winter.hour == 19
    assert str(events["Zomerbijeenkomst; met, tekens"]["location"]) == "Stadhuis, Plein 1; Utrecht"
    # A bare date is a whole day; DTEND, when present, is exclusive.
    assert str(events["Studiedag"]["dtstart"].dt) == "2024-10-01"


def test_each_event_has_its_own_ics_past_ones_too(site):
    for slug, title in [("voorjaar", "Voorjaarsbijeenkomst"), ("winteravond", "Winteravond")]:
        events = _events(site / f"evenementen/{slug}/event.ics")
        assert list(events) == [title]
        assert str(events[title]["url"]).endswith(f"/evenementen/{slug}/")


def test_rebuild_json_names_the_next_moment_the_output_changes(site, tmp_path, capsys):
    data = json.loads((site / "rebuild.json").read_text())
    # The scheduled article (15 June) comes before the summer event (4 July).
    assert data == {
        "next_rebuild": "2024-06-15T09:00:00+02:00",
        "reason": "pagina gepland",
        "url": "/artikelen/later/",
    }
    write_site(
        tmp_path,
        "-- content/evenementen/e.md --\n---\ntitle: E\nstart: 2024-06-01 14:00\nend: 2024-06-01 16:00\n---\n",
    )
    assert build_site(capsys, tmp_path).code == 0  # --now 2024-06-01T12:00
    data = json.loads((tmp_path / "build/rebuild.json").read_text())
    assert data["next_rebuild"] == "2024-06-01T14:00:00+02:00"
    assert data["reason"] == "evenement begint"


def test_json_ld_cannot_close_its_script_and_parses(site):
    html = (site / "artikelen/zomer/index.html").read_text()
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert len(blocks) == 1
    data = json.loads(blocks[0])
    kinds = {item["@type"] for item in data["@graph"]}
    assert kinds == {"Article", "BreadcrumbList"}
    article = next(i for i in data["@graph"] if i["@type"] == "Article")
    assert article["headline"] == 'Zomer </script><script>alert(1)</script> & "meer"'
    assert "<script>alert" not in html


def test_json_ld_breadcrumbs_follow_the_visible_crumbs_to_the_page(site):
    html = (site / "artikelen/zomer/index.html").read_text()
    data = json.loads(re.search(r'ld\+json">(.*?)</script>', html, re.S).group(1))
    trail = next(i for i in data["@graph"] if i["@type"] == "BreadcrumbList")
    items = trail["itemListElement"]
    assert [i["position"] for i in items] == [1, 2, 3]
    assert {i["@type"] for i in items} == {"ListItem"}
    assert items[0]["item"] == "https://test.example.nl/"
    assert items[1]["item"] == "https://test.example.nl/artikelen/"
    assert items[2]["name"] == 'Zomer </script><script>alert(1)</script> & "meer"'
    assert items[2]["item"] == "https://test.example.nl/artikelen/zomer/"
    start = html.index('aria-label="Kruimelpad"')
    nav = html[start : html.index("</nav>", start)]
    shown = re.findall(r'<a href="([^"]+)">([^<]+)</a>', nav)
    assert [(url, name) for url, name in shown] == [
        (i["item"].removeprefix("https://test.example.nl"), i["name"]) for i in items[:2]
    ]


def test_event_page_has_event_json_ld_and_share_tags(site):
    html = (site / "evenementen/zomerbijeenkomst/index.html").read_text()
    data = json.loads(re.search(r'ld\+json">(.*?)</script>', html, re.S).group(1))
    event = next(i for i in data["@graph"] if i["@type"] == "Event")
    assert event["startDate"] == "2024-07-04T14:00:00+02:00"
    assert event["location"]["name"] == "Stadhuis, Plein 1; Utrecht"
    assert event["offers"]["url"] == "https://aanmelden.example.nl/zomer?a=1&b=2"
    for tag in ("og:title", "og:description", "og:url", "og:type", "twitter:card"):
        assert f'"{tag}"' in html
    assert '<meta property="og:title" content="Zomerbijeenkomst; met, tekens">' in html


def test_project_fact_box_links_to_taxonomy_pages(site):
    html = (site / "projecten/de-hof/index.html").read_text()
    box = html[html.index('class="factbox"') : html.index("</section>", html.index("factbox"))]
    assert '<a href="/steden/den-haag/">Den Haag</a>' in box
    assert '<a href="/organisaties/staedion/">Staedion</a>' in box
    assert '<a href="/doelgroepen/jongeren/">jongeren</a>' in box
    assert "<dt>Aantal woningen</dt><dd>48</dd>" in box


def test_article_shows_named_upcoming_events_related_pages_and_backlinks(site):
    html = (site / "artikelen/zomer/index.html").read_text()
    named = html[
        html.index('class="named-events"') : html.index("</section>", html.index("named-events"))
    ]
    assert "Zomerbijeenkomst; met, tekens" in named and "Winteravond" in named
    assert "Stadhuis, Plein 1; Utrecht" in named
    assert "donderdag 4 juli 2024, 14:00" in named
    assert 'href="https://aanmelden.example.nl/zomer?a=1&amp;b=2"' in named
    related = html[html.index('id="gerelateerd"') :]
    assert "Tweede stuk" in related
    project = (site / "projecten/de-hof/index.html").read_text()
    mentioned = project[project.index('id="genoemd-in"') :]
    assert "/artikelen/zomer/" in mentioned.split("</section>")[0]


def test_named_event_that_is_past_shows_no_registration(tmp_path, capsys):
    write_site(
        tmp_path,
        """
-- content/evenementen/oud.md --
---
title: Oud
start: 2020-01-01 10:00
registration: https://aanmelden.example.nl/oud
---
-- content/artikelen/a.md --
---
title: A
date: 2024-01-01
events: [oud]
---
""",
    )
    assert build_site(capsys, tmp_path).code == 0
    html = (tmp_path / "build/artikelen/a/index.html").read_text()
    assert "named-events" in html and "aanmelden.example.nl" not in html


def test_unknown_event_slug_is_an_error_with_file_and_line(tmp_path, capsys):
    write_site(
        tmp_path,
        """
-- content/artikelen/a.md --
---
title: A
date: 2024-01-01
events: [bestaat-niet, zomerbijenkomst]
---
-- content/evenementen/zomerbijeenkomst.md --
---
title: Zomer
start: 2024-07-04 14:00
---
""",
    )
    result = build_site(capsys, tmp_path)
    assert result.code == 1
    assert "content/artikelen/a.md:4" in result.err
    assert "onbekend evenement 'bestaat-niet'" in result.err
    assert "bedoelde je 'zomerbijeenkomst'?" in result.err  # a typo gets a suggestion
    assert not (tmp_path / "build").exists()


def test_sample_site_search_bundle_is_built_before_the_swap(sample):
    assert (sample / "pagefind/pagefind.js").is_file()
    assert (sample / "pagefind/pagefind-entry.json").is_file()
    assert (sample / "zoeken/index.html").is_file()
    assert not (sample / "pagefind/pagefind-ui.js").exists()


def _bundle(out: Path) -> dict[str, int]:
    return {
        p.relative_to(out).as_posix(): p.stat().st_mtime_ns
        for p in (out / "pagefind").rglob("*")
        if p.is_file()
    }


def test_search_index_follows_edits_and_is_kept_when_no_html_changed(tmp_path, capsys):
    write_site(
        tmp_path,
        "-- content/artikelen/a.md --\n---\ntitle: A\ndate: 2024-01-01\n---\nEerste tekst.\n",
    )
    assert build_site(capsys, tmp_path).code == 0
    out = tmp_path / "build"
    first = _bundle(out)
    assert build_site(capsys, tmp_path).code == 0
    assert _bundle(out) == first  # nothing changed: same files, same mtimes
    page = tmp_path / "content/artikelen/a.md"
    page.write_text(page.read_text().replace("Eerste tekst.", "Een heel ander woord: zeilboot."))
    assert build_site(capsys, tmp_path).code == 0
    second = _bundle(out)
    assert second != first
    metas = [rel for rel in second if rel.endswith(".pf_meta")]
    assert len(metas) == 1  # the old index is gone, not left beside the new one
    assert not list(tmp_path.glob(".build*"))  # no work folders left behind


def test_failing_search_index_fails_the_build_and_keeps_the_old_output(
    tmp_path, capsys, monkeypatch
):
    write_site(
        tmp_path, "-- content/artikelen/a.md --\n---\ntitle: A\ndate: 2024-01-01\n---\nTekst.\n"
    )
    assert build_site(capsys, tmp_path).code == 0
    before = (tmp_path / "build/artikelen/a/index.html").read_bytes()
    page = tmp_path / "content/artikelen/a.md"
    page.write_text(page.read_text().replace("title: A", "title: B"))
    from generator import search

    broken = tmp_path / "pagefind-broken"
    broken.write_text("#!/bin/sh\necho 'Error: disk full' >&2\nexit 3\n")
    broken.chmod(0o755)
    monkeypatch.setattr(search, "_executable", lambda: broken)
    result = build_site(capsys, tmp_path)
    assert result.code == 1
    assert "de zoekindex bouwen mislukte: Error: disk full" in result.err
    assert (tmp_path / "build/artikelen/a/index.html").read_bytes() == before


def test_a_date_only_event_stays_upcoming_through_its_day(tmp_path, capsys):
    write_site(
        tmp_path,
        """
-- content/evenementen/dag.md --
---
title: Studiedag
start: 2024-06-01
registration: https://aanmelden.example.nl/dag
---
""",
    )
    assert build_site(capsys, tmp_path).code == 0  # --now 2024-06-01T12:00, on the day itself
    html = (tmp_path / "build/evenementen/index.html").read_text()
    upcoming = html.split('data-events="past"')[0]
    assert "Studiedag" in upcoming and "aanmelden.example.nl/dag" in upcoming
    assert 'data-event-end="2024-06-02T00:00:00+02:00"' in html
    data = json.loads((tmp_path / "build/rebuild.json").read_text())
    assert data["next_rebuild"] == "2024-06-02T00:00:00+02:00"


def test_pages_whose_texts_are_ascii_are_written_as_ascii(site):
    """Our templates add no character beyond ASCII of their own (a separator is
    `&middot;`): Python encodes an ASCII page to UTF-8 as one copy (0.15 us for 10 kB),
    where a single '·' made it go character by character (2.9 us). The test site's
    texts are ASCII; with '·' in the templates, every one of its pages was not."""
    assert TEST_SITE.isascii()  # what the test stands on
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 20
    beyond_ascii = [p.relative_to(site).as_posix() for p in pages if not p.read_bytes().isascii()]
    assert beyond_ascii == []
    title = re.search(r"<title>(.*?)</title>", (site / "404.html").read_text())
    assert title and title[1] == "Pagina niet gevonden &middot; Testkennisbank"


def _card(html: str, url: str) -> str:
    found = re.findall(r'<article class="card">.*?</article>', html, flags=re.S)
    cards = [card for card in found if f'href="{url}"' in card]
    assert len(cards) == 1, f"no single card for {url}"
    return cards[0]


def _heading_levels(html: str) -> list[int]:
    main = html[html.index("<main") : html.index("</main>")]
    return [int(level) for level in re.findall(r"<h([1-6])\b", main)]


def test_a_card_is_the_same_on_every_list_that_shows_it(site):
    """One card per page, whatever list shows it (home, section, tag, author): each is
    rendered once per process (partials.py), not once for each heading level. Cards
    were headed h2 on section and tag lists and h3 on author pages and the home page,
    so every article's card was rendered twice in every build."""
    url = "/artikelen/tweede/"
    lists = ["index.html", "artikelen/index.html", "tags/gemengd-wonen/index.html"]
    lists.append("auteurs/redactie/index.html")
    cards = {name: _card((site / name).read_text(encoding="utf-8"), url) for name in lists}
    assert len(set(cards.values())) == 1, cards
    assert '<h3 class="card-title">' in cards["index.html"]


def test_list_pages_head_their_cards_without_skipping_a_level(site):
    """h1 (the list), h2 (what it lists), h3 (each card), as screen readers' heading
    lists and the WCAG technique for headings (G141) expect: never h1 straight to h3."""
    lists = ["index.html", "artikelen/index.html", "tags/gemengd-wonen/index.html"]
    lists += ["auteurs/redactie/index.html", "evenementen/index.html"]
    for name in lists:
        levels = _heading_levels((site / name).read_text(encoding="utf-8"))
        assert levels[0] == 1 and levels.count(1) == 1, (name, levels)
        skips = [(a, b) for a, b in zip(levels, levels[1:], strict=False) if b > a + 1]
        assert skips == [], (name, levels)
        assert 3 in levels, (name, levels)  # the cards themselves
    tag = (site / "tags/gemengd-wonen/index.html").read_text(encoding="utf-8")
    assert '<h2 id="lijst">Alle pagina\'s over gemengd wonen</h2>' in tag
    section = (site / "artikelen/index.html").read_text(encoding="utf-8")
    assert '<h2 id="lijst">Alle artikelen</h2>' in section
