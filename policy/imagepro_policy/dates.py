"""Calendar-date windows with one reading each (docs/terms.md, "Money and dates")."""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

DEFAULT_TIME_ZONE = "America/Chicago"
# The dates a document may carry: far enough either side of today for any real order, near enough that
# every window the terms count (a year, 60 days) stays a valid calendar date.
EARLIEST_DATE = date(2000, 1, 1)
LATEST_DATE = date(2099, 12, 31)


def add_days(start: date, days: int) -> date:
    return start + timedelta(days=days)


def add_months(start: date, months: int) -> date:
    """The same day `months` later; a day the target month lacks maps to its last day (29 Feb -> 28 Feb)."""
    month_index = start.month - 1 + months
    year = start.year + month_index // 12
    month = month_index % 12 + 1
    last_day = calendar.monthrange(year, month)[1]
    return date(year, month, min(start.day, last_day))


def within_days(start: date, on: date, days: int) -> bool:
    """ "Within N days of D": on or before D + N days, day N itself counting."""
    return on <= add_days(start, days)


def within_months(start: date, on: date, months: int) -> bool:
    """ "Within 1 year of D": on or before the same month and day a year later."""
    return on <= add_months(start, months)


def days_between(start: date, end: date) -> int:
    return (end - start).days


def local_date(instant: datetime, time_zone: str = DEFAULT_TIME_ZONE) -> date:
    """The calendar date of `instant` in the company's time zone (docs/terms.md: America/Chicago).

    A naive datetime is read as UTC, as Odoo stores it: 2026-11-26 04:27 is 25 November in Chicago.
    """
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=timezone.utc)
    return instant.astimezone(ZoneInfo(time_zone)).date()
