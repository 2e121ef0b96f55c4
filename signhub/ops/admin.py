"""Sync health for administrators: one row per account with its schedule and its metrics."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count, F, OuterRef, Subquery
from django.utils.html import format_html

from signhub.core.models import SignedDocument, SyncRun

from .alerts import is_alerting, threshold
from .models import SyncSchedule
from .scheduler import ensure_schedules


def _latest_finished_run(field: str) -> Subquery:
    runs = SyncRun.objects.filter(
        account=OuterRef("account"),
        state__in=[SyncRun.State.SUCCEEDED, SyncRun.State.PARTIAL, SyncRun.State.FAILED],
        started_at__isnull=False,
    ).order_by("-started_at", "-id")
    return Subquery(runs.values(field)[:1])


@admin.register(SyncSchedule)
class SyncScheduleAdmin(admin.ModelAdmin):
    list_display = [
        "account",
        "enabled",
        "interval_minutes",
        "full_sync_hour",
        "next_run_at",
        "last_success",
        "last_duration",
        "documents",
        "failures",
        "health",
    ]
    list_editable = ["enabled", "interval_minutes", "full_sync_hour"]
    list_filter = ["enabled", "account__provider", "account__needs_reconnect"]
    search_fields = ["account__name"]
    list_select_related = ["account"]
    readonly_fields = ["account", "last_full_enqueued_at", "alerted_at"]
    fields = [
        "account",
        "enabled",
        "interval_minutes",
        "full_sync_hour",
        "next_run_at",
        "last_full_enqueued_at",
        "alerted_at",
    ]

    def has_add_permission(self, request):
        return False  # one per account, created by the scheduler and this changelist

    def changelist_view(self, request, extra_context=None):
        ensure_schedules()
        return super().changelist_view(request, extra_context)

    def get_queryset(self, request):
        documents = (
            SignedDocument.objects.filter(account=OuterRef("account"), removed_at__isnull=True)
            .order_by()
            .values("account")
            .annotate(n=Count("id"))
            .values("n")
        )
        return (
            super()
            .get_queryset(request)
            .annotate(
                run_started=_latest_finished_run("started_at"),
                run_finished=_latest_finished_run("finished_at"),
                document_count=Subquery(documents),
                failure_count=F("account__failures_in_a_row"),
            )
        )

    @admin.display(description="Last success", ordering="account__last_success_at")
    def last_success(self, obj):
        return obj.account.last_success_at

    @admin.display(description="Last duration")
    def last_duration(self, obj):
        if not (obj.run_started and obj.run_finished):
            return "—"
        return f"{(obj.run_finished - obj.run_started).total_seconds():.1f} s"

    @admin.display(description="Documents", ordering="document_count")
    def documents(self, obj):
        return obj.document_count or 0

    @admin.display(description="Failures in a row", ordering="failure_count")
    def failures(self, obj):
        return obj.failure_count

    @admin.display(description="Health")
    def health(self, obj):
        account = obj.account
        if is_alerting(account.failures_in_a_row):
            return format_html(
                '<strong class="errornote">ALERT: failed {} times in a row (threshold {})</strong>',
                account.failures_in_a_row,
                threshold(),
            )
        if account.needs_reconnect:
            return "Needs reconnect"
        if account.failures_in_a_row:
            return "Last sync failed"
        if account.last_success_at is None:
            return "Never synced"
        return "OK"
