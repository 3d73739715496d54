"""Parsing front-matter moments and writing them in the site's language (via Babel)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from operator import attrgetter
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
    quick = _quick_pattern(style, locale)
    if quick is not None:
        return quick(day)
    from babel.dates import format_date

    return format_date(day, format=style, locale=_locale(locale))


@lru_cache(maxsize=64)
def _locale(name: str) -> Locale:
    # Given a name, Babel parses it again at every call: half the time of a date.
    from babel import Locale

    return Locale.parse(name)


# Babel writes a date by building a formatter object and looking up the locale's names
# again for every field: 7 us a date warm, more in a fresh render worker, which met
# some 7,000 distinct days at 10,000 pages (a twentieth of the render). A pattern made
# of the fields below is written here from the same locale data, about 1 us; any other
# field leaves the whole pattern to Babel. tests/test_dates.py holds both to the same text.
_WIDTHS = {3: "abbreviated", 4: "wide", 5: "narrow"}
_DAY_WIDTHS = {3: "abbreviated", 4: "wide", 5: "narrow", 6: "short"}
_STYLES = ("full", "long", "medium", "short")


@lru_cache(maxsize=256)
def _quick_pattern(pattern: str, locale: str) -> Callable[[date], str] | None:
    """`pattern` (a pattern such as 'd MMMM y', or one of the locale's date styles:
    'full', 'long', ...) as a function of a date or datetime; None where Babel must
    write it."""
    from babel.dates import get_date_format, tokenize_pattern

    data = _locale(locale)
    if pattern in _STYLES:
        pattern = get_date_format(pattern, locale=data).pattern  # type: ignore[arg-type]
    parts: list[str | Callable[[date], str]] = []
    for token, value in tokenize_pattern(pattern):
        if token == "chars":
            parts.append(value)
            continue
        field = _field(*value, data)
        if field is None:
            return None
        parts.append(field)
    if all(isinstance(part, str) for part in parts):
        return None  # nothing to write: leave Babel's own handling of it
    texts = tuple(parts)

    def write(at: date) -> str:
        return "".join([part if part.__class__ is str else part(at) for part in texts])

    return write


def _field(char: str, width: int, data: Locale) -> Callable[[date], str] | None:
    """One field as Babel's DateTimeFormat writes it, for the fields dates use most."""
    from babel.dates import get_day_names, get_month_names

    if char == "d":
        return _digits("day", width)
    if char == "y":
        if width == 2:
            return lambda at: f"{at.year:02d}"[-2:]
        return _digits("year", width)
    if char in ("M", "L"):
        if width <= 2:
            return _digits("month", width)
        if width not in _WIDTHS:
            return None
        context = "format" if char == "M" else "stand-alone"
        names = get_month_names(_WIDTHS[width], context, data)
        months = {month: names[month] for month in range(1, 13)}
        return lambda at: months[at.month]
    if char in ("E", "e", "c"):
        if width < 3:
            if char != "E":
                return None  # the numeric local day of the week
            width = 3
        if width not in _DAY_WIDTHS:
            return None
        context = "stand-alone" if char == "c" else "format"
        names = get_day_names(_DAY_WIDTHS[width], context, data)
        days = tuple(names[weekday] for weekday in range(7))
        return lambda at: days[at.weekday()]
    if char == "H":
        return _digits("hour", width)
    if char == "m":
        return _digits("minute", width)
    return None


def _digits(name: str, width: int) -> Callable[[date], str]:
    """A number of the date or time, zero-padded to `width` digits (Babel's `format`)."""
    value = attrgetter(name)
    spec = f"0{width}d"
    return lambda at: format(value(at), spec)


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
    quick = _quick_pattern("HH:mm", locale)
    if quick is not None:
        return quick(at)
    from babel.dates import format_time

    return format_time(at, format="HH:mm", locale=_locale(locale))


def long_datetime(at: datetime, locale: str = "nl", zone: ZoneInfo | None = None) -> str:
    if zone is not None:
        at = at.astimezone(zone)
    quick = _quick_pattern(_LONG_DATETIME, locale)
    if quick is not None:
        return quick(at)
    from babel.dates import format_datetime

    return format_datetime(at, format=_LONG_DATETIME, locale=_locale(locale))


_LONG_DATETIME = "EEEE d MMMM y 'om' HH:mm"
