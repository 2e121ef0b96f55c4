"""Provider timestamps to aware UTC datetimes: one parser for every format we meet."""

from __future__ import annotations

from datetime import UTC, datetime


def to_utc(value: object, *, naive_tz=UTC) -> datetime | None:
    """Parse ISO 8601 (offset, `Z`, or naive = `naive_tz`, any fraction length) or unix
    seconds (int/float/digit string; values that only make sense as milliseconds are
    divided by 1000). Empty or unparsable values give None rather than a guess."""
    if value in (None, "", 0):
        return None
    if isinstance(value, datetime):
        dt = value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        seconds = float(value)
        if seconds > 1e11:  # milliseconds
            seconds /= 1000
        return datetime.fromtimestamp(seconds, tz=UTC)
    elif isinstance(value, str):
        text = value.strip()
        if text.replace(".", "", 1).isdecimal() and "." not in (text[0], text[-1]):
            return to_utc(float(text), naive_tz=naive_tz)
        try:  # the common case, in C: 2026-01-02T03:04:05Z, offsets, any fraction
            dt = datetime.fromisoformat(text)
        except ValueError:
            dt = _lenient(text)
            if dt is None:
                return None
    else:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=naive_tz)
    return dt.astimezone(UTC)


def _lenient(text: str) -> datetime | None:
    """What fromisoformat refuses but providers send (a lower-case z, for one)."""
    text = text.replace("Z", "+00:00").replace("z", "+00:00")
    try:
        return datetime.fromisoformat(text.replace(" ", "T", 1) if "T" not in text else text)
    except ValueError:
        return None
