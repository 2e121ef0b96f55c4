"""Raw Box Sign calls: listing sign requests with marker paging, fetching one, file content.

Every request goes through the core HttpClient (timeouts, bounded retries, Retry-After,
throttle) with the token from BoxAuth. Box's download redirects are followed by
`HttpClient.stream`, which checks every hop and never sends the Box token to the download
host.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import requests

from signhub.core.errors import ConnectorError
from signhub.core.http import HttpClient, UrlPolicy, clock, parse_retry_after

from .auth import BoxAuth

# The largest page /2.0/sign_requests accepts (box-openapi: limit <= 1000).
PAGE_LIMIT = 1000

# Box redirects file downloads to dl.boxcloud.com and its siblings. A redirect to any other
# host than these or the account's own API host is refused.
DOWNLOAD_HOSTS = (".boxcloud.com",)
MAX_REDIRECTS = 3

# 202 + Retry-After while Box is still generating a signed PDF or signing log.
NOT_READY_ATTEMPTS = 4
NOT_READY_DEFAULT_WAIT = 2.0
NOT_READY_MAX_WAIT = 30.0


def download_policy(base_url: str) -> UrlPolicy:
    """The account's API host or a Box download host (*.boxcloud.com); https if it is."""
    return UrlPolicy.for_base_url(base_url, *DOWNLOAD_HOSTS)


def check_download_url(url: str, base_url: str) -> str:
    """`url` when a Box download may be fetched from it; ConnectorError otherwise."""
    return download_policy(base_url).check(url)


class BoxClient:
    def __init__(self, http: HttpClient, base_url: str, auth: BoxAuth) -> None:
        self.http = http
        self.base_url = base_url
        self.auth = auth

    def _get_json(
        self, url: str, params: dict[str, Any] | None = None, *, as_user: str | None = None
    ) -> Any:
        def send(headers: dict[str, str]) -> Any:
            if as_user:
                # https://developer.box.com/guides/authentication/jwt/as-user/
                headers = {**headers, "As-User": as_user}
            return self.http.request_json("GET", url, params=params, headers=headers)

        return self.auth.call(send)

    def _iter_marker_pages(
        self, url: str, params: dict[str, Any], what: str, *, as_user: str | None = None
    ) -> Iterator[list[dict[str, Any]]]:
        """Yield each page's entries until `next_marker` is null or empty.

        The end is decided by the marker only, never by a short page (Box may clamp
        `limit`). A marker seen twice would loop forever, so it stops the listing with an
        error rather than silently returning a partial list.
        """
        marker: str | None = None
        seen_markers: set[str] = set()
        while True:
            page_params = {**params, **({"marker": marker} if marker else {})}
            data = self._get_json(url, page_params, as_user=as_user)
            entries = data.get("entries") if isinstance(data, dict) else None
            if not isinstance(entries, list):
                raise ConnectorError(
                    f"Box answered the {what} listing without an `entries` list",
                    code="malformed_response",
                )
            yield [e for e in entries if isinstance(e, dict)]
            next_marker = data.get("next_marker")
            if next_marker in (None, ""):
                return
            marker = str(next_marker)
            if marker in seen_markers:
                raise ConnectorError(
                    "Box sent the same page marker twice; the listing was stopped to avoid "
                    "an endless loop",
                    code="paging_loop",
                )
            seen_markers.add(marker)

    # https://developer.box.com/reference/get-users/
    def iter_managed_users(self) -> Iterator[dict[str, Any]]:
        """Every managed user of the enterprise (marker paging, 1000 a page)."""
        params = {
            "user_type": "managed",
            "usemarker": "true",
            "limit": PAGE_LIMIT,
            "fields": "id,name,login,status",
        }
        for entries in self._iter_marker_pages(f"{self.base_url}/2.0/users", params, "user"):
            for entry in entries:
                if entry.get("id") not in (None, ""):
                    yield entry

    # https://developer.box.com/reference/get-sign-requests/
    def iter_sign_request_pages(
        self, *, shared: bool, as_user: str | None = None
    ) -> Iterator[list[dict[str, Any]]]:
        """Yield each page's entries until `next_marker` is null or empty.

        The end is decided by the marker only, never by a short page (Box may clamp
        `limit`). A marker seen twice would loop forever, so it stops the listing with an
        error rather than silently returning a partial list.
        """
        params: dict[str, Any] = {"limit": PAGE_LIMIT}
        if shared:
            params["shared_requests"] = "true"
        url = f"{self.base_url}/2.0/sign_requests"
        yield from self._iter_marker_pages(url, params, "sign request", as_user=as_user)

    # https://developer.box.com/reference/get-sign-requests-id/
    def get_sign_request(self, sign_request_id: str, *, as_user: str | None = None) -> dict:
        url = f"{self.base_url}/2.0/sign_requests/{quote(sign_request_id, safe='')}"
        data = self._get_json(url, as_user=as_user)
        if not isinstance(data, dict):
            raise ConnectorError("Box sent an unexpected sign request body", code="malformed")
        return data

    # https://developer.box.com/reference/post-webhooks/
    def create_webhook(self, folder_id: str, address: str, triggers: tuple[str, ...]) -> dict:
        body = {
            "target": {"id": folder_id, "type": "folder"},
            "address": address,
            "triggers": list(triggers),
        }
        url = f"{self.base_url}/2.0/webhooks"
        data = self.auth.call(
            lambda headers: self.http.request_json("POST", url, json=body, headers=headers)
        )
        if not isinstance(data, dict):
            raise ConnectorError("Box sent an unexpected webhook body", code="malformed")
        return data

    def probe(self, *, as_user: str | None = None) -> dict[str, Any]:
        """The cheapest authenticated call this connector needs: one listing row."""
        return self._get_json(f"{self.base_url}/2.0/sign_requests", {"limit": 1}, as_user=as_user)

    def probe_users(self) -> dict[str, Any]:
        """One managed user: proves the app may list users (for users=all)."""
        params = {"user_type": "managed", "limit": 1, "fields": "id,login"}
        return self._get_json(f"{self.base_url}/2.0/users", params)

    # https://developer.box.com/reference/get-files-id-content/
    def open_content(self, file_id: str, *, as_user: str | None = None) -> requests.Response:
        """A streaming response with the file's bytes (caller closes it).

        Box answers 302 to a short-lived URL on dl.boxcloud.com (followed without the
        Authorization header), or 202 + Retry-After while the file is not ready yet (waited
        for a bounded number of times).
        """
        url = f"{self.base_url}/2.0/files/{quote(file_id, safe='')}/content"
        policy = download_policy(self.base_url)
        for attempt in range(1, NOT_READY_ATTEMPTS + 1):
            response = self.auth.call(
                lambda headers: self.http.stream(
                    url,
                    headers={**headers, "As-User": as_user} if as_user else headers,
                    allowed_hosts=policy,
                    max_redirects=MAX_REDIRECTS,
                    resend_credentials=False,  # the redirect target is a signed link
                )
            )
            if response.status_code != 202:
                return response
            wait = parse_retry_after(response.headers.get("Retry-After"))
            wait = min(NOT_READY_MAX_WAIT, wait if wait is not None else NOT_READY_DEFAULT_WAIT)
            response.close()
            if attempt == NOT_READY_ATTEMPTS:
                raise ConnectorError(
                    "Box is still preparing this file; try again in a minute",
                    code="not_ready",
                    retryable=True,
                    retry_after=wait,
                )
            clock.sleep(wait)
        raise AssertionError("unreachable")  # pragma: no cover
