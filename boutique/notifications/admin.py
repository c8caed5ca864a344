"""The outbox, read-only: what was queued, for whom, and how delivery went.
Rows are written by `notification_enqueue` (in the transaction of the change they
tell about) and by the dispatcher; nobody adds, edits or deletes them here."""

from django.contrib import admin

from .models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = (
        "created_at",
        "channel",
        "recipient",
        "template",
        "status",
        "attempts",
        "reference",
    )
    list_filter = ("status", "channel", "template", ("created_at", admin.DateFieldListFilter))
    search_fields = ("recipient", "reference_id", "template")
    ordering = ("-created_at", "-id")
    fields = readonly_fields = (
        "channel",
        "recipient",
        "template",
        "context",
        "status",
        "attempts",
        "last_error",
        "sent_at",
        "reference",
        "created_at",
        "updated_at",
    )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Reference", ordering="reference_id")
    def reference(self, obj):
        if not obj.reference_type:
            return "—"
        return f"{obj.reference_type} {obj.reference_id}"
