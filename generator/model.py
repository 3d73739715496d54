"""Plain data passed between the pipeline stages."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from generator.slotstate import quick_state


@quick_state
@dataclass(frozen=True, slots=True)
class Moment:
    """A point in time from front matter; `has_time` is False for a bare date."""

    at: datetime  # always time-zone aware
    has_time: bool

    def iso(self) -> str:
        return self.at.isoformat() if self.has_time else self.at.date().isoformat()


@quick_state
@dataclass(frozen=True, slots=True)
class EventInfo:
    start: Moment
    end: Moment | None
    location: str
    registration: str

    @property
    def finishes(self) -> datetime:
        """When the event is over; a bare date lasts the whole day (to midnight, local time)."""
        last = self.end or self.start
        return last.at if last.has_time else last.at + timedelta(days=1)


@quick_state
@dataclass(frozen=True, slots=True)
class Page:
    source: str  # 'content/artikelen/x.md', relative to the site root
    section: str | None  # None for top-level pages
    kind: str  # 'page', 'event', 'author' or 'plain'
    slug: str
    url: str
    title: str
    date: Moment | None
    updated: Moment | None
    summary: str
    tags: tuple[str, ...]
    authors: tuple[str, ...]
    draft: bool
    aliases: tuple[str, ...]
    terms: tuple[tuple[str, tuple[str, ...]], ...]  # (taxonomy key, raw values)
    event: EventInfo | None
    meta: dict
    body: str
    body_line: int
    key_lines: dict[tuple[str, ...], int] = field(default_factory=dict)
    bundle_assets: tuple[str, ...] = ()  # source paths of files beside a bundle's index.md

    def line_of(self, *keys: str) -> int:
        return self.key_lines.get(tuple(keys), 1)

    @property
    def sort_moment(self) -> datetime | None:
        if self.date:
            return self.date.at
        return self.event.start.at if self.event else None


@quick_state
@dataclass(frozen=True, slots=True)
class TextDocument:
    """Markdown that adds text to a generated page (term text, section intro, home)."""

    source: str
    title: str
    meta: dict
    body: str
    body_line: int


@quick_state
@dataclass(frozen=True, slots=True)
class Asset:
    """A file copied as it is: `source` relative to the site root, `target` in the output."""

    source: str
    target: str
