"""The preview's fast path: whether an edit changed only a page's text (and title),
and which pages a new title moves in the site's lists. Pure."""

from __future__ import annotations

import dataclasses

from generator.model import Page
from generator.site import Site


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
