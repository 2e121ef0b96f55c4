"""Base form for a provider's credentials and options, plus base-URL validation."""

from __future__ import annotations

import ipaddress
from typing import Any, ClassVar
from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError


def is_loopback_host(host: str | None) -> bool:
    if not host:
        return False
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def validate_base_url(url: str) -> str:
    """An absolute http(s) URL; plain http only for loopback or when settings allow it."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError(
            "Enter an absolute http:// or https:// URL, e.g. https://api.example.com"
        )
    if parts.scheme == "http" and not (
        is_loopback_host(parts.hostname) or settings.SIGNHUB_ALLOW_INSECURE_HTTP
    ):
        raise ValidationError(
            "Plain http:// is only accepted for loopback hosts (127.0.0.1, localhost); "
            "use https:// or set SIGNHUB_ALLOW_INSECURE_HTTP=true."
        )
    if parts.username or parts.password:
        raise ValidationError("Do not put credentials in the base URL.")
    return url.rstrip("/")


def secret_field(label: str, help_text: str = "", *, textarea: bool = False) -> forms.CharField:
    """An optional credential that is never rendered back (the admin shows set / not set)."""
    widget = forms.Textarea if textarea else forms.PasswordInput(render_value=False)
    return forms.CharField(required=False, label=label, help_text=help_text, widget=widget)


class ProviderForm(forms.Form):
    """Each connector subclasses this: declare fields, list which are credentials
    (`credential_fields`, stored encrypted) and which are options (`option_fields`).
    `secret_fields` are never rendered back."""

    credential_fields: ClassVar[tuple[str, ...]] = ()
    option_fields: ClassVar[tuple[str, ...]] = ()
    secret_fields: ClassVar[tuple[str, ...]] = ()
    # Shown above the credential fields in the admin: where the provider shows these values.
    console_url: ClassVar[str] = ""
    console_label: ClassVar[str] = ""

    def credentials(self) -> dict[str, Any]:
        return {
            k: self.cleaned_data[k]
            for k in self.credential_fields
            if self.cleaned_data.get(k) not in (None, "")
        }

    def options(self) -> dict[str, Any]:
        return {
            k: self.cleaned_data[k]
            for k in self.option_fields
            if self.cleaned_data.get(k) not in (None, "")
        }

    @classmethod
    def awaits_connect(cls, credentials: dict[str, Any], options: dict[str, Any]) -> bool:
        """True when these (valid) credentials name an OAuth app that still has to be
        connected ("Connect with …" or an app install) before it can sync."""
        return False

    def check_base_url(self, url: str) -> None:
        """Hook: raise ValidationError when this provider cannot work with `url`."""

    @classmethod
    def known_keys(cls) -> tuple[tuple[str, ...], tuple[str, ...]]:
        return cls.credential_fields, cls.option_fields
