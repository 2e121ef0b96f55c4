"""The absolute URLs of an account's connection: one function per URL, one base for all.

`SIGNHUB_PUBLIC_URL` (environment) is where browsers and providers reach signhub; without
it a request's own host is used, and commands fall back to http://localhost:8000.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from signhub.core.models import ProviderAccount

from .flows import flow_class

FALLBACK_PUBLIC_URL = "http://localhost:8000"


def public_base(request: HttpRequest | None = None) -> str:
    if settings.SIGNHUB_PUBLIC_URL:
        return settings.SIGNHUB_PUBLIC_URL.rstrip("/")
    if request is not None:
        return f"{request.scheme}://{request.get_host()}"
    return FALLBACK_PUBLIC_URL


def absolute(path: str, request: HttpRequest | None = None) -> str:
    return public_base(request) + path


def connect_url(account: ProviderAccount, request: HttpRequest | None = None) -> str | None:
    """Where a logged-in administrator starts the OAuth flow (None: the provider has none)."""
    if flow_class(account) is None:
        return None
    return absolute(reverse("connect:start", args=[account.endpoint_key]), request)


def redirect_uri(account: ProviderAccount, request: HttpRequest | None = None) -> str | None:
    """The OAuth callback to register with the provider (Bitrix24: the app's handler path)."""
    if flow_class(account) is None:
        return None
    return absolute(reverse("connect:callback", args=[account.endpoint_key]), request)


def install_url(account: ProviderAccount, request: HttpRequest | None = None) -> str | None:
    """Where the provider sends its application install (Bitrix24 only)."""
    flow = flow_class(account)
    if flow is None or not flow.supports_install:
        return None
    return absolute(reverse("connect:install", args=[account.endpoint_key]), request)


def webhook_url(account: ProviderAccount, request: HttpRequest | None = None) -> str | None:
    """Where the provider delivers events, for connectors that receive webhooks."""
    if not account.connector_class.receives_webhooks:
        return None
    return absolute(reverse("webhooks:receive", args=[account.endpoint_key]), request)


def account_admin_url(account: ProviderAccount) -> str:
    return reverse("admin:core_provideraccount_change", args=[account.pk])
