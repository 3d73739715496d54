"""Non-HTML outputs (feeds, calendars, sitemap, robots.txt) as cacheable jobs.

Each job names the values its bytes are made from, so an unchanged feed is
neither made nor written again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache

from generator import extras, feeds
from generator.model import Page
from generator.site import Site
from generator.urls import output_path


@dataclass(slots=True)
class FeedJob:
    """A feed to make. Its inputs are gathered when first asked for: a first build
    digests them where it makes the feed, in a render worker, so the parent need not
    gather every feed's pages and HTML before the workers start (13 ms at 10k).
    What `gather` and `make` both need is made once, behind functools.cache."""

    path: str  # output path
    gather: Callable[[], tuple]  # everything the bytes depend on (pages, HTML, names)
    make: Callable[[], bytes]
    _inputs: tuple | None = None

    @property
    def inputs(self) -> tuple:
        if self._inputs is None:
            self._inputs = self.gather()
        return self._inputs


def _with_html(site: Site, pages: list[Page]) -> tuple:
    """Pages with their HTML and their authors (whose names feeds print)."""
    return tuple(
        (
            p,
            site.rendered[p.source].html if p.source in site.rendered else "",
            tuple(site.pages.get(site.authors.get(slug, "")) for slug in p.authors),
        )
        for p in pages
    )


def feed_jobs(site: Site, wanted: set[str] | None = None) -> Iterator[FeedJob]:
    """Every feed; with `wanted` (output paths), the tags' and events' own outside it are
    skipped (as render_jobs skips lists for the preview's fast path)."""
    config = site.config
    head = feeds.FEED_LENGTH
    articles = cache(site.articles)
    yield FeedJob(
        "feed.xml",
        lambda: ("atom", config, _with_html(site, articles()[:head])),
        lambda: feeds.atom_feed(site, config.title, "/feed.xml", "/", articles()),
    )
    if "tags" in config.taxonomies:
        for term in site.terms["tags"].values():
            if wanted is None or output_path(f"{term.url}feed.xml") in wanted:
                yield _tag_feed(site, term)
    events = config.section_of_kind("events")
    if events:
        upcoming = cache(lambda: site.page_list(site.upcoming))
        yield FeedJob(
            f"{events.name}/agenda.ics",
            lambda: ("ics", config, _with_html(site, upcoming())),
            lambda: feeds.calendar_file(site, config.title, upcoming()),
        )
        for source in site.upcoming + site.past:
            page = site.pages[source]
            if wanted is None or output_path(page.url + "event.ics") in wanted:
                yield _event_calendar(site, page)
    # Its inputs are its own lines: digesting 13,000 (address, date) pairs one by one
    # took 18 ms at 10k, hashing their text takes one call.
    entries = cache(lambda: feeds.sitemap_entries(site, extras.sitemap_urls(site)))
    yield FeedJob(
        "sitemap.xml",
        lambda: ("sitemap", config, entries()),
        lambda: feeds.sitemap(entries()),
    )
    yield FeedJob("robots.txt", lambda: ("robots", config), lambda: feeds.robots(site))
    rebuild = cache(lambda: extras.rebuild_json(site))
    yield FeedJob(extras.REBUILD_FILE, lambda: ("rebuild", rebuild()), rebuild)


def _tag_feed(site: Site, term) -> FeedJob:
    feed_url = f"{term.url}feed.xml"
    pages = cache(lambda: site.page_list(term.pages))
    title = f"{site.config.title}: {term.name}"
    return FeedJob(
        output_path(feed_url),
        lambda: ("atom", site.config, title, _with_html(site, pages()[: feeds.FEED_LENGTH])),
        lambda: feeds.atom_feed(site, title, feed_url, term.url, pages()),
    )


def _event_calendar(site: Site, page: Page) -> FeedJob:
    return FeedJob(
        output_path(page.url + "event.ics"),
        lambda: ("ics", site.config, _with_html(site, [page])),
        lambda: feeds.calendar_file(site, page.title, [page]),
    )
