from django.conf import settings
from django.db import models
from django.db.models import Q

from boutique.core.models import TimeStamped


class Stock(TimeStamped):
    """On-hand units of one variant. Changed only by inventory services, each
    change written as one StockMovement in the same transaction."""

    variant = models.OneToOneField(
        "catalog.Variant", on_delete=models.CASCADE, related_name="stock", primary_key=True
    )
    on_hand = models.PositiveIntegerField(default=0)
    low_stock_threshold = models.PositiveIntegerField(default=3)

    class Meta:
        verbose_name = "stock level"
        constraints = [
            models.CheckConstraint(condition=Q(on_hand__gte=0), name="stock_on_hand_gte_0")
        ]

    def __str__(self):
        return f"{self.variant_id}: {self.on_hand}"


class MovementKind(models.TextChoices):
    IN = "in", "Received"
    OUT = "out", "Sold / shipped"
    ADJUSTMENT = "adjustment", "Adjustment"
    RETURN = "return", "Returned"


class StockMovement(models.Model):
    """The ledger: on_hand always equals the sum of a variant's movements."""

    variant = models.ForeignKey(
        "catalog.Variant", on_delete=models.CASCADE, related_name="stock_movements"
    )
    kind = models.CharField(max_length=16, choices=MovementKind.choices)
    quantity = models.IntegerField(help_text="Signed: positive adds stock, negative removes it.")
    reference_type = models.CharField(max_length=40, blank=True)
    reference_id = models.CharField(max_length=64, blank=True)
    note = models.CharField(max_length=255, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["variant", "-at"])]
        constraints = [models.CheckConstraint(condition=~Q(quantity=0), name="movement_not_zero")]

    def __str__(self):
        return f"{self.kind} {self.quantity:+d} of variant {self.variant_id}"


class ReservationState(models.TextChoices):
    ACTIVE = "active", "Active"
    CONSUMED = "consumed", "Consumed"
    RELEASED = "released", "Released"


class HolderType(models.TextChoices):
    CART = "cart", "Cart"
    ORDER = "order", "Order"


class Reservation(TimeStamped):
    """Units of a variant held for a cart or an order until `expires_at`.
    Available = on_hand − active reservations that have not expired: an expired
    one stops counting at once, and a periodic job later marks it released."""

    variant = models.ForeignKey(
        "catalog.Variant", on_delete=models.CASCADE, related_name="reservations"
    )
    quantity = models.PositiveIntegerField()
    holder_type = models.CharField(max_length=8, choices=HolderType.choices)
    holder_id = models.CharField(max_length=64)
    state = models.CharField(
        max_length=10, choices=ReservationState.choices, default=ReservationState.ACTIVE
    )
    expires_at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # "Active and not expired" for one variant: the availability sum.
            models.Index(
                fields=["variant", "expires_at"],
                condition=Q(state="active"),
                name="reservation_active_variant",
            ),
            models.Index(fields=["holder_type", "holder_id"], name="reservation_holder"),
            models.Index(
                fields=["expires_at"], condition=Q(state="active"), name="reservation_active_expiry"
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="reservation_quantity_gt_0"),
        ]

    def __str__(self):
        holder = f"{self.holder_type} {self.holder_id}"
        return f"{self.quantity} × variant {self.variant_id} for {holder}"


class StockAlertStatus(models.TextChoices):
    ACTIVE = "active", "Waiting"
    NOTIFIED = "notified", "Notified"
    CANCELLED = "cancelled", "Cancelled"


class StockAlert(TimeStamped):
    """A "tell me when it is back" request: a customer or a guest (by email) waiting for
    a sold-out variant. When stock comes back the subscriber gets one message
    and the alert ends (active → notified, one conditional update)."""

    variant = models.ForeignKey(
        "catalog.Variant", on_delete=models.CASCADE, related_name="stock_alerts"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="stock_alerts",
    )
    email = models.EmailField(help_text="Lower-cased.")
    status = models.CharField(
        max_length=10, choices=StockAlertStatus.choices, default=StockAlertStatus.ACTIVE
    )
    notified_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["variant", "id"], condition=Q(status="active"), name="stock_alert_waiting"
            ),
            models.Index(fields=["email", "status"], name="stock_alert_email"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["variant", "email"],
                condition=Q(status="active"),
                name="stock_alert_one_active",
            ),
        ]

    def __str__(self):
        return f"{self.email} waits for variant {self.variant_id} ({self.status})"
