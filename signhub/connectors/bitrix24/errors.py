"""Reading Bitrix24's `{"error", "error_description"}` bodies into ConnectorErrors.

Bitrix24 errors are handled by their code, not by the HTTP status: WRONG_AUTH_TYPE arrives as
401 or 403, some method errors arrive with 200, expired_token is a 401 that a refresh fixes
while NO_AUTH_FOUND is a 401 that usually does not. The error_description is never copied into
messages (the docs say it is not for end users).
"""

from __future__ import annotations

import time

import requests

from signhub.core.errors import ConnectorError
from signhub.core.http import parse_retry_after
from signhub.core.redact import safe_code

from .portal import WEBHOOK_EXPLANATION

NAME = "Bitrix24"
RECONNECT = "an administrator must reconnect the account"

# Auth failures a token refresh may fix (refresh once, then needs_reconnect).
_REFRESHABLE = {
    "expired_token": "Bitrix24 says the access token expired",
    "NO_AUTH_FOUND": f"Bitrix24 did not accept the access token — {RECONNECT}",
    "invalid_token": f"Bitrix24 could not match the token to the application — {RECONNECT}",
}

# Failures no refresh can fix: credentials, app installation or plan. Also the OAuth server's
# codes (invalid_grant = refresh token expired or already used).
_RECONNECT = {
    "WRONG_AUTH_TYPE": WEBHOOK_EXPLANATION,
    "INVALID_CREDENTIALS": f"Bitrix24 says the connected user lacks rights — {RECONNECT}",
    "insufficient_scope": (
        f"The Bitrix24 application lacks the sign.b2e scope — add it to the app, then {RECONNECT}"
    ),
    "invalid_scope": f"The Bitrix24 OAuth server refused the scope — {RECONNECT}",
    "user_access_error": (
        f"The connected user has no access to the Bitrix24 application — {RECONNECT}"
    ),
    "ERROR_OAUTH": f"The Bitrix24 application is not installed on the portal — {RECONNECT}",
    "APPLICATION_NOT_FOUND": f"Bitrix24 does not know the application — {RECONNECT}",
    "PAYMENT_REQUIRED": "The Bitrix24 REST API is only available on a commercial plan",
    "PORTAL_DELETED": "The Bitrix24 portal was deleted",
    "invalid_grant": (
        f"Bitrix24 refused the refresh token (expired or already used) — {RECONNECT}"
    ),
    "invalid_client": f"Bitrix24 refused the client_id/client_secret — {RECONNECT}",
    "invalid_request": f"The Bitrix24 OAuth server refused the token request — {RECONNECT}",
}

_RETRYABLE = {
    "INTERNAL_SERVER_ERROR": "Bitrix24 had an internal error",
    "ERROR_UNEXPECTED_ANSWER": "Bitrix24 had an internal error",
    "INTERNAL_ERROR": "Bitrix24 had an internal error",
}

_PLAIN = {
    "ACCESS_DENIED": (
        "Bitrix24 denied access: the connected user needs access to the signed documents "
        "(the company safe needs 'Company Safe' access; or set the option lists=personal)"
    ),
    "OVERLOAD_LIMIT": "Bitrix24 support has blocked the REST API of this portal (OVERLOAD_LIMIT)",
    "INVALID_REQUEST": "Bitrix24 requires HTTPS for REST calls",
}


def _json_body(response: requests.Response) -> dict | None:
    content_type = response.headers.get("Content-Type", "")
    if response.status_code < 300 and "json" not in content_type:
        return None  # a file download or similar: never read it here
    try:
        data = response.json()
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _operating_wait(response: requests.Response, data: dict) -> float | None:
    """OPERATION_TIME_LIMIT: wait until `time.operating_reset_at` (unix s), else Retry-After."""
    timing = data.get("time") if isinstance(data.get("time"), dict) else {}
    reset_at = timing.get("operating_reset_at")
    if isinstance(reset_at, int | float) and not isinstance(reset_at, bool):
        return max(1.0, float(reset_at) - time.time())
    return parse_retry_after(response.headers.get("Retry-After"))


def error_for(code: str, response: requests.Response, data: dict) -> ConnectorError:
    status = response.status_code
    if code in _REFRESHABLE:
        return ConnectorError(_REFRESHABLE[code], code=code, status=status, refresh=True)
    if code in _RECONNECT:
        return ConnectorError(_RECONNECT[code], code=code, status=status, needs_reconnect=True)
    if code == "QUERY_LIMIT_EXCEEDED":
        return ConnectorError(
            "Bitrix24 request rate limit reached (QUERY_LIMIT_EXCEEDED)",
            code=code,
            status=status,
            retryable=True,
            retry_after=parse_retry_after(response.headers.get("Retry-After")),
        )
    if code == "OPERATION_TIME_LIMIT":
        return ConnectorError(
            "Bitrix24 method time budget used up (OPERATION_TIME_LIMIT)",
            code=code,
            status=status,
            retryable=True,
            retry_after=_operating_wait(response, data),
        )
    if code in _RETRYABLE:
        return ConnectorError(_RETRYABLE[code], code=code, status=status, retryable=True)
    if code in _PLAIN:
        return ConnectorError(_PLAIN[code], code=code, status=status)
    # Unknown code: fall back on the status for intent.
    plain_code = safe_code(code)
    message = f"Bitrix24 returned the error {plain_code}"
    if status == 401:
        return ConnectorError(message, code=plain_code, status=status, refresh=True)
    if status >= 500:
        return ConnectorError(message, code=plain_code, status=status, retryable=True)
    return ConnectorError(message, code=plain_code, status=status)


def error_hook(response: requests.Response) -> ConnectorError | None:
    """HttpClient hook: any body carrying an `error` code decides, whatever the status."""
    data = _json_body(response)
    if data and isinstance(data.get("error"), str) and data["error"]:
        return error_for(data["error"], response, data)
    return None


def describe(response: requests.Response) -> tuple[str, str]:
    """The code alone for the core's default messages: `error_description` is not meant for
    end users (the docs say so), so it is never shown."""
    data = _json_body(response) or {}
    code = data.get("error")
    return (safe_code(code), "") if isinstance(code, str) and code else ("", "")
