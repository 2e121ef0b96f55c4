"""BoldSign credentials and options, as `add_account boldsign` and the admin take them."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from signhub.core.forms import ProviderForm, secret_field

from .lists import LISTINGS, parse_lists
from .regions import API_HOSTS, api_base_url, normalize_region

AUTHORIZATION_CODE = "authorization_code"
CLIENT_CREDENTIALS = "client_credentials"
GRANT_TYPES = (AUTHORIZATION_CODE, CLIENT_CREDENTIALS)


class BoldSignForm(ProviderForm):
    """An API key; or an OAuth app's client ID + secret — connected through "Connect with
    BoldSign" (authorization code, refresh tokens), or with `grant_type=client_credentials`
    for the app's own account."""

    api_key = secret_field("API key", "BoldSign → API → API Key (sent as X-API-KEY).")
    client_id = forms.CharField(
        required=False,
        strip=True,
        label="Client ID",
        help_text="BoldSign → API → OAuth Apps → your app's details.",
    )
    client_secret = secret_field("Client secret", "Shown next to the client ID.")
    access_token = secret_field("Access token", "Stored by Connect with BoldSign.")
    refresh_token = secret_field("Refresh token", "Stored by Connect with BoldSign.")
    webhook_secret = secret_field(
        "Webhook secret",
        "BoldSign → API → Webhooks → your webhook's signing secret (verifies deliveries).",
    )
    grant_type = forms.CharField(
        required=False,
        label="OAuth grant",
        help_text="authorization_code (default: press Connect with BoldSign and sign in as "
        "the account to read) or client_credentials (the OAuth app's own account).",
    )
    region = forms.CharField(
        required=False,
        label="Region",
        help_text="us (default), eu, ca or au: where the account lives.",
    )
    authorize_url = forms.CharField(
        required=False,
        label="Authorize URL",
        help_text="Where Connect with BoldSign signs in; default: the region's account host "
        "/connect/authorize. A relative value is resolved under the base URL.",
    )
    lists = forms.CharField(
        required=False,
        label="Lists",
        help_text="Comma list of list, behalf_others, behalf_me, team "
        "(default list,behalf_others,behalf_me).",
    )
    token_url = forms.CharField(
        required=False,
        label="Token URL",
        help_text="OAuth token endpoint; default: the region's account host /connect/token. "
        "A relative value is resolved under the base URL.",
    )
    hourly_limit = forms.IntegerField(
        required=False,
        min_value=1,
        label="Requests per hour",
        help_text="API requests per hour this account may use (BoldSign: 2000 live, 50 sandbox).",
    )

    credential_fields = (
        "api_key",
        "client_id",
        "client_secret",
        "access_token",
        "refresh_token",
        "webhook_secret",
    )
    option_fields = (
        "grant_type",
        "region",
        "lists",
        "authorize_url",
        "token_url",
        "hourly_limit",
    )
    secret_fields = ("api_key", "client_secret", "access_token", "refresh_token", "webhook_secret")
    console_url = "https://app.boldsign.com/"
    console_label = "BoldSign → API (API Key, or OAuth Apps → your app)"

    def clean_grant_type(self) -> str:
        value = (self.cleaned_data.get("grant_type") or "").strip().lower()
        if value and value not in GRANT_TYPES:
            raise ValidationError(f"Use {' or '.join(GRANT_TYPES)}.")
        return value

    def clean_authorize_url(self) -> str:
        value = (self.cleaned_data.get("authorize_url") or "").strip()
        if value.startswith(("http://", "https://")) or not value:
            return value
        if "://" in value or value.startswith("//"):
            raise ValidationError(
                "The authorize URL must be http(s)://… or a path under the base URL."
            )
        return value

    def clean_region(self) -> str:
        region = normalize_region(self.cleaned_data.get("region"))
        if region not in API_HOSTS:
            raise ValidationError(f"Unknown region {region!r}: use one of {', '.join(API_HOSTS)}.")
        return region

    def clean_lists(self) -> str:
        try:
            words = parse_lists(self.cleaned_data.get("lists"))
        except ValueError as exc:
            raise ValidationError(
                f"Unknown list {exc.args[0]!r}: use a comma list of {', '.join(LISTINGS)}."
            ) from None
        return ",".join(words)

    def clean_token_url(self) -> str:
        value = (self.cleaned_data.get("token_url") or "").strip()
        if value.startswith(("http://", "https://")) or not value:
            return value
        if "://" in value or value.startswith("//"):
            raise ValidationError("The token URL must be http(s)://… or a path under the base URL.")
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        key = data.get("api_key")
        cid, secret = data.get("client_id"), data.get("client_secret")
        if bool(cid) != bool(secret):
            raise ValidationError(
                "OAuth needs both client_id and client_secret; one of them is missing."
            )
        if not key and not cid:
            raise ValidationError(
                "Give either api_key, or client_id and client_secret of a BoldSign OAuth app."
            )
        if data.get("refresh_token") and not cid:
            raise ValidationError("A refresh_token needs the app's client_id and client_secret.")
        return data

    @classmethod
    def awaits_connect(cls, credentials: dict[str, Any], options: dict[str, Any]) -> bool:
        """An OAuth app for the authorization code flow that nobody has connected yet."""
        if credentials.get("api_key") or not credentials.get("client_id"):
            return False
        if credentials.get("refresh_token") or credentials.get("access_token"):
            return False
        return (options.get("grant_type") or AUTHORIZATION_CODE) == AUTHORIZATION_CODE

    def default_base_url(self) -> str:
        """The region's API host, used when add_account gets no --base-url."""
        return api_base_url(self.cleaned_data.get("region"))
