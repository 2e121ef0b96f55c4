"""Portal URL rules: webhook detection, base-URL normalisation, which redirects we follow."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

# An inbound webhook URL: https://portal/rest/<user id>/<secret>/[method]. sign.b2e.* refuses
# webhooks with WRONG_AUTH_TYPE, so such a URL can never work for this connector.
_WEBHOOK = re.compile(r"/rest/\d+/[A-Za-z0-9_]{6,}(/|$)")

# Bitrix24 cloud portals live under bitrix24.<tld> (bitrix24.com, .de, .com.br, .ru ...).
# A renamed cloud portal answers 302 to its new name; we only re-send the token to another
# host when it is a cloud portal host as well (or the same host).
_CLOUD_HOST = re.compile(r"(^|\.)bitrix24\.[a-z]{2,3}(\.[a-z]{2})?$")

WEBHOOK_EXPLANATION = (
    "This looks like a Bitrix24 inbound webhook URL (…/rest/<user>/<secret>/). The e-Signature "
    "for HR methods (sign.b2e.*) refuse webhooks with WRONG_AUTH_TYPE: create a local OAuth "
    "application in Bitrix24 and enter its client_id, client_secret and tokens instead."
)


def looks_like_webhook(value: object) -> bool:
    return isinstance(value, str) and bool(_WEBHOOK.search(value))


def portal_root(base_url: str) -> str:
    """The portal root without a trailing slash; a pasted `…/rest/` client endpoint is cut back
    to the root because every call appends `/rest/<method>` itself."""
    root = base_url.rstrip("/")
    if root.endswith("/rest"):
        root = root[: -len("/rest")]
    return root


def host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def is_plausible_portal_move(old_url: str, new_url: str) -> bool:
    """A redirect target we may re-send the access token to (same host or a cloud portal)."""
    old, new = urlsplit(old_url), urlsplit(new_url)
    if new.scheme not in ("http", "https") or not new.hostname:
        return False
    if old.scheme == "https" and new.scheme != "https":
        return False  # never downgrade: the token travels in the body
    new_host = new.hostname.lower()
    return new_host == (old.hostname or "").lower() or bool(_CLOUD_HOST.search(new_host))


def base_from_location(location: str, method: str) -> str | None:
    """`https://new.bitrix24.com/rest/<method>[.json]` → `https://new.bitrix24.com` (else None)."""
    parts = urlsplit(location)
    path = parts.path.rstrip("/")
    for suffix in (f"/rest/{method}.json", f"/rest/{method}"):
        if path.endswith(suffix):
            return f"{parts.scheme}://{parts.netloc}{path[: -len(suffix)]}"
    return None


def resolve(base_url: str, url: str) -> str:
    """An absolute URL as is; a relative one (e.g. the sandbox token path) against the base."""
    return urljoin(base_url.rstrip("/") + "/", url)
