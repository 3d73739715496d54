"""Upcoming and past events around a given moment. Pure."""

from __future__ import annotations

from datetime import datetime

from generator.model import Page


def is_upcoming(page: Page, now: datetime) -> bool:
    """An event is upcoming until it has finished (its end, or its start when it has none)."""
    return page.event is not None and page.event.finishes >= now


def split_events(events: list[Page], now: datetime) -> tuple[list[Page], list[Page]]:
    """(upcoming soonest first, past latest first)."""
    upcoming = [e for e in events if is_upcoming(e, now)]
    past = [e for e in events if not is_upcoming(e, now)]
    upcoming.sort(key=soonest_key)
    past.sort(key=latest_key)
    return upcoming, past


def soonest_key(event: Page) -> tuple:
    """The order of upcoming events: soonest first, then by title."""
    return (event.event.start.at, event.title, event.source)


def latest_key(event: Page) -> tuple:
    """The order of past events: latest first, then by title."""
    return (-event.event.start.at.timestamp(), event.title, event.source)
