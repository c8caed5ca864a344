"""Payments in the back office: read-only records. Money moves only through
the order page (confirm payment, refund), which calls the services."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from boutique.core.admin import ReadOnlyAdmin

from .models import Payment, PaymentAttempt, Refund, WebhookEvent


def _order_link(order):
    url = reverse("admin:orders_order_change", args=[order.pk])
    return format_html('<a href="{}">{}</a>', url, order.number)


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = (
        "created_at",
        "order_link",
        "method",
        "provider",
        "amount",
        "currency",
        "status",
        "card_last4",
        "amount_refunded",
    )
    list_filter = ("status", "method", "provider", "currency", "created_at")
    search_fields = ("order__number", "transaction_ref", "bank_reference")
    list_select_related = ("order",)
    exclude = ("card_token",)

    @admin.display(description="Order", ordering="order__number")
    def order_link(self, obj):
        return _order_link(obj.order)


@admin.register(PaymentAttempt)
class PaymentAttemptAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "order", "method", "outcome", "error_code", "idempotency_key")
    list_filter = ("outcome", "method", "created_at")
    search_fields = ("order__number", "idempotency_key")
    list_select_related = ("order",)


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdmin):
    list_display = (
        "refund_number",
        "created_at",
        "order_link",
        "amount",
        "currency",
        "status",
        "restock",
        "actor",
    )
    list_filter = ("status", "restock", "currency", "created_at")
    search_fields = ("refund_number", "order__number", "provider_ref")
    list_select_related = ("order", "actor")

    @admin.display(description="Order", ordering="order__number")
    def order_link(self, obj):
        return _order_link(obj.order)


@admin.register(WebhookEvent)
class WebhookEventAdmin(ReadOnlyAdmin):
    list_display = ("received_at", "provider", "type", "event_id", "processed_at", "error")
    list_filter = ("provider", "type", ("processed_at", admin.EmptyFieldListFilter))
    search_fields = ("event_id",)
