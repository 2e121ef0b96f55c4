"""BoldSign credentials and options, as `add_account boldsign` and the admin take them."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from signhub.core.forms import ProviderForm

from .lists import LISTINGS, parse_lists
from .regions import API_HOSTS, api_base_url, normalize_region


class BoldSignForm(ProviderForm):
    """Either an API key, or an OAuth app's client ID + secret (client-credentials grant)."""

    api_key = forms.CharField(required=False, strip=True, help_text="Sent as X-API-KEY.")
    client_id = forms.CharField(required=False, strip=True)
    client_secret = forms.CharField(required=False, strip=True)
    region = forms.CharField(
        required=False, help_text="us (default), eu, ca or au: where the account lives."
    )
    lists = forms.CharField(
        required=False,
        help_text="Comma list of list, behalf_others, behalf_me, team "
        "(default list,behalf_others,behalf_me).",
    )
    token_url = forms.CharField(
        required=False,
        help_text="OAuth token endpoint; default: the region's account host /connect/token. "
        "A relative value is resolved under the base URL.",
    )
    hourly_limit = forms.IntegerField(
        required=False,
        min_value=1,
        help_text="API requests per hour this account may use (BoldSign: 2000 live, 50 sandbox).",
    )

    credential_fields = ("api_key", "client_id", "client_secret")
    option_fields = ("region", "lists", "token_url", "hourly_limit")
    secret_fields = ("api_key", "client_secret")

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
        return data

    def default_base_url(self) -> str:
        """The region's API host, used when add_account gets no --base-url."""
        return api_base_url(self.cleaned_data.get("region"))
