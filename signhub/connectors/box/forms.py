"""Box credentials: OAuth 2.0, Client Credentials Grant, or a developer token."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from signhub.core.forms import ProviderForm, validate_base_url
from signhub.core.parsing import parse_bool

SUBJECT_TYPES = ("enterprise", "user")

USAGE = (
    "Give client_id, client_secret, access_token and refresh_token (OAuth 2.0), or "
    "client_id, client_secret, subject_type and subject_id (Client Credentials Grant), "
    "or access_token alone (developer token)."
)


def _secret(help_text: str) -> forms.CharField:
    return forms.CharField(
        required=False, widget=forms.PasswordInput(render_value=False), help_text=help_text
    )


class BoxForm(ProviderForm):
    client_id = forms.CharField(required=False, help_text="The Box app's client ID.")
    client_secret = _secret("The Box app's client secret.")
    access_token = _secret("OAuth access token, or a developer token on its own.")
    refresh_token = _secret("OAuth refresh token (single use; signhub stores each new one).")
    subject_type = forms.CharField(
        required=False, help_text="Client Credentials Grant: `enterprise` or `user`."
    )
    subject_id = forms.CharField(
        required=False, help_text="Client Credentials Grant: the enterprise ID or user ID."
    )
    include_shared = forms.CharField(
        required=False,
        help_text="Also list requests shared with the user (default true; false/0/no to skip).",
    )
    token_url = forms.CharField(
        required=False,
        help_text="Token endpoint; default {base URL}/oauth2/token. A relative path is "
        "appended to the base URL.",
    )

    credential_fields = (
        "client_id",
        "client_secret",
        "access_token",
        "refresh_token",
        "subject_type",
        "subject_id",
    )
    option_fields = ("include_shared", "token_url")
    secret_fields = ("client_secret", "access_token", "refresh_token")

    def clean_include_shared(self) -> bool | None:
        raw = self.cleaned_data.get("include_shared")
        if raw in (None, ""):
            return None  # absent: the connector treats it as true
        value = parse_bool(raw, default=True)
        if value is None:
            raise ValidationError("Use true or false (also accepted: 1/0, yes/no).")
        return value

    def clean_token_url(self) -> str:
        value = (self.cleaned_data.get("token_url") or "").strip()
        if not value:
            return ""
        if "://" in value:
            return validate_base_url(value)
        if value.startswith("//") or any(c.isspace() for c in value):
            raise ValidationError(
                "Enter an absolute https:// URL or a path relative to the base URL, "
                "e.g. oauth2/token."
            )
        return value

    def clean_subject_type(self) -> str:
        value = (self.cleaned_data.get("subject_type") or "").strip().lower()
        if value and value not in SUBJECT_TYPES:
            raise ValidationError("subject_type must be enterprise or user.")
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        has = {k for k in self.credential_fields if data.get(k)}
        if {"subject_type", "subject_id"} & has:
            missing = {"client_id", "client_secret", "subject_type", "subject_id"} - has
            if missing:
                raise ValidationError(
                    f"Client Credentials Grant needs {', '.join(sorted(missing))} as well."
                )
            if "refresh_token" in has:
                raise ValidationError(
                    "Choose one way to connect: a refresh_token (OAuth 2.0) or "
                    "subject_type/subject_id (Client Credentials Grant), not both."
                )
        elif "refresh_token" in has:
            missing = {"client_id", "client_secret"} - has
            if missing:
                raise ValidationError(
                    f"OAuth 2.0 refresh needs {', '.join(sorted(missing))} as well."
                )
        elif {"client_id", "client_secret"} & has:
            raise ValidationError(
                "client_id and client_secret need either refresh_token (OAuth 2.0) or "
                "subject_type and subject_id (Client Credentials Grant)."
            )
        elif "access_token" not in has:
            raise ValidationError(USAGE)
        return data
