"""Carts and wishlists in the back office: to look at, for support. Customers'
carts are never edited from here (they change only through the cart services,
driven by their owners)."""

from django.contrib import admin
from django.db.models import Count

from boutique.core.admin import ReadOnlyAdmin

from .models import Cart, CartItem, WishlistItem


class CartItemInline(admin.TabularInline):
    model = CartItem
    fields = readonly_fields = (
        "sku",
        "product",
        "quantity",
        "unit_price",
        "currency",
        "created_at",
    )
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("variant__product")

    @admin.display(description="SKU")
    def sku(self, obj):
        return obj.variant.sku

    @admin.display(description="Product")
    def product(self, obj):
        return obj.variant.product.name


class OwnerFilter(admin.SimpleListFilter):
    title = "owner"
    parameter_name = "owner"

    def lookups(self, request, model_admin):
        return (("customer", "Signed-in customer"), ("guest", "Guest"))

    def queryset(self, request, queryset):
        if self.value() == "customer":
            return queryset.filter(user__isnull=False)
        if self.value() == "guest":
            return queryset.filter(user__isnull=True)
        return queryset


@admin.register(Cart)
class CartAdmin(ReadOnlyAdmin):
    list_display = ("id", "owner", "status", "item_count", "currency", "updated_at")
    list_filter = ("status", OwnerFilter)
    search_fields = ("user__email", "user__phone")
    list_select_related = ("user",)
    ordering = ("-updated_at", "-id")
    fields = readonly_fields = (
        "owner",
        "status",
        "currency",
        "item_count",
        "merged_into",
        "created_at",
        "updated_at",
    )
    inlines = (CartItemInline,)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(line_count=Count("items"))

    @admin.display(description="Owner", ordering="user__email")
    def owner(self, obj):
        return str(obj.user) if obj.user_id else "guest"

    @admin.display(description="Lines", ordering="line_count")
    def item_count(self, obj):
        return obj.line_count


@admin.register(WishlistItem)
class WishlistItemAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "user", "product", "sku")
    search_fields = ("user__email", "product__name", "variant__sku")
    list_select_related = ("user", "product", "variant")
    fields = readonly_fields = ("user", "product", "sku", "created_at")

    @admin.display(description="Variant SKU")
    def sku(self, obj):
        return obj.variant.sku if obj.variant_id else "any"
