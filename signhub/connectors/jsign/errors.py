"""Reading JSign's error body: `{"errors": [{"error_code", "developer_message"}]}`.

Documented codes (providers.md §3.8): all 400 except TOKEN_EXPIRED / UNAUTHORIZED (401) and
EMAIL_SENDING_FAILED / SYSTEM_ERROR (500). 429 and 5xx are left to the core's defaults, which
retry with backoff and honour Retry-After.
"""

from __future__ import annotations

import json
from typing import Any

import requests

from signhub.core.errors import ConnectorError, NotFound

AUTH_CODES = frozenset({"TOKEN_EXPIRED", "UNAUTHORIZED", "INVALID_TOKEN"})
NOT_FOUND_CODES = frozenset(
    {"ENVELOPE_NOT_FOUND_OR_RECIPIENT_NO_ACCESS", "ENVELOPE_NOT_FOUND", "DOCUMENT_NOT_FOUND"}
)
_MAX_ERROR_BODY = 64 * 1024


def first_error(body: Any) -> tuple[str, str]:
    """(error_code, developer_message) of the first listed error, or ("", "")."""
    if not isinstance(body, dict):
        return "", ""
    errors = body.get("errors")
    if isinstance(errors, dict):
        errors = [errors]
    if not isinstance(errors, list) or not errors or not isinstance(errors[0], dict):
        return "", ""
    first = errors[0]
    code = str(first.get("error_code") or first.get("code") or "")
    message = str(first.get("developer_message") or first.get("message") or "")
    return code, message[:200]


def error_for(status: int | None, code: str, message: str) -> ConnectorError | None:
    """The ConnectorError a JSign error code means; None to use the status defaults."""
    detail = f" ({code}: {message})" if message else f" ({code})" if code else ""
    if code in AUTH_CODES or status == 401:
        return ConnectorError(
            f"JSign rejected the access token{detail}",
            code="token_expired" if code == "TOKEN_EXPIRED" else "unauthorized",
            status=status,
            refresh=True,
        )
    if code == "DOCUMENT_IS_NOT_SIGNED":
        return ConnectorError(
            "JSign has no signed copy of this document yet (DOCUMENT_IS_NOT_SIGNED)",
            code="document_not_signed",
            status=status,
        )
    if code in NOT_FOUND_CODES or status == 404:
        return NotFound(f"JSign has no such envelope or document{detail}")
    if status is not None and (status == 429 or status >= 500):
        return None
    if code:
        return ConnectorError(
            f"JSign refused the request{detail}", code=code.lower()[:64], status=status
        )
    return None


def error_hook(response: requests.Response) -> ConnectorError | None:
    """HttpClient hook: only error statuses are read, so streamed downloads stay unread."""
    if response.status_code < 400:
        return None
    body: Any = None
    try:
        # Error bodies are small; reading one from a streamed response is fine.
        body = json.loads(response.content[:_MAX_ERROR_BODY] or b"null")
    except (ValueError, requests.RequestException):
        body = None
    code, message = first_error(body)
    return error_for(response.status_code, code, message)
