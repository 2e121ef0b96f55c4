"""Sliding session expiry with at most one session write a minute.

Sessions expire after `SESSION_COOKIE_AGE` seconds of inactivity. Django's way to get that,
`SESSION_SAVE_EVERY_REQUEST`, writes the session row (and re-signs its cookie) on every
request: three statements and a commit on every list page and every HTMX swap. Here the
session is saved when something changed it or when its last save is
`SIGNHUB_SESSION_REFRESH_SECONDS` old (default 60; at most half of `SESSION_COOKIE_AGE`), so
the timeout still counts from the last request, to within that interval. The time of the
last save is kept in the session itself (set at login too, so a fresh login does not write
again on its first page).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

SAVED_AT = "_signhub_saved_at"  # epoch seconds of the session's last save


def stamp(session) -> None:
    session[SAVED_AT] = int(time.time())


def refresh_interval() -> float:
    """Seconds between two saves: the setting, but never more than half the session's life
    (with a 60 s refresh a 30 s session would expire before its first renewal)."""
    return min(settings.SIGNHUB_SESSION_REFRESH_SECONDS, settings.SESSION_COOKIE_AGE / 2)


def save_due(session) -> bool:
    """Whether the session's last save is older than the interval; a stamp that is missing,
    not a number or in the future (another host's clock) counts as due."""
    saved = session.get(SAVED_AT)
    if not isinstance(saved, int | float) or isinstance(saved, bool):
        return True
    return not 0 <= time.time() - saved < refresh_interval()


def stamp_at_login(sender, request, user, **kwargs) -> None:
    """`user_logged_in`: the login saves the session anyway."""
    if getattr(request, "session", None) is not None:
        stamp(request.session)


class SessionRefreshMiddleware:
    """Marks a used session modified when its last save is older than the refresh interval,
    so Django's SessionMiddleware (outside this one) saves it and renews its cookie."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        # Only a session the request used (a signed-in page, not a health probe) and that
        # holds something: an anonymous visitor gets no session row.
        if session is None or not session.accessed or session.is_empty():
            return response
        if session.modified or save_due(session):
            stamp(session)
        return response
