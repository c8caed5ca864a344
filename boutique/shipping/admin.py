"""Shipping back office: carriers, and the parcels sent with them.

Shipments are created from the order's page (orders.admin) and move only
through the services: the "Add tracking event" form on a shipment's page and
the "Mark shipped" action call `tracking_event_add` / `tracking_event_apply`
with the staff member as actor, so the order's status, the customer's email
and the audit rows follow. Nothing here edits a shipment's fields directly.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html

from boutique.core.errors import Conflict, DomainError

from .models import (
    EventSource,
    Shipment,
    ShipmentItem,
    ShipmentStatus,
    ShippingProvider,
    TrackingEvent,
    TrackingKind,
)
from .services import tracking_event_add, tracking_event_apply
from .services_providers import PROVIDER_FIELDS, shipping_provider_save

MAX_BULK_SHIP = 100


def error_text(exc: DomainError) -> str:
    fields = "; ".join(f"{k}: {' '.join(map(str, v))}" for k, v in exc.field_errors.items())
    return f"{exc.detail} {fields}".strip()


# --- Carriers -----------------------------------------------------------------------------
class ShippingProviderForm(forms.ModelForm):
    """The webhook secret is write-only: never shown back, left as it is when
    the field is empty, replaced when something is typed."""

    webhook_secret = forms.CharField(
        required=False,
        strip=True,
        max_length=200,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="Shared secret the carrier signs its webhooks with. "
        "Leave empty to keep the current one.",
    )

    class Meta:
        model = ShippingProvider
        fields = (
            "name",
            "contact_email",
            "contact_phone",
            "tracking_url_template",
            "webhook_secret",
            "is_active",
        )

    def clean_webhook_secret(self):
        typed = self.cleaned_data.get("webhook_secret") or ""
        if not typed and self.instance.pk:
            return ShippingProvider.objects.values_list("webhook_secret", flat=True).get(
                pk=self.instance.pk
            )
        return typed


@admin.register(ShippingProvider)
class ShippingProviderAdmin(admin.ModelAdmin):
    form = ShippingProviderForm
    list_display = (
        "name",
        "contact_email",
        "contact_phone",
        "tracking_url_template",
        "is_active",
        "has_secret",
    )
    list_filter = ("is_active",)
    search_fields = ("name", "contact_email")
    readonly_fields = ("secret_status",)

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        if "secret_status" in fields:
            fields.remove("secret_status")
        if obj is not None:
            fields.insert(fields.index("webhook_secret"), "secret_status")
        return fields

    def has_delete_permission(self, request, obj=None):
        return False  # shipments keep their carrier; set it inactive instead

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except DomainError as exc:  # the view's transaction has rolled back
            self.message_user(request, f"Nothing was saved: {error_text(exc)}", messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def save_model(self, request, obj, form, change):
        """Through the service (audited, secret redacted); Django's view goes
        on with `obj`, so it takes what the service wrote."""
        fields = {name: form.cleaned_data[name] for name in PROVIDER_FIELDS}
        saved = shipping_provider_save(
            provider=obj if change else None, actor=request.user, **fields
        )
        obj.__dict__.update({k: v for k, v in saved.__dict__.items() if k != "_state"})
        obj._state.adding = False
        obj._state.db = saved._state.db

    @admin.display(description="Webhook secret", boolean=True)
    def has_secret(self, obj):
        return bool(obj.webhook_secret)

    @admin.display(description="Current webhook secret")
    def secret_status(self, obj):
        if not obj.webhook_secret:
            return "Not set"
        return f"Set (ends …{obj.webhook_secret[-2:]})" if len(obj.webhook_secret) > 8 else "Set"


# --- Shipments ----------------------------------------------------------------------------
class ShipmentPartInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ShipmentItemInline(ShipmentPartInline):
    model = ShipmentItem
    fields = readonly_fields = ("product_name", "sku", "ordered", "quantity")
    verbose_name_plural = "Items in this parcel"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("order_item")

    @admin.display(description="Product")
    def product_name(self, obj):
        return obj.order_item.product_name

    @admin.display(description="SKU")
    def sku(self, obj):
        return obj.order_item.sku

    @admin.display(description="Ordered")
    def ordered(self, obj):
        return obj.order_item.quantity


class TrackingEventInline(ShipmentPartInline):
    model = TrackingEvent
    fields = readonly_fields = ("at", "kind", "location", "remarks", "source", "external_id")
    verbose_name_plural = "Tracking events"


class TrackingEventForm(forms.Form):
    kind = forms.ChoiceField(choices=TrackingKind.choices)
    location = forms.CharField(max_length=200, required=False, strip=True)
    remarks = forms.CharField(max_length=500, required=False, strip=True)


@admin.register(Shipment)
class ShipmentAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "order_link",
        "provider",
        "tracking_number",
        "status",
        "estimated_delivery",
        "shipped_at",
    )
    list_filter = (
        "status",
        "provider",
        ("shipped_at", admin.DateFieldListFilter),
        ("created_at", admin.DateFieldListFilter),
    )
    search_fields = ("tracking_number", "order__number")
    list_select_related = ("order", "provider")
    ordering = ("-created_at", "-id")
    show_full_result_count = False
    fields = readonly_fields = (
        "order_link",
        "provider",
        "tracking_number",
        "tracking_link",
        "status",
        "estimated_delivery",
        "shipped_at",
        "delivered_at",
        "created_by",
        "created_at",
        "updated_at",
    )
    inlines = (ShipmentItemInline, TrackingEventInline)
    actions = ("mark_shipped",)
    change_form_template = "admin/shipping/shipment/change_form.html"

    # Created from the order's page, moved by tracking events; never edited here.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_track_permission(self, request, obj=None):
        return request.user.has_perm("shipping.change_shipment")

    @admin.display(description="Order", ordering="order__number")
    def order_link(self, obj):
        url = reverse("admin:orders_order_change", args=[obj.order_id])
        return format_html('<a href="{}">{}</a>', url, obj.order.number)

    @admin.display(description="Tracking page")
    def tracking_link(self, obj):
        url = obj.tracking_url
        return format_html('<a href="{}" rel="noopener">{}</a>', url, url) if url else "—"

    # Mark shipped: all selected or none ----------------------------------------------------
    @admin.action(description="Mark shipped", permissions=["track"])
    def mark_shipped(self, request, queryset):
        """A `shipped` event on every selected parcel, in one transaction: if
        any of them cannot be shipped (already shipped, failed, returned, or
        its order cannot ship), every one is rolled back. Parcels are taken in
        (order, pk) order so the order-then-shipment locks never cross."""
        rows = list(
            queryset.order_by("order_id", "pk").values_list("pk", "order_id")[: MAX_BULK_SHIP + 1]
        )
        if len(rows) > MAX_BULK_SHIP:
            self.message_user(
                request, f"Select at most {MAX_BULK_SHIP} shipments at a time.", messages.ERROR
            )
            return
        shipped = []
        try:
            with transaction.atomic(durable=True):
                for pk, order_id in rows:
                    shipment = Shipment(pk=pk, order_id=order_id)
                    event = tracking_event_apply(
                        shipment=shipment,
                        kind=TrackingKind.SHIPPED,
                        actor=request.user,
                        source=EventSource.STAFF,
                    )
                    if event is None:
                        status = Shipment.objects.values_list("status", flat=True).get(pk=pk)
                        label = ShipmentStatus(status).label.lower()
                        raise Conflict(f"Shipment {pk} is {label}; it cannot be marked shipped.")
                    shipped.append(f"#{pk}")
        except DomainError as exc:
            self.message_user(request, f"Nothing was changed. {error_text(exc)}", messages.ERROR)
            return
        self.message_user(
            request, f"{len(shipped)} shipment(s) marked shipped: {', '.join(shipped)}."
        )

    # Add a tracking event: the shipment's page ---------------------------------------------
    def get_urls(self):
        return [
            path(
                "<path:object_id>/event/",
                self.admin_site.admin_view(self.add_event_view),
                name="shipping_shipment_add_event",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra = dict(extra_context or {})
        if self.has_track_permission(request):
            extra["add_event_url"] = reverse(
                "admin:shipping_shipment_add_event", args=[unquote(object_id)]
            )
            extra["event_kinds"] = TrackingKind.choices
        return super().change_view(request, object_id, form_url, extra)

    def add_event_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_track_permission(request):
            raise PermissionDenied
        shipment = self.get_object(request, unquote(object_id))
        if shipment is None:
            raise Http404("No shipment with that id.")
        back = HttpResponseRedirect(reverse("admin:shipping_shipment_change", args=[shipment.pk]))
        form = TrackingEventForm(request.POST)
        if not form.is_valid():
            problems = "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items())
            self.message_user(request, f"Nothing was changed. {problems}", messages.ERROR)
            return back
        try:
            event = tracking_event_add(
                shipment=shipment,
                kind=form.cleaned_data["kind"],
                location=form.cleaned_data["location"],
                remarks=form.cleaned_data["remarks"],
                actor=request.user,
            )
        except DomainError as exc:
            self.message_user(request, f"Nothing was changed. {error_text(exc)}", messages.ERROR)
            return back
        if event is None:
            self.message_user(
                request,
                "Nothing was changed: that event is a duplicate or comes after a later one "
                f"(the shipment is {shipment.get_status_display().lower()}).",
                messages.WARNING,
            )
        else:
            self.message_user(
                request, f"{event.get_kind_display()} recorded for shipment {shipment.pk}."
            )
        return back
