"""Date presets and the viewer's time zone.

Presets ("this week", "last month"...) are computed in the viewer's zone, because "today"
for an HR reviewer in Berlin is not "today" in UTC; the resulting bounds are aware
datetimes that the database compares in UTC.
"""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime, time, timedelta, tzinfo

from django.utils import timezone

PRESETS: list[tuple[str, str]] = [
    ("", "Any time"),
    ("today", "Today"),
    ("this_week", "This week"),
    ("last_week", "Last week"),
    ("this_month", "This month"),
    ("last_month", "Last month"),
    ("this_year", "This year"),
    ("custom", "Custom range"),
]

TZ_COOKIE = "tz"


def parse_zone(name: str | None) -> tzinfo | None:
    """A zone from an IANA name (cookie or query string); None when absent or invalid."""
    if not name or len(name) > 64 or name.startswith(("/", ".")) or ".." in name:
        return None
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


def _start(day: date, tz: tzinfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=tz)


def preset_range(preset: str, now: datetime, tz: tzinfo) -> tuple[datetime | None, datetime | None]:
    """[start, end) of a preset in `tz`; (None, None) for "any time" or "custom"."""
    today = timezone.localtime(now, tz).date()
    if preset == "today":
        return _start(today, tz), _start(today + timedelta(days=1), tz)
    if preset in ("this_week", "last_week"):
        monday = today - timedelta(days=today.weekday())  # ISO weeks start on Monday
        if preset == "last_week":
            monday -= timedelta(days=7)
        return _start(monday, tz), _start(monday + timedelta(days=7), tz)
    if preset == "this_month":
        first = today.replace(day=1)
        return _start(first, tz), _start(_next_month(first), tz)
    if preset == "last_month":
        first_this = today.replace(day=1)
        first_last = (first_this - timedelta(days=1)).replace(day=1)
        return _start(first_last, tz), _start(first_this, tz)
    if preset == "this_year":
        first = today.replace(month=1, day=1)
        return _start(first, tz), _start(first.replace(year=first.year + 1), tz)
    return None, None


def custom_range(
    start: date | None, end: date | None, tz: tzinfo
) -> tuple[datetime | None, datetime | None]:
    """Inclusive calendar days in the viewer's zone → [start, end)."""
    return (
        _start(start, tz) if start else None,
        _start(end + timedelta(days=1), tz) if end else None,
    )


def _next_month(first: date) -> date:
    return (
        first.replace(year=first.year + 1, month=1)
        if first.month == 12
        else first.replace(month=first.month + 1)
    )
