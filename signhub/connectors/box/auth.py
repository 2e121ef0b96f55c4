"""Box authentication: OAuth 2.0 (single-use refresh tokens), JWT, Client Credentials, developer
token — and "Connect with Box", the OAuth 2.0 authorization code flow that obtains the first
pair of tokens.

Which mode an account uses follows from its credential keys:
- `jwt_config` → JWT (server authentication): an RS256 assertion for the subject (options
  `subject_type`/`subject_id`, else the config's enterprise) buys an access token; no
  refresh token, a new assertion when it lapses or on 401;
- `subject_type` + `subject_id` (options; credentials on accounts added before) → Client
  Credentials Grant (no refresh token: ask for a new access token when it lapses or on 401);
- `refresh_token` → OAuth 2.0 user auth (refresh on 401; each refresh returns a new pair and
  the old refresh token dies, so the pair is stored before it is used);
- `access_token` alone → a developer token (60 minutes, no refresh: 401 = reconnect).

Every token request goes through `signhub.core.credentials.rotate`: the row is claimed (not
locked) while the token endpoint is called, the new tokens are stored before use, and a
worker that lost the race gets the tokens the winner stored instead of spending the
(already used) refresh token a second time.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from signhub.connect.flows import ConnectFlow, Grant, OAuthApp, refresh_token_of
from signhub.core import credentials
from signhub.core.errors import ConnectorError

from . import options
from .jwt_config import GRANT_TYPE as JWT_GRANT_TYPE
from .jwt_config import JwtConfig, JwtConfigError

if TYPE_CHECKING:
    from signhub.core.http import HttpClient
    from signhub.core.models import ProviderAccount

T = TypeVar("T")

# Renew a little before the announced expiry so a token does not lapse mid-call: 60 s, or a
# tenth of the lifetime for short-lived tokens (else every call would renew first).
EXPIRY_MARGIN = 60
RENEW_AT_KEY = "access_token_renew_at"  # unix seconds; our bookkeeping beside the tokens

RECONNECT = "an administrator must reconnect the account"


class BoxAuth:
    """The account's Box token: sent as a Bearer header, renewed when it lapses or on 401."""

    def __init__(self, account: ProviderAccount, http: HttpClient, token_url: str) -> None:
        self.account = account
        self.http = http
        self.token_url = token_url

    @property
    def creds(self) -> dict[str, Any]:
        return self.account.credentials

    @property
    def subject(self) -> tuple[str, str]:
        kind, ident = options.subject(self.account.options, self.creds)
        if self.mode == "jwt" and not ident:
            return JwtConfig.parse(self.creds["jwt_config"]).subject()
        return kind or "enterprise", ident

    @property
    def mode(self) -> str:
        if self.creds.get("jwt_config"):
            return "jwt"
        if options.subject(self.account.options, self.creds)[1] and not self.creds.get(
            "refresh_token"
        ):
            return "ccg"
        if self.creds.get("refresh_token"):
            return "oauth"
        return "developer"

    # -- using the token -----------------------------------------------------------------

    def call(self, request: Callable[[dict[str, str]], T]) -> T:
        """Run `request(headers)`; on 401 renew the token once and retry, else reconnect."""
        self._ensure_fresh()
        try:
            return credentials.with_refresh(
                lambda: request(self._headers()), self.refresh_after_401
            )
        except ConnectorError as exc:
            if exc.needs_reconnect and exc.code == "unauthorized":
                exc.message = f"Box rejected the token even after renewing it — {RECONNECT}"
                exc.args = (exc.message,)
            raise

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.creds.get('access_token', '')}"}

    def _ensure_fresh(self) -> None:
        """Renew before the call when we know the token is missing or has lapsed."""
        if self.mode == "developer":
            if not self.creds.get("access_token"):
                raise ConnectorError(
                    f"No Box access token is stored — {RECONNECT}",
                    code="no_credentials",
                    needs_reconnect=True,
                )
            return
        renew_at = self.creds.get(RENEW_AT_KEY)
        lapsed = isinstance(renew_at, int | float) and time.time() >= renew_at
        if not self.creds.get("access_token") or lapsed:
            credentials.rotate(self.account, self._request_token)

    def refresh_after_401(self) -> None:
        if self.mode == "developer":
            raise ConnectorError(
                "Box rejected the developer token (they last 60 minutes and cannot be "
                f"refreshed) — {RECONNECT} with a new token",
                code="developer_token_rejected",
                status=401,
                needs_reconnect=True,
            )
        credentials.rotate(self.account, self._request_token)

    # -- the token endpoint -----------------------------------------------------------------

    def _request_token(self, current: dict[str, Any]) -> dict[str, Any]:
        """One call to the token endpoint; returns the credential keys that changed."""
        base = {
            "client_id": current.get("client_id", ""),
            "client_secret": current.get("client_secret", ""),
        }
        if self.mode == "jwt":
            # https://developer.box.com/guides/authentication/jwt/without-sdk/
            try:
                config = JwtConfig.parse(current["jwt_config"])
                kind, ident = self.subject
                data = {
                    "grant_type": JWT_GRANT_TYPE,
                    "assertion": config.assertion(kind, ident),
                    "client_id": config.client_id,
                    "client_secret": config.client_secret,
                }
            except JwtConfigError as exc:
                raise ConnectorError(
                    f"The Box JWT config cannot be used: {exc} — {RECONNECT}",
                    code="jwt_config",
                    needs_reconnect=True,
                ) from None
            refused = (
                "Box refused the JWT assertion{detail}: check that the app's public key is "
                "the one in the config, the app is authorized in the Box Admin Console, and "
                f"subject_type/subject_id — {RECONNECT}"
            )
        elif self.mode == "ccg":
            # https://developer.box.com/guides/authentication/client-credentials/
            data = {
                "grant_type": "client_credentials",
                **base,
                "box_subject_type": self.subject[0],
                "box_subject_id": self.subject[1],
            }
            refused = (
                "Box refused the Client Credentials Grant{detail}: check client_id, "
                f"client_secret, subject_type and subject_id — {RECONNECT}"
            )
        else:
            # https://developer.box.com/guides/authentication/tokens/refresh/
            data = {
                "grant_type": "refresh_token",
                "refresh_token": current.get("refresh_token", ""),
                **base,
            }
            refused = "Box refused to renew the access token{detail} — " + RECONNECT
        try:
            body = self.http.request_json("POST", self.token_url, data=data)
        except ConnectorError as exc:
            if exc.retryable:
                raise  # the endpoint was down or slow: the sync fails, the tokens stay valid
            detail = f" ({exc.status or '?'} {exc.code})"
            raise ConnectorError(
                refused.format(detail=detail),
                code="token_refused",
                status=exc.status,
                needs_reconnect=True,
            ) from None
        token = body.get("access_token") if isinstance(body, dict) else None
        if not isinstance(token, str) or not token:
            raise ConnectorError(
                "Box's token endpoint answered without an access token", code="token_malformed"
            )
        changed: dict[str, Any] = {"access_token": token}
        new_refresh = body.get("refresh_token")
        if self.mode == "oauth" and isinstance(new_refresh, str) and new_refresh:
            changed["refresh_token"] = new_refresh
        changed[RENEW_AT_KEY] = renew_at(body.get("expires_in"))
        return changed


def renew_at(expires_in: Any) -> int | None:
    """When to renew a token that lives `expires_in` seconds (None: unknown)."""
    if isinstance(expires_in, int | float) and not isinstance(expires_in, bool):
        return int(time.time() + expires_in - min(EXPIRY_MARGIN, expires_in / 10))
    return None


class BoxConnect(ConnectFlow):
    """Connect with Box: the OAuth 2.0 authorization code flow (codes live 30 s).

    https://developer.box.com/guides/authentication/oauth2/without-sdk/ — authorize at
    `authorize_url` (default https://account.box.com/api/oauth2/authorize) with
    response_type, client_id, redirect_uri and state; exchange at `token_url` with
    grant_type=authorization_code, code, client_id, client_secret (and redirect_uri).
    """

    name = "Box"

    def app(self) -> OAuthApp:
        creds = self.require("client_id", "client_secret")
        base = self.account.base_url or "https://api.box.com"
        return OAuthApp(
            authorize_url=options.authorize_url(self.account.options, base),
            token_url=options.token_url(self.account.options, base),
            client_id=creds["client_id"],
            client_secret=creds["client_secret"],
        )

    def grant(self, token: dict[str, Any], params) -> Grant:
        refresh = refresh_token_of(
            token, "Box", "check the app uses User Authentication (OAuth 2.0)"
        )
        return Grant(
            {
                "access_token": token["access_token"],
                "refresh_token": refresh,
                RENEW_AT_KEY: renew_at(token.get("expires_in")),
            }
        )
