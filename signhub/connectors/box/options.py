"""Reading the account options (also used by the form, so both agree on the spelling)."""

from __future__ import annotations

import re
from typing import Any

from signhub.core.parsing import parse_bool

DEFAULT_TOKEN_PATH = "oauth2/token"
# https://developer.box.com/guides/authentication/oauth2/without-sdk/
DEFAULT_AUTHORIZE_URL = "https://account.box.com/api/oauth2/authorize"
SUBJECT_TYPES = ("enterprise", "user")
ALL_USERS = "all"
_USER_ID = re.compile(r"^\d{1,20}$")


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


def authorize_url(options: dict[str, Any], base_url: str) -> str:
    """Where "Connect with Box" sends the administrator; relative values like token_url."""
    value = str((options or {}).get("authorize_url") or "").strip()
    if not value or "://" in value:
        return value or DEFAULT_AUTHORIZE_URL
    return f"{base_url.rstrip('/')}/{value.lstrip('/')}"


def parse_users(value: Any) -> str | list[str]:
    """`users`: "" (the token's own user), "all" (every managed user) or a list of user ids.

    Raises ValueError naming the first entry that is not a Box user id.
    """
    text = str(value or "").strip()
    if not text:
        return []
    if text.lower() == ALL_USERS:
        return ALL_USERS
    ids: list[str] = []
    for part in text.replace(";", ",").split(","):
        item = part.strip()
        if not item:
            continue
        if not _USER_ID.match(item):
            raise ValueError(item)
        if item not in ids:
            ids.append(item)
    return ids


def users(options: dict[str, Any]) -> str | list[str]:
    try:
        return parse_users((options or {}).get("users"))
    except ValueError:
        return []


def subject(options: dict[str, Any], credentials: dict[str, Any]) -> tuple[str, str]:
    """(subject_type, subject_id) from the options, else from the credentials (accounts
    added before they became options)."""
    kind = str((options or {}).get("subject_type") or credentials.get("subject_type") or "")
    ident = str((options or {}).get("subject_id") or credentials.get("subject_id") or "")
    return kind.strip().lower(), ident.strip()
