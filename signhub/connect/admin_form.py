"""The guided account form: the chosen provider's own credential and option fields.

Built per provider from its `ProviderForm`: labels and help text in words, secrets as
write-only inputs ("currently set", blank keeps), other values in plain inputs, options as
fields rather than a JSON box. Saving runs the provider form's validation; an OAuth app
without tokens is saved waiting to be connected, and credentials that cannot work yet are
saved only with Enabled unticked (a draft).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import pretty_name

from signhub.core.forms import ProviderForm, validate_base_url
from signhub.core.models import ProviderAccount
from signhub.core.registry import registry

CRED = "cred_"
OPT = "opt_"


def _label(field: forms.Field, name: str) -> str:
    return str(field.label) if field.label else pretty_name(name)


def _secret_field(source: forms.Field, name: str, *, is_set: bool) -> forms.Field:
    textarea = isinstance(source.widget, forms.Textarea)
    widget = (
        forms.Textarea(attrs={"rows": 4, "autocomplete": "off", "spellcheck": "false"})
        if textarea
        else forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"})
    )
    state = "Currently set" if is_set else "Not set"
    help_text = f"{state}. Write-only: leave blank to keep, type a value to replace."
    if source.help_text:
        help_text = f"{source.help_text} {help_text}"
    return forms.CharField(
        required=False, label=_label(source, name), widget=widget, help_text=help_text
    )


def _plain_field(source: forms.Field, name: str, initial: Any) -> forms.Field:
    """A copy of the provider's field (its validation stays in the provider form)."""
    widget = source.widget.__class__
    if widget is forms.PasswordInput:  # a non-secret value is shown as typed
        widget = forms.TextInput
    return forms.CharField(
        required=False,
        label=_label(source, name),
        help_text=source.help_text,
        initial="" if initial is None else str(initial),
        widget=widget(),
    )


def provider_fields(
    provider_form: type[ProviderForm], account: ProviderAccount | None
) -> dict[str, forms.Field]:
    stored = account.credentials if account is not None and account.pk else {}
    options = (account.options or {}) if account is not None else {}
    fields: dict[str, forms.Field] = {}
    for name in provider_form.credential_fields:
        source = provider_form.base_fields[name]
        if name in provider_form.secret_fields:
            fields[CRED + name] = _secret_field(source, name, is_set=bool(stored.get(name)))
        else:
            fields[CRED + name] = _plain_field(source, name, stored.get(name))
    for name in provider_form.option_fields:
        source = provider_form.base_fields[name]
        fields[OPT + name] = _plain_field(source, name, options.get(name))
    return fields


class ProviderAccountForm(forms.ModelForm):
    """Subclassed per provider by `form_for(provider)` (the admin needs declared fields)."""

    provider_form: type[ProviderForm] | None = None
    provider_key = ""

    class Meta:
        model = ProviderAccount
        fields = ["name", "provider", "base_url", "enabled", "visible_to"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "base_url" in self.fields:
            self.fields["base_url"].required = False
            self.fields["base_url"].label = "Base URL"
            connector = registry.get(self.provider_key) if self.provider_key else None
            if connector is not None:
                self.fields["base_url"].widget.attrs["placeholder"] = connector.default_base_url
                self.fields[
                    "base_url"
                ].help_text = f"API root; leave blank for {connector.default_base_url}."
        if "provider" in self.fields and self.provider_key:
            self.fields["provider"].initial = self.provider_key
            self.fields["provider"].widget = forms.HiddenInput()
        if self.provider_form is not None:
            # Fields built for this instance: "currently set" follows the stored values.
            for name, field in provider_fields(self.provider_form, self.instance).items():
                self.fields[name] = field
        self.draft_reason = ""
        self.changed_credentials: list[str] = []

    def clean_provider(self):
        provider = self.cleaned_data.get("provider") or self.instance.provider
        if self.provider_key and provider != self.provider_key:
            raise ValidationError("The provider is fixed once chosen.")
        return provider

    def clean_base_url(self):
        url = (self.cleaned_data.get("base_url") or "").strip()
        if not url:
            return ""
        return validate_base_url(url)

    def clean(self):
        cleaned = super().clean()
        form_class = self.provider_form
        if form_class is None:
            return cleaned
        stored = dict(self.instance.credentials) if self.instance.pk else {}
        merged, typed = dict(stored), []
        for name in form_class.credential_fields:
            value = (cleaned.get(CRED + name) or "").strip()
            if name in form_class.secret_fields:
                if value:
                    merged[name] = value
                    typed.append(name)
            elif value:
                if merged.get(name) != value:
                    typed.append(name)
                merged[name] = value
            elif merged.pop(name, None) is not None:
                typed.append(name)
        options = {
            name: cleaned.get(OPT + name)
            for name in form_class.option_fields
            if cleaned.get(OPT + name) not in (None, "")
        }
        provider_form = form_class(data={**options, **merged})
        valid = provider_form.is_valid()
        for name, errors in provider_form.errors.items():
            if name == "__all__":
                continue
            target = CRED + name if CRED + name in self.fields else OPT + name
            self.add_error(target if target in self.fields else None, errors)
        problems = provider_form.non_field_errors()
        if problems and not self.errors:
            if cleaned.get("enabled"):
                self.add_error(
                    None,
                    [
                        *problems,
                        "An account can only be enabled with credentials that can work; "
                        "untick Enabled to save it as a draft.",
                    ],
                )
            else:
                self.draft_reason = " ".join(problems)
        if self.errors:
            return cleaned
        data = provider_form.cleaned_data
        base_url = cleaned.get("base_url") or _default_base_url(provider_form, self.provider_key)
        if valid:
            check = getattr(provider_form, "check_base_url", None)
            try:
                check(base_url)
            except ValidationError as exc:
                self.add_error("base_url", exc)
                return cleaned
        cleaned["base_url"] = base_url
        credentials = {
            **merged,
            **{k: data[k] for k in form_class.credential_fields if data.get(k)},
        }
        options = {k: data[k] for k in form_class.option_fields if data.get(k) not in (None, "")}
        self.instance.credentials = credentials
        self.instance.options = options
        # An OAuth app without tokens waits for "Connect with …". An account that was
        # connected before stays connected (its tokens, or an older grant, still work).
        if not self.instance.pk or self.instance.awaiting_connect:
            self.instance.awaiting_connect = valid and form_class.awaits_connect(
                credentials, options
            )
        self.changed_credentials = sorted(typed)
        return cleaned


def _default_base_url(provider_form: ProviderForm, provider: str) -> str:
    derive = getattr(provider_form, "default_base_url", None)
    if callable(derive) and provider_form.is_bound and hasattr(provider_form, "cleaned_data"):
        try:
            return derive()
        except (KeyError, AttributeError):
            pass
    return registry.get(provider).default_base_url


def form_for(provider: str) -> type[ProviderAccountForm]:
    """The account form for one provider (its credential and option fields declared)."""
    connector = registry.get(provider)
    attrs: dict[str, Any] = {
        "provider_form": connector.credential_form,
        "provider_key": provider,
        "__module__": __name__,
        **provider_fields(connector.credential_form, None),
    }
    return type(f"{connector.__name__}AccountForm", (ProviderAccountForm,), attrs)
