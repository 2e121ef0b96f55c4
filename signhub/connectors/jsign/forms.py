"""JSign credentials: saved tokens, an API key login, or both (tokens first, login as backup)."""

from __future__ import annotations

from typing import Any

from django import forms

from signhub.core.forms import ProviderForm, secret_field
from signhub.core.parsing import split_list

from .statuses import STATUSES

# JSign documents no maximum page size; 100 is the largest size common in its samples and
# UIs, keeps a page's JSON small, and the walk never relies on it (num_pages decides).
DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 500


class JSignForm(ProviderForm):
    """JSign has no OAuth redirect: signhub signs in with the API key login (and keeps the
    tokens it gets), or uses tokens from an earlier login."""

    access_token = secret_field(
        "Access token", "Optional: a token from an earlier JSign login (signhub renews it)."
    )
    refresh_token = secret_field(
        "Refresh token", "Comes with the access token from the same login."
    )
    expires_in = forms.CharField(
        required=False,
        label="Access token expires at",
        help_text="Absolute unix time the access token expires, as JSign sends it in "
        "`expires_in` (e.g. 1767225600).",
    )
    api_key = forms.CharField(
        required=False,
        label="API key",
        help_text="Issued by JSign when your organisation is onboarded to the API.",
    )
    api_secret = secret_field("API secret", "Issued together with the API key.")
    email = forms.EmailField(
        required=False,
        label="User email",
        help_text="The JSign user the API key logs in as; signhub sees the envelopes this "
        "user can see.",
    )
    password = secret_field("User password", "That JSign user's password.")

    page_size = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_PAGE_SIZE,
        label="Page size",
        help_text="Envelopes per listing request; default 100.",
    )
    statuses = forms.CharField(
        required=False,
        label="Only these statuses",
        help_text="Only list these statuses (comma-separated), e.g. Completed.",
    )
    categories = forms.CharField(
        required=False,
        label="Only these categories",
        help_text="Only list envelopes in these categories (comma-separated).",
    )
    console_url = "https://www.jsign.com/"
    console_label = "JSign (the API key and secret come from JSign's onboarding)"

    credential_fields = (
        "access_token",
        "refresh_token",
        "expires_in",
        "api_key",
        "api_secret",
        "email",
        "password",
    )
    option_fields = ("page_size", "statuses", "categories")
    secret_fields = ("access_token", "refresh_token", "api_secret", "password")

    def clean_expires_in(self) -> str:
        value = (self.cleaned_data.get("expires_in") or "").strip()
        if value and not value.replace(".", "", 1).isdigit():
            raise forms.ValidationError("Use the unix time JSign sent, e.g. 1767225600.")
        return value

    def clean_statuses(self) -> str:
        statuses = split_list(self.cleaned_data.get("statuses"))
        unknown = [s for s in statuses if s not in STATUSES]
        if unknown:
            raise forms.ValidationError(
                f"Unknown JSign status {unknown[0]!r}; use: {', '.join(STATUSES)}."
            )
        return ",".join(statuses)

    def clean_categories(self) -> str:
        return ",".join(split_list(self.cleaned_data.get("categories")))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        login = ("api_key", "api_secret", "email", "password")
        given = [k for k in login if data.get(k)]
        if given and len(given) < len(login):
            missing = ", ".join(k for k in login if not data.get(k))
            raise forms.ValidationError(
                f"A JSign API key login needs all of api_key, api_secret, email and password "
                f"(missing: {missing})."
            )
        if not data.get("access_token") and not given:
            raise forms.ValidationError(
                "Give an access_token (with its refresh_token) or an api_key, api_secret, "
                "email and password."
            )
        return data
