"""Creating accounts from validated input: shared by `add_account`, the admin and the demo."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

from .forms import validate_base_url
from .models import ProviderAccount
from .registry import registry


@dataclass
class AccountInput:
    provider: str
    name: str
    base_url: str = ""
    credentials: dict[str, str] = field(default_factory=dict)
    options: dict[str, str] = field(default_factory=dict)


def validate_account(data: AccountInput) -> tuple[str, dict, dict]:
    """Return (base_url, credentials, options) or raise ValidationError with one message."""
    if data.provider not in registry:
        raise ValidationError(
            f"Unknown provider {data.provider!r}; choose one of: {', '.join(registry.keys())}"
        )
    if not data.name.strip():
        raise ValidationError("--name must not be empty")
    if ProviderAccount.objects.filter(name=data.name).exists():
        raise ValidationError(f"An account named {data.name!r} already exists")
    connector = registry.get(data.provider)
    form_class = connector.credential_form
    cred_keys, option_keys = form_class.known_keys()
    # A value that moved from the credentials to the options (Box's subject_type and
    # subject_id) is still accepted as --credential, so older scripts keep working.
    moved = {k: v for k, v in data.credentials.items() if k in option_keys and k not in cred_keys}
    data.options = {**moved, **data.options}
    data.credentials = {k: v for k, v in data.credentials.items() if k not in moved}
    for key in data.credentials:
        if key not in cred_keys:
            raise ValidationError(
                f"Unknown credential key {key!r} for {data.provider} "
                f"(expected: {', '.join(cred_keys) or 'none'})"
            )
    for key in data.options:
        if key not in option_keys:
            raise ValidationError(
                f"Unknown option {key!r} for {data.provider} "
                f"(expected: {', '.join(option_keys) or 'none'})"
            )
    form = form_class(data={**data.options, **data.credentials})
    if not form.is_valid():
        problems = []
        for name, errors in form.errors.items():
            label = "" if name == "__all__" else f"{name}: "
            problems.append(label + " ".join(str(e) for e in errors))
        raise ValidationError("; ".join(problems))
    base_url = validate_base_url(data.base_url or form_options_base_url(form, connector))
    check = getattr(form, "check_base_url", None)
    if callable(check):
        check(base_url)  # a provider may explain why a URL cannot work (raises ValidationError)
    return base_url, form.credentials(), form.options()


def form_options_base_url(form, connector) -> str:
    """A connector may derive its default base URL from options (e.g. a region)."""
    derive = getattr(form, "default_base_url", None)
    return derive() if callable(derive) else connector.default_base_url


def create_account(data: AccountInput) -> ProviderAccount:
    base_url, credentials, options = validate_account(data)
    form_class = registry.get(data.provider).credential_form
    return ProviderAccount.objects.create(
        name=data.name,
        provider=data.provider,
        base_url=base_url,
        credentials=credentials,
        options=options,
        awaiting_connect=form_class.awaits_connect(credentials, options),
    )
