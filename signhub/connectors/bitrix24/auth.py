"""Bitrix24 OAuth tokens: the access token travels in each call's body (`auth`).

Refreshed on `expired_token` (not on a timer) and when the refresh token nears its 180-day
life; every refresh rotates the single-use refresh token through
`signhub.core.credentials.rotate` (stored before use; a worker that finds the tokens
rotated by another uses those). Inbound webhooks are refused before any call: sign.b2e
methods answer WRONG_AUTH_TYPE to them.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from signhub.core import credentials
from signhub.core.errors import ConnectorError

from .errors import RECONNECT
from .portal import WEBHOOK_EXPLANATION, looks_like_webhook

if TYPE_CHECKING:
    from signhub.core.http import HttpClient
    from signhub.core.models import ProviderAccount

logger = logging.getLogger("signhub.connectors.bitrix24")

T = TypeVar("T")

# Refresh tokens live 180 days; refresh well before so an idle account does not lapse.
REFRESH_TOKEN_MAX_AGE = 150 * 24 * 3600


class Bitrix24Auth:
    def __init__(self, account: ProviderAccount, http: HttpClient, oauth_url: str) -> None:
        self.account = account
        self.http = http
        self.oauth_url = oauth_url

    @property
    def creds(self) -> dict[str, Any]:
        return self.account.credentials

    def token(self) -> str:
        return str(self.creds.get("access_token") or "")

    def call(self, send: Callable[[], T]) -> T:
        """Run `send()` (which puts `token()` in its body); on expired_token refresh once."""
        return credentials.with_refresh(send, self.refresh)

    def refresh(self) -> None:
        credentials.rotate(self.account, self._refresh)

    def prepare(self, base_url: str) -> None:
        """Before the first call: refuse webhooks, get a token, refresh an ageing grant."""
        if looks_like_webhook(base_url) or any(looks_like_webhook(v) for v in self.creds.values()):
            raise ConnectorError(WEBHOOK_EXPLANATION, code="webhook_url", needs_reconnect=True)
        if not self.creds.get("access_token"):
            self.refresh()
            return
        issued = self.creds.get("refresh_token_issued_at")
        if not self.creds.get("refresh_token"):
            return
        if not isinstance(issued, int | float):
            # Age unknown (account just added): count from now, without a network call.
            stamp = int(time.time())
            credentials.rotate(self.account, lambda current: {"refresh_token_issued_at": stamp})
        elif time.time() - issued > REFRESH_TOKEN_MAX_AGE:
            logger.info("Bitrix24 refresh token of %s is ageing: refreshing", self.account.name)
            self.refresh()

    def _refresh(self, current: dict[str, Any]) -> dict[str, Any]:
        """The token call (under the credentials claim); returns the changed keys."""
        if not current.get("refresh_token"):
            raise ConnectorError(
                f"The Bitrix24 access token expired and no refresh token is stored — {RECONNECT}",
                code="no_refresh_token",
                needs_reconnect=True,
            )
        try:
            data = self._request_tokens(current)
        except ConnectorError as exc:
            if not exc.retryable:
                # A refused refresh never heals by itself (invalid_grant, invalid_client...).
                exc.needs_reconnect = True
                exc.refresh = False
            raise
        now = int(time.time())
        updated: dict[str, Any] = {
            "access_token": str(data["access_token"]),
            # Single use: the new refresh token replaces the old one (stored before use).
            "refresh_token": str(data.get("refresh_token") or current["refresh_token"]),
            "refresh_token_issued_at": now,
        }
        expires = data.get("expires")
        expires_in = data.get("expires_in")
        if isinstance(expires, int | float) and not isinstance(expires, bool):
            updated["access_token_expires_at"] = int(expires)
        elif isinstance(expires_in, int | float) and not isinstance(expires_in, bool):
            updated["access_token_expires_at"] = now + int(expires_in)
        # member_id (stable portal id) and client_endpoint survive portal renames; `domain`
        # in this response is the OAuth server, not the portal, so it is not kept.
        for key in ("member_id", "client_endpoint", "user_id", "scope"):
            if data.get(key) not in (None, ""):
                updated[key] = data[key]
        return updated

    def _request_tokens(self, current: dict[str, Any]) -> dict[str, Any]:
        """grant_type=refresh_token at the OAuth server (GET with query parameters, as the
        docs show). https://apidocs.bitrix24.com/settings/oauth/index.html"""
        data = self.http.request_json(
            "GET",
            self.oauth_url,
            params={
                "grant_type": "refresh_token",
                "client_id": str(current.get("client_id") or ""),
                "client_secret": str(current.get("client_secret") or ""),
                "refresh_token": str(current["refresh_token"]),
            },
            headers={"Accept": "application/json"},
        )
        if not isinstance(data, dict) or not data.get("access_token"):
            raise ConnectorError(
                "The Bitrix24 OAuth server answered without an access token",
                code="bad_token_response",
            )
        return data
