"""Box credentials: Connect with Box (OAuth 2.0), JWT, Client Credentials, or a developer token.

The ways to connect, by the keys given:
- `client_id` + `client_secret` alone: an OAuth 2.0 app, saved waiting to be connected
  ("Connect with Box" stores `access_token` and `refresh_token`);
- `jwt_config` (the app's config JSON): server authentication with a JWT assertion; the
  subject comes from the options `subject_type`/`subject_id`, else from the config;
- `client_id` + `client_secret` + options `subject_type` + `subject_id`: Client Credentials;
- `access_token` alone: a developer token (60 minutes, for trying things out).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from signhub.core.forms import ProviderForm, secret_field, validate_base_url
from signhub.core.parsing import parse_bool

from .jwt_config import JwtConfig, JwtConfigError
from .options import SUBJECT_TYPES, parse_users

CONSOLE = "https://app.box.com/developers/console"

USAGE = (
    "Give client_id and client_secret (then press Connect with Box), or the app's "
    "jwt_config, or client_id, client_secret, subject_type and subject_id (Client "
    "Credentials Grant), or an access_token alone (developer token)."
)


def _url_or_path(value: str, example: str) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    if "://" in value:
        return validate_base_url(value)
    if value.startswith("//") or any(c.isspace() for c in value):
        raise ValidationError(
            f"Enter an absolute https:// URL or a path relative to the base URL, e.g. {example}."
        )
    return value


class BoxForm(ProviderForm):
    client_id = forms.CharField(
        required=False,
        label="Client ID",
        help_text="Your app in the Box Developer Console → Configuration → OAuth 2.0 Credentials.",
    )
    client_secret = secret_field("Client secret", "Shown next to the client ID.")
    jwt_config = secret_field(
        "JWT config (JSON)",
        "For a Server Authentication (with JWT) app: the whole JSON file from Configuration "
        "→ Add and Manage Public Keys → Generate a Public/Private Keypair (or add_account "
        "--credential-file jwt_config=PATH).",
        textarea=True,
    )
    access_token = secret_field(
        "Access token", "Stored by Connect with Box; or paste a developer token on its own."
    )
    refresh_token = secret_field("Refresh token", "Stored by Connect with Box (single use).")
    subject_type = forms.CharField(
        required=False,
        label="Subject type",
        help_text="JWT or Client Credentials: enterprise (the app's service account) or user.",
    )
    subject_id = forms.CharField(
        required=False,
        label="Subject ID",
        help_text="The enterprise ID (Admin Console → Account & Billing) or a user ID. JWT: "
        "defaults to the config's enterpriseID.",
    )
    users = forms.CharField(
        required=False,
        label="Read requests of",
        help_text="Empty: the token's own user. all: every managed user (the app needs "
        "'Make API calls using the as-user header' and 'Manage users'). Or a comma list of "
        "user IDs.",
    )
    include_shared = forms.CharField(
        required=False,
        label="Include shared requests",
        help_text="Also list requests shared with the user (default true; false to skip).",
    )
    authorize_url = forms.CharField(
        required=False,
        label="Authorize URL",
        help_text="Where Connect with Box signs in; default "
        "https://account.box.com/api/oauth2/authorize.",
    )
    token_url = forms.CharField(
        required=False,
        label="Token URL",
        help_text="Token endpoint; default {base URL}/oauth2/token. A relative path is "
        "appended to the base URL.",
    )

    webhook_primary_key = secret_field(
        "Webhook primary key",
        "Developer Console → your app → Webhooks → Manage signature keys: signs deliveries.",
    )
    webhook_secondary_key = secret_field(
        "Webhook secondary key", "The other signature key: either verifies, so keys rotate."
    )

    credential_fields = (
        "client_id",
        "client_secret",
        "jwt_config",
        "access_token",
        "refresh_token",
        "webhook_primary_key",
        "webhook_secondary_key",
    )
    option_fields = (
        "subject_type",
        "subject_id",
        "users",
        "include_shared",
        "authorize_url",
        "token_url",
    )
    secret_fields = (
        "client_secret",
        "jwt_config",
        "access_token",
        "refresh_token",
        "webhook_primary_key",
        "webhook_secondary_key",
    )
    console_url = CONSOLE
    console_label = "Box Developer Console → your app → Configuration"

    def clean_include_shared(self) -> bool | None:
        raw = self.cleaned_data.get("include_shared")
        if raw in (None, ""):
            return None  # absent: the connector treats it as true
        value = parse_bool(raw, default=True)
        if value is None:
            raise ValidationError("Use true or false (also accepted: 1/0, yes/no).")
        return value

    def clean_token_url(self) -> str:
        return _url_or_path(self.cleaned_data.get("token_url"), "oauth2/token")

    def clean_authorize_url(self) -> str:
        return _url_or_path(self.cleaned_data.get("authorize_url"), "oauth2/authorize")

    def clean_subject_type(self) -> str:
        value = (self.cleaned_data.get("subject_type") or "").strip().lower()
        if value and value not in SUBJECT_TYPES:
            raise ValidationError("subject_type must be enterprise or user.")
        return value

    def clean_users(self) -> str:
        try:
            users = parse_users(self.cleaned_data.get("users"))
        except ValueError as exc:
            raise ValidationError(
                f"{exc.args[0]!r} is not a Box user ID: use all, or numbers separated by commas."
            ) from None
        return users if isinstance(users, str) else ",".join(users)

    def clean_jwt_config(self) -> str:
        text = (self.cleaned_data.get("jwt_config") or "").strip()
        if not text:
            return ""
        try:
            JwtConfig.parse(text).load_key()  # a wrong passphrase is caught here, not at sync
        except JwtConfigError as exc:
            raise ValidationError(str(exc)) from None
        return text

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.errors:
            return data
        has = {k for k in (*self.credential_fields, "subject_type", "subject_id") if data.get(k)}
        subject = {"subject_type", "subject_id"} & has
        if "jwt_config" in has:
            if "refresh_token" in has:
                raise ValidationError(
                    "Choose one way to connect: the JWT config or a refresh_token, not both."
                )
            config = JwtConfig.parse(data["jwt_config"])
            if subject and subject != {"subject_type", "subject_id"}:
                raise ValidationError("Give subject_type and subject_id together.")
            if not subject and not config.subject()[1]:
                raise ValidationError(
                    "The JWT config has no enterpriseID: set subject_type and subject_id."
                )
        elif subject:
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
        elif {"client_id", "client_secret"} & has:
            missing = {"client_id", "client_secret"} - has
            if missing:
                raise ValidationError(
                    f"An OAuth 2.0 app needs {', '.join(sorted(missing))} as well."
                )
        elif "refresh_token" in has:
            raise ValidationError("A refresh_token needs the app's client_id and client_secret.")
        elif "access_token" not in has:
            raise ValidationError(USAGE)
        return data

    @classmethod
    def awaits_connect(cls, credentials: dict[str, Any], options: dict[str, Any]) -> bool:
        """An OAuth 2.0 app whose administrator has not pressed Connect with Box yet."""
        if not (credentials.get("client_id") and credentials.get("client_secret")):
            return False
        tokens = ("access_token", "refresh_token", "jwt_config")
        if any(credentials.get(k) for k in tokens):
            return False
        subject = options.get("subject_id") or credentials.get("subject_id")
        return not subject
