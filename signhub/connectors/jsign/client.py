"""Raw JSign API calls (`{base}/api/v2.0/...`), each through the core HttpClient.

Every call carries `app_auth_type: jsign-oauth2` and a Bearer token. A 401
(TOKEN_EXPIRED / UNAUTHORIZED) renews the token — refresh first, login with key+secret next —
and retries; when nothing helps the account is flagged "needs reconnect".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import quote

import requests

from signhub.core.errors import ConnectorError, NotFound
from signhub.core.http import HttpClient

from .auth import APP_HEADERS, JSignAuth, has_login, reconnect, unwrap

API = "/api/v2.0"
T = TypeVar("T")


def _seg(value: Any) -> str:
    return quote(str(value), safe="")


class JSignClient:
    def __init__(self, base_url: str, http: HttpClient, auth: JSignAuth) -> None:
        self.base_url = base_url.rstrip("/")
        self.http = http
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
        try:
            data = self._json("GET", f"{API}/envelopes/{_seg(envelope_id)}/details")
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
        return self._authed(
            lambda headers: unwrap(self.http.request_json(method, url, headers=headers, **kwargs))
        )

    def _stream(self, path: str, **kwargs: Any) -> requests.Response:
        url = f"{self.base_url}{path}"
        return self._authed(
            lambda headers: self.http.request("GET", url, headers=headers, stream=True, **kwargs)
        )

    def _authed(self, send: Callable[[dict[str, str]], T]) -> T:
        """Send; on an auth error renew once (refresh, else login), then try a fresh login
        once more, then give up with needs_reconnect — never an endless loop."""
        reason = ""
        for attempt in range(3):
            headers = {**APP_HEADERS, "Authorization": f"Bearer {self.auth.token()}"}
            try:
                return send(headers)
            except ConnectorError as exc:
                if not exc.refresh:
                    raise
                reason = exc.message
            if attempt == 0 or (attempt == 1 and self.auth.last_method == "concurrent"):
                # A concurrent worker's tokens may be stale too: renew ourselves once.
                self.auth.renew()
            elif attempt == 1 and has_login(self.auth.creds) and self.auth.last_method != "login":
                self.auth.renew(login_only=True)
            else:
                break
        raise reconnect(f"JSign keeps rejecting renewed tokens ({reason})")
