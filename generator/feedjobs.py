"""Non-HTML outputs (feeds, calendars, sitemap, robots.txt) as cacheable jobs.

Each job names the values its bytes are made from, so an unchanged feed is
neither made nor written again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from generator import extras, feeds
from generator.model import Page
from generator.site import Site
from generator.urls import output_path


@dataclass(slots=True)
class FeedJob:
    path: str  # output path
    inputs: tuple  # everything the bytes depend on (pages, rendered HTML, names)
    make: Callable[[], bytes]


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
    articles = site.articles()
    yield FeedJob(
        "feed.xml",
        ("atom", config, _with_html(site, articles[:head])),
        lambda: feeds.atom_feed(site, config.title, "/feed.xml", "/", articles),
    )
    if "tags" in config.taxonomies:
        for term in site.terms["tags"].values():
            if wanted is None or output_path(f"{term.url}feed.xml") in wanted:
                yield _tag_feed(site, term)
    events = config.section_of_kind("events")
    if events:
        upcoming = site.page_list(site.upcoming)
        yield FeedJob(
            f"{events.name}/agenda.ics",
            ("ics", config, _with_html(site, upcoming)),
            lambda: feeds.calendar_file(site, config.title, upcoming),
        )
        for source in site.upcoming + site.past:
            page = site.pages[source]
            if wanted is None or output_path(page.url + "event.ics") in wanted:
                yield _event_calendar(site, page)
    stamped = extras.sitemap_urls(site)
    yield FeedJob("sitemap.xml", ("sitemap", config, stamped), lambda: feeds.sitemap(site, stamped))
    yield FeedJob("robots.txt", ("robots", config), lambda: feeds.robots(site))
    rebuild = extras.rebuild_json(site)
    yield FeedJob(extras.REBUILD_FILE, ("rebuild", rebuild), lambda: rebuild)


def _tag_feed(site: Site, term) -> FeedJob:
    feed_url = f"{term.url}feed.xml"
    pages = site.page_list(term.pages)
    title = f"{site.config.title}: {term.name}"
    return FeedJob(
        output_path(feed_url),
        ("atom", site.config, title, _with_html(site, pages[: feeds.FEED_LENGTH])),
        lambda: feeds.atom_feed(site, title, feed_url, term.url, pages),
    )


def _event_calendar(site: Site, page: Page) -> FeedJob:
    return FeedJob(
        output_path(page.url + "event.ics"),
        ("ics", site.config, _with_html(site, [page])),
        lambda: feeds.calendar_file(site, page.title, [page]),
    )
