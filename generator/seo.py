"""What search engines read: schema.org JSON-LD data (Article, Event, WebSite). Pure.

Values are plain dicts; the `json_ld` filter in render.py turns them into text
that is safe inside <script> (no '</script>' can survive). BreadcrumbList is
made by render.py's breadcrumb_list from the crumbs base.html shows.
"""

from __future__ import annotations

from generator.model import Page
from generator.site import Site
from generator.urls import absolute

CONTEXT = "https://schema.org"


def _url(site: Site, path: str) -> str:
    return absolute(site.config.base_url, path)


def _publisher(site: Site) -> dict:
    return {"@type": "Organization", "name": site.config.title, "url": site.config.base_url}


def article(site: Site, page: Page, summary: str) -> dict:
    data: dict = {
        "@type": "Article",
        "headline": page.title,
        "url": _url(site, page.url),
        "mainEntityOfPage": _url(site, page.url),
        "inLanguage": site.config.language,
        "publisher": _publisher(site),
    }
    if summary:
        data["description"] = summary
    if page.date:
        data["datePublished"] = page.date.iso()
        data["dateModified"] = (page.updated or page.date).iso()
    authors = [site.pages[site.authors[s]] for s in page.authors if s in site.authors]
    if authors:
        data["author"] = [
            {
                "@type": "Organization" if a.slug.startswith("redactie") else "Person",
                "name": a.title,
                "url": _url(site, a.url),
            }
            for a in authors
        ]
    else:
        data["author"] = _publisher(site)
    if page.tags:
        data["keywords"] = ", ".join(page.tags)
    return data


def event(site: Site, page: Page, summary: str, upcoming: bool) -> dict:
    info = page.event
    zone = site.config.zone
    data: dict = {
        "@type": "Event",
        "name": page.title,
        "url": _url(site, page.url),
        "startDate": info.start.at.astimezone(zone).isoformat()
        if info.start.has_time
        else info.start.iso(),
        "eventStatus": "https://schema.org/EventScheduled",
        "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
        "organizer": _publisher(site),
        "inLanguage": site.config.language,
    }
    if info.end:
        data["endDate"] = (
            info.end.at.astimezone(zone).isoformat() if info.end.has_time else info.end.iso()
        )
    if summary:
        data["description"] = summary
    if info.location:
        data["location"] = {"@type": "Place", "name": info.location, "address": info.location}
    if info.registration and upcoming:
        data["offers"] = {"@type": "Offer", "url": info.registration}
    return data


def website(site: Site) -> dict:
    return {
        "@type": "WebSite",
        "name": site.config.title,
        "url": site.config.base_url,
        "inLanguage": site.config.language,
        "potentialAction": {
            "@type": "SearchAction",
            "target": _url(site, "/zoeken/") + "?q={zoekterm}",
            "query-input": "required name=zoekterm",
        },
    }
