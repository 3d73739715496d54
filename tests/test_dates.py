"""Dates as the site writes them: our quick way of writing Babel's patterns must give
Babel's own text, for every day and every locale and pattern a site may use."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from babel import Locale
from babel.dates import format_date, format_datetime, format_time

from generator import dates

LOCALES = ["nl", "nl_BE", "en", "en_US", "de", "fr", "fy", "ar", "ja"]
DATE_PATTERNS = [
    "full",
    "long",
    "medium",
    "short",
    "d MMMM y",
    "dd-MM-yyyy",
    "EEE d MMM yy",
    "E d LLL",
    "LLLL y",
    "MMMMM cccc ccc eeee",
    "EEEEEE EEEEE d",
    "d 'van' MMMM ''y''",
]
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def _every_day(first: date, count: int):
    return [first + timedelta(days=n) for n in range(count)]


# A leap year day by day (every weekday and month name), and years that pad or cut.
DAYS = _every_day(date(2024, 1, 1), 366) + [date(7, 3, 9), date(999, 12, 31), date(2000, 2, 29)]


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("pattern", DATE_PATTERNS)
def test_a_date_is_written_as_babel_writes_it(locale, pattern):
    assert dates._quick_pattern(pattern, locale) is not None  # not Babel's by default
    babel_locale = Locale.parse(locale)
    for day in DAYS:
        expected = format_date(day, format=pattern, locale=babel_locale)
        assert dates._format_date(day, pattern, locale) == expected, (day, pattern, locale)


@pytest.mark.parametrize("locale", LOCALES)
def test_times_and_moments_are_written_as_babel_writes_them(locale):
    babel_locale = Locale.parse(locale)
    start = datetime(2024, 3, 30, 0, 5, tzinfo=AMSTERDAM)  # over a change to summer time
    moments = [start + timedelta(minutes=97 * n) for n in range(60)]
    moments += [datetime(2024, 10, 27, 2, 30), datetime(2024, 1, 1, 23, 59, tzinfo=UTC)]
    for at in moments:
        assert dates.clock(at, locale) == format_time(at, "HH:mm", locale=babel_locale)
        assert dates.long_datetime(at, locale) == format_datetime(
            at, "EEEE d MMMM y 'om' HH:mm", locale=babel_locale
        )
        assert dates.long_date(at, locale) == format_date(at.date(), "full", locale=babel_locale)


def test_a_pattern_with_fields_of_its_own_is_left_to_babel():
    """Week numbers, eras, quarters, the numeric day of the week: Babel writes them."""
    day = date(2024, 12, 30)  # week 1 of 2025
    for pattern in ["w", "'week' w Y", "G y", "QQQ y", "e", "D"]:
        assert dates._quick_pattern(pattern, "nl") is None
        assert dates._format_date(day, pattern, "nl") == format_date(day, pattern, locale="nl")
    assert dates._format_date(day, "w Y", "nl") == "1 2025"
