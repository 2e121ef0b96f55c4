"""Admin: issue API tokens (value shown once), revoke them; signatures are read-only here."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils import timezone

from .models import ApiToken, Signature


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "prefix", "can_write", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["can_write", ("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "prefix"]
    readonly_fields = ["prefix", "created_by", "created_at", "last_used_at"]
    fields = [
        "name",
        "can_write",
        "prefix",
        "created_by",
        "created_at",
        "last_used_at",
        "revoked_at",
    ]
    actions = ["revoke"]

    def save_model(self, request, obj: ApiToken, form, change: bool) -> None:
        if not change:
            raw = obj.assign_new_value()
            obj.created_by = request.user
            super().save_model(request, obj, form, change)
            # The only time the value is ever shown: it is not stored, only its hash.
            messages.warning(
                request,
                f"API token for “{obj.name}”: {raw} — copy it now, it will not be shown again.",
            )
            return
        super().save_model(request, obj, form, change)

    @admin.action(description="Revoke selected tokens")
    def revoke(self, request, queryset) -> None:
        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        self.message_user(request, f"Revoked {count} token(s).", messages.SUCCESS)


@admin.register(Signature)
class SignatureAdmin(admin.ModelAdmin):
    list_display = [
        "document",
        "thread",
        "version",
        "kind",
        "size",
        "version_created_by",
        "created_at",
    ]
    list_filter = ["kind"]
    search_fields = ["document", "thread"]
    exclude = ["blob"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
