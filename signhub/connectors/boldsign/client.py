"""Raw BoldSign HTTP calls: authentication, token refresh, error bodies, streaming.

Every request goes through the core HttpClient (timeouts, bounded retries, Retry-After) and
the account's RateBudget. Redirects are never followed blindly: requests would forward the
custom `X-API-KEY` header to any host a redirect names.
"""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

import requests

from signhub.core import credentials
from signhub.core.errors import ConnectorError
from signhub.core.http import ensure_allowed_url

from .ratelimit import RateBudget
from .regions import normalize_region, region_of_base_url, token_url

if TYPE_CHECKING:
    from .connector import BoldSignConnector

# Scope needed to list and download documents (client-credentials grant).
TOKEN_SCOPE = "BoldSign.Documents.All"
TOKEN_EARLY_REFRESH = 60  # seconds before expiry we already get a new token (at most)
MAX_REDIRECTS = 3
DOWNLOAD_PATHS = ("/v1/document/download", "/v1/document/downloadAuditLog")


def describe(response: requests.Response) -> tuple[str, str]:
    """HttpClient describe hook: BoldSign's words for the core's default errors. BoldSign's
    bodies carry no stable machine code, so the core's own codes are kept."""
    said = error_text(response)
    return "", f" ({said})" if said else ""


def error_text(response: requests.Response) -> str:
    """The provider's own words from an error body (shapes vary by endpoint), shortened."""
    try:
        body = response.json()
    except ValueError:
        return ""
    if isinstance(body, dict):
        for key in ("error_description", "error", "message", "Message", "title", "errorType"):
            value = body.get(key)
            if isinstance(value, str) and value.strip():
                return value.strip()[:200]
            if isinstance(value, dict):
                return json.dumps(value)[:200]
    return ""


class BoldSignApi:
    """Authenticated calls for one account."""

    def __init__(self, connector: BoldSignConnector, budget: RateBudget) -> None:
        self.connector = connector
        self.budget = budget
        self.http = connector.http
        self.http.error_hook = self.error_hook
        self.http.describe = describe
        self.http.throttle = budget.throttle

    # -- where things are ----------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return self.connector.base_url

    @property
    def region(self) -> str:
        return region_of_base_url(self.base_url) or normalize_region(
            self.connector.option("region")
        )

    @property
    def token_url(self) -> str:
        return token_url(
            self.base_url, self.connector.option("region"), self.connector.option("token_url")
        )

    @property
    def uses_api_key(self) -> bool:
        return bool(self.connector.credentials.get("api_key"))

    # -- errors ------------------------------------------------------------------------

    def error_hook(self, response: requests.Response) -> ConnectorError | None:
        """Read BoldSign's headers and error bodies; None = use the core defaults."""
        self.budget.observe(response)
        # Keep the throttle in step with a limit the server announced.
        self.http.throttle = self.budget.throttle
        status = response.status_code
        if status < 300:
            return None
        path = urlsplit(response.request.url or "").path if response.request else ""
        said = error_text(response)
        detail = f" ({said})" if said else ""
        if 300 <= status < 400:
            if path.endswith(DOWNLOAD_PATHS):
                return None  # followed by `stream`, after a host check
            return ConnectorError(
                f"BoldSign answered with an unexpected redirect ({status})",
                code="redirect",
                status=status,
            )
        if response.request is not None and self._is_token_call(response):
            return self._token_error(response, detail)
        if status == 401:
            if self.uses_api_key:
                return ConnectorError(
                    f"BoldSign rejected the API key (401){detail} — check the region "
                    f"(this account is set to {self.region!r}; a key only works in its own "
                    "region) or reconnect the account with a valid key",
                    code="unauthorized",
                    status=401,
                    needs_reconnect=True,
                )
            return ConnectorError(
                f"BoldSign rejected the access token (401){detail} — if a new token does not "
                f"help, check the region (set to {self.region!r}) and reconnect the OAuth app",
                code="unauthorized",
                status=401,
                refresh=True,
            )
        if status == 402:
            return ConnectorError(
                f"BoldSign refused the request (402){detail}: the account's plan or payment "
                "does not allow API use — an administrator must check the subscription",
                code="payment_required",
                status=402,
            )
        if status == 403 and path.endswith("/teamlist"):
            return ConnectorError(
                "BoldSign refused the team document list (403): only account or team "
                "admins may read it — remove 'team' from the lists option or use an "
                "admin's credentials",
                code="forbidden",
                status=403,
            )
        if status == 429:
            return ConnectorError(
                "BoldSign rate limit reached (429)",
                code="rate_limited",
                status=429,
                retryable=True,
                retry_after=self.budget.retry_after(response),
            )
        # Other 403s, 404, other 4xx and 5xx: the core defaults, worded with `describe`.
        return None

    def _is_token_call(self, response: requests.Response) -> bool:
        sent = urlsplit(response.request.url or "")
        want = urlsplit(self.token_url)
        return (sent.hostname, sent.port, sent.path) == (want.hostname, want.port, want.path)

    def _token_error(self, response: requests.Response, detail: str) -> ConnectorError | None:
        status = response.status_code
        if status in (400, 401, 403):
            return ConnectorError(
                f"BoldSign did not accept the OAuth client ID/secret ({status}){detail} — "
                f"check the region (set to {self.region!r}) and the app's credentials, then "
                "reconnect the account",
                code="unauthorized",
                status=status,
                needs_reconnect=True,
            )
        if status == 429:
            return ConnectorError(
                "BoldSign's token endpoint is rate limiting (429)",
                code="rate_limited",
                status=429,
                retryable=True,
                retry_after=self.budget.retry_after(response),
            )
        return None  # 5xx etc.: the core defaults (retried)

    # -- authentication ------------------------------------------------------------------

    def auth_headers(self) -> dict[str, str]:
        creds = self.connector.credentials
        if creds.get("api_key"):
            return {"X-API-KEY": creds["api_key"]}
        token = creds.get("access_token")
        expires = creds.get("token_expires_at")
        if not token or (isinstance(expires, int | float) and expires <= time.time()):
            self.refresh()
            token = self.connector.credentials.get("access_token")
        return {"Authorization": f"Bearer {token}"}

    def refresh(self) -> None:
        """Get a new client-credentials token, stored (row-locked) before it is used."""
        credentials.rotate(self.connector.account, self._request_token)

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

    def _authed(self, call):
        if self.uses_api_key:
            return call()
        return credentials.with_refresh(call, self.refresh)

    # -- calls ---------------------------------------------------------------------------

    def get_json(self, path: str, params: dict[str, Any]) -> Any:
        url = f"{self.base_url}{path}"
        params = both_spellings(params)

        def call():
            self.budget.before_request()
            headers = {"Accept": "application/json", **self.auth_headers()}
            return self.http.request_json(
                "GET", url, params=params, headers=headers, allow_redirects=False
            )

        return self._authed(call)

    def stream(self, path: str, params: dict[str, Any]) -> requests.Response:
        """GET a file with stream=True; same-host redirects only, checked before following."""
        url = f"{self.base_url}{path}"
        base = urlsplit(self.base_url)

        def call():
            target, query = url, params
            for _ in range(MAX_REDIRECTS + 1):
                self.budget.before_request()
                response = self.http.request(
                    "GET",
                    target,
                    params=query,
                    headers=self.auth_headers(),
                    stream=True,
                    allow_redirects=False,
                )
                if not response.is_redirect:
                    return response
                location = urljoin(target, response.headers.get("Location", ""))
                response.close()
                # Only the account's own API host: the key must never travel elsewhere.
                target = ensure_allowed_url(
                    location,
                    allowed_hosts={base.hostname or ""},
                    require_https=base.scheme == "https",
                )
                query = None
            raise ConnectorError("BoldSign redirected the download too many times", code="redirect")

        return self._authed(call)


# The SDK sends paging parameters in PascalCase, the behalfList docs in camelCase; BoldSign
# (ASP.NET) binds either, case-insensitively, and the repeated identical value is harmless.
# Sending both keeps paging right with any server that reads only one spelling.
_PAGING_KEYS = ("Page", "PageSize", "PageType", "NextCursor")


def both_spellings(params: dict[str, Any]) -> dict[str, Any]:
    out = dict(params)
    for key in _PAGING_KEYS:
        if key in params:
            out[key[0].lower() + key[1:]] = params[key]
    return out
