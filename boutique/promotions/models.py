"""Coupons and their redemptions. Expired is derived from `ends_at`, never stored;
`times_used` is a counter the services keep under the coupon's row lock."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Upper
from django.utils import timezone

from boutique.core.models import TimeStamped
from boutique.core.money import BASE_CURRENCY, CURRENCY_CHOICES, format_money

MONEY = {"max_digits": 16, "decimal_places": 2}


class CouponKind(models.TextChoices):
    PERCENTAGE = "percentage", "Percentage off"
    FIXED = "fixed", "Fixed amount off"
    FREE_SHIPPING = "free_shipping", "Free shipping"


VALUE_RULES = (
    Q(kind=CouponKind.PERCENTAGE, value__gt=0, value__lte=100)
    | Q(kind=CouponKind.FIXED, value__gt=0)
    | Q(kind=CouponKind.FREE_SHIPPING, value=0)
)


DUPLICATE_CODE = "A coupon with this code already exists."


class Coupon(TimeStamped):
    code = models.CharField(
        max_length=40, help_text="Stored in capitals; customers may type it in any case."
    )
    description = models.CharField(max_length=255, blank=True)
    kind = models.CharField(max_length=16, choices=CouponKind.choices)
    value = models.DecimalField(
        **MONEY,
        default=Decimal(0),
        help_text="Percent (0–100) for a percentage, an amount in the currency for a "
        "fixed amount, 0 for free shipping.",
    )
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES, default=BASE_CURRENCY)
    min_order_amount = models.DecimalField(
        **MONEY,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text="Minimum subtotal, in the coupon's currency.",
    )
    max_uses = models.PositiveIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1)], help_text="Empty: unlimited."
    )
    max_uses_per_customer = models.PositiveIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1)], help_text="Empty: unlimited."
    )
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    is_active = models.BooleanField(default=True, help_text="Untick to disable the coupon.")
    first_order_only = models.BooleanField(default=False)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="assigned_coupons",
        help_text="Only this customer may use the coupon.",
    )
    is_automatic = models.BooleanField(
        default=False,
        help_text="Applied without a code to checkouts it suits (e.g. a first-order discount).",
    )
    times_used = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                Upper("code"),
                name="coupon_code_unique_ci",
                violation_error_message=DUPLICATE_CODE,
            ),
            models.CheckConstraint(
                condition=VALUE_RULES,
                name="coupon_value_fits_kind",
                violation_error_message="The value does not fit the kind of coupon.",
            ),
            models.CheckConstraint(
                condition=Q(starts_at__isnull=True)
                | Q(ends_at__isnull=True)
                | Q(ends_at__gt=F("starts_at")),
                name="coupon_ends_after_start",
                violation_error_message="The end must come after the start.",
            ),
            models.CheckConstraint(
                condition=Q(max_uses__isnull=True) | Q(max_uses__gte=1),
                name="coupon_max_uses_gte_1",
            ),
            models.CheckConstraint(
                condition=Q(max_uses_per_customer__isnull=True) | Q(max_uses_per_customer__gte=1),
                name="coupon_max_uses_per_customer_gte_1",
            ),
        ]
        indexes = [models.Index(fields=["is_automatic", "is_active"])]

    def __str__(self):
        return self.code

    def clean(self):
        errors = {}
        value = self.value
        if value is not None:
            if self.kind == CouponKind.PERCENTAGE and not (0 < value <= 100):
                errors["value"] = "A percentage is more than 0 and at most 100."
            elif self.kind == CouponKind.FIXED and value <= 0:
                errors["value"] = "A fixed amount is more than 0."
            elif self.kind == CouponKind.FREE_SHIPPING and value != 0:
                errors["value"] = "A free-shipping coupon has the value 0."
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = "The end must come after the start."
        if errors:
            raise ValidationError(errors)

    def validate_constraints(self, exclude=None):
        """The case-insensitive code check reports on the code field."""
        try:
            super().validate_constraints(exclude=exclude)
        except ValidationError as exc:
            errors = exc.update_error_dict({})
            general = errors.get(NON_FIELD_ERRORS, [])
            duplicate = [e for e in general if DUPLICATE_CODE in e.messages]
            if duplicate:
                errors["code"] = duplicate
                errors[NON_FIELD_ERRORS] = [e for e in general if e not in duplicate]
                if not errors[NON_FIELD_ERRORS]:
                    del errors[NON_FIELD_ERRORS]
            raise ValidationError(errors) from exc

    @property
    def is_expired(self) -> bool:
        return self.ends_at is not None and self.ends_at <= timezone.now()

    @property
    def value_label(self) -> str:
        if self.kind == CouponKind.PERCENTAGE:
            return f"{self.value.normalize():f} %"
        if self.kind == CouponKind.FIXED:
            return format_money(self.value, self.currency)
        return "Free shipping"


class CouponRedemption(models.Model):
    """One use of a coupon by one order. A use is given back (returned_at set)
    when the order is cancelled or expires; uses count rows without returned_at."""

    coupon = models.ForeignKey(Coupon, on_delete=models.PROTECT, related_name="redemptions")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="coupon_redemptions",
    )
    email = models.EmailField(help_text="Lower-cased; guests are counted by email.")
    # The order NUMBER (e.g. BQ-2026-000123); the orders app owns the order.
    order_id = models.CharField("order number", max_length=40, db_index=True)
    amount = models.DecimalField(**MONEY, validators=[MinValueValidator(0)])
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES, default=BASE_CURRENCY)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    returned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["coupon", "order_id"], name="coupon_redemption_once_per_order"
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0), name="coupon_redemption_amount_gte_0"
            ),
        ]
        indexes = [
            models.Index(fields=["coupon", "user"]),
            models.Index(fields=["coupon", "email"]),
        ]

    def __str__(self):
        return f"{self.coupon_id} on {self.order_id}"

    @property
    def is_returned(self) -> bool:
        return self.returned_at is not None
