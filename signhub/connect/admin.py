"""Provider accounts in the admin: choose a provider, then its own fields; connect and test.

Adding is two steps that work without JavaScript: a provider choice (GET form), then the
provider's credential and option fields (`?provider=box`). The account page shows the
connection state, "Connect with <provider>", the URLs to register with the provider, and a
"Test connection" button that answers within ~10 s.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.utils import flatten_fieldsets
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.views.decorators.debug import sensitive_post_parameters

from signhub.core import audit
from signhub.core.errors import ConnectorError
from signhub.core.models import ProviderAccount
from signhub.core.registry import registry
from signhub.core.sync import apply_withheld_removals
from signhub.core.tasks import enqueue_sync
from signhub.webhooks.panel import webhook_panel

from . import links
from .admin_form import CRED, OPT, ProviderAccountForm, form_for
from .flows import flow_class
from .probe import test_connection as probe_connection


def provider_choices() -> list[dict]:
    """What the choice step shows for each provider."""
    rows = []
    for connector in registry.all():
        flow = connector.connect_flow
        form = connector.credential_form
        rows.append(
            {
                "key": connector.provider,
                "label": connector.label,
                "how": f"Connect with {flow.name} after saving"
                if flow
                else "Enter the credentials the provider gave you",
                "console_url": form.console_url,
                "console_label": form.console_label,
            }
        )
    return rows


@admin.register(ProviderAccount)
class ProviderAccountAdmin(admin.ModelAdmin):
    form = ProviderAccountForm
    change_form_template = "admin/core/provideraccount/change_form.html"
    list_display = [
        "name",
        "provider",
        "enabled",
        "connection",
        "last_success_at",
        "failures_in_a_row",
    ]
    list_filter = ["provider", "enabled", "needs_reconnect", "awaiting_connect"]
    search_fields = ["name"]
    filter_horizontal = ["visible_to"]
    readonly_fields = [
        "last_success_at",
        "last_full_sync_at",
        "last_error_at",
        "last_error",
        "failures_in_a_row",
        "sync_warning",
        "removals_withheld_at",
    ]
    actions = ["test_connection", "sync_now", "confirm_withheld_removals"]

    @admin.display(description="Connection")
    def connection(self, obj: ProviderAccount) -> str:
        return obj.connection_label

    # -- which provider ----------------------------------------------------------------

    def provider_of(self, request: HttpRequest, obj: ProviderAccount | None) -> str | None:
        if obj is not None and obj.provider:
            return obj.provider
        chosen = request.GET.get("provider", "")
        return chosen if chosen in registry else None

    def add_view(self, request, form_url="", extra_context=None):
        if self.provider_of(request, None) is None:
            return self.choose_provider_view(request)
        return super().add_view(request, form_url, extra_context)

    def choose_provider_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Add provider account: choose the provider",
            "providers": provider_choices(),
            "unknown": request.GET.get("provider", ""),
        }
        return TemplateResponse(request, "admin/core/provideraccount/choose_provider.html", context)

    # -- the form ----------------------------------------------------------------------

    def get_fieldsets(self, request, obj=None):
        provider = self.provider_of(request, obj)
        account = ["name", "provider", "base_url", "enabled", "visible_to"]
        if obj is not None:
            account.remove("provider")
        sets = [(None, {"fields": account})]
        if provider is None:
            return sets
        connector = registry.get(provider)
        form = connector.credential_form
        where = ""
        if form.console_url:
            where = format_html(
                'Where to find these: <a href="{}" target="_blank" rel="noopener">{}</a>.',
                form.console_url,
                form.console_label or form.console_url,
            )
        creds = [CRED + n for n in form.credential_fields]
        opts = [OPT + n for n in form.option_fields]
        sets.append((f"{connector.label}: credentials", {"fields": creds, "description": where}))
        if opts:
            sets.append(("Options", {"fields": opts, "classes": ["collapse"]}))
        if obj is not None:
            sets.append(("Sync health", {"fields": self.readonly_fields}))
        return sets

    def get_form(self, request, obj=None, change=False, **kwargs):
        provider = self.provider_of(request, obj)
        kwargs["form"] = form_for(provider) if provider else ProviderAccountForm
        if "fields" not in kwargs:
            kwargs["fields"] = flatten_fieldsets(self.get_fieldsets(request, obj))
        # Declared (cred_/opt_) fields are on the form class; the factory takes model fields.
        kwargs["fields"] = [
            f
            for f in kwargs["fields"]
            if not f.startswith((CRED, OPT)) and f not in self.readonly_fields
        ]
        return super().get_form(request, obj, change, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj else []

    @method_decorator(sensitive_post_parameters())
    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # Credential fields are posted here: keep them out of error reports.
        extra_context = dict(extra_context or {})
        provider = self.provider_of(request, None)
        if provider:
            extra_context["provider_label"] = registry.get(provider).label
        if object_id:
            account = self.get_object(request, object_id)
            if account is not None:
                extra_context["connection"] = connection_panel(request, account)
                extra_context["webhooks"] = webhook_panel(request, account)
        return super().changeform_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        if getattr(form, "draft_reason", ""):
            obj.enabled = False
        super().save_model(request, obj, form, change)
        changed = getattr(form, "changed_credentials", [])
        if changed or not change:
            audit.record(
                request,
                "credentials_change" if change else "account_create",
                f"account:{obj.pk} {obj.name}",
                fields=changed,
            )
        if form.draft_reason:
            messages.warning(
                request,
                f"{obj.name} was saved disabled: {form.draft_reason} "
                "Complete the credentials, then tick Enabled.",
            )
        elif obj.awaiting_connect:
            flow = flow_class(obj)
            messages.info(
                request,
                f"{obj.name} is waiting to be connected: register the redirect URI below with "
                f"the provider, then press Connect with {flow.name if flow else 'the provider'}.",
            )

    def response_add(self, request, obj, post_url_continue=None):
        # After adding, the account page: that is where Connect and the URLs are.
        if "_addanother" not in request.POST and "_popup" not in request.POST:
            return redirect(links.account_admin_url(obj))
        return super().response_add(request, obj, post_url_continue)

    # -- test connection -----------------------------------------------------------------

    def get_urls(self):
        urls = super().get_urls()
        mine = [
            path(
                "<path:object_id>/test-connection/",
                self.admin_site.admin_view(self.test_connection_view),
                name="core_provideraccount_test",
            ),
            path(
                "<path:object_id>/create-webhook/",
                self.admin_site.admin_view(self.create_webhook_view),
                name="core_provideraccount_create_webhook",
            ),
        ]
        return mine + urls

    def test_connection_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        account = get_object_or_404(ProviderAccount, pk=object_id)
        if not self.has_change_permission(request, account):
            raise PermissionDenied
        self._test(request, account)
        return redirect(links.account_admin_url(account))

    def create_webhook_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Box: POST /2.0/webhooks for the folder given, delivering to the webhook URL."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        account = get_object_or_404(ProviderAccount, pk=object_id)
        if not self.has_change_permission(request, account):
            raise PermissionDenied
        if not account.connector_class.registers_webhooks:
            raise Http404("This provider's webhooks are set up in its own console.")
        # Posted by the account form's Create webhook button (formaction): only this field.
        target = request.POST.get("webhook_target", "").strip()[:64]
        connector = account.connector()
        audit_target = f"account:{account.pk} {account.name}"
        try:
            hook_id = connector.register_webhook(target, links.webhook_url(account, request))
        except ConnectorError as exc:
            audit.record(request, "webhook_create", audit_target, result="error", error=exc.code)
            self.message_user(
                request,
                f"{account.name}: the webhook was not created — {exc.message}",
                messages.ERROR,
            )
        else:
            audit.record(request, "webhook_create", audit_target, webhook=hook_id, folder=target)
            self.message_user(
                request,
                f"{account.name}: webhook {hook_id} created for folder {target}. Copy the app's "
                "signature keys into the webhook key fields.",
                messages.SUCCESS,
            )
        finally:
            connector.http.close()
        return redirect(links.account_admin_url(account))

    def _test(self, request: HttpRequest, account: ProviderAccount) -> None:
        probe = probe_connection(account)
        target = f"account:{account.pk}"
        if probe.ok:
            audit.record(request, "test_connection", target)
            self.message_user(
                request,
                f"{account.name}: OK — {probe.message} ({probe.seconds:.1f} s)",
                messages.SUCCESS,
            )
        else:
            audit.record(request, "test_connection", target, result="error", error=probe.code)
            self.message_user(request, f"{account.name}: {probe.message}", messages.ERROR)

    @admin.action(description="Test connection")
    def test_connection(self, request, queryset):
        for account in queryset:
            self._test(request, account)

    @admin.action(description="Sync now")
    def sync_now(self, request, queryset):
        for account in queryset:
            if account.awaiting_connect:
                self.message_user(
                    request, f"{account.name}: not connected yet, not synced", messages.WARNING
                )
                continue
            run = enqueue_sync(account, trigger="admin")
            audit.record(
                request, "sync_trigger", f"account:{account.pk} {account.name}", run=run.pk
            )
            self.message_user(request, f"{account.name}: sync queued ({run.get_state_display()})")

    @admin.action(description="Confirm withheld removals (mark the missing documents removed)")
    def confirm_withheld_removals(self, request, queryset):
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


def connection_panel(request: HttpRequest, account: ProviderAccount) -> dict:
    """What the account page shows about the connection (state, buttons, URLs to register)."""
    flow = flow_class(account)
    return {
        "state": account.connection_state,
        "label": account.connection_label,
        "reason": account.connection_reason,
        "connected_at": account.connected_at,
        "flow_name": flow.name if flow else "",
        "connect_url": links.connect_url(account, request),
        "redirect_uri": links.redirect_uri(account, request),
        "install_url": links.install_url(account, request),
        "webhook_url": links.webhook_url(account, request),
    }
