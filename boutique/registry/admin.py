"""Registries in the back office: staff browse them (read-only: a registry is
its owner's), see items and purchases, and may close one (the service does)."""

from django.contrib import admin, messages

from .models import Registry, RegistryItem, RegistryPurchase
from .services import registry_close


class _ReadOnly:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class RegistryItemInline(_ReadOnly, admin.TabularInline):
    model = RegistryItem
    fields = ("variant", "wanted_quantity", "purchased_quantity", "note")
    readonly_fields = fields
    extra = 0
    show_change_link = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("variant__product")


@admin.register(Registry)
class RegistryAdmin(_ReadOnly, admin.ModelAdmin):
    list_display = ("title", "owner", "event_date", "visibility", "reveal_buyers", "status")
    list_filter = ("status", "visibility", "reveal_buyers")
    search_fields = ("title", "owner__email", "owner__first_name", "owner__last_name")
    list_select_related = ("owner",)
    date_hierarchy = "event_date"
    actions = ("close_selected",)
    fields = (
        "owner",
        "title",
        "event_date",
        "message",
        "visibility",
        "reveal_buyers",
        "status",
        "closed_at",
        "ship_full_name",
        "ship_phone",
        "ship_line1",
        "ship_line2",
        "ship_city",
        "ship_state",
        "ship_postal_code",
        "ship_country",
        "created_at",
        "updated_at",
    )
    readonly_fields = fields
    inlines = (RegistryItemInline,)

    @admin.action(description="Close the selected registries", permissions=["view"])
    def close_selected(self, request, queryset):
        closed = 0
        for registry in queryset.order_by("pk"):
            if registry.is_active:
                registry_close(registry=registry, actor=request.user)
                closed += 1
        self.message_user(request, f"{closed} registries closed.", messages.SUCCESS)


@admin.register(RegistryPurchase)
class RegistryPurchaseAdmin(_ReadOnly, admin.ModelAdmin):
    list_display = (
        "order",
        "item",
        "quantity",
        "buyer_email",
        "ships_to_registry",
        "cancelled_at",
        "created_at",
    )
    list_filter = ("ships_to_registry",)
    search_fields = ("order__number", "buyer_email", "buyer_name")
    list_select_related = ("order", "item__variant__product")
    fields = (
        "item",
        "order",
        "order_item",
        "quantity",
        "buyer_name",
        "buyer_email",
        "gift_message",
        "ships_to_registry",
        "cancelled_at",
        "created_at",
    )
    readonly_fields = fields
