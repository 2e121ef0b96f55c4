"""Reading Box's error bodies: the HttpClient hooks.

API errors are `{type: "error", status, code, message, request_id, ...}`; the OAuth token
endpoint answers `{error, error_description}`; 401 bodies may be empty. `describe` gives
the core's default messages Box's code, words and request id (useful to Box support);
`error_hook` handles the one case the defaults cannot know: a 403 that only an
administrator can fix.
"""

from __future__ import annotations

from typing import Any

import requests

from signhub.core.errors import ConnectorError
from signhub.core.redact import redact

# 403 codes that mean the app or user lacks a permission: only an administrator can fix them.
_PERMISSION_CODES = {"insufficient_scope", "access_denied_insufficient_permissions"}


def _body(response: requests.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def describe(response: requests.Response) -> tuple[str, str]:
    """(code, ": words (Box request id …)") from either error shape; both may be empty."""
    body = _body(response)
    code = str(body.get("code") or body.get("error") or "")
    message = redact(body.get("message") or body.get("error_description") or "", limit=200)
    request_id = redact(body.get("request_id") or "", limit=64)
    detail = f": {message}" if message else ""
    if request_id:
        detail += f" (Box request id {request_id})"
    return code, detail


def error_hook(response: requests.Response) -> ConnectorError | None:
    """A 403 for a missing permission needs a reconnect; the rest use the core defaults."""
    if response.status_code != 403:
        return None
    code, detail = describe(response)
    if code not in _PERMISSION_CODES:
        return None
    return ConnectorError(
        f"Box refused access (403 {code}){detail} — the app or user lacks a permission "
        "Box Sign needs; an administrator must reconnect the account",
        code="forbidden",
        status=403,
        needs_reconnect=True,
    )
