"""Reading Acme Sign's error body `{"error": {"code", "message"}}`: the HttpClient hooks.

`describe` gives the core's default messages (401, 403, 404, 429, 5xx…) the provider's code
and words; `error_hook` handles only what the defaults cannot know — here, that a rejected
key cannot be refreshed, so the account needs a reconnect.
"""

from __future__ import annotations

import requests

from signhub.core.errors import ConnectorError
from signhub.core.parsing import as_dict, as_text
from signhub.core.redact import redact


def _error(response: requests.Response) -> dict:
    try:
        return as_dict(as_dict(response.json()).get("error"))
    except ValueError:
        return {}


def describe(response: requests.Response) -> tuple[str, str]:
    """(code, ": words"): always through `redact`, providers echo URLs and tokens."""
    error = _error(response)
    message = redact(as_text(error.get("message")), limit=200)
    return as_text(error.get("code")), f": {message}" if message else ""


def error_hook(response: requests.Response) -> ConnectorError | None:
    if response.status_code == 401:
        code, detail = describe(response)
        return ConnectorError(
            f"Acme Sign rejected the API key (401 {code}){detail} — an administrator must "
            "reconnect the account with a valid key",
            code="unauthorized",
            status=401,
            needs_reconnect=True,
        )
    return None
