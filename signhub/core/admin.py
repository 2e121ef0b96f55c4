"""Admin console: accounts with write-only credentials, read-only sync runs and audit."""

import csv

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import flatten_fieldsets
from django.core.exceptions import ValidationError
from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views.decorators.debug import sensitive_post_parameters

from . import audit
from .errors import ConnectorError
from .forms import validate_base_url
from .models import AuditEvent, ProviderAccount, SyncRun
from .registry import registry


class ProviderAccountForm(forms.ModelForm):
    """Adds the provider's own credential fields; secrets show as set/not set, never the value."""

    class Meta:
        model = ProviderAccount
        fields = ["name", "provider", "base_url", "enabled", "visible_to", "options"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["base_url"].required = False
        provider = self.instance.provider if self.instance.pk else None
        self.provider_form_class = registry.get(provider).credential_form if provider else None
        if self.provider_form_class is None:
            return
        stored = self.instance.credentials
        for name in self.provider_form_class.credential_fields:
            field = self.provider_form_class.base_fields[name]
            clone = forms.CharField(
                required=False,
                label=field.label or name,
                widget=forms.PasswordInput(render_value=False),
            )
            state = "set" if stored.get(name) else "not set"
            clone.help_text = f"Currently {state}. Leave blank to keep; type a value to replace."
            self.fields[f"cred_{name}"] = clone

    def clean_base_url(self):
        url = self.cleaned_data.get("base_url")
        if not url:
            provider = self.cleaned_data.get("provider") or self.instance.provider
            return registry.get(provider).default_base_url if provider else url
        try:
            return validate_base_url(url)
        except ValidationError:
            raise

    def clean(self):
        cleaned = super().clean()
        if self.provider_form_class is None:
            return cleaned
        merged = dict(self.instance.credentials)
        for name in self.provider_form_class.credential_fields:
            value = cleaned.get(f"cred_{name}")
            if value:
                merged[name] = value
        data = {**(cleaned.get("options") or {}), **merged}
        provider_form = self.provider_form_class(data=data)
        if not provider_form.is_valid():
            for name, errors in provider_form.errors.items():
                target = f"cred_{name}" if f"cred_{name}" in self.fields else None
                self.add_error(target, errors)
        else:
            self.instance.credentials = {**merged, **provider_form.credentials()}
            # Names only (never values), for the audit trail.
            self.changed_credentials = sorted(
                name
                for name in self.provider_form_class.credential_fields
                if cleaned.get(f"cred_{name}")
            )
        return cleaned


@admin.register(ProviderAccount)
class ProviderAccountAdmin(admin.ModelAdmin):
    form = ProviderAccountForm
    list_display = [
        "name",
        "provider",
        "enabled",
        "last_success_at",
        "failures_in_a_row",
        "needs_reconnect",
    ]
    list_filter = ["provider", "enabled", "needs_reconnect"]
    search_fields = ["name"]
    filter_horizontal = ["visible_to"]
    readonly_fields = [
        "last_success_at",
        "last_full_sync_at",
        "last_error_at",
        "last_error",
        "needs_reconnect",
        "failures_in_a_row",
        "sync_warning",
        "removals_withheld_at",
    ]
    actions = ["test_connection", "sync_now", "confirm_withheld_removals"]

    @method_decorator(sensitive_post_parameters())
    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # Credential fields are posted here: keep them out of error reports.
        return super().changeform_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        changed = getattr(form, "changed_credentials", [])
        if changed or not change:
            audit.record(
                request,
                "credentials_change" if change else "account_create",
                f"account:{obj.pk} {obj.name}",
                fields=changed,
            )

    def get_fields(self, request, obj=None):
        # The provider's credential fields are added by the form at runtime, so the admin
        # must be told about them or it would not render them.
        fields = list(super().get_fields(request, obj))
        if obj is not None and obj.provider:
            form_class = registry.get(obj.provider).credential_form
            fields += [f"cred_{name}" for name in form_class.credential_fields]
        return fields

    def get_form(self, request, obj=None, change=False, **kwargs):
        # cred_* fields exist only on the form instance: keep them out of the model form
        # factory (which only knows model fields) while the fieldset still renders them.
        if "fields" not in kwargs:
            kwargs["fields"] = flatten_fieldsets(self.get_fieldsets(request, obj))
        if kwargs["fields"] is not None:  # get_fields() itself asks with fields=None
            kwargs["fields"] = [f for f in kwargs["fields"] if not f.startswith("cred_")]
        return super().get_form(request, obj, change, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        # The provider decides which credential fields exist: fixed once created.
        return [*self.readonly_fields, "provider"] if obj else self.readonly_fields

    @admin.action(description="Test connection")
    def test_connection(self, request, queryset):
        for account in queryset:
            try:
                result = account.connector().check_connection()
            except ConnectorError as exc:
                audit.record(
                    request,
                    "test_connection",
                    f"account:{account.pk}",
                    result="error",
                    error=exc.code,
                )
                self.message_user(request, f"{account.name}: {exc.message}", messages.ERROR)
            else:
                audit.record(request, "test_connection", f"account:{account.pk}")
                self.message_user(request, f"{account.name}: OK — {result}", messages.SUCCESS)

    @admin.action(description="Sync now")
    def sync_now(self, request, queryset):
        from .tasks import enqueue_sync

        for account in queryset:
            run = enqueue_sync(account, trigger="admin")
            audit.record(
                request, "sync_trigger", f"account:{account.pk} {account.name}", run=run.pk
            )
            self.message_user(request, f"{account.name}: sync queued ({run.get_state_display()})")

    @admin.action(description="Confirm withheld removals (mark the missing documents removed)")
    def confirm_withheld_removals(self, request, queryset):
        from .sync import apply_withheld_removals

        for account in queryset:
            if account.removals_withheld_at is None:
                self.message_user(request, f"{account.name}: no removals are withheld.")
                continue
            flagged = apply_withheld_removals(account)
            target = f"account:{account.pk} {account.name}"
            if flagged is None:
                audit.record(request, "removals_confirm", target, result="refused")
                self.message_user(
                    request,
                    f"{account.name}: a sync is running; confirm again when it has finished.",
                    messages.WARNING,
                )
                continue
            audit.record(request, "removals_confirm", target, documents=flagged)
            self.message_user(
                request, f"{account.name}: {flagged:,} documents marked removed.", messages.SUCCESS
            )


@admin.register(SyncRun)
class SyncRunAdmin(admin.ModelAdmin):
    list_display = [
        "account",
        "state",
        "full",
        "trigger",
        "queued_at",
        "fetched",
        "created",
        "updated",
        "removed",
        "removals_withheld",
        "skipped",
        "error_code",
    ]
    list_filter = ["state", "full", "account"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "actor_label", "action", "target", "ip", "result", "bytes"]
    list_filter = ["action", "result", "at"]
    search_fields = ["actor_label", "target", "ip"]
    date_hierarchy = "at"
    actions = ["export_csv"]

    @admin.action(description="Export selected events as CSV")
    def export_csv(self, request, queryset):
        class Echo:
            def write(self, value):
                return value

        writer = csv.writer(Echo())
        columns = ["at", "actor_label", "action", "target", "ip", "result", "bytes", "details"]

        def rows():
            yield writer.writerow(columns)
            for event in queryset.order_by("at", "id").iterator(chunk_size=1000):
                values = [getattr(event, c) for c in columns]
                # Neutralise spreadsheet formulas in user-controlled text.
                yield writer.writerow(
                    "'" + v if isinstance(v, str) and v[:1] in "=+-@" and v else v for v in values
                )

        audit.record(request, "audit_export", f"{queryset.count()} events")
        response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
        stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
        response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.csv"'
        return response

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
