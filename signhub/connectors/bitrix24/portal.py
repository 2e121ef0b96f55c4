"""Portal URL rules: webhook detection, base-URL normalisation, which redirects we follow."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from signhub.core.errors import ConnectorError
from signhub.core.http import UrlPolicy

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


@dataclass(frozen=True)
class PortalMoves(UrlPolicy):
    """Where a REST call may be re-sent (with the token in its body) after a redirect: the
    same portal, or another Bitrix24 cloud portal — a renamed portal answers 302 to its new
    name. Never a downgrade from https."""

    def allows_host(self, host: str) -> bool:
        return super().allows_host(host) or bool(_CLOUD_HOST.search(host))

    def check(self, url: str) -> str:
        try:
            return super().check(url)
        except ConnectorError:
            raise ConnectorError(
                f"Bitrix24 redirected the call to {host(url) or '?'}, which is not this portal "
                "nor a Bitrix24 cloud portal: check the base URL",
                code="bad_redirect",
            ) from None


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
