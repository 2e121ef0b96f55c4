"""Raw Acme Sign calls: the envelope listing (cursor paging) and document downloads.

Only the wire format lives here; every request goes through the core HttpClient (timeouts,
bounded retries, Retry-After, the throttle) with AcmeAuth's headers. Files are fetched with
`HttpClient.stream`, which checks every redirect hop against the account's host.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import requests

from signhub.core.errors import ConnectorError
from signhub.core.http import HttpClient, UrlPolicy
from signhub.core.parsing import as_dict

from .auth import AcmeAuth

PAGE_LIMIT = 100  # the provider's documented maximum


class AcmeClient:
    def __init__(self, http: HttpClient, base_url: str, auth: AcmeAuth) -> None:
        self.http = http
        self.base_url = base_url
        self.auth = auth

    def _get_json(self, path: str, params: dict[str, Any] | None = None) -> Any:
        url = f"{self.base_url}{path}"
        return self.auth.call(
            lambda headers: self.http.request_json("GET", url, params=params, headers=headers)
        )

    def iter_envelope_pages(self) -> Iterator[list[dict[str, Any]]]:
        """Each page's envelopes until `next_cursor` is null. A cursor seen twice stops the
        listing with an error (a full sync must never sweep what it did not see)."""
        cursor, seen = None, set()
        while True:
            params: dict[str, Any] = {"limit": PAGE_LIMIT}
            if cursor:
                params["cursor"] = cursor
            data = as_dict(self._get_json("/v1/envelopes", params))
            rows = data.get("data")
            if not isinstance(rows, list):
                raise ConnectorError(
                    "Acme Sign answered the listing without a `data` list",
                    code="malformed_response",
                )
            yield [row for row in rows if isinstance(row, dict)]
            cursor = data.get("next_cursor")
            if not cursor:
                return
            if cursor in seen:
                raise ConnectorError(
                    "Acme Sign sent the same page cursor twice; the listing was stopped",
                    code="paging_loop",
                )
            seen.add(cursor)

    def probe(self) -> Any:
        """The cheapest authenticated call: one listing row."""
        return self._get_json("/v1/envelopes", {"limit": 1})

    def open_document(self, envelope_id: str, document_id: str) -> requests.Response:
        """The document's bytes as a stream (the caller closes it)."""
        path = f"/v1/envelopes/{quote(envelope_id, safe='')}/documents/"
        url = f"{self.base_url}{path}{quote(document_id, safe='')}/download"
        policy = UrlPolicy.for_base_url(self.base_url)
        return self.auth.call(
            lambda headers: self.http.stream(url, headers=headers, allowed_hosts=policy)
        )
