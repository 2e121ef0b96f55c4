"""Renewing an account's tokens: no network call inside a transaction, one refresh at a time.

Single-use refresh tokens (Box, Bitrix24, JSign) lock an account out when two workers spend
the same one, and a token endpoint that hangs must not hold a database lock (on SQLite a
write transaction blocks every other writer, reviewers' session saves included). So:

1. a short transaction reads the stored tokens: if another worker rotated them since this
   connector loaded them, those are used and nothing is sent;
2. otherwise it claims the row (`credentials_claim`, a lease that expires), so a worker in
   another process waits and rereads instead of refreshing too;
3. the provider call runs with no transaction open;
4. a short transaction stores the result and releases the claim.

Threads of one process also queue on a lock per account, so only one of them polls the row.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .errors import ConnectorError
from .models import ProviderAccount

logger = logging.getLogger("signhub.credentials")

T = TypeVar("T")
Refresh = Callable[[dict[str, Any]], dict[str, Any]]

# How long a claim holds: far longer than one token call with all its retries may take, so
# a live claim is never taken over; a crashed worker's claim lapses after it.
CLAIM_SECONDS = 600
POLL_FIRST, POLL_MAX = 0.05, 1.0

_locks: dict[int, threading.Lock] = {}
_locks_guard = threading.Lock()


def _thread_lock(account_id: int) -> threading.Lock:
    with _locks_guard:
        return _locks.setdefault(account_id, threading.Lock())


def wait_seconds() -> float:
    """How long a worker waits for another's refresh before it gives up (retryably)."""
    return float(settings.SIGNHUB_HTTP_TIMEOUT) + 5.0


def rotate(account: ProviderAccount, refresh: Refresh) -> dict[str, Any]:
    """Renew `account`'s credentials once, safely; returns (and sets) the credentials to use.

    `refresh(current)` makes the provider call and returns the credential keys that changed.
    If the stored credentials differ from those `account` was loaded with, another worker
    rotated them: they are adopted and `refresh` is not called (a single-use refresh token
    is never spent twice).
    """
    seen = dict(account.credentials)
    with _thread_lock(account.pk):
        current, claim = _adopt_or_claim(account.pk, seen)
        if claim is None:
            account.credentials = current
            return current
        try:
            changed = refresh(dict(current))
        except BaseException:
            _release(account.pk, claim)
            raise
        stored = _store(account.pk, claim, current, {**current, **changed})
    account.credentials = stored
    return stored


def with_refresh(call: Callable[[], T], refresh: Callable[[], None]) -> T:
    """Run `call`; if the token expired, `refresh()` once and try again.

    A second auth failure, or a failed refresh, becomes `needs_reconnect`.
    """
    try:
        return call()
    except ConnectorError as exc:
        if not exc.refresh:
            raise
    refresh()
    try:
        return call()
    except ConnectorError as exc:
        if exc.refresh:
            exc.needs_reconnect = True
            exc.refresh = False
        raise


def _locked_row(account_id: int) -> ProviderAccount:
    return (
        ProviderAccount.objects.select_for_update()
        .only("id", "credentials", "credentials_claim", "credentials_claim_until")
        .get(pk=account_id)
    )


def _adopt_or_claim(account_id: int, seen: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    """(stored credentials, None) when they changed; else (them, our claim) once claimed."""
    deadline = time.monotonic() + wait_seconds()
    delay = POLL_FIRST
    while True:
        with transaction.atomic():
            row = _locked_row(account_id)
            if row.credentials != seen:
                return row.credentials, None
            now = timezone.now()
            free = not row.credentials_claim or (
                row.credentials_claim_until is None or row.credentials_claim_until <= now
            )
            if free:
                claim = uuid.uuid4().hex
                ProviderAccount.objects.filter(pk=account_id).update(
                    credentials_claim=claim,
                    credentials_claim_until=now + timedelta(seconds=CLAIM_SECONDS),
                )
                return row.credentials, claim
        if time.monotonic() >= deadline:
            raise ConnectorError(
                "Another worker is renewing this account's token and has not finished; "
                "try again in a minute",
                code="refresh_in_progress",
                retryable=True,
            )
        time.sleep(delay)  # a wait for another process, not a provider backoff
        delay = min(POLL_MAX, delay * 2)


def _release(account_id: int, claim: str) -> None:
    ProviderAccount.objects.filter(pk=account_id, credentials_claim=claim).update(
        credentials_claim="", credentials_claim_until=None
    )


def _store(
    account_id: int, claim: str, current: dict[str, Any], updated: dict[str, Any]
) -> dict[str, Any]:
    """Store `updated` and release the claim; returns what is stored afterwards."""
    with transaction.atomic():
        done = ProviderAccount.objects.filter(pk=account_id, credentials_claim=claim).update(
            credentials=updated, credentials_claim="", credentials_claim_until=None
        )
        if done:
            return updated
        # Our claim lapsed and another worker took it over (a refresh slower than
        # CLAIM_SECONDS). Keep what we were issued unless that worker stored tokens too.
        row = _locked_row(account_id)
        if row.credentials == current:
            ProviderAccount.objects.filter(pk=account_id).update(credentials=updated)
            return updated
        logger.warning(
            "Account %s: tokens were renewed twice at once; keeping the stored ones", account_id
        )
        return row.credentials
