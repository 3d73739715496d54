"""What an article points readers to: related pages (shared tags) and the events it names."""

from __future__ import annotations

import heapq
from collections import Counter

from generator.errors import Problem
from generator.i18n import text
from generator.model import Page
from generator.site import Site
from generator.suggest import closest
from generator.taxonomy import newest_first
from generator.urls import slugify

EVENTS_KEY = "events"
# Only the newest pages of each shared tag are weighed: keeps the work per page bounded
# on a 10,000-page site where one tag may hold thousands of pages.
SCAN_PER_TAG = 200


def event_slugs(page: Page) -> tuple[str, ...]:
    """The event slugs named in front matter (`events: [slug]` or `events: slug`)."""
    value = page.meta.get(EVENTS_KEY)
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        return ()
    return tuple(str(v).strip() for v in value if isinstance(v, str | int) and str(v).strip())


def check_event_refs(pages: list[Page], published: list[Page]) -> list[Problem]:
    """Every `events:` entry names an existing event page, by its slug."""
    events = {p.slug: p for p in pages if p.kind == "event"}
    shown = {p.source for p in published}
    problems: list[Problem] = []
    for page in published:
        if EVENTS_KEY not in page.meta:
            continue
        line = page.line_of(EVENTS_KEY)
        value = page.meta[EVENTS_KEY]
        items = value if isinstance(value, list) else [value]
        if not all(isinstance(v, str) for v in items):
            example = min(events, default="gemeentennl-bijeenkomst-2019-3")
            problems.append(Problem(page.source, line, text("events-not-list", example=example)))
            continue
        for slug in event_slugs(page):
            event = events.get(slug)
            if event is None:
                known = ", ".join(sorted(events)) or "nog geen"
                guess = closest(slug, events)
                message = (
                    text("unknown-event-suggest", slug=slug, suggestion=guess, known=known)
                    if guess
                    else text("unknown-event", slug=slug, known=known)
                )
                problems.append(Problem(page.source, line, message))
            elif event.source not in shown:
                problems.append(
                    Problem(
                        page.source, line, text("event-unpublished", slug=slug), severity="warning"
                    )
                )
    return problems


def named_events(site: Site, page: Page) -> list[Page]:
    """The published event pages an article names, in the order it names them."""
    by_slug = site.memo.get("events by slug")
    if by_slug is None:
        by_slug = site.memo["events by slug"] = {
            site.pages[s].slug: s for s in site.upcoming + site.past if s in site.pages
        }
    return [site.pages[by_slug[slug]] for slug in event_slugs(page) if slug in by_slug]


def _ranks(site: Site) -> dict[str, int]:
    """Every page's place in the site's newest-first order (the order term lists keep)."""
    ranks = site.memo.get("ranks")
    if ranks is None:
        ordered = newest_first(list(site.pages.values()))
        ranks = site.memo["ranks"] = {page.source: rank for rank, page in enumerate(ordered)}
    return ranks


def _tag_members(site: Site, slug: str) -> tuple[tuple[str, ...], frozenset[str]]:
    cache = site.memo.setdefault("tag members", {})
    if slug not in cache:
        term = site.terms.get("tags", {}).get(slug)
        head = term.pages[:SCAN_PER_TAG] if term is not None else ()
        cache[slug] = (head, frozenset(head))
    return cache[slug]


def related_pages(site: Site, page: Page, limit: int = 4) -> list[Page]:
    """Pages sharing the most tags with `page`; newer first among equals.

    Pages sharing two or more tags are found by intersecting the tags' member sets;
    among those sharing one, the newest stand at the heads of the (newest-first)
    term lists, so only those heads are looked at."""
    slugs = sorted({slugify(v) for key, values in page.terms if key == "tags" for v in values})
    members = [_tag_members(site, slug) for slug in slugs]
    ranks = _ranks(site)
    counts: Counter[str] = Counter()
    for _, group in members:
        counts.update(group)  # counted in C: ~20x faster than pairwise intersections
    shared = {source: count for source, count in counts.items() if count > 1}
    shared.pop(page.source, None)
    best = sorted(shared, key=lambda s: (-shared[s], ranks[s]))[:limit]
    need = limit - len(best)
    if need > 0:
        heads: list[str] = []
        for ordered, _ in members:
            taken = 0
            for source in ordered:
                if source != page.source and source not in shared:
                    heads.append(source)
                    taken += 1
                    if taken == need:
                        break
        best += heapq.nsmallest(need, set(heads), key=ranks.__getitem__)
    return [site.pages[s] for s in best]
