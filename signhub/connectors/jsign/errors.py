"""Reading JSign's error body `{"errors": [{"error_code", "developer_message"}]}`: the
HttpClient hooks, and `unwrap` for answers that report an error with status 200.

Documented codes (JSign's help pages on HTTP status and common error codes; see
docs/connector-jsign.md): all 400 except TOKEN_EXPIRED / UNAUTHORIZED (401) and
EMAIL_SENDING_FAILED / SYSTEM_ERROR (500). 429 and 5xx are left to the core's defaults,
which retry with backoff and honour Retry-After; `describe` gives them JSign's code and words.
"""

from __future__ import annotations

import json
from typing import Any

import requests

from signhub.core.errors import ConnectorError, NotFound
from signhub.core.redact import redact, safe_code

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
    message = redact(first.get("developer_message") or first.get("message") or "", limit=200)
    return safe_code(code, default="") if code else "", message


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


def _error_body(response: requests.Response) -> tuple[str, str]:
    """(code, words) of an error answer; only error statuses are read, so a streamed
    download stays unread. Error bodies are small: reading one from a stream is fine."""
    if response.status_code < 400:
        return "", ""
    try:
        body = json.loads(response.content[:_MAX_ERROR_BODY] or b"null")
    except (ValueError, requests.RequestException):
        body = None
    return first_error(body)


def error_hook(response: requests.Response) -> ConnectorError | None:
    """JSign's codes decide (a 400 can mean "not found"); None = the core defaults."""
    if response.status_code < 400:
        return None
    code, message = _error_body(response)
    return error_for(response.status_code, code, message)


def describe(response: requests.Response) -> tuple[str, str]:
    """JSign's code and words for the core's default errors (429, 5xx)."""
    code, message = _error_body(response)
    return code, f": {message}" if message else ""


def unwrap(payload: Any) -> Any:
    """The `data` member of a JSign answer; a 200 that carries `errors` becomes an error."""
    if isinstance(payload, dict):
        code, message = first_error(payload)
        if code and not payload.get("data"):
            raise error_for(None, code, message) or ConnectorError(
                f"JSign refused the request ({code})", code=code.lower()[:64]
            )
        if isinstance(payload.get("data"), dict | list):
            return payload["data"]
    return payload
