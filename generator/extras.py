"""What the sitemap lists and when the next rebuild is due (rebuild.json). Pure.

Both are made as feed jobs (feedjobs.py); the scheduled pages come from the
engine, which alone sees pages held back by their date.
"""

from __future__ import annotations

import json

from generator.site import Site
from generator.urls import paginated_url, section_url

REBUILD_FILE = "rebuild.json"


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
