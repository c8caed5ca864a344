"""Back office for back-in-stock alerts (issue 13): who waits for what. Rows are
written by the storefront and the stock service only; staff read them and may
cancel waiting ones."""

from django.contrib import admin, messages

from .models import StockAlert


@admin.register(StockAlert)
class StockAlertAdmin(admin.ModelAdmin):
    list_display = ("email", "sku", "product", "status", "created_at", "notified_at")
    list_filter = ("status",)
    search_fields = ("email", "variant__sku", "variant__product__name")
    list_select_related = ("variant__product",)
    date_hierarchy = "created_at"
    actions = ("cancel_waiting",)
    fields = ("variant", "user", "email", "status", "created_at", "notified_at", "cancelled_at")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="SKU", ordering="variant__sku")
    def sku(self, obj):
        return obj.variant.sku

    @admin.display(description="Product")
    def product(self, obj):
        return obj.variant.product.name

    @admin.action(description="Cancel the selected waiting alerts")
    def cancel_waiting(self, request, queryset):
        from .alerts import stock_alerts_cancel

        count = stock_alerts_cancel(alert_ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(request, f"{count} alert(s) cancelled.", messages.SUCCESS)
