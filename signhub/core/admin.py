"""Admin console: read-only sync runs and audit events.

Provider accounts (the guided form with write-only credentials and the connect panel) are
registered by `signhub.connect.admin`.
"""

import csv

from django.contrib import admin
from django.http import StreamingHttpResponse
from django.utils import timezone

from . import audit
from .models import AuditEvent, SyncRun
from .spreadsheet import safe_row

# signhub's name on every admin page; "View site" and the header's links go to the dashboard.
admin.site.site_header = "signhub administration"
admin.site.site_title = "signhub admin"
admin.site.index_title = "Accounts, credentials and records"
admin.site.site_url = "/documents/"


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
                # Targets and actor names are user-controlled text.
                yield writer.writerow(safe_row(getattr(event, c) for c in columns))

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
