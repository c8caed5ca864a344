"""Inventory back office. on_hand changes only through the inventory services
(receive, adjust), each change a ledger movement and an audit row with the
staff member as actor; the ledger and the reservations are read-only here.

"Held" and "available" are read at query time like everywhere else: held =
units of active reservations that have not expired, available = on_hand − held.
"""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import (
    BooleanField,
    Case,
    F,
    Q,
    Value,
    When,
)
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from boutique.core.admin import ReadOnlyAdmin
from boutique.core.errors import DomainError

from . import services
from .forms_admin import StockAdjustForm, StockReceiveForm, StockThresholdForm
from .models import Reservation, Stock, StockMovement
from .selectors import holding_q, stock_levels

MAX_BULK_MOVE = 200


def _error_text(exc: DomainError) -> str:
    fields = "; ".join(f"{k}: {' '.join(map(str, v))}" for k, v in exc.field_errors.items())
    return f"{exc.detail} {fields}".strip()


def _flag(condition: Q):
    return Case(
        When(condition, then=Value(True)), default=Value(False), output_field=BooleanField()
    )


# --- Stock levels -------------------------------------------------------------------
class LowStockFilter(admin.SimpleListFilter):
    title = "low stock (available ≤ threshold)"
    parameter_name = "low"

    def lookups(self, request, model_admin):
        return (("yes", "Low stock"), ("no", "Above the threshold"))

    def queryset(self, request, queryset):
        low = Q(available__lte=F("low_stock_threshold"))
        if self.value() == "yes":
            return queryset.filter(low)
        if self.value() == "no":
            return queryset.exclude(low)
        return queryset


class OutOfStockFilter(admin.SimpleListFilter):
    title = "out of stock (nothing available)"
    parameter_name = "out"

    def lookups(self, request, model_admin):
        return (("yes", "Out of stock"), ("no", "Some available"))

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(available__lte=0)
        if self.value() == "no":
            return queryset.filter(available__gt=0)
        return queryset


@admin.register(Stock)
class StockAdmin(admin.ModelAdmin):
    form = StockThresholdForm
    list_display = (
        "sku",
        "product",
        "variant_label",
        "on_hand",
        "held",
        "available_now",
        "low_stock_threshold",
        "is_low",
    )
    list_filter = (LowStockFilter, OutOfStockFilter)
    search_fields = ("variant__sku", "variant__product__name")
    list_select_related = ("variant__product",)
    ordering = ("variant__sku",)
    fields = (
        "sku",
        "product",
        "variant_label",
        "on_hand",
        "held",
        "available_now",
        "low_stock_threshold",
    )
    readonly_fields = ("sku", "product", "variant_label", "on_hand", "held", "available_now")
    actions = ("receive_stock", "adjust_stock")
    change_form_template = "admin/inventory/stock/change_form.html"

    def get_queryset(self, request):
        return stock_levels().select_related("variant__product")

    def get_list_display(self, request):
        if self.has_change_permission(request):
            return (*self.list_display, "row_buttons")
        return self.list_display

    def has_add_permission(self, request):
        return False  # every variant gets its stock row from the catalog services

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="SKU", ordering="variant__sku")
    def sku(self, obj):
        return obj.variant.sku

    @admin.display(description="Product", ordering="variant__product__name")
    def product(self, obj):
        return obj.variant.product.name

    @admin.display(description="Variant")
    def variant_label(self, obj):
        return obj.variant.label

    @admin.display(description="Held", ordering="held_units")
    def held(self, obj):
        return obj.held_units

    @admin.display(description="Available", ordering="available")
    def available_now(self, obj):
        # Below zero only if on_hand was corrected under live reservations.
        return max(0, obj.available)

    @admin.display(description="Low stock", boolean=True, ordering="low")
    def is_low(self, obj):
        return obj.low

    @admin.display(description="")
    def row_buttons(self, obj):
        return format_html(
            '<a class="button" href="{}">Receive</a>&nbsp;<a class="button" href="{}">Adjust</a>',
            reverse("admin:inventory_stock_receive", args=[obj.pk]),
            reverse("admin:inventory_stock_adjust", args=[obj.pk]),
        )

    # Threshold ------------------------------------------------------------------------
    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except DomainError as exc:
            self.message_user(request, f"Nothing was saved: {_error_text(exc)}", messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def save_model(self, request, obj, form, change):
        if "low_stock_threshold" in form.changed_data:
            services.stock_set_threshold(
                stock=obj, threshold=form.cleaned_data["low_stock_threshold"], actor=request.user
            )

    # Receive and adjust -------------------------------------------------------------
    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/receive/",
                view(self.receive_view),
                name="inventory_stock_receive",
            ),
            path(
                "<path:object_id>/adjust/",
                view(self.adjust_view),
                name="inventory_stock_adjust",
            ),
            *super().get_urls(),
        ]

    def receive_view(self, request, object_id):
        return self._row_move(request, object_id, "receive")

    def adjust_view(self, request, object_id):
        return self._row_move(request, object_id, "adjust")

    def _row_move(self, request, object_id, kind):
        if not self.has_change_permission(request):
            raise PermissionDenied
        stock = self.get_object(request, unquote(object_id))
        if stock is None:
            raise Http404("No stock row with that id.")
        response = self._move_page(request, [stock], kind)
        if response is None:
            return HttpResponseRedirect(reverse("admin:inventory_stock_changelist"))
        return response

    @admin.action(description="Receive stock for selected variants", permissions=["change"])
    def receive_stock(self, request, queryset):
        return self._bulk_move(request, queryset, "receive")

    @admin.action(description="Adjust stock of selected variants", permissions=["change"])
    def adjust_stock(self, request, queryset):
        return self._bulk_move(request, queryset, "adjust")

    def _bulk_move(self, request, queryset, kind):
        stocks = list(queryset.order_by("pk")[: MAX_BULK_MOVE + 1])
        if len(stocks) > MAX_BULK_MOVE:
            self.message_user(
                request, f"Select at most {MAX_BULK_MOVE} variants at a time.", messages.ERROR
            )
            return None
        # None sends Django back to the changelist (with its filters).
        return self._move_page(request, stocks, kind, action=f"{kind}_stock")

    def _move_page(self, request, stocks, kind, *, action=None):
        """The form page; None once the movements were written."""
        form_class = StockReceiveForm if kind == "receive" else StockAdjustForm
        posted = request.method == "POST" and "apply" in request.POST
        form = form_class(request.POST if posted else None, stocks=stocks)
        if posted and form.is_valid() and self._apply(request, stocks, kind, form.cleaned_data):
            return None
        verb = "Receive" if kind == "receive" else "Adjust"
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"{verb} stock",
            "kind": kind,
            "verb": verb,
            "form": form,
            "stocks": stocks,
            "action": action,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/inventory/stock/move.html", context)

    def _apply(self, request, stocks, kind, data) -> bool:
        """All selected variants or none: one refusal rolls every movement back.
        Rows are locked one by one in pk order, the order every stock writer uses."""
        quantity, current = data["quantity"], None
        try:
            with transaction.atomic():
                for stock in sorted(stocks, key=lambda s: s.pk):
                    current = stock
                    if kind == "receive":
                        services.stock_receive(
                            variant=stock.variant,
                            quantity=quantity,
                            note=data["note"],
                            actor=request.user,
                        )
                    else:
                        services.stock_adjust(
                            variant=stock.variant,
                            quantity=quantity,
                            reason=data["reason"],
                            actor=request.user,
                        )
        except DomainError as exc:
            self.message_user(
                request,
                f"Nothing was changed. {current.variant.sku}: {_error_text(exc)}",
                messages.ERROR,
            )
            return False
        skus = ", ".join(s.variant.sku for s in stocks)
        done = f"Received {quantity}" if kind == "receive" else f"Adjusted by {quantity:+d}"
        self.message_user(request, f"{done} unit(s): {skus}.", messages.SUCCESS)
        return True


# --- Ledger ---------------------------------------------------------------------------
@admin.register(StockMovement)
class StockMovementAdmin(ReadOnlyAdmin):
    """The ledger is written only by the stock services; it is never edited."""

    list_display = ("at", "sku", "kind", "signed_quantity", "reference", "actor", "note")
    list_filter = ("kind", ("at", admin.DateFieldListFilter))
    search_fields = ("variant__sku",)
    list_select_related = ("variant", "actor")
    fields = readonly_fields = (
        "at",
        "variant",
        "kind",
        "signed_quantity",
        "reference",
        "actor",
        "note",
    )

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("variant__product", "actor")

    @admin.display(description="SKU", ordering="variant__sku")
    def sku(self, obj):
        return obj.variant.sku

    @admin.display(description="Quantity", ordering="quantity")
    def signed_quantity(self, obj):
        return f"{obj.quantity:+d}"

    @admin.display(description="Reference")
    def reference(self, obj):
        if not obj.reference_type:
            return "—"
        return f"{obj.reference_type} {obj.reference_id}"


# --- Reservations -----------------------------------------------------------------------
class CountingNowFilter(admin.SimpleListFilter):
    title = "counting now (active and not expired)"
    parameter_name = "counting"

    def lookups(self, request, model_admin):
        return (("yes", "Counting now"), ("no", "Not counting"))

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(holding_q())
        if self.value() == "no":
            return queryset.exclude(holding_q())
        return queryset


@admin.register(Reservation)
class ReservationAdmin(ReadOnlyAdmin):
    list_display = (
        "created_at",
        "sku",
        "quantity",
        "holder",
        "state",
        "expires_at",
        "counts_now",
    )
    list_filter = ("state", CountingNowFilter, "holder_type")
    search_fields = ("variant__sku", "holder_id")
    list_select_related = ("variant",)
    fields = readonly_fields = (
        "variant",
        "quantity",
        "holder",
        "state",
        "expires_at",
        "counts_now",
        "actor",
        "created_at",
        "updated_at",
    )
    actions = ("release_selected",)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("variant__product", "actor")
            .annotate(counting=_flag(holding_q()))
        )

    def has_release_permission(self, request):
        return request.user.has_perm("inventory.change_reservation")

    @admin.display(description="SKU", ordering="variant__sku")
    def sku(self, obj):
        return obj.variant.sku

    @admin.display(description="Holder")
    def holder(self, obj):
        return f"{obj.get_holder_type_display()} {obj.holder_id}"

    @admin.display(description="Counts now", boolean=True, ordering="counting")
    def counts_now(self, obj):
        return obj.counting

    @admin.action(description="Release selected reservations", permissions=["release"])
    def release_selected(self, request, queryset):
        released = skipped = 0
        for reservation in queryset.order_by("pk"):
            if services.reservation_release(
                reservation=reservation, actor=request.user, reason="released in the back office"
            ):
                released += 1
            else:
                skipped += 1
        if released:
            self.message_user(request, f"Released {released} reservation(s).", messages.SUCCESS)
        if skipped:
            self.message_user(
                request,
                f"{skipped} reservation(s) were already consumed or released: left as they were.",
                messages.WARNING,
            )


# Issue 13: back-in-stock alerts (boutique/inventory/admin_alerts.py).
from . import admin_alerts  # noqa: E402,F401
