import json

from django.contrib import admin
from django.utils.html import format_html

from .models import AuditLog


@admin.register(AuditLog)
class AuditLogAdmin(admin.ModelAdmin):
    """Read-only browser: the log is written by services only."""

    list_display = ("at", "entity_type", "entity_id", "action", "actor_label", "request_id")
    list_filter = ("entity_type", "action", ("at", admin.DateFieldListFilter))
    search_fields = ("entity_id", "actor_label", "actor__email", "request_id", "action")
    date_hierarchy = "at"
    list_select_related = ("actor",)
    readonly_fields = (
        "at",
        "entity_type",
        "entity_id",
        "action",
        "actor",
        "actor_label",
        "request_id",
        "old_pretty",
        "new_pretty",
    )
    exclude = ("old", "new")

    @admin.display(description="Old values")
    def old_pretty(self, obj):
        return format_html("<pre>{}</pre>", json.dumps(obj.old, indent=2, ensure_ascii=False))

    @admin.display(description="New values")
    def new_pretty(self, obj):
        return format_html("<pre>{}</pre>", json.dumps(obj.new, indent=2, ensure_ascii=False))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
