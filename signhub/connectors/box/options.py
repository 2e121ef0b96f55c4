"""Reading the account options (also used by the form, so both agree on the spelling)."""

from __future__ import annotations

from typing import Any

from signhub.core.parsing import parse_bool

DEFAULT_TOKEN_PATH = "oauth2/token"


def include_shared(options: dict[str, Any]) -> bool:
    """Absent means true: Box users usually want requests shared with them as well."""
    value = parse_bool((options or {}).get("include_shared"), default=True)
    return True if value is None else value


def token_url(options: dict[str, Any], base_url: str) -> str:
    """`token_url` as given when absolute, else a path under the base URL.

    A relative value (e.g. `oauth2/token`, what the sandbox demo uses) is appended to the
    account's base URL, path prefix included; the default is `{base}/oauth2/token`.
    """
    value = str((options or {}).get("token_url") or "").strip()
    if "://" in value:
        return value
    return f"{base_url.rstrip('/')}/{(value or DEFAULT_TOKEN_PATH).lstrip('/')}"
