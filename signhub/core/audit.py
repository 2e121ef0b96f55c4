"""One helper for the audit trail: who did what to which target, from where, with what result.

Writes `AuditEvent` rows (append-only; the admin shows them read-only). Callers pass a
request when they have one (for the IP and the user) or a user otherwise (CLI, tasks).
Details must never hold secrets: keys that look like credentials are dropped here as a
last line of defence.
"""

from __future__ import annotations

import ipaddress
import logging
from typing import Any

from django.conf import settings
from django.http import HttpRequest

from .models import AuditEvent

logger = logging.getLogger(__name__)

# Detail keys that would name a secret (file_key or account names are fine).
_SECRET_WORDS = ("token", "secret", "password", "api_key", "apikey", "authorization", "cookie")


def client_ip(request: HttpRequest) -> str | None:
    """The client address; X-Forwarded-For is trusted only behind a declared proxy."""
    candidates = []
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            candidates.append(forwarded.split(",")[0].strip())
    candidates.append(request.META.get("REMOTE_ADDR", ""))
    for value in candidates:
        try:
            return str(ipaddress.ip_address(value))
        except ValueError:
            continue
    return None


def _clean_details(details: dict[str, Any]) -> dict[str, Any]:
    return {
        k: v for k, v in details.items() if not any(word in k.lower() for word in _SECRET_WORDS)
    }


def record(
    request_or_user: Any,
    action: str,
    target: Any = "",
    *,
    result: str = "ok",
    bytes: int | None = None,  # noqa: A002  (the model's field name)
    **details: Any,
) -> AuditEvent | None:
    """Write one audit event. Never raises: a failing audit write is logged, not fatal."""
    request = request_or_user if isinstance(request_or_user, HttpRequest) else None
    user = getattr(request, "user", None) if request is not None else request_or_user
    actor = user if getattr(user, "is_authenticated", False) else None
    label = actor.get_username() if actor is not None else ("anonymous" if request else "system")
    try:
        return AuditEvent.objects.create(
            actor=actor,
            actor_label=label[:150],
            action=action[:40],
            target=str(target)[:500],
            ip=client_ip(request) if request is not None else None,
            result=str(result)[:20],
            bytes=bytes,
            details=_clean_details(details),
        )
    except Exception:  # pragma: no cover - the audit must not break the action it records
        logger.exception("Could not write audit event %s", action)
        return None
