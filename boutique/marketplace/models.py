from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Round

from boutique.catalog.validators import validate_image_file
from boutique.core.models import TimeStamped
from boutique.core.money import BASE_CURRENCY, CURRENCY_CHOICES


class SellerStatus(models.TextChoices):
    PENDING = "pending", "Pending approval"
    ACTIVE = "active", "Active"
    SUSPENDED = "suspended", "Suspended"
    REJECTED = "rejected", "Rejected"
    CLOSED = "closed", "Closed"


class PayoutMethod(models.TextChoices):
    BANK_TRANSFER = "bank_transfer", "Bank transfer"
    MOBILE_WALLET = "mobile_wallet", "Mobile wallet (OMT, Whish)"
    CASH = "cash", "Cash pick-up at the shop"


def _rate_field(**kwargs):
    return models.DecimalField(
        max_digits=5,
        decimal_places=4,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(1))],
        **kwargs,
    )


class Seller(TimeStamped):
    """An independent seller's store. A user applies from the storefront (pending),
    staff approve (active) or reject it; staff may suspend and reactivate it and
    the seller may close it. Only active sellers' products are shown anywhere."""

    owner = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="seller"
    )
    store_name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=140, unique=True)
    description = models.TextField(blank=True)
    logo = models.ImageField(upload_to="sellers/", blank=True, validators=[validate_image_file])
    contact_email = models.EmailField(blank=True)
    contact_phone = models.CharField(max_length=20, blank=True)
    payout_method = models.CharField(
        max_length=16, choices=PayoutMethod.choices, default=PayoutMethod.BANK_TRANSFER
    )
    payout_account_name = models.CharField(max_length=120, blank=True)
    payout_account = models.CharField(
        max_length=64, blank=True, help_text="IBAN or account number, or the wallet's phone."
    )
    status = models.CharField(
        max_length=16, choices=SellerStatus.choices, default=SellerStatus.PENDING, db_index=True
    )
    status_reason = models.CharField(
        max_length=500, blank=True, help_text="Why it was rejected, suspended or closed."
    )
    commission_rate = _rate_field(
        null=True,
        blank=True,
        help_text="The shop's share of each sale, 0–1 (0.15 = 15 %). Empty: the default.",
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["store_name"]

    def __str__(self):
        return self.store_name

    @property
    def is_active(self) -> bool:
        return self.status == SellerStatus.ACTIVE

    @property
    def effective_commission_rate(self) -> Decimal:
        if self.commission_rate is not None:
            return self.commission_rate
        return Decimal(str(settings.MARKETPLACE_COMMISSION_RATE))


class PayoutStatus(models.TextChoices):
    PENDING = "pending", "To pay"
    PAID = "paid", "Paid"


class Payout(TimeStamped):
    """What the shop owes a seller for a period, in the base currency: items
    delivered in the period (gross), less the shop's commission on them, less
    refunds given on the seller's items that no earlier payout deducted."""

    seller = models.ForeignKey(Seller, on_delete=models.PROTECT, related_name="payouts")
    period_start = models.DateField()
    period_end = models.DateField()
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES, default=BASE_CURRENCY)
    gross_amount = models.DecimalField(max_digits=12, decimal_places=2)
    commission_amount = models.DecimalField(max_digits=12, decimal_places=2)
    refunds_amount = models.DecimalField(max_digits=12, decimal_places=2)
    net_amount = models.DecimalField(max_digits=12, decimal_places=2)
    status = models.CharField(
        max_length=8, choices=PayoutStatus.choices, default=PayoutStatus.PENDING, db_index=True
    )
    paid_at = models.DateTimeField(null=True, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reference = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["-period_end", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="payout_period_ordered"
            ),
            models.CheckConstraint(
                # Rounded to the cents the columns hold (SQLite computes in floats).
                condition=Q(
                    net_amount=Round(
                        F("gross_amount") - F("commission_amount") - F("refunds_amount"), 2
                    )
                ),
                name="payout_net_adds_up",
            ),
            models.CheckConstraint(
                condition=Q(status=PayoutStatus.PENDING) | ~Q(reference=""),
                name="payout_paid_has_reference",
            ),
        ]

    def __str__(self):
        return f"Payout {self.pk} to {self.seller_id}: {self.net_amount} {self.currency}"


class PayoutItem(models.Model):
    """An order item paid out: the unique order_item makes "at most once" a
    database fact, whatever runs concurrently."""

    payout = models.ForeignKey(Payout, on_delete=models.CASCADE, related_name="items")
    order_item = models.OneToOneField(
        "orders.OrderItem", on_delete=models.PROTECT, related_name="payout_item"
    )
    gross_amount = models.DecimalField(max_digits=12, decimal_places=2)
    commission_rate = _rate_field()
    commission_amount = models.DecimalField(max_digits=12, decimal_places=2)
    delivered_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.order_item_id} in payout {self.payout_id}"


class PayoutRefund(models.Model):
    """A refund given on a seller's item, deducted once from a payout."""

    payout = models.ForeignKey(Payout, on_delete=models.CASCADE, related_name="refunds")
    refund = models.ForeignKey("payments.Refund", on_delete=models.PROTECT, related_name="+")
    order_item = models.ForeignKey("orders.OrderItem", on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["refund", "order_item"], name="payout_refund_deducted_once"
            ),
        ]

    def __str__(self):
        return f"Refund {self.refund_id} item {self.order_item_id}: {self.amount}"
