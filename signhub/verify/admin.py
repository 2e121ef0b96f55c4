"""Read-only views of verification jobs and cached verdicts (who verified what, and when)."""

from __future__ import annotations

from django.contrib import admin

from .models import FileVerdict, VerificationJob


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(VerificationJob)
class VerificationJobAdmin(ReadOnly):
    list_display = ["document", "file_key", "requested_by", "state", "on_worker", "created_at"]
    list_filter = ["state", "on_worker"]
    list_select_related = ["document", "requested_by"]
    search_fields = ["document__external_id", "document__title"]


@admin.register(FileVerdict)
class FileVerdictAdmin(ReadOnly):
    """Deleting a row makes the next request validate that file again."""

    list_display = ["sha256", "indication", "size", "validated_at"]
    list_filter = ["indication"]
    search_fields = ["sha256"]
