"""BoldSign data centers: an account and its keys live in exactly one region.

Calling another region's host answers 401, so the region decides both the API host and the
OAuth token host (https://developers.boldsign.com/troubleshooting/possible-errors-and-solution/;
docs/connector-boldsign.md).
"""

from __future__ import annotations

from urllib.parse import urlsplit

DEFAULT_REGION = "us"

API_HOSTS = {
    "us": "https://api.boldsign.com",
    "eu": "https://api-eu.boldsign.com",
    "ca": "https://api-ca.boldsign.com",
    "au": "https://api-au.boldsign.com",
}

# OAuth (OpenID Connect) hosts. The AU one is only seen in third-party code (unverified);
# `token_url` overrides it.
ACCOUNT_HOSTS = {
    "us": "https://account.boldsign.com",
    "eu": "https://account-eu.boldsign.com",
    "ca": "https://account-ca.boldsign.com",
    "au": "https://account-au.boldsign.com",
}


def normalize_region(value: str | None) -> str:
    return (value or DEFAULT_REGION).strip().lower() or DEFAULT_REGION


def api_base_url(region: str | None) -> str:
    return API_HOSTS[normalize_region(region)]


def region_of_base_url(base_url: str) -> str | None:
    """The region whose official API host this is, or None for a proxy/sandbox/simulator."""
    host = (urlsplit(base_url).hostname or "").lower()
    for region, url in API_HOSTS.items():
        if urlsplit(url).hostname == host:
            return region
    return None


def token_url(base_url: str, region: str | None, override: str | None) -> str:
    """Where the OAuth tokens come from.

    - `override` absolute (http/https): used as is.
    - `override` relative (e.g. `connect/token`): resolved under the account's base URL, so
      the demo sandbox at `http://127.0.0.1:8000/sandbox/boldsign` works without a host.
    - no override, official API host: that region's account host `/connect/token`.
    - no override, any other base URL (a proxy or a simulator): `{base_url}/connect/token`,
      so the client secret is never sent to a host the administrator did not configure.
    """
    return _account_url(base_url, override, "connect/token")


def authorize_url(base_url: str, override: str | None) -> str:
    """Where "Connect with BoldSign" sends the administrator; resolved like `token_url`."""
    return _account_url(base_url, override, "connect/authorize")


def _account_url(base_url: str, override: str | None, path: str) -> str:
    base = base_url.rstrip("/")
    if override:
        override = override.strip()
        if override.startswith(("http://", "https://")):
            return override
        return f"{base}/{override.lstrip('/')}"
    official = region_of_base_url(base)
    if official is not None:
        return f"{ACCOUNT_HOSTS[official]}/{path}"
    return f"{base}/{path}"
