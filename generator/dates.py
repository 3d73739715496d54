"""Parsing front-matter moments and writing them in the site's language (via Babel)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from generator.model import Moment

if TYPE_CHECKING:
    from babel import Locale

# Babel is loaded where dates are first written (the render), not at every start.


def parse_moment(value: object, zone: ZoneInfo) -> Moment | None:
    """'2019-10-03', '2019-10-03 14:00', '2019-10-03T14:00:00+02:00' -> Moment; None if invalid."""
    if isinstance(value, datetime):
        at = value if value.tzinfo else value.replace(tzinfo=zone)
        return _in_range(Moment(at, True), zone)
    if isinstance(value, date):
        return _in_range(Moment(datetime.combine(value, time(), zone), False), zone)
    if not isinstance(value, str):
        return None
    text = value.strip()
    try:
        if len(text) == 10:
            return _in_range(
                Moment(datetime.combine(date.fromisoformat(text), time(), zone), False), zone
            )
        at = datetime.fromisoformat(text)
    except ValueError:
        return None
    return _in_range(Moment(at if at.tzinfo else at.replace(tzinfo=zone), True), zone)


_MARGIN = timedelta(days=2)


def _in_range(moment: Moment, zone: ZoneInfo) -> Moment | None:
    """None for moments so close to year 1 or 9999 that converting them to UTC or
    the site's zone (feeds, calendars, templates) would overflow."""
    if 1 < moment.at.year < 9999:  # a zone is less than a day off UTC: nothing overflows
        return moment
    try:
        utc = moment.at.astimezone(UTC).replace(tzinfo=None)
        moment.at.astimezone(zone)
    except (OverflowError, ValueError):
        return None
    if not datetime.min + _MARGIN < utc < datetime.max - _MARGIN:
        return None
    return moment


@lru_cache(maxsize=65536)  # a large site has more distinct days than a small cache holds
def _format_date(day: date, style: str, locale: str) -> str:
    from babel.dates import format_date

    return format_date(day, format=style, locale=_locale(locale))


@lru_cache(maxsize=64)
def _locale(name: str) -> Locale:
    # Given a name, Babel parses it again at every call: half the time of a date.
    from babel import Locale

    return Locale.parse(name)


def long_date(moment: Moment | datetime, locale: str = "nl", zone: ZoneInfo | None = None) -> str:
    """'donderdag 3 oktober 2019'."""
    at = moment.at if isinstance(moment, Moment) else moment
    if zone is not None:
        at = at.astimezone(zone)
    return _format_date(at.date(), "full", locale)


def short_date(moment: Moment | datetime, locale: str = "nl", zone: ZoneInfo | None = None) -> str:
    """'3 oktober 2019'."""
    at = moment.at if isinstance(moment, Moment) else moment
    if zone is not None:
        at = at.astimezone(zone)
    return _format_date(at.date(), "d MMMM y", locale)


def clock(at: datetime, locale: str = "nl", zone: ZoneInfo | None = None) -> str:
    """'14:00'."""
    if zone is not None:
        at = at.astimezone(zone)
    from babel.dates import format_time

    return format_time(at, format="HH:mm", locale=_locale(locale))


def long_datetime(at: datetime, locale: str = "nl", zone: ZoneInfo | None = None) -> str:
    if zone is not None:
        at = at.astimezone(zone)
    from babel.dates import format_datetime

    return format_datetime(at, format="EEEE d MMMM y 'om' HH:mm", locale=_locale(locale))
