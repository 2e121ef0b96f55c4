"""Raw Bitrix24 REST calls: POST `{portal}/rest/<method>` with the token in `auth`.

Everything goes through the core HttpClient (timeouts, retries, Retry-After, throttle). This
module knows the wire format only; token storage and refresh policy live in the connector.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import requests

from signhub.core.errors import ConnectorError
from signhub.core.http import HttpClient, clock

from .errors import PortalMoved
from .portal import base_from_location, host, is_plausible_portal_move, resolve

logger = logging.getLogger("signhub.connectors.bitrix24")

# https://apidocs.bitrix24.com/api-reference/sign/sign-b2e-personal-tail.html
# The docs say 1..50 (newer pages say 1..1000); the server silently clamps anything it does
# not accept to 20, so 50 is the safe maximum and a short page never proves the end.
PAGE_SIZE = 50
MAX_REDIRECTS = 3
# time.operating is the method's execution budget (cloud limit unpublished; 480 s in the
# docs' example). Pausing before it runs out avoids a 429 OPERATION_TIME_LIMIT block.
OPERATING_SOFT_LIMIT = 400.0

_JSON_HEADERS = {"Accept": "application/json", "Content-Type": "application/json"}


class Bitrix24Api:
    """One portal's REST endpoint. `token()` returns the current access token."""

    def __init__(
        self,
        http: HttpClient,
        base_url: str,
        token: Callable[[], str],
        *,
        on_moved: Callable[[str], None] | None = None,
    ) -> None:
        self.http = http
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.on_moved = on_moved

    # -- REST methods ---------------------------------------------------------------------

    def call(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        """POST one method; a renamed portal's 302 is re-POSTed to its Location with the body.

        requests would turn a followed 302 into a GET without the body (and the token), so
        redirects are followed here, only to the same host or another Bitrix24 cloud host.
        """
        url = f"{self.base_url}/rest/{method}"
        for hop in range(MAX_REDIRECTS + 1):
            body = {**params, "auth": self.token()}
            try:
                data = self.http.request_json(
                    "POST", url, json=body, headers=_JSON_HEADERS, allow_redirects=False
                )
            except PortalMoved as moved:
                target = resolve(url, moved.location)
                if hop == MAX_REDIRECTS or not is_plausible_portal_move(url, target):
                    raise ConnectorError(
                        f"Bitrix24 redirected the call to {host(target) or '?'}, which is not "
                        "this portal nor a Bitrix24 cloud portal: check the base URL",
                        code="bad_redirect",
                        status=moved.status,
                    ) from None
                new_base = base_from_location(target, method)
                if new_base and new_base != self.base_url:
                    logger.info("Bitrix24 portal moved to %s", host(new_base))
                    self.base_url = new_base
                    if self.on_moved:
                        self.on_moved(new_base)
                url = target
                continue
            if not isinstance(data, dict):
                raise ConnectorError(
                    f"Bitrix24 answered {method} with an unexpected body", code="bad_response"
                )
            self._respect_operating_budget(data)
            return data
        raise AssertionError("unreachable")  # pragma: no cover

    def list_page(self, method: str, offset: int) -> list[dict[str, Any]]:
        """One page of a `*.tail` list (newest first). An empty list is the end."""
        data = self.call(method, {"limit": PAGE_SIZE, "offset": offset})
        result = data.get("result")
        if result is None or result == {}:
            return []
        if isinstance(result, dict):  # older docs typed `result` as an object
            result = list(result.values())
        if not isinstance(result, list):
            raise ConnectorError(
                f"Bitrix24 answered {method} with a result that is not a list",
                code="bad_response",
            )
        return [row for row in result if isinstance(row, dict)]

    def _respect_operating_budget(self, data: dict[str, Any]) -> None:
        timing = data.get("time")
        if not isinstance(timing, dict):
            return
        used, reset_at = timing.get("operating"), timing.get("operating_reset_at")
        if not isinstance(used, int | float) or not isinstance(reset_at, int | float):
            return
        if used >= OPERATING_SOFT_LIMIT:
            wait = min(max(0.0, float(reset_at) - time.time()), self.http.max_wait)
            logger.info("Bitrix24 method budget nearly used; pausing %.0f s", wait)
            if wait > 0:
                clock.sleep(wait)

    # -- OAuth ------------------------------------------------------------------------------

    def refresh_tokens(
        self, oauth_url: str, client_id: str, client_secret: str, refresh_token: str
    ) -> dict[str, Any]:
        """grant_type=refresh_token at the OAuth server (GET with query parameters, as the
        docs show). Returns the token response; the new refresh token replaces the old one.
        https://apidocs.bitrix24.com/settings/oauth/index.html"""
        data = self.http.request_json(
            "GET",
            resolve(self.base_url, oauth_url),
            params={
                "grant_type": "refresh_token",
                "client_id": client_id,
                "client_secret": client_secret,
                "refresh_token": refresh_token,
            },
            headers={"Accept": "application/json"},
        )
        if not isinstance(data, dict) or not data.get("access_token"):
            raise ConnectorError(
                "The Bitrix24 OAuth server answered without an access token",
                code="bad_token_response",
            )
        return data

    # -- downloads --------------------------------------------------------------------------

    def open_download(self, url: str, referer: str) -> requests.Response:
        """GET a signed-file link as a stream, with the headers the docs ask for (a missing
        User-Agent or Referer gets an nginx 404 instead of the file)."""
        return self.http.request(
            "GET",
            url,
            stream=True,
            allow_redirects=False,
            headers={"Accept": "*/*", "Accept-Language": "en", "Referer": referer},
        )
