"""Who is calling the Persist API: a bearer token, a staff session, or an allowed network.

Decisions: a present but wrong/revoked token is always 401 (even from an allowed network);
staff sessions may only read; token-less access from SIGNHUB_PERSIST_OPEN_NETWORKS (off by
default) exists for the original service's clients on a private network. The client address
is REMOTE_ADDR only: X-Forwarded-For is not trusted here.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest
from django.middleware.csrf import CsrfViewMiddleware
from django.utils import timezone

from .envelope import ApiError
from .models import ApiToken, hash_token


@dataclass(frozen=True)
class Caller:
    kind: str  # "token" | "session" | "network"
    can_write: bool
    label: str
    user: object | None = None
    token: ApiToken | None = None


def client_ip(request: HttpRequest) -> str | None:
    addr = request.META.get("REMOTE_ADDR") or None
    try:
        return str(ipaddress.ip_address(addr)) if addr else None
    except ValueError:
        return None


def _bearer(request: HttpRequest) -> str | None:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise ApiError(401, "invalid_token", "Authorization must be 'Bearer <token>'")
    return value.strip()


def _open_network(request: HttpRequest) -> bool:
    networks = getattr(settings, "SIGNHUB_PERSIST_OPEN_NETWORKS", []) or []
    ip = client_ip(request)
    if not networks or ip is None:
        return False
    address = ipaddress.ip_address(ip)
    for cidr in networks:
        try:
            if address in ipaddress.ip_network(cidr, strict=False):
                return True
        except ValueError:
            continue  # a typo in the setting must not open or break anything
    return False


def _from_a_browser_page(request: HttpRequest) -> bool:
    """Browsers label page-initiated requests (Origin, Sec-Fetch-Site); API clients do not."""
    fetch_site = request.META.get("HTTP_SEC_FETCH_SITE", "")
    return bool(request.META.get("HTTP_ORIGIN")) or fetch_site in ("cross-site", "same-site")


def _csrf_failure(request: HttpRequest) -> bool:
    """Run Django's CSRF check for a cookie-authenticated unsafe request (the view is exempt)."""
    check = CsrfViewMiddleware(lambda req: None)
    check.process_request(request)
    return check.process_view(request, None, (), {}) is not None


def authenticate(request: HttpRequest, write: bool) -> Caller:
    raw = _bearer(request)
    if raw is not None:
        try:
            token = ApiToken.objects.active().get(token_hash=hash_token(raw))
        except ApiToken.DoesNotExist:
            token = None
        if token is None:
            raise ApiError(401, "invalid_token", "the API token is unknown or revoked")
        if write and not token.can_write:
            raise ApiError(403, "read_only_token", "this API token may only read")
        # One UPDATE per request at most every minute keeps "last used" useful but cheap.
        now = timezone.now()
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return Caller("token", token.can_write, f"token:{token.name}", token=token)
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.is_active and user.is_staff:
        if write:
            if _csrf_failure(request):
                raise ApiError(403, "csrf_failed", "CSRF check failed")
            raise ApiError(403, "read_only_session", "browser sessions may only read")
        return Caller("session", False, user.get_username(), user=user)
    if _open_network(request):
        can_write = getattr(settings, "SIGNHUB_PERSIST_OPEN_NETWORKS_CAN_WRITE", True)
        if write and not can_write:
            raise ApiError(403, "read_only_network", "token-less access may only read")
        if write and _from_a_browser_page(request):
            # A web page opened on the private network must not be able to write through it.
            raise ApiError(403, "csrf_failed", "cross-site writes need an API token")
        return Caller("network", can_write, f"network:{client_ip(request)}")
    raise ApiError(401, "unauthenticated", "an API token is required (Authorization: Bearer)")
