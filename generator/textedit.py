"""The preview's fast path: whether an edit changed only a page's text (and title),
which pages a new title moves in the site's lists, and the site model after it."""

from __future__ import annotations

import dataclasses

from generator.loading import render_sources
from generator.model import Page
from generator.site import Site, with_ties_reordered

# The fast path handles this many edited pages at most; more is a full check.
FAST_PATH_LIMIT = 20


def body_edits(
    site: Site, before: dict, entries: dict, changed: set[str], urls: dict, mentions: dict
) -> tuple[Site, set[str]] | None:
    """When only the Markdown below the front matter (or the title, see `text_edit`) of a
    few published pages changed, and with it no link, image or heading anchor, the site's
    structure is as it was: (the site with their new text, the outputs that showed them
    or pages whose order a new title changed). None when that does not hold.

    `before` and `entries`: the sources of the last build and of this one; the edited
    pages' Markdown is rendered into `entries` and their text set in `site`, in place.
    `mentions`: the outputs that showed each source, by source."""
    if entries.keys() != before.keys():
        return None
    edited = [s for s, e in entries.items() if e is not before[s]]
    if not edited or len(edited) > FAST_PATH_LIMIT or not changed <= set(edited):
        return None  # templates, assets, site.yaml or new files: not for the fast path
    reordered: set[str] = set()
    for source in edited:
        old, new = before[source], entries[source]
        if old.page is None or new.page is None or old.problems or new.problems:
            return None
        if source not in site.pages or old.rendered is None:
            return None
        moved = text_edit(old.page, new.page, site, alone=len(edited) == 1)
        if moved is None:
            return None
        reordered |= moved
    render_sources(entries, edited, urls, 1)
    for source in edited:
        if not same_structure(before[source].rendered, entries[source].rendered):
            return None
    for source in edited:
        page = entries[source].page
        site.pages[source] = dataclasses.replace(
            site.pages[source], body=page.body, title=page.title, meta=page.meta
        )
        site.rendered[source] = entries[source].rendered
    if reordered:  # a new title changed the order of pages of one date: lists again
        site = with_ties_reordered(site, reordered)
    affected = set().union(
        *(mentions.get(source, set()) for source in [*edited, *sorted(reordered)])
    )
    return site, affected


def same_structure(old, new) -> bool:
    """Same links, images, files and heading anchors: nothing outside the page changes."""
    return (
        old.links == new.links
        and old.missing == new.missing
        and old.images == new.images
        and [h.anchor for h in old.headings] == [h.anchor for h in new.headings]
        and old.files == new.files
        and old.external == new.external
        and old.own_anchors == new.own_anchors
    )


def _without_text(page: Page) -> Page:
    meta = {key: value for key, value in page.meta.items() if key != "title"}
    return dataclasses.replace(page, body="", title="", meta=meta)


def text_edit(old: Page, new: Page, site: Site, alone: bool = True) -> set[str] | None:
    """None unless only the body, or the body and the title, changed; then the pages
    whose place in the site's lists may have changed (empty: nothing moved).

    Titles order pages only where dates tie (lists are newest first, then by
    title) and in the authors' list. A new title that changes the page's place
    among the pages of its date (or, for an event, of its start) moves those pages
    among themselves, and nothing else. When other pages were edited too (`alone`
    false), their titles in `site` are stale: every page of the date counts as moved."""
    if old.title == new.title:
        same = dataclasses.replace(old, body="") == dataclasses.replace(new, body="")
        return set() if same else None
    if new.kind == "author" or new.sort_moment is None:
        return None
    if _without_text(old) != _without_text(new):
        return None
    moment = new.sort_moment
    start = new.event.start.at if new.event else None
    same_date = [p for p in site.pages.values() if p.sort_moment == moment]
    same_start = (
        [p for p in site.pages.values() if p.event and p.event.start.at == start] if start else []
    )
    moved: set[str] = set()
    if not alone or not _same_place(same_date, old, new, lambda p: (p.title.casefold(), p.source)):
        moved.update(p.source for p in same_date if len(same_date) > 1)
    if not alone or not _same_place(same_start, old, new, lambda p: (p.title, p.source)):
        moved.update(p.source for p in same_start if len(same_start) > 1)
    return moved


def _same_place(group: list[Page], old: Page, new: Page, key) -> bool:
    """`old` and `new` sort into the same place among the other pages of `group`."""
    others = [p for p in group if p.source != new.source]
    return [p.source for p in sorted([*others, old], key=key)] == [
        p.source for p in sorted([*others, new], key=key)
    ]
