"""Dates, times and spans of time in the reader's language (Flask-Babel), in the configured
time zone and never with seconds; and the names of the interface languages.

The interface language itself is chosen in ``kb.extensions._select_locale``. Document content
is never translated: a document has its own ``language``.
"""

from datetime import date, datetime, timedelta

from babel.dates import format_skeleton
from flask_babel import format_date, format_datetime, format_timedelta, get_locale, get_timezone

from kb.db import utcnow

# Each language by its own name, so a reader finds theirs whatever the page is in.
LANGUAGE_NAMES = {"nl": "Nederlands", "en": "English"}

WIDTHS = ("short", "medium", "long", "full")


def datetime_label(value: datetime | None, width: str = "medium") -> str:
    """A moment as the reader's language writes it, to the minute: 'short' (01-12-2026, 21:05 /
    12/1/26, 9:05 PM), 'medium' (1 dec 2026, 21:05), 'long' and 'full' (with the month or weekday
    in words). The CLDR medium and long formats carry seconds; a page never needs them."""
    if not value:
        return ""
    if width not in WIDTHS:
        return format_datetime(value, width)  # an explicit pattern
    locale = get_locale()
    assert locale is not None  # Flask-Babel always answers a locale inside a request
    pattern = str(locale.datetime_formats[width]).format(
        locale.time_formats["short"].pattern, locale.date_formats[width].pattern
    )
    return format_datetime(value, pattern)


def date_label(value: date | datetime | None, width: str = "medium") -> str:
    """A calendar day: 'medium' (1 dec 2026 / Dec 1, 2026), 'long' (1 december 2026 /
    December 1, 2026), or a CLDR pattern."""
    return format_date(value, width) if value else ""


def day_month(value: date | datetime | None) -> str:
    """Day and month only, for chart axes and week labels (1 dec / Dec 1)."""
    if not value:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(get_timezone()).date()
    return format_skeleton("MMMd", value, locale=get_locale())


def duration_label(value: timedelta | None, granularity: str = "minute") -> str:
    """A span of time in words (3 uur / 3 hours, 2 dagen / 2 days)."""
    if value is None:
        return ""
    return format_timedelta(value, granularity=granularity, threshold=1.5)


def ago(value: datetime | None, now: datetime | None = None) -> str:
    """How long ago, in words: '3 minuten geleden' / '3 minutes ago' (under a minute rounds up
    to one)."""
    if not value:
        return ""
    delta = value - (now or utcnow())
    return format_timedelta(delta, granularity="minute", threshold=1.5, add_direction=True)


FILTERS = {
    "datetime": datetime_label,
    "date": date_label,
    "day_month": day_month,
    "ago": ago,
}
