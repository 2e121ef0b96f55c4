"""Credential form for a Bitrix24 OAuth application (sign.b2e refuses inbound webhooks)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django import forms
from django.core.exceptions import ValidationError

from signhub.core.forms import ProviderForm, is_loopback_host, secret_field

from .mapping import METHODS
from .portal import WEBHOOK_EXPLANATION, looks_like_webhook

DEFAULT_LISTS = "personal,mysafe"
DEFAULT_OAUTH_URL = "https://oauth.bitrix.info/oauth/token/"
# The connector's default base URL: a placeholder an administrator must replace.
PLACEHOLDER_PORTAL = "https://yourcompany.bitrix24.com"


def parse_lists(value: str | None) -> list[str]:
    """`personal,mysafe` → ["personal", "mysafe"] (deduplicated, order kept)."""
    names: list[str] = []
    for part in (value or DEFAULT_LISTS).replace(";", ",").split(","):
        name = part.strip().lower()
        if name and name not in names:
            names.append(name)
    return names


class Bitrix24Form(ProviderForm):
    client_id = forms.CharField(
        required=False,
        label="Application ID (client_id)",
        help_text="Your portal → Developer resources → Other → Local application: shown "
        "after saving the application.",
    )
    client_secret = secret_field("Application key (client_secret)", "Shown next to the client_id.")
    access_token = secret_field("Access token", "Stored by the install or Connect with Bitrix24.")
    refresh_token = secret_field("Refresh token", "Stored by the install or Connect with Bitrix24.")
    application_token = secret_field(
        "Application token", "Stored by the install; verifies the portal's events."
    )
    lists = forms.CharField(
        required=False,
        label="Lists",
        help_text="Comma list of personal (sign.b2e.personal.tail) and mysafe "
        "(sign.b2e.mysafe.tail); default personal,mysafe.",
    )
    events = forms.CharField(
        required=False,
        label="Events",
        help_text="push (default: the portal posts each e-signature event to signhub's "
        "webhook URL) or offline (for portals that cannot reach signhub: the portal keeps "
        "them and signhub reads them with event.offline.get every minute).",
    )
    oauth_url = forms.CharField(
        required=False,
        label="OAuth server",
        help_text=f"Token endpoint; default {DEFAULT_OAUTH_URL}. A relative path is resolved "
        "against the portal URL.",
    )

    credential_fields = (
        "client_id",
        "client_secret",
        "access_token",
        "refresh_token",
        "application_token",
    )
    option_fields = ("lists", "events", "oauth_url")
    secret_fields = ("client_secret", "access_token", "refresh_token", "application_token")
    console_url = "https://apidocs.bitrix24.com/local-integrations/local-apps.html"
    console_label = "your portal → Developer resources → Other → Local application"

    def clean_lists(self) -> str:
        value = self.cleaned_data.get("lists") or ""
        names = parse_lists(value)
        unknown = [n for n in names if n not in METHODS]
        if unknown:
            raise ValidationError(
                f"Unknown list {unknown[0]!r}: use personal, mysafe or personal,mysafe."
            )
        return ",".join(names) if value.strip() else ""

    def clean_events(self) -> str:
        value = (self.cleaned_data.get("events") or "").strip().lower()
        if value and value not in ("push", "offline"):
            raise ValidationError("Use push or offline.")
        return value

    def clean_oauth_url(self) -> str:
        value = (self.cleaned_data.get("oauth_url") or "").strip()
        if not value:
            return ""
        if looks_like_webhook(value):
            raise ValidationError(WEBHOOK_EXPLANATION)
        parts = urlsplit(value)
        if parts.scheme or parts.netloc:
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise ValidationError("Enter an https:// URL or a path like /oauth/token/.")
            if parts.scheme == "http" and not is_loopback_host(parts.hostname):
                raise ValidationError("The token endpoint must use https:// (client secrets).")
            if parts.username or parts.password:
                raise ValidationError("Do not put credentials in the token URL.")
        return value

    def check_base_url(self, url: str) -> None:
        """A pasted inbound-webhook URL as the portal address gets the explanation at once."""
        if looks_like_webhook(url):
            raise ValidationError(WEBHOOK_EXPLANATION)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        for name in self.credential_fields:
            if looks_like_webhook(cleaned.get(name)):
                raise ValidationError(WEBHOOK_EXPLANATION)
        has_app = cleaned.get("client_id") and cleaned.get("client_secret")
        if not cleaned.get("access_token") and not cleaned.get("refresh_token") and not has_app:
            raise ValidationError(
                "Enter the local application's client_id and client_secret (the portal then "
                "installs the application, or press Connect with Bitrix24), or its tokens."
            )
        if cleaned.get("refresh_token") and not (
            cleaned.get("client_id") and cleaned.get("client_secret")
        ):
            raise ValidationError(
                "client_id and client_secret are needed to refresh the tokens: Bitrix24 access "
                "tokens only last an hour."
            )
        return cleaned

    @classmethod
    def awaits_connect(cls, credentials: dict[str, Any], options: dict[str, Any]) -> bool:
        """The application's keys without tokens: the portal has not installed it yet."""
        has_app = credentials.get("client_id") and credentials.get("client_secret")
        tokens = credentials.get("access_token") or credentials.get("refresh_token")
        return bool(has_app) and not tokens
