"""Carriers, the parcels sent with them and what happened to each parcel."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from boutique.core.models import TimeStamped


class ShippingProvider(TimeStamped):
    """A carrier (Aramex, a local courier). Its webhooks are signed with
    `webhook_secret` (HMAC-SHA256 of the raw body)."""

    name = models.CharField(max_length=120)
    contact_email = models.EmailField(blank=True)
    contact_phone = models.CharField(max_length=30, blank=True)
    tracking_url_template = models.CharField(
        max_length=500,
        blank=True,
        help_text="The carrier's tracking page, with {tracking_number} where the number goes.",
    )
    webhook_secret = models.CharField(
        max_length=200, blank=True, help_text="Shared secret the carrier signs its webhooks with."
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self):
        return self.name

    def clean(self):
        template = self.tracking_url_template
        if template and "{tracking_number}" not in template:
            raise ValidationError(
                {"tracking_url_template": "Put {tracking_number} where the number goes."}
            )

    def tracking_url(self, tracking_number: str) -> str:
        if not self.tracking_url_template or not tracking_number:
            return ""
        return self.tracking_url_template.replace("{tracking_number}", tracking_number)


class ShipmentStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SHIPPED = "shipped", "Shipped"
    IN_TRANSIT = "in_transit", "In transit"
    OUT_FOR_DELIVERY = "out_for_delivery", "Out for delivery"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Delivery failed"
    RETURNED = "returned", "Returned"


class Shipment(TimeStamped):
    """One parcel: some or all of an order's items, with one carrier."""

    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="shipments")
    provider = models.ForeignKey(
        ShippingProvider, on_delete=models.PROTECT, related_name="shipments"
    )
    tracking_number = models.CharField(max_length=100, blank=True, db_index=True)
    status = models.CharField(
        max_length=20, choices=ShipmentStatus.choices, default=ShipmentStatus.PENDING
    )
    estimated_delivery = models.DateField(null=True, blank=True)
    shipped_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"Shipment {self.pk} of {self.order_id} ({self.status})"

    @property
    def tracking_url(self) -> str:
        return self.provider.tracking_url(self.tracking_number)


class ShipmentItem(models.Model):
    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="items")
    order_item = models.ForeignKey(
        "orders.OrderItem", on_delete=models.PROTECT, related_name="shipment_items"
    )
    quantity = models.PositiveIntegerField(validators=[MinValueValidator(1)])

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="shipment_item_quantity_gt_0"),
            models.UniqueConstraint(
                fields=["shipment", "order_item"], name="shipment_item_once_per_shipment"
            ),
        ]

    def __str__(self):
        return f"{self.quantity} × item {self.order_item_id}"


class TrackingKind(models.TextChoices):
    ORDER_RECEIVED = "order_received", "Order received"
    PACKED = "packed", "Packed"
    SHIPPED = "shipped", "Shipped"
    IN_TRANSIT = "in_transit", "In transit"
    OUT_FOR_DELIVERY = "out_for_delivery", "Out for delivery"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Delivery failed"
    RETURNED = "returned", "Returned"


class EventSource(models.TextChoices):
    STAFF = "staff", "Staff"
    CARRIER = "carrier", "Carrier"


class TrackingEvent(models.Model):
    """A milestone of a shipment. `external_id` is the carrier's event id: one
    carrier event is one row at most."""

    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="events")
    provider = models.ForeignKey(ShippingProvider, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=TrackingKind.choices)
    location = models.CharField(max_length=200, blank=True)
    remarks = models.CharField(max_length=500, blank=True)
    at = models.DateTimeField()
    source = models.CharField(max_length=10, choices=EventSource.choices)
    external_id = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "external_id"],
                condition=~Q(external_id=""),
                name="tracking_event_external_id_once",
            ),
            models.UniqueConstraint(
                fields=["shipment", "kind"], name="tracking_event_kind_once_per_shipment"
            ),
        ]

    def __str__(self):
        return f"{self.kind} at {self.at:%Y-%m-%d %H:%M}"


class CarrierEvent(models.Model):
    """A carrier's webhook delivery, stored once per (provider, event id) so a
    replay is never applied twice. `processed_at` stays empty (with the reason
    in `error`) while the event cannot be applied yet."""

    provider = models.ForeignKey(
        ShippingProvider, on_delete=models.PROTECT, related_name="carrier_events"
    )
    event_id = models.CharField(max_length=100)
    payload = models.JSONField(default=dict)
    received_at = models.DateTimeField(auto_now_add=True, db_index=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "event_id"], name="carrier_event_once_per_provider"
            )
        ]

    def __str__(self):
        return f"{self.provider_id}:{self.event_id}"
