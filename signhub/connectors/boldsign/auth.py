"""BoldSign sign-in: an API key (`X-API-KEY`), or an OAuth app's token — from the
authorization code flow ("Connect with BoldSign", then renewed with its refresh token) or
from the client-credentials grant.

The token is renewed a little before it expires and once on a 401, through
`signhub.core.credentials.rotate` (stored before it is used; a worker that finds a token
renewed by another uses that one). A rejected API key cannot be renewed: the account needs
a reconnect (see errors.py).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from signhub.connect.flows import ConnectFlow, Grant, OAuthApp, refresh_token_of
from signhub.core import credentials
from signhub.core.errors import ConnectorError

from . import regions

if TYPE_CHECKING:
    from signhub.core.http import HttpClient
    from signhub.core.models import ProviderAccount

T = TypeVar("T")

# Scope needed to list and download documents (client-credentials grant).
TOKEN_SCOPE = "BoldSign.Documents.All"
# Authorization code: OpenID Connect scopes, offline_access for a refresh token, documents.
CONNECT_SCOPE = "openid profile email offline_access BoldSign.Documents.All"
TOKEN_EARLY_REFRESH = 60  # seconds before expiry we already get a new token (at most)


class BoldSignAuth:
    def __init__(self, account: ProviderAccount, http: HttpClient, token_url: str) -> None:
        self.account = account
        self.http = http
        self.token_url = token_url

    @property
    def uses_api_key(self) -> bool:
        return bool(self.account.credentials.get("api_key"))

    @property
    def mode(self) -> str:
        creds = self.account.credentials
        if creds.get("api_key"):
            return "api_key"
        if creds.get("refresh_token"):
            return "authorization_code"
        return "client_credentials"

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
        """Get a new token (refresh token or client credentials), stored before it is used."""
        credentials.rotate(self.account, self._request_token)

    def _request_token(self, current: dict[str, Any]) -> dict[str, Any]:
        # https://developers.boldsign.com/authentication/OAuth-2.0/
        base = {
            "client_id": current.get("client_id", ""),
            "client_secret": current.get("client_secret", ""),
        }
        if current.get("refresh_token"):
            form = {"grant_type": "refresh_token", "refresh_token": current["refresh_token"]}
        else:
            form = {"grant_type": "client_credentials", "scope": TOKEN_SCOPE}
        data = self.http.request_json(
            "POST",
            self.token_url,
            data={**form, **base},
            headers={"Accept": "application/json"},
            allow_redirects=False,
        )
        token = data.get("access_token") if isinstance(data, dict) else None
        if not isinstance(token, str) or not token:
            raise ConnectorError(
                "BoldSign's token endpoint answered without an access token",
                code="malformed_response",
            )
        # `token_expires_at` is when we stop using the token: a minute early, or a tenth of
        # its life for short-lived tokens (so they are not renewed before every call).
        changed = {"access_token": token, "token_expires_at": expires_at(lifetime(data))}
        new_refresh = data.get("refresh_token")
        if current.get("refresh_token") and isinstance(new_refresh, str) and new_refresh:
            changed["refresh_token"] = new_refresh  # sliding refresh tokens may be rotated
        return changed


def lifetime(token: dict[str, Any]) -> float:
    """`expires_in` seconds; an hour when it is absent or unreadable."""
    try:
        value = float(token.get("expires_in") or 3600)
    except (TypeError, ValueError):
        return 3600.0
    return value if value > 0 else 3600.0


def expires_at(lifetime: float) -> int:
    """`token_expires_at` is when we stop using the token: a minute early, or a tenth of
    its life for short-lived tokens (so they are not renewed before every call)."""
    margin = min(TOKEN_EARLY_REFRESH, lifetime / 10)
    return int(time.time() + lifetime - margin)


class BoldSignConnect(ConnectFlow):
    """Connect with BoldSign: authorization code with PKCE (S256), refresh tokens.

    https://developers.boldsign.com/authentication/OAuth-2.0/ — authorize at the region's
    account host `/connect/authorize` with response_type=code, client_id, redirect_uri,
    scope, state, code_challenge and code_challenge_method=S256; exchange at
    `/connect/token` with grant_type=authorization_code, code, redirect_uri, code_verifier,
    client_id and client_secret.
    """

    name = "BoldSign"
    pkce = True

    def app(self) -> OAuthApp:
        creds = self.require("client_id", "client_secret")
        base = self.account.base_url or regions.api_base_url(self.option("region"))
        return OAuthApp(
            authorize_url=regions.authorize_url(base, self.option("authorize_url")),
            token_url=regions.token_url(base, self.option("region"), self.option("token_url")),
            client_id=creds["client_id"],
            client_secret=creds["client_secret"],
            scope=CONNECT_SCOPE,
        )

    def grant(self, token: dict[str, Any], params) -> Grant:
        refresh = refresh_token_of(token, "BoldSign", "the app must allow offline_access")
        return Grant(
            {
                "access_token": token["access_token"],
                "refresh_token": refresh,
                "token_expires_at": expires_at(lifetime(token)),
            }
        )
