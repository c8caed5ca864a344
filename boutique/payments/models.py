import os
from decimal import Decimal

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import F, Q

from boutique.core.models import TimeStamped
from boutique.core.money import CURRENCY_CHOICES
from boutique.orders.models import MONEY, PaymentMethod


class PaymentState(models.TextChoices):
    PENDING = "pending", "Pending"
    REQUIRES_ACTION = "requires_action", "Requires action"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


class Payment(TimeStamped):
    """Money received (or being received) for an order. Card payments keep only
    what the gateway gives back: brand, last four digits, expiry and its token.
    Never a card number or a CVV."""

    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="payments")
    method = models.CharField(max_length=16, choices=PaymentMethod.choices)
    provider = models.CharField(max_length=20, help_text="test, stripe, or offline (staff).")
    amount = models.DecimalField(**MONEY)
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    exchange_rate = models.DecimalField(max_digits=18, decimal_places=6, default=Decimal(1))
    status = models.CharField(
        max_length=16, choices=PaymentState.choices, default=PaymentState.PENDING
    )
    transaction_ref = models.CharField(max_length=100, blank=True)
    card_brand = models.CharField(max_length=20, blank=True)
    card_last4 = models.CharField(max_length=4, blank=True)
    card_exp_month = models.PositiveSmallIntegerField(null=True, blank=True)
    card_exp_year = models.PositiveSmallIntegerField(null=True, blank=True)
    card_token = models.CharField(max_length=100, blank=True)
    bank_reference = models.CharField(max_length=100, blank=True)
    amount_refunded = models.DecimalField(**MONEY, default=Decimal(0))
    error_code = models.CharField(max_length=60, blank=True)
    error_message = models.CharField(max_length=255, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    succeeded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "transaction_ref"],
                condition=~Q(transaction_ref=""),
                name="payment_ref_unique_per_provider",
            ),
            # The last line against a double capture: one successful payment per order.
            models.UniqueConstraint(
                fields=["order"],
                condition=Q(status="succeeded"),
                name="payment_one_success_per_order",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(
                condition=Q(amount_refunded__gte=0, amount_refunded__lte=F("amount")),
                name="payment_refunds_within_amount",
            ),
        ]

    def __str__(self):
        return f"{self.method} {self.amount} {self.currency} ({self.status})"

    @property
    def refundable(self) -> Decimal:
        return self.amount - self.amount_refunded


class AttemptOutcome(models.TextChoices):
    PENDING = "pending", "Pending"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    REQUIRES_ACTION = "requires_action", "Requires action"
    ERROR = "error", "Gateway error"


class PaymentAttempt(models.Model):
    """One try at paying, keyed by the client's idempotency key: a retried
    request with the same key is answered with this attempt's outcome."""

    order = models.ForeignKey("orders.Order", on_delete=models.CASCADE, related_name="+")
    payment = models.ForeignKey(
        Payment, null=True, blank=True, on_delete=models.SET_NULL, related_name="attempts"
    )
    idempotency_key = models.CharField(max_length=100, unique=True)
    method = models.CharField(max_length=16, choices=PaymentMethod.choices)
    outcome = models.CharField(
        max_length=16, choices=AttemptOutcome.choices, default=AttemptOutcome.PENDING
    )
    error_code = models.CharField(max_length=60, blank=True)
    error_message = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.idempotency_key}: {self.outcome}"


class WebhookEvent(models.Model):
    """A gateway's notification, stored once (provider + event id) and processed
    idempotently."""

    provider = models.CharField(max_length=20)
    event_id = models.CharField(max_length=100)
    type = models.CharField(max_length=80)
    payload = models.JSONField()
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "event_id"], name="webhook_event_once")
        ]

    def __str__(self):
        return f"{self.provider} {self.type} {self.event_id}"


class RefundState(models.TextChoices):
    PENDING = "pending", "Pending"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class RefundNumberCounter(models.Model):
    """The last refund number handed out per year (RF-2026-000001)."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.year}: {self.last}"


class Refund(TimeStamped):
    """Money given back on a payment: by amount, or by items (a list of
    {order_item_id, quantity}, priced at what was paid for them). Card refunds
    go through the gateway; cash and bank refunds are recorded by staff. The
    amount is reserved on the payment (amount_refunded) before the gateway is
    called and given back if the refund fails."""

    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="refunds")
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    refund_number = models.CharField(max_length=20, unique=True)
    amount = models.DecimalField(**MONEY)
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    reason = models.CharField(max_length=255)
    items = models.JSONField(default=list, blank=True)
    restock = models.BooleanField(default=False)
    status = models.CharField(
        max_length=16, choices=RefundState.choices, default=RefundState.PENDING
    )
    provider_ref = models.CharField(max_length=100, blank=True)
    error = models.CharField(max_length=255, blank=True)
    idempotency_key = models.CharField(max_length=100, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_positive"),
            models.UniqueConstraint(
                fields=["idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="refund_idempotency_key_unique",
            ),
        ]

    def __str__(self):
        return f"{self.refund_number} {self.amount} {self.currency} ({self.status})"


class PrivateStorage(FileSystemStorage):
    """Files only staff may read: under PRIVATE_MEDIA_ROOT (read when used), outside
    MEDIA_ROOT, never served by URL."""

    @property
    def base_location(self):
        return str(settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    @property
    def base_url(self):
        return None


def private_storage():
    return PrivateStorage()


class TransferReceipt(models.Model):
    """A customer's proof of a bank transfer (photo or PDF), stored privately for
    staff to check before confirming the payment."""

    order = models.ForeignKey(
        "orders.Order", on_delete=models.CASCADE, related_name="transfer_receipts"
    )
    file = models.FileField(upload_to="receipts/%Y/%m/", storage=private_storage)
    original_name = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at", "-id"]

    def __str__(self):
        return f"Receipt for {self.order_id} ({self.content_type})"


class TestGatewayCharge(models.Model):
    """What the offline test gateway charged, per idempotency key: its own
    ledger, standing in for the gateway's records. It is written in its own
    committed statement before the charge call returns, so a shop worker killed
    after the charge still leaves the charge findable (`TestGateway.retrieve`),
    and a worker killed before it leaves nothing (never charged). Holds only the
    test token (brand, last four, expiry, the outcome it stands for)."""

    __test__ = False  # not a pytest test class

    idempotency_key = models.CharField(max_length=100, unique=True)
    token = models.CharField(max_length=100)
    status = models.CharField(max_length=16)
    transaction_ref = models.CharField(max_length=100)
    amount = models.DecimalField(**MONEY)
    currency = models.CharField(max_length=3)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.idempotency_key}: {self.status}"
