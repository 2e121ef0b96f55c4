"""Which provider-supplied URLs may be fetched (anti-SSRF), for download links and redirects.

A provider sends links (download URLs, redirect Locations); signhub fetches them from inside
the network, so each one is checked before any request is sent: only http(s), https when
the account is https, and only hosts the account owns or the provider documents.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.utils.http import is_same_domain

from signhub.core.errors import ConnectorError


def host_of(url: str) -> str:
    return urlsplit(url).hostname or "?"


@dataclass(frozen=True)
class UrlPolicy:
    """Where a provider-supplied URL may point.

    `hosts` are exact host names or, with a leading dot, a domain and all its subdomains
    (the syntax of Django's ALLOWED_HOSTS, without `*`), compared case-insensitively.
    """

    hosts: frozenset[str]
    require_https: bool = True

    @classmethod
    def of(cls, hosts: Iterable[str], *, require_https: bool) -> UrlPolicy:
        return cls(frozenset(h.lower() for h in hosts if h and h != "*"), require_https)

    @classmethod
    def for_base_url(cls, base_url: str, *more_hosts: str) -> UrlPolicy:
        """The account's own API host (plus documented download hosts); https if it is."""
        parts = urlsplit(base_url)
        return cls.of({parts.hostname or "", *more_hosts}, require_https=parts.scheme == "https")

    def allows_host(self, host: str) -> bool:
        return any(is_same_domain(host, pattern) for pattern in self.hosts)

    def check(self, url: str) -> str:
        """Return `url` when it may be fetched; raise ConnectorError(code="unsafe_url")."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            raise ConnectorError(
                "Refused a download link with an unsupported scheme", code="unsafe_url"
            )
        if self.require_https and parts.scheme != "https":
            raise ConnectorError(
                "Refused a plain-http download link for an https account", code="unsafe_url"
            )
        host = (parts.hostname or "").lower()
        if not host or not self.allows_host(host):
            raise ConnectorError(
                f"Refused a download link to a foreign host ({host or '?'})", code="unsafe_url"
            )
        return url


def ensure_allowed_url(url: str, *, allowed_hosts: Iterable[str], require_https: bool) -> str:
    """Refuse to fetch `url` unless its host is one the account owns (see UrlPolicy)."""
    return UrlPolicy.of(allowed_hosts, require_https=require_https).check(url)
