"""Raw JSign API calls (`{base}/api/v2.0/...`), each through the core HttpClient.

Every call carries `app_auth_type: jsign-oauth2` and a Bearer token from JSignAuth, which
renews a rejected token (TOKEN_EXPIRED / UNAUTHORIZED) and retries; when nothing helps the
account is flagged "needs reconnect".
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import requests

from signhub.core.errors import NotFound
from signhub.core.http import HttpClient, UrlPolicy

from .auth import JSignAuth
from .errors import unwrap

API = "/api/v2.0"


def _seg(value: Any) -> str:
    return quote(str(value), safe="")


class JSignClient:
    def __init__(self, http: HttpClient, base_url: str, auth: JSignAuth) -> None:
        self.http = http
        self.base_url = base_url.rstrip("/")
        self.auth = auth

    # -- endpoints ------------------------------------------------------------------------

    def list_envelopes(
        self, page: int, page_size: int, filters: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """One page of envelopes.

        Docs: https://www.jsign.com/jsign_help/API/content/api/envelopes/envelope_list.htm
        Filters are only sent when set: an empty `categories` array is an error
        (CATEGORIES_EMPTY).
        """
        body = {**(filters or {}), "page": page, "page_size": page_size}
        data = self._json("POST", f"{API}/envelopes/list", json=body)
        return data if isinstance(data, dict) else {}

    def envelope_details(self, envelope_id: str) -> dict[str, Any] | None:
        """Signers, document ids, creator email, cancel reason; None when JSign has none.

        Docs: https://www.jsign.com/jsign_help/API/content/api/envelopes/get_envelope_details.htm
        """
        return self._envelope_part(envelope_id, "details")

    def envelope_history(self, envelope_id: str) -> dict[str, Any] | None:
        """`envelope_history[]{first_name, last_name, log_time_utc, content, activity}`.

        Docs: https://www.jsign.com/jsign_help/API/content/api/envelopes/history.htm
        """
        return self._envelope_part(envelope_id, "history")

    def _envelope_part(self, envelope_id: str, part: str) -> dict[str, Any] | None:
        """GET an envelope's `part` as a JSON object; None when JSign has none (404)."""
        try:
            data = self._json("GET", f"{API}/envelopes/{_seg(envelope_id)}/{part}")
        except NotFound:
            return None
        return data if isinstance(data, dict) else None

    def open_download(
        self, envelope_id: str, document_id: str, *, signed: bool
    ) -> requests.Response:
        """The download answer, unread (JSON with `document_base64`), to be stream-decoded.

        Docs: https://www.jsign.com/jsign_help/API/content/api/envelopes/download.htm
        """
        path = f"{API}/envelopes/{_seg(envelope_id)}/{_seg(document_id)}/download"
        return self._stream(path, params={"signedCopy": "true" if signed else "false"})

    def open_audit_log(self, envelope_id: str) -> requests.Response:
        """The blockchain audit log of a signed envelope (JSON), unread.

        Docs: https://www.jsign.com/jsign_help/API/content/api/envelopes/logs.htm
        """
        return self._stream(f"{API}/envelopes/{_seg(envelope_id)}/audit_logs")

    # -- plumbing -------------------------------------------------------------------------

    def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        url = f"{self.base_url}{path}"
        return self.auth.call(
            lambda headers: unwrap(self.http.request_json(method, url, headers=headers, **kwargs))
        )

    def _stream(self, path: str, **kwargs: Any) -> requests.Response:
        """A file answer as a stream; a redirect is followed only on the API's own host."""
        url = f"{self.base_url}{path}"
        policy = UrlPolicy.for_base_url(self.base_url)
        return self.auth.call(
            lambda headers: self.http.stream(url, allowed_hosts=policy, headers=headers, **kwargs)
        )
