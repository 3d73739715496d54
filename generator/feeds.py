"""Atom feeds, sitemap, robots.txt and iCalendar files from the site model. Pure."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING

from generator.model import Page
from generator.site import Site
from generator.textclean import is_clean
from generator.urls import absolute, slugify

if TYPE_CHECKING:
    from icalendar import Calendar, Event

FEED_LENGTH = 20
GENERATOR = "Kennisbank"
# Characters XML 1.0 forbids even escaped; front matter can smuggle them in via YAML escapes.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_safe(text: str) -> str:
    # Clean text (nearly all of it: sources are cleaned when read) has none of those
    # characters, and is_clean says so far faster than the pattern can.
    return text if is_clean(text) else _NOT_XML.sub("", text)


# xml.sax.saxutils's escape and quoteattr, written out: importing that module imports
# urllib.request, and with it ssl, http and email, 10 ms of every build's start.
_ATTR_EXTRA = {"\n": "&#10;", "\r": "&#13;", "\t": "&#9;"}


def _x(text: str) -> str:
    return _xml_safe(text).replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")


def _attr(text: str) -> str:
    data = _x(text)
    for character, entity in _ATTR_EXTRA.items():
        data = data.replace(character, entity)
    if '"' not in data:
        return f'"{data}"'
    if "'" not in data:
        return f"'{data}'"
    return '"{}"'.format(data.replace('"', "&quot;"))


@lru_cache(maxsize=65536)  # most pages are dated at midnight: a few thousand days (sitemap)
def _iso(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _updated(page: Page) -> datetime | None:
    moment = page.updated or page.date or (page.event.start if page.event else None)
    return moment.at if moment else None


# An entry is the same in every feed that shows its page (the site's, its tags'):
# made once, it is 60% of the tag feeds' work saved at 10,000 pages.
@lru_cache(maxsize=2048)
def _entry(
    base_url: str,
    page_url: str,
    title: str,
    stamp: datetime,
    published: datetime | None,
    authors: tuple[str, ...],
    summary: str,
    html: str | None,
) -> str:
    url = absolute(base_url, page_url)
    lines = [
        "<entry>",
        f"<title>{_x(title)}</title>",
        f'<link rel="alternate" type="text/html" href={_attr(url)}/>',
        f"<id>{_x(url)}</id>",
        f"<updated>{_iso(stamp)}</updated>",
    ]
    if published:
        lines.append(f"<published>{_iso(published)}</published>")
    lines += [f"<author><name>{_x(name)}</name></author>" for name in authors]
    if summary:
        lines.append(f"<summary>{_x(summary)}</summary>")
    if html is not None:
        lines.append(f'<content type="html">{_x(html)}</content>')
    lines.append("</entry>")
    return "\n".join(lines)


def atom_feed(site: Site, title: str, feed_url: str, page_url: str, pages: list[Page]) -> bytes:
    config = site.config
    pages = pages[:FEED_LENGTH]
    stamps = [s for s in (_updated(p) for p in pages) if s]
    newest = max(stamps) if stamps else datetime(2000, 1, 1, tzinfo=UTC)
    out = [
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang={_attr(config.language)}>',
        f"<title>{_x(title)}</title>",
        f"<id>{_x(absolute(config.base_url, feed_url))}</id>",
        f'<link rel="self" type="application/atom+xml" href={_attr(absolute(config.base_url, feed_url))}/>',
        f'<link rel="alternate" type="text/html" href={_attr(absolute(config.base_url, page_url))}/>',
        f"<updated>{_iso(newest)}</updated>",
        f"<generator>{GENERATOR}</generator>",
    ]
    for page in pages:
        rendered = site.rendered.get(page.source)
        authors = tuple(
            author.title
            for author in (site.pages.get(site.authors.get(slug, "")) for slug in page.authors)
            if author
        )
        out.append(
            _entry(
                config.base_url,
                page.url,
                page.title,
                _updated(page) or newest,
                page.date.at if page.date else None,
                authors,
                page.summary or (rendered.first_paragraph if rendered else ""),
                rendered.html if rendered else None,
            )
        )
    out.append("</feed>\n")
    return "\n".join(out).encode("utf-8")


def sitemap_entries(site: Site, urls: list[tuple[str, datetime | None]]) -> str:
    """The sitemap's <url> lines: an address and, where known, its date."""
    base_url = site.config.base_url
    out = []
    for url, stamp in urls:
        loc = _x(absolute(base_url, url))
        if stamp:
            out.append(f"<url><loc>{loc}</loc>\n<lastmod>{_iso(stamp)}</lastmod>\n</url>")
        else:
            out.append(f"<url><loc>{loc}</loc>\n</url>")
    return "\n".join(out)


def sitemap(entries: str) -> bytes:
    """The sitemap around its entries (`sitemap_entries`)."""
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        f"{entries}{chr(10) if entries else ''}</urlset>\n"
    ).encode()


def robots(site: Site) -> bytes:
    return (
        f"User-agent: *\nAllow: /\n\nSitemap: {absolute(site.config.base_url, '/sitemap.xml')}\n"
    ).encode()


# icalendar is imported where calendars are made, not at the start of every build: its
# 25 ms then fall in the render pool, in the one process that makes the feeds.


def _calendar(site: Site, name: str) -> Calendar:
    from icalendar import Calendar, vText

    calendar = Calendar()
    calendar.add("prodid", f"-//{GENERATOR}//{site.config.title}//NL")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    # icalendar escapes newlines only in properties it knows as text: say so for X-WR-*,
    # or a title with a line break could inject its own calendar lines.
    calendar.add("x-wr-calname", vText(name))
    calendar.add("x-wr-timezone", site.config.timezone)
    return calendar


def _event(site: Site, page: Page) -> Event:
    info = page.event
    zone = site.config.zone
    url = absolute(site.config.base_url, page.url)
    from icalendar import Event

    event = Event()
    host = site.config.base_url.split("://", 1)[-1].split("/", 1)[0]
    event.add("uid", f"{slugify(page.section or '')}-{page.slug}@{host}")
    event.add("summary", page.title)
    event.add(
        "dtstart", info.start.at.astimezone(zone) if info.start.has_time else info.start.at.date()
    )
    if info.end:
        # A bare end date means "through that day"; iCalendar's DTEND is exclusive.
        event.add(
            "dtend",
            info.end.at.astimezone(zone)
            if info.end.has_time
            else info.end.at.date() + timedelta(days=1),
        )
    stamp = _updated(page) or info.start.at
    event.add("dtstamp", stamp.astimezone(UTC))
    if info.location:
        event.add("location", info.location)
    event.add("url", url)
    summary = page.summary or site.rendered[page.source].first_paragraph
    description = "\n\n".join(
        x for x in (summary, info.registration and f"Aanmelden: {info.registration}") if x
    )
    if description:
        event.add("description", description)
    return event


@lru_cache(maxsize=16)
def _timezone_block(tzid: str) -> bytes:
    """A zone's VTIMEZONE as text, made once: icalendar needs ~15 ms to work one out
    and ~6 ms to write its DST rules."""
    from icalendar import Timezone

    return Timezone.from_tzid(tzid).to_ical()


# RFC 5545: a content line over 75 octets is folded. icalendar's `to_ical` folds every
# line character by character, a quarter of an event calendar's time, while nearly all
# of its lines are short; its content lines are taken as they are and folded here.
_FOLD_OCTETS = 75
_ESCAPES = "\\^"  # kept with the character they escape, as icalendar folds (its #1501)


def folded(line: str) -> bytes:
    """A content line as icalendar's `Contentline.to_ical()` writes it: no part of it over
    74 octets (the first also counts its name), split between characters."""
    data = line.encode("utf-8")
    if len(data) < _FOLD_OCTETS:
        return data
    pieces = []
    start = count = 0
    for at, char in enumerate(line):
        size = 1 if char < "\x80" else len(char.encode("utf-8"))
        if at > start and count + size >= _FOLD_OCTETS:
            if at - start > 1 and line[at - 1] in _ESCAPES:
                pieces.append(line[start : at - 1])
                start, count = at - 1, 1
            else:
                pieces.append(line[start:at])
                start, count = at, 0
        count += size
    pieces.append(line[start:])
    return "\r\n ".join(pieces).encode("utf-8")


def _ical(calendar: Calendar) -> bytes:
    """`calendar.to_ical()`, with its lines folded by `folded`."""
    return b"".join([folded(line) + b"\r\n" for line in calendar.content_lines() if line])


def calendar_file(site: Site, name: str, pages: list[Page]) -> bytes:
    calendar = _calendar(site, name)
    for page in pages:
        calendar.add_component(_event(site, page))
    missing = calendar.get_missing_tzids() if pages else set()
    blocks = []
    for tzid in sorted(missing):  # between the calendar's own lines and its events
        try:
            blocks.append(_timezone_block(tzid))
        except ValueError:  # a zone icalendar does not know: as add_missing_timezones does
            continue
    text = _ical(calendar)
    if not blocks:
        return text
    at = text.index(b"BEGIN:VEVENT\r\n")
    return text[:at] + b"".join(blocks) + text[at:]
