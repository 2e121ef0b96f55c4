"""JSign tokens: login with API key/secret + user, refresh, proactive renewal, lock-out safety.

Docs: https://www.jsign.com/jsign_help/API/content/api/authentication/login.htm and
.../refresh_token.htm. Quirk: `expires_in` is an ABSOLUTE unix time, not a duration; we
store it as sent and renew shortly before it passes. Every renewal goes through
`signhub.core.credentials.rotate`, so the new pair is committed before it is used and a
worker that lost the race adopts the winner's tokens instead of spending the refresh token
again. `JSignAuth.call` is the retry policy on a rejected token: refresh, then log in, then
give up with "needs reconnect".
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from signhub.core import credentials
from signhub.core.errors import ConnectorError

from .errors import unwrap

if TYPE_CHECKING:
    from signhub.core.http import HttpClient
    from signhub.core.models import ProviderAccount

T = TypeVar("T")

LOGIN_PATH = "/api/v2.0/authorization/token"
REFRESH_PATH = "/api/v2.0/authorization/refresh_token"
# Sent on every JSign call, API and token endpoints alike.
APP_HEADERS = {"app_auth_type": "jsign-oauth2"}
# Renew this many seconds before the stored expiry, so a token never dies mid-page; for
# short-lived tokens at most a tenth of their lifetime, so they are not renewed on every call.
EXPIRY_MARGIN = 60
LOGIN_KEYS = ("api_key", "api_secret", "email", "password")

now: Callable[[], float] = time.time  # patched in tests


def has_login(creds: dict[str, Any]) -> bool:
    return all(creds.get(k) for k in LOGIN_KEYS)


def reconnect(reason: str) -> ConnectorError:
    return ConnectorError(
        f"{reason} — an administrator must reconnect the account",
        code="needs_reconnect",
        needs_reconnect=True,
        status=401,
    )


def parse_expiry(value: Any) -> int | None:
    """Absolute unix seconds. Small numbers can only be a duration: treat them as one."""
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        return None
    if seconds <= 0:
        return None
    if seconds > 1e11:  # milliseconds
        seconds /= 1000
    if seconds < 1e9:  # a duration (the docs say absolute; be lenient)
        seconds += now()
    return int(seconds)


def token_fields(payload: Any) -> dict[str, Any]:
    """The credential keys to store from a login/refresh answer."""
    data = unwrap(payload)
    if not isinstance(data, dict) or not data.get("access_token"):
        raise ConnectorError(
            "JSign answered the token request without an access token", code="bad_token_response"
        )
    fields: dict[str, Any] = {
        "access_token": str(data["access_token"]),
        "expires_in": parse_expiry(data.get("expires_in")),
        "obtained_at": int(now()),
    }
    if data.get("refresh_token"):  # keep the old one when none is sent back
        fields["refresh_token"] = str(data["refresh_token"])
    return fields


def is_expired(creds: dict[str, Any]) -> bool:
    expiry = parse_expiry(creds.get("expires_in"))
    if expiry is None:
        return False
    margin = float(EXPIRY_MARGIN)
    obtained = parse_expiry(creds.get("obtained_at"))
    if obtained is not None and expiry > obtained:
        margin = min(margin, (expiry - obtained) / 10)
    return now() >= expiry - margin


class JSignAuth:
    """Hands out a usable access token; renews it by refresh, then login, then gives up."""

    def __init__(self, account: ProviderAccount, http: HttpClient, base_url: str) -> None:
        self.account = account
        self.http = http
        self.base_url = base_url.rstrip("/")
        self.last_method = ""  # "refresh" | "login" | "concurrent", for the retry policy

    @property
    def creds(self) -> dict[str, Any]:
        return self.account.credentials

    def call(self, send: Callable[[dict[str, str]], T]) -> T:
        """Send with the token; on an auth error renew once (refresh, else login), then try
        a fresh login once more, then give up with needs_reconnect — never an endless loop."""
        reason = ""
        for attempt in range(3):
            headers = {**APP_HEADERS, "Authorization": f"Bearer {self.token()}"}
            try:
                return send(headers)
            except ConnectorError as exc:
                if not exc.refresh:
                    raise
                reason = exc.message
            if attempt == 0 or (attempt == 1 and self.last_method == "concurrent"):
                # A concurrent worker's tokens may be stale too: renew ourselves once.
                self.renew()
            elif attempt == 1 and has_login(self.creds) and self.last_method != "login":
                self.renew(login_only=True)
            else:
                break
        raise reconnect(f"JSign keeps rejecting renewed tokens ({reason})")

    def token(self) -> str:
        """A token believed valid: renewed first when missing or past its stored expiry."""
        if not self.creds.get("access_token") or is_expired(self.creds):
            self.renew()
        return str(self.creds.get("access_token", ""))

    def renew(self, *, login_only: bool = False) -> str:
        """Refresh (or log in) under the account row lock; returns the method used."""
        self.last_method = "concurrent"

        def rotate(current: dict[str, Any]) -> dict[str, Any]:
            rejected = ""
            if not login_only and current.get("refresh_token"):
                try:
                    fields = self._refresh(current)
                except ConnectorError as exc:
                    if exc.retryable:
                        raise
                    rejected = exc.message
                else:
                    self.last_method = "refresh"
                    return fields
            if has_login(current):
                self.last_method = "login"
                return self._login(current)
            if rejected:
                raise reconnect(f"JSign rejected the refresh token ({rejected})")
            raise reconnect(
                "JSign rejected the saved access token and no refresh token or API key login "
                "is saved to renew it"
            )

        credentials.rotate(self.account, rotate)
        return self.last_method

    def _refresh(self, creds: dict[str, Any]) -> dict[str, Any]:
        # The table names the expired token `access_token`, the sample `token`: send both.
        body = {
            "access_token": creds.get("access_token", ""),
            "token": creds.get("access_token", ""),
            "refresh_token": creds["refresh_token"],
        }
        payload = self.http.request_json(
            "POST", f"{self.base_url}{REFRESH_PATH}", json=body, headers=APP_HEADERS
        )
        return token_fields(payload)

    def _login(self, creds: dict[str, Any]) -> dict[str, Any]:
        try:
            payload = self.http.request_json(
                "POST",
                f"{self.base_url}{LOGIN_PATH}",
                json={"email": creds["email"], "password": creds["password"]},
                headers=APP_HEADERS,
                auth=(creds["api_key"], creds["api_secret"]),
            )
        except ConnectorError as exc:
            if exc.retryable:
                raise
            raise reconnect(
                f"JSign refused the API key/secret or the user's email/password ({exc.message})"
            ) from None
        return token_fields(payload)
