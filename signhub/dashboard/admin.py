"""A read-only admin changelist of the index (also the baseline bench/list_latency.py beats)."""

from django.contrib import admin

from signhub.core.models import SignedDocument


class SignedDocumentAdmin(admin.ModelAdmin):
    list_display = ["title", "provider", "account", "status", "sender_email", "completed_at"]
    list_filter = ["provider", "status", "account"]
    search_fields = ["search_text"]
    list_select_related = ["account"]
    ordering = ["-completed_at", "-id"]
    show_full_result_count = True  # the admin default; the bench compares against it
    readonly_fields = [f.name for f in SignedDocument._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).defer("raw", "account__credentials")


# Another app may have registered it first; one registration is enough.
if not admin.site.is_registered(SignedDocument):
    admin.site.register(SignedDocument, SignedDocumentAdmin)
