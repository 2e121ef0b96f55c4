"""Reading BoldSign's answers: the HttpClient hooks.

Error bodies vary by endpoint (`error`, `error_description`, `message`, `title`…) and carry
no stable machine code, so `describe` only supplies BoldSign's words to the core's default
messages. `error_hook` handles what the defaults cannot know: a key that only works in its
own region, the OAuth token endpoint's answers, a plan without API access, the admin-only
team list, the hourly budget's reset time, and redirects outside a download.
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import requests

from signhub.core.errors import ConnectorError
from signhub.core.redact import redact

from .ratelimit import retry_after


def error_text(response: requests.Response) -> str:
    """The provider's own words from an error body, made safe and shortened."""
    try:
        body = response.json()
    except ValueError:
        return ""
    if isinstance(body, dict):
        for key in ("error_description", "error", "message", "Message", "title", "errorType"):
            value = body.get(key)
            if isinstance(value, str) and value.strip():
                return redact(value.strip(), limit=200)
            if isinstance(value, dict):
                return redact(json.dumps(value), limit=200)
    return ""


def describe(response: requests.Response) -> tuple[str, str]:
    """BoldSign's words for the core's default errors; the core's own codes are kept."""
    said = error_text(response)
    return "", f" ({said})" if said else ""


def _is_token_call(response: requests.Response, token_url: str) -> bool:
    sent = urlsplit(response.request.url or "") if response.request is not None else None
    want = urlsplit(token_url)
    return sent is not None and (sent.hostname, sent.port, sent.path) == (
        want.hostname,
        want.port,
        want.path,
    )


def error_hook(
    response: requests.Response, *, region: str, token_url: str, api_key: bool
) -> ConnectorError | None:
    """BoldSign's special cases; None = the core defaults, worded with `describe`.

    `region` and `token_url` word the messages; `api_key` says how the account signs in
    (a rejected key needs a reconnect, a rejected OAuth token a refresh first).
    """
    status = response.status_code
    if status < 300:
        return None
    if status < 400:
        # Downloads follow their redirects in HttpClient.stream; anything else is a surprise.
        return ConnectorError(
            f"BoldSign answered with an unexpected redirect ({status})",
            code="redirect",
            status=status,
        )
    said = error_text(response)
    detail = f" ({said})" if said else ""
    path = urlsplit(response.request.url or "").path if response.request is not None else ""
    if _is_token_call(response, token_url):
        return _token_error(response, detail, region)
    if status == 401:
        if api_key:
            return ConnectorError(
                f"BoldSign rejected the API key (401){detail} — check the region "
                f"(this account is set to {region!r}; a key only works in its own "
                "region) or reconnect the account with a valid key",
                code="unauthorized",
                status=401,
                needs_reconnect=True,
            )
        return ConnectorError(
            f"BoldSign rejected the access token (401){detail} — if a new token does not "
            f"help, check the region (set to {region!r}) and reconnect the OAuth app",
            code="unauthorized",
            status=401,
            refresh=True,
        )
    if status == 402:
        return ConnectorError(
            f"BoldSign refused the request (402){detail}: the account's plan or payment "
            "does not allow API use — an administrator must check the subscription",
            code="payment_required",
            status=402,
        )
    if status == 403 and path.endswith("/teamlist"):
        return ConnectorError(
            "BoldSign refused the team document list (403): only account or team "
            "admins may read it — remove 'team' from the lists option or use an "
            "admin's credentials",
            code="forbidden",
            status=403,
        )
    if status == 429:
        return _rate_limited(response, "BoldSign rate limit reached (429)")
    # Other 403s, 404, other 4xx and 5xx: the core defaults, worded with `describe`.
    return None


def _token_error(response: requests.Response, detail: str, region: str) -> ConnectorError | None:
    status = response.status_code
    if status == 400 and _oauth_error(response) == "invalid_grant":
        return ConnectorError(
            f"BoldSign refused the refresh token ({status}){detail} — it expired "
            "or was revoked; an administrator must press Connect with BoldSign again",
            code="token_refused",
            status=status,
            needs_reconnect=True,
        )
    if status in (400, 401, 403):
        return ConnectorError(
            f"BoldSign did not accept the OAuth client ID/secret ({status}){detail} — "
            f"check the region (set to {region!r}) and the app's credentials, then "
            "reconnect the account",
            code="unauthorized",
            status=status,
            needs_reconnect=True,
        )
    if status == 429:
        return _rate_limited(response, "BoldSign's token endpoint is rate limiting (429)")
    return None  # 5xx etc.: the core defaults (retried)


def _rate_limited(response: requests.Response, message: str) -> ConnectorError:
    """A 429: retried after Retry-After, else after the budget's reset (see ratelimit.py)."""
    return ConnectorError(
        message, code="rate_limited", status=429, retryable=True, retry_after=retry_after(response)
    )


def _oauth_error(response: requests.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return ""
    return str(body.get("error") or "") if isinstance(body, dict) else ""
