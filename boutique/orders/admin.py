"""Orders back office. An order is a record of what was sold: its amounts,
snapshots, items and addresses are read-only here (nobody edits or deletes an
order, superusers included). Its status moves only through the state machine
(orders.services): the "Mark …" actions on the list and the "Change status" form
on the order's page call `order_transition` / `order_cancel`, which refuse
illegal moves and write the audit rows with the staff member as actor.

Reference data (exchange rates, tax rates, shipping methods) is in
admin_reference.py.
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import (
    FileResponse,
    Http404,
    HttpResponseBadRequest,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
)
from django.urls import path, reverse
from django.utils.dateparse import parse_date
from django.utils.html import format_html, format_html_join

from boutique.core.errors import DomainError
from boutique.core.money import BASE_CURRENCY, format_money
from boutique.marketplace.admin import ItemSellerStatusFilter
from boutique.payments.models import Payment, TransferReceipt
from boutique.payments.refunds import refund_create
from boutique.payments.services import OFFLINE_METHODS, payment_confirm_offline
from boutique.shipping.models import Shipment
from boutique.shipping.selectors_backoffice import order_items_to_ship, provider_list_active
from boutique.shipping.services import SHIPPABLE_ORDER_STATUSES, shipment_create

from . import (
    admin_reference,  # noqa: F401  (registers the reference-data admins)
    domain,
)
from .forms_admin import OrderTransitionForm
from .locks import order_for_update
from .models import Order, OrderAddress, OrderItem, OrderStatus, PaymentMethod, PaymentStatus
from .selectors import in_base_currency
from .services import order_cancel, order_transition

MAX_BULK_TRANSITION = 100
STAFF_CANCEL_REASON = "cancelled by staff"


def error_text(exc: DomainError) -> str:
    fields = "; ".join(f"{k}: {' '.join(map(str, v))}" for k, v in exc.field_errors.items())
    return f"{exc.detail} {fields}".strip()


class OrderPartInline(admin.TabularInline):
    """Snapshots taken when the order was placed: shown, never edited. Whoever
    may see the order sees its parts."""

    extra = 0
    can_delete = False
    show_change_link = False

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("orders.view_order") or request.user.has_perm(
            "orders.change_order"
        )

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class OrderItemInline(OrderPartInline):
    model = OrderItem
    fields = readonly_fields = (
        "product_name",
        "sku",
        "options",
        "seller",
        "unit_price_display",
        "quantity",
        "line_total_display",
    )

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("order", "seller")

    @admin.display(description="Unit price")
    def unit_price_display(self, obj):
        return format_money(obj.unit_price, obj.order.currency)

    @admin.display(description="Line total")
    def line_total_display(self, obj):
        return format_money(obj.line_total, obj.order.currency)


class OrderAddressInline(OrderPartInline):
    model = OrderAddress
    fields = readonly_fields = (
        "kind",
        "full_name",
        "phone",
        "line1",
        "line2",
        "city",
        "state",
        "postal_code",
        "country",
    )

    def get_queryset(self, request):
        return super().get_queryset(request).order_by("kind")


class TransferReceiptInline(OrderPartInline):
    model = TransferReceipt
    fields = ("uploaded_at", "content_type", "size", "original_name", "download")
    readonly_fields = fields
    verbose_name_plural = "Bank-transfer receipts (private files)"

    @admin.display(description="File")
    def download(self, obj):
        url = reverse("admin:orders_order_receipt", args=[obj.order_id, obj.pk])
        return format_html('<a href="{}">Open</a>', url)


class PaymentInline(OrderPartInline):
    model = Payment
    fields = (
        "method",
        "provider",
        "amount",
        "currency",
        "status",
        "transaction_ref",
        "bank_reference",
        "card_brand",
        "card_last4",
        "amount_refunded",
        "confirmed_by",
        "succeeded_at",
    )
    readonly_fields = fields
    verbose_name_plural = "Payments (card details: brand and last four digits only)"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("confirmed_by")


class ShipmentInline(OrderPartInline):
    """The order's parcels; they are created with the form above and tracked
    on their own page."""

    model = Shipment
    fields = (
        "shipment_link",
        "provider",
        "tracking_number",
        "status",
        "estimated_delivery",
        "shipped_at",
        "delivered_at",
    )
    readonly_fields = fields
    verbose_name_plural = "Shipments"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("provider")

    @admin.display(description="Shipment")
    def shipment_link(self, obj):
        url = reverse("admin:shipping_shipment_change", args=[obj.pk])
        return format_html('<a href="{}">#{}</a>', url, obj.pk)


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = (
        "number",
        "placed_at",
        "email",
        "customer",
        "status",
        "payment_status",
        "payment_method",
        "currency",
        "total_display",
        "item_count_display",
    )
    list_filter = (
        "status",
        "payment_status",
        ("placed_at", admin.DateFieldListFilter),
        "currency",
        "payment_method",
        ItemSellerStatusFilter,
    )
    search_fields = ("number", "email")
    list_select_related = ("user",)
    ordering = ("-placed_at", "-id")
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "number",
                    "status",
                    "payment_status",
                    "payment_method",
                    "placed_at",
                    "pay_by",
                    "cancelled_at",
                    "cancel_reason",
                )
            },
        ),
        ("Customer", {"fields": ("user", "email", "phone", "note")}),
        (
            "Amounts",
            {
                "fields": (
                    "amounts",
                    "exchange_rate_display",
                    "tax_rate_display",
                    "prices_include_tax",
                    "shipping_method_name",
                    "coupon_code",
                )
            },
        ),
        ("Record", {"fields": ("idempotency_key", "created_at", "updated_at")}),
    )
    readonly_fields = (
        "number",
        "status",
        "payment_status",
        "payment_method",
        "placed_at",
        "pay_by",
        "cancelled_at",
        "cancel_reason",
        "user",
        "email",
        "phone",
        "note",
        "amounts",
        "exchange_rate_display",
        "tax_rate_display",
        "prices_include_tax",
        "shipping_method_name",
        "coupon_code",
        "idempotency_key",
        "created_at",
        "updated_at",
    )
    inlines = (
        OrderItemInline,
        OrderAddressInline,
        PaymentInline,
        TransferReceiptInline,
        ShipmentInline,
    )
    actions = (
        "mark_paid",
        "mark_processing",
        "mark_shipped",
        "mark_delivered",
        "mark_returned",
        "cancel_orders",
    )
    change_form_template = "admin/orders/order/change_form_shipments.html"

    show_full_result_count = False  # one COUNT per page view is enough

    def get_queryset(self, request):
        # A correlated subquery rather than Count("items"): the list's COUNT
        # then needs no join, and only the rows shown are counted.
        lines = (
            OrderItem.objects.filter(order=OuterRef("pk"))
            .order_by()
            .values("order")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return (
            super()
            .get_queryset(request)
            .annotate(item_count=Coalesce(Subquery(lines, output_field=IntegerField()), Value(0)))
        )

    # Orders are placed by checkout and never edited or deleted; "change" here
    # means moving the status, which the `transition` permission guards.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_transition_permission(self, request, obj=None):
        return request.user.has_perm("orders.change_order")

    def has_ship_permission(self, request, obj=None):
        return request.user.has_perm("shipping.add_shipment")

    # Columns and read-only fields ---------------------------------------------------------
    @admin.display(description="Customer")
    def customer(self, obj):
        if obj.user_id is None:
            return "Guest"
        return str(obj.user)

    @admin.display(description="Total", ordering="total")
    def total_display(self, obj):
        return format_money(obj.total, obj.currency)

    @admin.display(description="Items", ordering="item_count")
    def item_count_display(self, obj):
        return obj.item_count

    @admin.display(description="Amounts")
    def amounts(self, obj):
        rows = [
            ("Subtotal", obj.subtotal, ""),
            ("Discount", obj.discount, "− " if obj.discount else ""),
            ("Shipping", obj.shipping, ""),
            ("Tax", obj.tax, ""),
            ("Total", obj.total, ""),
        ]
        if obj.currency == BASE_CURRENCY:
            header = format_html("<tr><th></th><th>{}</th></tr>", obj.currency)
            body = format_html_join(
                "",
                "<tr><th>{}</th><td>{}{}</td></tr>",
                ((label, sign, format_money(amount, obj.currency)) for label, amount, sign in rows),
            )
        else:
            header = format_html(
                "<tr><th></th><th>{}</th><th>{} at the order's rate</th></tr>",
                obj.currency,
                BASE_CURRENCY,
            )
            body = format_html_join(
                "",
                "<tr><th>{}</th><td>{}{}</td><td>{}{}</td></tr>",
                (
                    (
                        label,
                        sign,
                        format_money(amount, obj.currency),
                        sign,
                        format_money(in_base_currency(amount, obj), BASE_CURRENCY),
                    )
                    for label, amount, sign in rows
                ),
            )
        return format_html('<table class="order-amounts">{}{}</table>', header, body)

    @admin.display(description="Exchange rate")
    def exchange_rate_display(self, obj):
        if obj.currency == BASE_CURRENCY:
            return "—"
        return f"1 {BASE_CURRENCY} = {obj.exchange_rate.normalize():f} {obj.currency} (when placed)"

    @admin.display(description="Tax rate")
    def tax_rate_display(self, obj):
        return f"{obj.tax_rate * 100:.2f} %"

    # Status changes: the list's actions --------------------------------------------------
    @admin.action(description="Mark paid", permissions=["transition"])
    def mark_paid(self, request, queryset):
        self._transition_selected(request, queryset, OrderStatus.PAID)

    @admin.action(description="Mark processing", permissions=["transition"])
    def mark_processing(self, request, queryset):
        self._transition_selected(request, queryset, OrderStatus.PROCESSING)

    @admin.action(description="Mark shipped", permissions=["transition"])
    def mark_shipped(self, request, queryset):
        self._transition_selected(request, queryset, OrderStatus.SHIPPED)

    @admin.action(description="Mark delivered", permissions=["transition"])
    def mark_delivered(self, request, queryset):
        self._transition_selected(request, queryset, OrderStatus.DELIVERED)

    @admin.action(description="Mark returned", permissions=["transition"])
    def mark_returned(self, request, queryset):
        self._transition_selected(request, queryset, OrderStatus.RETURNED)

    @admin.action(description="Cancel", permissions=["transition"])
    def cancel_orders(self, request, queryset):
        self._transition_selected(request, queryset, OrderStatus.CANCELLED)

    def _transition_selected(self, request, queryset, target):
        """All selected orders move or none does: one refusal rolls every move
        back. The selected rows are locked together first, in pk order, so the
        stock each move touches is never locked ahead of another order's row
        (a customer's cancel locks its order, then stock)."""
        pks = list(queryset.order_by("pk").values_list("pk", flat=True)[: MAX_BULK_TRANSITION + 1])
        if len(pks) > MAX_BULK_TRANSITION:
            self.message_user(
                request, f"Select at most {MAX_BULK_TRANSITION} orders at a time.", messages.ERROR
            )
            return
        current = None
        try:
            with transaction.atomic():
                orders = list(order_for_update().filter(pk__in=pks))
                for current in orders:
                    order_transition(order=current, target=target, actor=request.user)
        except DomainError as exc:
            where = f"{current.number}: " if current is not None else ""
            self.message_user(
                request, f"Nothing was changed. {where}{error_text(exc)}", messages.ERROR
            )
            return
        label = OrderStatus(target).label.lower()
        numbers = ", ".join(order.number for order in orders)
        self.message_user(request, f"{len(orders)} order(s) now {label}: {numbers}.")

    # Status changes: the order's page ----------------------------------------------------
    def get_urls(self):
        return [
            path(
                "<path:object_id>/receipts/<int:receipt_id>/",
                self.admin_site.admin_view(self.receipt_view),
                name="orders_order_receipt",
            ),
            path(
                "<path:object_id>/refund/",
                self.admin_site.admin_view(self.refund_view),
                name="orders_order_refund",
            ),
            path(
                "<path:object_id>/confirm-payment/",
                self.admin_site.admin_view(self.confirm_payment_view),
                name="orders_order_confirm_payment",
            ),
            path(
                "<path:object_id>/ship/",
                self.admin_site.admin_view(self.create_shipment_view),
                name="orders_order_create_shipment",
            ),
            path(
                "<path:object_id>/status/",
                self.admin_site.admin_view(self.transition_view),
                name="orders_order_transition",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra = dict(extra_context or {})
        order = self.get_object(request, unquote(object_id))
        if order is not None and self.has_transition_permission(request, order):
            labels = dict(OrderStatus.choices)
            extra["next_statuses"] = [
                (status, labels[status]) for status in domain.next_statuses(order.status)
            ]
            extra["transition_url"] = reverse("admin:orders_order_transition", args=[order.pk])
            collectable = {OrderStatus.PENDING, OrderStatus.PROCESSING}
            if order.payment_method == PaymentMethod.COD:
                collectable |= {OrderStatus.SHIPPED, OrderStatus.DELIVERED}
            if order.payment_status != PaymentStatus.PAID and order.status in collectable:
                extra["confirm_payment_url"] = reverse(
                    "admin:orders_order_confirm_payment", args=[order.pk]
                )
                extra["offline_methods"] = [
                    (value, label)
                    for value, label in PaymentMethod.choices
                    if value in OFFLINE_METHODS
                ]
            refundable = (
                Payment.objects.filter(order=order, status="succeeded")
                .values_list("amount", "amount_refunded", "currency")
                .first()
            )
            if refundable and refundable[0] > refundable[1]:
                extra["refund_url"] = reverse("admin:orders_order_refund", args=[order.pk])
                extra["refundable"] = format_money(refundable[0] - refundable[1], refundable[2])
        if (
            order is not None
            and order.status in SHIPPABLE_ORDER_STATUSES
            and self.has_ship_permission(request, order)
        ):
            rows = order_items_to_ship(order=order)
            extra["create_shipment_url"] = reverse(
                "admin:orders_order_create_shipment", args=[order.pk]
            )
            extra["items_to_ship"] = rows if any(row.remaining > 0 for row in rows) else []
            extra["shipping_providers"] = list(provider_list_active())
        return super().change_view(request, object_id, form_url, extra)

    def create_shipment_view(self, request, object_id):
        """A parcel of the quantities typed per item (0 or empty: not in this
        parcel), through `shipment_create`: never more than is left to ship."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_ship_permission(request):
            raise PermissionDenied
        order = self.get_object(request, unquote(object_id))
        if order is None:
            raise Http404("No order with that id.")
        back = HttpResponseRedirect(reverse("admin:orders_order_change", args=[order.pk]))

        def refuse(text):
            self.message_user(request, f"Nothing was changed. {text}", messages.ERROR)
            return back

        items, problems = [], []
        for key, value in request.POST.items():
            if not key.startswith("qty_") or not value.strip():
                continue
            try:
                item_id, quantity = int(key[4:]), int(value)
            except ValueError:
                problems.append(f"{value!r} is not a whole number.")
                continue
            if quantity:
                items.append((item_id, quantity))
        if problems:
            return refuse(" ".join(problems))
        provider_id = request.POST.get("provider", "")
        provider = (
            provider_list_active().filter(pk=int(provider_id)).first()
            if provider_id.isdigit()
            else None
        )
        if provider is None:
            return refuse("Choose an active carrier.")
        raw_date = request.POST.get("estimated_delivery", "").strip()
        try:
            estimated = parse_date(raw_date) if raw_date else None
        except ValueError:
            estimated = None
        if raw_date and estimated is None:
            return refuse(f"{raw_date!r} is not a date (YYYY-MM-DD).")
        try:
            shipment = shipment_create(
                order=order,
                items=items,
                provider=provider,
                tracking_number=request.POST.get("tracking_number", ""),
                estimated_delivery=estimated,
                actor=request.user,
            )
        except DomainError as exc:
            return refuse(error_text(exc))
        units = sum(quantity for _, quantity in items)
        self.message_user(
            request,
            f"Shipment {shipment.pk} created with {provider.name}: {units} unit(s).",
            messages.SUCCESS,
        )
        return back

    def refund_view(self, request, object_id):
        """Refund an amount of the order's payment (card: through the gateway;
        cash or transfer: recorded), optionally restocking all its items."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_transition_permission(request):
            raise PermissionDenied
        order = self.get_object(request, unquote(object_id))
        if order is None:
            raise Http404("No order with that id.")
        restock = request.POST.get("restock") == "on"
        items = (
            [{"order_item_id": item.pk, "quantity": item.quantity} for item in order.items.all()]
            if restock
            else None
        )
        try:
            refund = refund_create(
                order=order,
                actor=request.user,
                reason=request.POST.get("reason", ""),
                amount=None if restock else request.POST.get("amount", ""),
                items=items,
                restock=restock,
            )
        except DomainError as exc:
            self.message_user(request, f"Nothing was refunded. {error_text(exc)}", messages.ERROR)
        else:
            self.message_user(
                request,
                f"Refund {refund.refund_number}: {format_money(refund.amount, refund.currency)} "
                f"({refund.get_status_display().lower()}).",
                messages.SUCCESS,
            )
        return HttpResponseRedirect(reverse("admin:orders_order_change", args=[order.pk]))

    def receipt_view(self, request, object_id, receipt_id):
        """A customer's transfer receipt, for staff who may view the order."""
        order = self.get_object(request, unquote(object_id))
        if order is None or not self.has_view_permission(request, order):
            raise Http404("No such receipt.")
        receipt = TransferReceipt.objects.filter(pk=receipt_id, order=order).first()
        if receipt is None:
            raise Http404("No such receipt.")
        response = FileResponse(receipt.file.open("rb"), content_type=receipt.content_type)
        response["Content-Disposition"] = f'inline; filename="{order.number}-{receipt.pk}"'
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response

    def confirm_payment_view(self, request, object_id):
        """Staff record cash, cash on delivery or a bank transfer as received."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_transition_permission(request):
            raise PermissionDenied
        order = self.get_object(request, unquote(object_id))
        if order is None:
            raise Http404("No order with that id.")
        try:
            payment = payment_confirm_offline(
                order=order,
                method=request.POST.get("method", ""),
                reference=request.POST.get("reference", ""),
                actor=request.user,
            )
        except DomainError as exc:
            self.message_user(request, f"Nothing was changed. {error_text(exc)}", messages.ERROR)
        else:
            self.message_user(
                request,
                f"Payment of {payment.amount} {payment.currency} recorded; "
                f"order {order.number} is paid.",
                messages.SUCCESS,
            )
        return HttpResponseRedirect(reverse("admin:orders_order_change", args=[order.pk]))

    def transition_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_transition_permission(request):
            raise PermissionDenied
        order = self.get_object(request, unquote(object_id))
        if order is None:
            raise Http404("No order with that id.")
        form = OrderTransitionForm(request.POST)
        if not form.is_valid():
            return HttpResponseBadRequest(f"Choose one of: {', '.join(OrderStatus.values)}.")
        target, reason = form.cleaned_data["target"], form.cleaned_data["reason"]
        try:
            if target == OrderStatus.CANCELLED:
                order_cancel(order=order, actor=request.user, reason=reason or STAFF_CANCEL_REASON)
            else:
                order_transition(order=order, target=target, actor=request.user)
        except DomainError as exc:
            self.message_user(request, f"Nothing was changed. {error_text(exc)}", messages.ERROR)
        else:
            label = OrderStatus(target).label.lower()
            self.message_user(request, f"Order {order.number} is now {label}.", messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:orders_order_change", args=[order.pk]))
