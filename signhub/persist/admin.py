"""Admin: API tokens (value shown once), read-only signatures, and the trash of deleted chains."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils import timezone

from .models import ApiToken, Signature, SignatureChain
from .services import RestoreConflict, restore_chain, trash_days


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


class VersionInline(admin.TabularInline):
    model = Signature
    fields = ["version", "kind", "size", "sha256", "version_created_by", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class InTrashFilter(admin.SimpleListFilter):
    title = "trash"
    parameter_name = "trash"

    def lookups(self, request, model_admin):
        return [("no", "Live"), ("yes", "In the trash")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.in_trash()
        if self.value() == "no":
            return queryset.active()
        return queryset


@admin.register(SignatureChain)
class SignatureChainAdmin(admin.ModelAdmin):
    """Deleted chains wait here for SIGNHUB_PERSIST_TRASH_DAYS; "Restore" brings them back."""

    list_display = ["document", "thread", "created_at", "updated_at", "deleted_at", "deleted_by"]
    list_filter = [InTrashFilter]
    search_fields = ["document", "thread"]
    readonly_fields = ["document", "thread", "created_at", "updated_at", "deleted_at", "deleted_by"]
    inlines = [VersionInline]
    actions = ["restore"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_restore_permission(self, request) -> bool:
        return request.user.has_perm("persist.change_signaturechain")

    @admin.action(description="Restore selected chains from the trash", permissions=["restore"])
    def restore(self, request, queryset) -> None:
        restored, refused = 0, []
        for chain in queryset.in_trash():
            try:
                restore_chain(chain, actor=request.user)
                restored += 1
            except RestoreConflict:
                refused.append(str(chain))
        if restored:
            self.message_user(request, f"Restored {restored} chain(s).", messages.SUCCESS)
        if refused:
            self.message_user(
                request,
                "Not restored, a newer chain with the same document and thread exists: "
                + "; ".join(refused),
                messages.ERROR,
            )

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "trash_days": trash_days()}
        return super().changelist_view(request, extra_context)


@admin.register(Signature)
class SignatureAdmin(admin.ModelAdmin):
    list_display = ["chain", "version", "kind", "size", "version_created_by", "created_at"]
    list_filter = ["kind"]
    search_fields = ["chain__document", "chain__thread"]
    exclude = ["blob"]
    list_select_related = ["chain"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
