"""Shared back-office pieces."""

from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records nobody adds, edits or deletes here, superusers included (ledgers,
    payments, customers' carts): they change only through the services."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
