"""Raw BoldSign calls: JSON listings and streamed downloads, signed in by BoldSignAuth.

Every request goes through the core HttpClient (timeouts, bounded retries, Retry-After, the
account's hourly budget as its throttle). Redirects are never followed blindly: requests
would forward the custom `X-API-KEY` header to any host a redirect names, so downloads go
through `HttpClient.stream` limited to the account's own API host.
"""

from __future__ import annotations

from typing import Any

import requests

from signhub.core.http import HttpClient, UrlPolicy

from .auth import BoldSignAuth

MAX_REDIRECTS = 3

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


class BoldSignClient:
    def __init__(self, http: HttpClient, base_url: str, auth: BoldSignAuth) -> None:
        self.http = http
        self.base_url = base_url
        self.auth = auth

    def get_json(self, path: str, params: dict[str, Any]) -> Any:
        url = f"{self.base_url}{path}"
        query = both_spellings(params)
        return self.auth.call(
            lambda headers: self.http.request_json(
                "GET",
                url,
                params=query,
                headers={"Accept": "application/json", **headers},
                allow_redirects=False,
            )
        )

    def stream(self, path: str, params: dict[str, Any]) -> requests.Response:
        """GET a file as a stream; redirects only within the account's own API host (the
        key must never travel elsewhere), each checked before it is followed."""
        policy = UrlPolicy.for_base_url(self.base_url)
        return self.auth.call(
            lambda headers: self.http.stream(
                f"{self.base_url}{path}",
                params=params,
                headers=headers,
                allowed_hosts=policy,
                max_redirects=MAX_REDIRECTS,
            )
        )
