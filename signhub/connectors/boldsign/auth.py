"""BoldSign sign-in: an API key (`X-API-KEY`), or an OAuth app's client-credentials token.

The token is renewed a little before it expires and once on a 401, through
`signhub.core.credentials.rotate` (stored before it is used; a worker that finds a token
renewed by another uses that one). A rejected API key cannot be renewed: the account needs
a reconnect (see errors.py).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from signhub.core import credentials
from signhub.core.errors import ConnectorError

if TYPE_CHECKING:
    from signhub.core.http import HttpClient
    from signhub.core.models import ProviderAccount

T = TypeVar("T")

# Scope needed to list and download documents (client-credentials grant).
TOKEN_SCOPE = "BoldSign.Documents.All"
TOKEN_EARLY_REFRESH = 60  # seconds before expiry we already get a new token (at most)


class BoldSignAuth:
    def __init__(self, account: ProviderAccount, http: HttpClient, token_url: str) -> None:
        self.account = account
        self.http = http
        self.token_url = token_url

    @property
    def uses_api_key(self) -> bool:
        return bool(self.account.credentials.get("api_key"))

    def headers(self) -> dict[str, str]:
        """The credential header for the next call (a token renewed first when it lapsed)."""
        creds = self.account.credentials
        if creds.get("api_key"):
            return {"X-API-KEY": creds["api_key"]}
        token = creds.get("access_token")
        expires = creds.get("token_expires_at")
        if not token or (isinstance(expires, int | float) and expires <= time.time()):
            self.refresh()
            token = self.account.credentials.get("access_token")
        return {"Authorization": f"Bearer {token}"}

    def call(self, send: Callable[[dict[str, str]], T]) -> T:
        """Run `send(headers)`; an OAuth token rejected with 401 is renewed once."""
        if self.uses_api_key:
            return send(self.headers())
        return credentials.with_refresh(lambda: send(self.headers()), self.refresh)

    def refresh(self) -> None:
        """Get a new client-credentials token, stored before it is used."""
        credentials.rotate(self.account, self._request_token)

    def _request_token(self, current: dict[str, Any]) -> dict[str, Any]:
        # https://developers.boldsign.com/authentication/OAuth-2.0/ (client credentials)
        data = self.http.request_json(
            "POST",
            self.token_url,
            data={
                "grant_type": "client_credentials",
                "client_id": current.get("client_id", ""),
                "client_secret": current.get("client_secret", ""),
                "scope": TOKEN_SCOPE,
            },
            headers={"Accept": "application/json"},
            allow_redirects=False,
        )
        token = data.get("access_token") if isinstance(data, dict) else None
        if not isinstance(token, str) or not token:
            raise ConnectorError(
                "BoldSign's token endpoint answered without an access token",
                code="malformed_response",
            )
        try:
            lifetime = float(data.get("expires_in") or 3600)
        except (TypeError, ValueError):
            lifetime = 3600.0
        if lifetime <= 0:
            lifetime = 3600.0
        # `token_expires_at` is when we stop using the token: a minute early, or a tenth of
        # its life for short-lived tokens (so they are not renewed before every call).
        margin = min(TOKEN_EARLY_REFRESH, lifetime / 10)
        return {"access_token": token, "token_expires_at": int(time.time() + lifetime - margin)}
