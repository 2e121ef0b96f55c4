"""The viewer's time zone: `?tz=` (remembered in a cookie), the cookie, or UTC.

static/js/signhub.js writes the cookie from the browser's own zone on the first visit,
so dates read in local time without asking; the zone's name is always shown.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, tzinfo
from functools import wraps
from urllib.parse import unquote

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from .dates import TZ_COOKIE, parse_zone

ONE_YEAR = 365 * 24 * 3600


def viewer_timezone(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Render the view with the viewer's zone active (`request.viewer_tz`)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        from_param = parse_zone(request.GET.get("tz"))
        zone = request_zone(request)
        request.viewer_tz = zone
        with timezone.override(zone):
            response = view(request, *args, **kwargs)
        if from_param is not None:
            response.set_cookie(TZ_COOKIE, str(from_param), max_age=ONE_YEAR, samesite="Lax")
        return response

    return wrapper


def request_zone(request: HttpRequest) -> tzinfo:
    """The viewer's zone for this request: `?tz=`, else the cookie, else UTC."""
    return parse_zone(request.GET.get("tz")) or cookie_zone(request) or UTC


def cookie_zone(request: HttpRequest):
    """The zone remembered in the cookie (tolerating a percent-encoded value)."""
    return parse_zone(unquote(request.COOKIES.get(TZ_COOKIE, "")))


def zone_name(zone) -> str:
    return getattr(zone, "key", None) or str(zone)
