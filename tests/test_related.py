"""Related pages: the pages sharing the most tags, newest first among equals."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from generator.markdown import render_markdown
from generator.related import related_pages
from generator.site import assemble
from generator.taxonomy import newest_first
from tests.test_units import _config, _page

TAGS = ["wonen", "zorg", "buurt", "gemeente", "corporatie"]


def _site(tag_sets: list[list[str]]):
    config, _ = _config()
    pages = [
        _page(f"content/artikelen/p{i}.md", f"2019-01-{1 + i % 28:02d}", tags, title=f"P{i}")
        for i, tags in enumerate(tag_sets)
    ]
    rendered = {p.source: render_markdown("", p.source, 1, {}) for p in pages}
    now = datetime(2026, 1, 1, tzinfo=ZoneInfo("Europe/Amsterdam"))
    return assemble(config, pages, rendered, now, {}, {}), pages


def _expected(page, pages, limit=4):
    """By definition: every other page sharing a tag, most shared tags first, then newest."""
    order = {p.source: rank for rank, p in enumerate(newest_first(pages))}
    mine = set(page.tags)
    candidates = [p for p in pages if p.source != page.source and mine & set(p.tags)]
    candidates.sort(key=lambda p: (-len(mine & set(p.tags)), order[p.source]))
    return [p.source for p in candidates[:limit]]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.sampled_from(TAGS), max_size=4, unique=True), min_size=1, max_size=14))
def test_related_pages_match_their_definition(tag_sets):
    site, pages = _site(tag_sets)
    for page in pages:
        got = [p.source for p in related_pages(site, page)]
        assert got == _expected(page, pages), page.source


def test_a_page_sharing_more_tags_beats_a_newer_one():
    site, pages = _site([["wonen", "zorg", "buurt"], ["wonen", "zorg"], ["wonen"], ["zorg"]])
    # p3 and p2 are newer than p1, but p1 shares two tags with p0.
    assert [p.source for p in related_pages(site, pages[0])][0] == "content/artikelen/p1.md"
