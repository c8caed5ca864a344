from django.contrib import admin

from .models import Seller


@admin.register(Seller)
class SellerAdmin(admin.ModelAdmin):
    list_display = ("store_name", "owner", "status", "created_at")
    list_filter = ("status",)
    search_fields = ("store_name", "slug", "owner__email")
    readonly_fields = ("owner", "slug", "status", "created_at", "updated_at")

    def has_add_permission(self, request):
        # Sellers apply from the storefront; staff approve them (marketplace issue).
        return False

    def has_change_permission(self, request, obj=None):
        return False
