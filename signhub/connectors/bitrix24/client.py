"""Raw Bitrix24 REST calls: POST `{portal}/rest/<method>` with the token in `auth`.

Everything goes through the core HttpClient (timeouts, retries, Retry-After, throttle). A
renamed portal answers 302 to its new address: HttpClient re-sends the same POST there
(requests would turn it into a GET without the body and the token), after PortalMoves
checked the new host, and the client remembers the new base URL. This module knows the wire
format only; token storage and refresh policy live in auth.py.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import requests

from signhub.core.errors import ConnectorError
from signhub.core.http import HttpClient, UrlPolicy, clock

from .auth import Bitrix24Auth
from .portal import PortalMoves, base_from_location, host

logger = logging.getLogger("signhub.connectors.bitrix24")

# https://apidocs.bitrix24.com/api-reference/sign/sign-b2e-personal-tail.html
# The docs say 1..50 (newer pages say 1..1000); the server silently clamps anything it does
# not accept to 20, so 50 is the safe maximum and a short page never proves the end.
PAGE_SIZE = 50
USERS_PER_CALL = 50  # user.get answers 50 users per page
MAX_REDIRECTS = 3
# time.operating is the method's execution budget (cloud limit unpublished; 480 s in the
# docs' example). Pausing before it runs out avoids a 429 OPERATION_TIME_LIMIT block.
OPERATING_SOFT_LIMIT = 400.0

_JSON_HEADERS = {"Accept": "application/json", "Content-Type": "application/json"}


class Bitrix24Client:
    """One portal's REST endpoint; `base_url` follows the portal when it is renamed."""

    def __init__(self, http: HttpClient, base_url: str, auth: Bitrix24Auth) -> None:
        self.http = http
        self.base_url = base_url.rstrip("/")
        self.auth = auth

    # -- REST methods ---------------------------------------------------------------------

    def call(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        """POST one method (a renamed portal's redirect is followed with the same body)."""
        url = f"{self.base_url}/rest/{method}"

        def moved(target: str) -> None:
            new_base = base_from_location(target, method)
            if new_base and new_base != self.base_url:
                logger.info("Bitrix24 portal moved to %s", host(new_base))
                self.base_url = new_base

        data = self.http.request_json(
            "POST",
            url,
            json={**params, "auth": self.auth.token()},
            headers=_JSON_HEADERS,
            follow=PortalMoves.for_base_url(url),
            max_redirects=MAX_REDIRECTS,
            on_redirect=moved,
        )
        if not isinstance(data, dict):
            raise ConnectorError(
                f"Bitrix24 answered {method} with an unexpected body", code="bad_response"
            )
        self._respect_operating_budget(data)
        return data

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

    def users(self, ids: list[str]) -> list[dict[str, Any]]:
        """`user.get` for at most 50 ids (one page: the method pages by 50), scope
        `user_brief` or `user`. Docs: apidocs.bitrix24.com api-reference/user/user-get.md"""
        data = self.call("user.get", {"FILTER": {"ID": ids[:USERS_PER_CALL]}})
        result = data.get("result")
        return [row for row in result if isinstance(row, dict)] if isinstance(result, list) else []

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

    # -- downloads --------------------------------------------------------------------------

    def open_download(self, url: str, *, allowed: UrlPolicy, referer: str) -> requests.Response:
        """GET a signed-file link as a stream, with the headers the docs ask for (a missing
        User-Agent or Referer gets an nginx 404 instead of the file). The link carries the
        token in its query, so `allowed` (the portal's hosts) is checked on every hop."""
        return self.http.stream(
            url,
            allowed_hosts=allowed,
            max_redirects=MAX_REDIRECTS,
            headers={"Accept": "*/*", "Accept-Language": "en", "Referer": referer},
        )
