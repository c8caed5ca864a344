"""The outbox, read-only: what was queued, for whom, and how delivery went.
Rows are written by `notification_enqueue` (in the transaction of the change they
tell about) and by the dispatcher; nobody adds, edits or deletes them here. The
one write is the "Retry selected" action, through `notification_retry`: a
failed row goes back to pending; a sent row is never sent again."""

from django.contrib import admin, messages

from boutique.core.errors import DomainError

from .dispatch import notification_retry
from .models import Notification

MAX_BULK_RETRY = 100


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
    actions = ("retry_selected",)
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

    def has_retry_permission(self, request, obj=None):
        return request.user.has_perm("notifications.change_notification")

    @admin.action(description="Retry selected (failed ones)", permissions=["retry"])
    def retry_selected(self, request, queryset):
        ids = list(queryset.order_by("pk").values_list("pk", flat=True)[: MAX_BULK_RETRY + 1])
        if len(ids) > MAX_BULK_RETRY:
            self.message_user(
                request, f"Select at most {MAX_BULK_RETRY} messages at a time.", messages.ERROR
            )
            return
        retried, refused = [], []
        for notification_id in ids:
            try:
                notification_retry(notification_id, actor=request.user)
            except DomainError as exc:
                refused.append(exc.detail)
            else:
                retried.append(f"#{notification_id}")
        if retried:
            self.message_user(
                request,
                f"{len(retried)} message(s) queued again: {', '.join(retried)}.",
                messages.SUCCESS,
            )
        if refused:
            self.message_user(request, "Not retried: " + " ".join(refused), messages.ERROR)

    @admin.display(description="Reference", ordering="reference_id")
    def reference(self, obj):
        if not obj.reference_type:
            return "—"
        return f"{obj.reference_type} {obj.reference_id}"
