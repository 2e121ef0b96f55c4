"""Acme Sign credentials: one API key. `add_account` and the admin both validate with this."""

from __future__ import annotations

from django import forms

from signhub.core.forms import ProviderForm, secret_field


class AcmeForm(ProviderForm):
    api_key = forms.CharField(
        widget=forms.PasswordInput(render_value=False), help_text="Sent as a Bearer token."
    )
    webhook_secret = secret_field(
        "Webhook secret", "Acme → Settings → Webhooks: the signing secret (optional)."
    )

    credential_fields = ("api_key", "webhook_secret")  # stored encrypted
    option_fields = ()  # plain settings, e.g. which lists to read
    secret_fields = ("api_key", "webhook_secret")  # never rendered back
