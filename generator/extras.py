"""Every machine-readable output beside the HTML: feeds, calendars, sitemap, robots, rebuild.json.

One entry point, `write_extras`, so the build needs a single call.
"""

from __future__ import annotations

import json

from generator import feeds
from generator.site import Site
from generator.urls import output_path, paginated_url, section_url

REBUILD_FILE = "rebuild.json"


def write_extras(site: Site, writer) -> int:
    """Write every feed, calendar and index file; returns how many files."""
    count = _write_feeds(site, writer) + _write_calendars(site, writer)
    writer.write("sitemap.xml", feeds.sitemap(site, sitemap_urls(site)))
    writer.write("robots.txt", feeds.robots(site))
    writer.write(REBUILD_FILE, rebuild_json(site))
    return count + 3


def _write_feeds(site: Site, writer) -> int:
    config = site.config
    writer.write("feed.xml", feeds.atom_feed(site, config.title, "/feed.xml", "/", site.articles()))
    count = 1
    if "tags" in config.taxonomies:
        for term in site.terms["tags"].values():
            feed_url = f"{term.url}feed.xml"
            title = f"{config.title}: {term.name}"
            pages = site.page_list(term.pages)
            writer.write(
                output_path(feed_url), feeds.atom_feed(site, title, feed_url, term.url, pages)
            )
            count += 1
    return count


def _write_calendars(site: Site, writer) -> int:
    events = site.config.section_of_kind("events")
    if not events:
        return 0
    # Subscribers get what is still to come; a finished event only clutters their agenda.
    upcoming = site.page_list(site.upcoming)
    writer.write(
        f"{events.name}/agenda.ics", feeds.calendar_file(site, site.config.title, upcoming)
    )
    count = 1
    for page in site.page_list(site.upcoming + site.past):
        writer.write(
            output_path(page.url + "event.ics"), feeds.calendar_file(site, page.title, [page])
        )
        count += 1
    return count


def sitemap_urls(site: Site) -> list[tuple[str, object]]:
    """Every canonical HTML page (no aliases, no 404, no later list pages), with a date."""
    config = site.config
    urls: list[tuple[str, object]] = [("/", None)]
    urls += [(section_url(name), None) for name in config.sections]
    for key, taxonomy in config.taxonomies.items():
        urls.append((f"/{taxonomy.path}/", None))
        urls += [(paginated_url(term.url, 1), None) for term in site.terms[key].values()]
    for page in site.pages.values():
        moment = page.updated or page.date
        urls.append((page.url, moment.at if moment else None))
    return urls


def next_rebuild(site: Site) -> tuple[object, str, str] | None:
    """(moment, why, url) of the first thing after `now` that changes the output."""
    moments = []
    for page in site.page_list(site.upcoming):
        info = page.event
        if info.start.at > site.now:
            moments.append((info.start.at, "evenement begint", page.url))
        # At its end an event moves to the past and loses its registration link.
        moments.append((info.finishes, "evenement afgelopen", page.url))
    moments += [(at, "pagina gepland", url) for at, url in site.scheduled]
    moments = [m for m in moments if m[0] > site.now]
    return min(moments, key=lambda m: (m[0], m[2])) if moments else None


def rebuild_json(site: Site) -> bytes:
    """When CI should build again; no build time in it, so unchanged builds write equal bytes."""
    found = next_rebuild(site)
    data = {"next_rebuild": None, "reason": None, "url": None}
    if found:
        at, why, url = found
        data = {
            "next_rebuild": at.astimezone(site.config.zone).isoformat(),
            "reason": why,
            "url": url,
        }
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def scheduled(pages: list, published: list) -> tuple[tuple[object, str], ...]:
    """(date, url) of pages held back only because their date is still to come."""
    shown = {p.source for p in published}
    return tuple(
        sorted(
            (p.date.at, p.url)
            for p in pages
            if p.source not in shown and not p.draft and p.date is not None
        )
    )
