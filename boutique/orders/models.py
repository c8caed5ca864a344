from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Round, Upper

from boutique.core.models import TimeStamped
from boutique.core.money import BASE_CURRENCY, CURRENCY_CHOICES

COUNTRY_CODE = RegexValidator(r"^[A-Z]{2}$", "Use a two-letter country code, e.g. LB.")
# LBP amounts run to billions: room for them, two decimal places for USD.
MONEY = {"max_digits": 16, "decimal_places": 2}


def money_field(**kwargs):
    return models.DecimalField(**MONEY, validators=[MinValueValidator(0)], **kwargs)


# --- Reference data staff manage --------------------------------------------------
class TaxRate(TimeStamped):
    """Tax by destination country. Countries without a row use
    settings.DEFAULT_TAX_RATE (6 %)."""

    country = models.CharField(max_length=2, unique=True, validators=[COUNTRY_CODE])
    name = models.CharField(max_length=80, blank=True, help_text="e.g. VAT")
    rate = models.DecimalField(
        max_digits=6,
        decimal_places=4,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text="A fraction: 0.0600 is 6 %.",
    )
    applies_to_shipping = models.BooleanField(default=False)

    class Meta:
        ordering = ["country"]

    def __str__(self):
        return f"{self.country}: {self.rate * 100:.2f} %"


class ExchangeRate(TimeStamped):
    """How many units of `currency` one US dollar buys, from a moment on. The
    newest rate in effect prices checkouts; orders keep the rate they used."""

    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    rate = models.DecimalField(
        max_digits=18, decimal_places=6, validators=[MinValueValidator(Decimal("0.000001"))]
    )
    effective_from = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["currency", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["currency", "effective_from"], name="exchange_rate_one_per_moment"
            ),
            models.CheckConstraint(condition=Q(rate__gt=0), name="exchange_rate_positive"),
        ]

    def __str__(self):
        since = f"{self.effective_from:%Y-%m-%d %H:%M}"
        return f"1 {BASE_CURRENCY} = {self.rate} {self.currency} from {since}"


class ShippingMethod(TimeStamped):
    name = models.CharField(max_length=120)
    provider = models.CharField(max_length=120, blank=True)
    price = money_field()
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES, default=BASE_CURRENCY)
    free_over = models.DecimalField(
        **MONEY,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text="Free when the discounted subtotal reaches this (in the method's currency).",
    )
    countries = models.CharField(
        max_length=500,
        blank=True,
        help_text="Two-letter codes separated by commas (LB, FR). Empty: every country.",
    )
    eta_min_days = models.PositiveSmallIntegerField(default=1)
    eta_max_days = models.PositiveSmallIntegerField(default=3)
    is_active = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "price", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(eta_max_days__gte=F("eta_min_days")), name="shipping_eta_range"
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def country_list(self) -> list[str]:
        return [c.strip().upper() for c in self.countries.split(",") if c.strip()]

    def serves(self, country: str) -> bool:
        codes = self.country_list
        return not codes or (country or "").upper() in codes


# --- Orders --------------------------------------------------------------------------
class OrderStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    PAID = "paid", "Paid"
    PROCESSING = "processing", "Processing"
    SHIPPED = "shipped", "Shipped"
    DELIVERED = "delivered", "Delivered"
    CANCELLED = "cancelled", "Cancelled"
    RETURNED = "returned", "Returned"


class PaymentStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    PAID = "paid", "Paid"
    PARTIALLY_REFUNDED = "partially_refunded", "Partially refunded"
    REFUNDED = "refunded", "Refunded"
    FAILED = "failed", "Failed"


class PaymentMethod(models.TextChoices):
    COD = "cod", "Cash on delivery"
    CASH_USD = "cash_usd", "Cash (USD)"
    CASH_LBP = "cash_lbp", "Cash (LBP)"
    BANK_TRANSFER = "bank_transfer", "Bank transfer"
    CARD = "card", "Card"


class OrderNumberCounter(models.Model):
    """The last order number handed out per year (BQ-2026-000123)."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.year}: {self.last}"


class Order(TimeStamped):
    number = models.CharField(max_length=20, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="orders",
    )
    email = models.EmailField(help_text="The customer's, or the guest's.")
    phone = models.CharField(max_length=20, blank=True)
    status = models.CharField(
        max_length=12, choices=OrderStatus.choices, default=OrderStatus.PENDING, db_index=True
    )
    payment_status = models.CharField(
        max_length=20, choices=PaymentStatus.choices, default=PaymentStatus.PENDING, db_index=True
    )
    payment_method = models.CharField(max_length=16, choices=PaymentMethod.choices)
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES, default=BASE_CURRENCY)
    # The shop's language when the order was placed (a guest's emails use it).
    language = models.CharField(max_length=10, blank=True, default="")
    exchange_rate = models.DecimalField(
        max_digits=18,
        decimal_places=6,
        default=Decimal(1),
        help_text="Units of the order's currency per US dollar when it was placed.",
    )
    subtotal = money_field()
    discount = money_field(default=Decimal(0))
    shipping = money_field(default=Decimal(0))
    tax = money_field(default=Decimal(0))
    total = money_field()
    tax_rate = models.DecimalField(max_digits=6, decimal_places=4, default=Decimal(0))
    prices_include_tax = models.BooleanField(default=False)
    shipping_method = models.ForeignKey(
        ShippingMethod, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    shipping_method_name = models.CharField(max_length=120, blank=True)
    coupon_code = models.CharField(max_length=40, blank=True)
    note = models.CharField(max_length=500, blank=True)
    placed_at = models.DateTimeField()
    pay_by = models.DateTimeField(
        null=True, blank=True, help_text="Unpaid after this, the order expires and frees its stock."
    )
    cod_confirmed_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Cash on delivery: when the customer confirmed the order with a texted code.",
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=200, blank=True)
    idempotency_key = models.CharField(max_length=100, null=True, blank=True, unique=True)
    request_fingerprint = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-placed_at", "-id"]
        indexes = [
            models.Index(fields=["user", "-placed_at"], name="order_user_recent"),
            models.Index(fields=["status", "pay_by"], name="order_status_pay_by"),
            # email__iexact (first-order offers at every quote and checkout, guest
            # lookups) compares UPPER(email): without this it scans every order.
            models.Index(Upper("email"), name="order_email_ci"),
        ]
        constraints = [
            # Rounded to the cents the columns hold: SQLite keeps decimals as
            # floating point, where 0.10 + 0.20 is not exactly 0.30.
            models.CheckConstraint(
                condition=Q(
                    total=Round(F("subtotal") - F("discount") + F("shipping") + F("tax"), 2)
                ),
                name="order_total_adds_up",
            ),
            models.CheckConstraint(
                condition=Q(discount__lte=F("subtotal")), name="order_discount_within_subtotal"
            ),
        ]

    def __str__(self):
        return self.number

    @property
    def email_language(self) -> str:
        """The language its emails are written in: the customer's chosen one,
        else the one the order was placed in ("" = the shop's default)."""
        user = self.user if self.user_id else None
        return (user.preferred_language if user else "") or self.language


class OrderItem(models.Model):
    """What was bought, as it was: names, SKU, options and prices are copies."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey(
        "catalog.Product", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    variant = models.ForeignKey(
        "catalog.Variant", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    seller = models.ForeignKey(
        "marketplace.Seller", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    product_name = models.CharField(max_length=200)
    sku = models.CharField(max_length=64)
    options = models.CharField(max_length=120, blank=True)
    unit_price = money_field()
    quantity = models.PositiveIntegerField()
    line_total = money_field()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="order_item_quantity_gt_0"),
        ]

    def __str__(self):
        return f"{self.quantity} × {self.sku}"


class AddressKind(models.TextChoices):
    SHIPPING = "shipping", "Shipping"
    BILLING = "billing", "Billing"


class OrderAddress(models.Model):
    """A copy of the address at the time of the order: editing the address book
    later never changes it."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="addresses")
    kind = models.CharField(max_length=10, choices=AddressKind.choices)
    full_name = models.CharField(max_length=200)
    phone = models.CharField(max_length=20, blank=True)
    line1 = models.CharField(max_length=255)
    line2 = models.CharField(max_length=255, blank=True)
    city = models.CharField(max_length=120)
    state = models.CharField(max_length=120, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    country = models.CharField(max_length=2, validators=[COUNTRY_CODE])

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["order", "kind"], name="order_address_one_per_kind")
        ]

    def __str__(self):
        return f"{self.kind}: {self.full_name}, {self.city} ({self.country})"
