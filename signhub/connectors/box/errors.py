"""Reading Box's error bodies into ConnectorErrors with plain words.

API errors are `{type: "error", status, code, message, request_id, ...}`; the OAuth token
endpoint answers `{error, error_description}`; 401 bodies may be empty. Messages carry the
Box code and request id (useful to Box support), never a token or a URL.
"""

from __future__ import annotations

from typing import Any

import requests

from signhub.core.errors import ConnectorError

# 403 codes that mean the app or user lacks a permission: only an administrator can fix them.
_PERMISSION_CODES = {"insufficient_scope", "access_denied_insufficient_permissions"}


def _body(response: requests.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def describe(body: dict[str, Any]) -> tuple[str, str]:
    """(code, " — detail (request id …)") from either error shape; both may be empty."""
    code = str(body.get("code") or body.get("error") or "")
    message = str(body.get("message") or body.get("error_description") or "")[:200]
    request_id = body.get("request_id")
    detail = f": {message}" if message else ""
    if request_id:
        detail += f" (Box request id {request_id})"
    return code, detail


def box_describe(response: requests.Response) -> tuple[str, str]:
    """HttpClient describe hook: Box's code and detail for the default error messages."""
    return describe(_body(response))


def box_error(response: requests.Response) -> ConnectorError | None:
    """HttpClient error hook for Box's special cases; the rest use the core defaults."""
    status = response.status_code
    if status not in (401, 403):
        return None
    code, detail = describe(_body(response))
    label = f"{status} {code}".strip()
    if status == 401:
        return ConnectorError(
            f"Box rejected the access token ({label}){detail}",
            code="unauthorized",
            status=status,
            refresh=True,
        )
    if code in _PERMISSION_CODES:
        return ConnectorError(
            f"Box refused access ({label}){detail} — the app or user lacks a permission "
            "Box Sign needs; an administrator must reconnect the account",
            code="forbidden",
            status=status,
            needs_reconnect=True,
        )
    return None
