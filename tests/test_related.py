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


def _site(tag_sets: list[list[str]], oldest_last: bool = False):
    config, _ = _config()
    pages = [
        _page(f"content/artikelen/p{i}.md", f"2019-01-{1 + i % 28:02d}", tags, title=f"P{i}")
        for i, tags in enumerate(tag_sets)
    ]
    if oldest_last:
        last = pages[-1]
        pages[-1] = _page(last.source, "2018-01-01", tag_sets[-1], title=last.title)
    rendered = {p.source: render_markdown("", p.source, 1, {}) for p in pages}
    now = datetime(2026, 1, 1, tzinfo=ZoneInfo("Europe/Amsterdam"))
    return assemble(config, pages, rendered, now, {}, {}), pages


def _expected(page, pages, limit=4, leaving_out=()):
    """By definition: every other page sharing a tag, most shared tags first, then newest."""
    order = {p.source: rank for rank, p in enumerate(newest_first(pages))}
    mine = set(page.tags)
    candidates = [
        p
        for p in pages
        if p.source != page.source and mine & set(p.tags) and p.source not in leaving_out
    ]
    candidates.sort(key=lambda p: (-len(mine & set(p.tags)), order[p.source]))
    return [p.source for p in candidates[:limit]]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.sampled_from(TAGS), max_size=4, unique=True), min_size=1, max_size=14))
def test_related_pages_match_their_definition(tag_sets):
    site, pages = _site(tag_sets)
    for page in pages:
        got = [p.source for p in related_pages(site, page)]
        assert got == _expected(page, pages), page.source


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.lists(st.sampled_from(TAGS), max_size=4, unique=True), min_size=1, max_size=14),
    st.sets(st.integers(min_value=0, max_value=13)),
)
def test_pages_left_out_make_room_for_the_next_ones(tag_sets, left_out):
    # An article's backlinks are shown apart: related pages are four others, not fewer.
    site, pages = _site(tag_sets)
    leaving_out = {f"content/artikelen/p{i}.md" for i in left_out}
    for page in pages:
        got = [p.source for p in related_pages(site, page, 4, leaving_out=leaving_out)]
        assert got == _expected(page, pages, 4, leaving_out), page.source


def test_a_page_sharing_more_tags_beats_a_newer_one():
    site, pages = _site([["wonen", "zorg", "buurt"], ["wonen", "zorg"], ["wonen"], ["zorg"]])
    # p3 and p2 are newer than p1, but p1 shares two tags with p0.
    assert [p.source for p in related_pages(site, pages[0])][0] == "content/artikelen/p1.md"


def test_an_old_page_sharing_two_tags_is_found_behind_hundreds_of_newer_ones():
    # 600 pages share one tag each (300 per tag); one more shares both tags with p0.
    tag_sets = [["wonen", "zorg"]] + [["wonen"] if i % 2 else ["zorg"] for i in range(600)]
    tag_sets.append(["wonen", "zorg"])  # p601, older than all of them
    site, pages = _site(tag_sets, oldest_last=True)
    got = [p.source for p in related_pages(site, pages[0])]
    assert got == _expected(pages[0], pages)
    assert got[0] == "content/artikelen/p601.md"


def test_a_page_list_leaves_out_sources_that_are_no_published_page():
    site, pages = _site([["wonen"], ["zorg"]])
    first, second = (p.source for p in pages)
    assert [p.source for p in site.page_list((second, first))] == [second, first]
    assert [p.source for p in site.page_list([first, "content/weg.md", second])] == [first, second]


def test_the_pages_an_answer_mentions_are_found_beside_terms_and_texts():
    """What a recorded question's answer mentions (deps.mentioned_pages): pages in lists
    and groups; a term holds page sources, no pages, and mentions none itself."""
    from generator.deps import mentioned_pages

    site, pages = _site([["wonen"], ["wonen", "zorg"]])
    wonen = site.terms["tags"]["wonen"]
    assert mentioned_pages([("Onderwerpen", [wonen])]) == set()
    assert mentioned_pages([("Onderwerpen", [wonen, pages[1]])]) == {pages[1].source}
    assert mentioned_pages((pages[0], [pages[1]])) == {p.source for p in pages}
