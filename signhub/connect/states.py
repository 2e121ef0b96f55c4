"""Issuing and spending OAuth `state` values.

A state is random (256 bits), stored server-side as a SHA-256 digest, bound to the staff
user, their session and the account, valid for 10 minutes and spent by a conditional
UPDATE, so two callbacks racing with one state cannot both pass.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from signhub.core.models import ProviderAccount

from .flows import ConnectError
from .models import ConnectState

LIFETIME = timedelta(minutes=10)
# Spent and expired states are kept a while (so a reused one is named as such), then purged.
KEEP = timedelta(days=1)


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _session_digest(request: HttpRequest) -> str:
    if not request.session.session_key:
        request.session.save()
    return _digest("session:" + request.session.session_key)


@dataclass
class Issued:
    state: str
    code_verifier: str | None


def issue(
    request: HttpRequest, account: ProviderAccount, *, redirect_uri: str, code_verifier: str | None
) -> Issued:
    now = timezone.now()
    ConnectState.objects.filter(created_at__lt=now - KEEP).delete()
    state = secrets.token_urlsafe(32)
    ConnectState.objects.create(
        digest=_digest(state),
        account=account,
        user=request.user,
        session_digest=_session_digest(request),
        redirect_uri=redirect_uri,
        secrets={"code_verifier": code_verifier} if code_verifier else {},
        created_at=now,
        expires_at=now + LIFETIME,
    )
    return Issued(state, code_verifier)


def spend(request: HttpRequest, account: ProviderAccount, state: str) -> ConnectState:
    """The state row, marked used; ConnectError (400) for any state that must not pass."""
    if not state or len(state) > 200:
        raise ConnectError("The provider sent no usable state: press Connect again.", code="state")
    row = ConnectState.objects.filter(digest=_digest(state)).first()
    if row is None or row.account_id != account.pk:
        raise ConnectError(
            "This connect link is unknown to signhub (state mismatch): nothing was stored. "
            "Press Connect again on the account page.",
            code="state_unknown",
        )
    user = request.user
    if (
        not user.is_authenticated
        or row.user_id != user.pk
        or row.session_digest != _session_digest(request)
    ):
        raise ConnectError(
            "This connect link was started in another browser session: nothing was stored. "
            "Sign in and press Connect again.",
            code="state_session",
        )
    now = timezone.now()
    if row.used_at is not None:
        raise ConnectError(
            "This connect link was already used: nothing was stored. Press Connect again.",
            code="state_reused",
        )
    if row.expires_at <= now:
        raise ConnectError(
            "This connect link expired (they last 10 minutes): nothing was stored. "
            "Press Connect again.",
            code="state_expired",
        )
    spent = ConnectState.objects.filter(Q(used_at__isnull=True), pk=row.pk).update(used_at=now)
    if spent != 1:
        raise ConnectError(
            "This connect link was already used: nothing was stored. Press Connect again.",
            code="state_reused",
        )
    row.used_at = now
    return row
