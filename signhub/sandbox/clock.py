"""When the sandboxes' demo data happened.

Fixed dates by default, so tests see the same documents on every day they run. `make demo`
turns on SIGNHUB_SANDBOX_RELATIVE_DATES: the same documents then end near now, so every
date preset ("today" … "this year") has results and needs-attention has recent declines
and documents expiring in the next days.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.conf import settings


def relative() -> bool:
    return bool(getattr(settings, "SIGNHUB_SANDBOX_RELATIVE_DATES", False))


def sandbox_start(fixed: datetime, span: timedelta) -> datetime:
    """`fixed`, or (relative dates) `span` before the current hour: the data's first moment."""
    if not relative():
        return fixed
    return datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - span
