from django.contrib.auth.models import AbstractBaseUser, PermissionsMixin
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from boutique.core.models import TimeStamped

from .domain import age_in_months
from .managers import UserManager


class Role(models.TextChoices):
    CUSTOMER = "customer", "Customer"
    SELLER = "seller", "Seller"
    ADMIN = "admin", "Admin"


class Status(models.TextChoices):
    ACTIVE = "active", "Active"
    INACTIVE = "inactive", "Inactive"
    BANNED = "banned", "Banned"


class User(AbstractBaseUser, PermissionsMixin, TimeStamped):
    """A person who signs in: customer, seller or shop staff.

    Email (stored lower-case), username and phone (E.164) are each unique when
    present; at least one of email and phone is required. `status` is the truth
    about whether the account may sign in; `is_active` mirrors it for Django.
    """

    email = models.EmailField(max_length=254, null=True, blank=True, unique=True)
    phone = models.CharField(max_length=20, null=True, blank=True, unique=True)
    username = models.CharField(max_length=150, null=True, blank=True)  # noqa: DJ001
    first_name = models.CharField(max_length=150, blank=True)
    last_name = models.CharField(max_length=150, blank=True)
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.CUSTOMER)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    is_active = models.BooleanField(default=True, editable=False)
    is_staff = models.BooleanField(default=False)
    is_verified = models.BooleanField(default=False)
    cart_reminders = models.BooleanField(
        default=False,
        help_text="Opted in to one email reminder about items left in the cart.",
    )
    # Emails and messages go out in this language (one of settings.LANGUAGES);
    # set when the customer switches language while signed in.
    preferred_language = models.CharField(max_length=10, blank=True, default="")
    email_verified_at = models.DateTimeField(null=True, blank=True)
    phone_verified_at = models.DateTimeField(null=True, blank=True)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["-date_joined"]
        constraints = [
            models.UniqueConstraint(Lower("username"), name="user_username_ci_unique"),
            models.CheckConstraint(
                condition=Q(email__isnull=False) | Q(phone__isnull=False),
                name="user_email_or_phone",
            ),
            models.CheckConstraint(
                condition=Q(status="active", is_active=True)
                | (~Q(status="active") & Q(is_active=False)),
                name="user_is_active_mirrors_status",
            ),
            models.CheckConstraint(condition=Q(role__in=Role.values), name="user_role_valid"),
        ]

    def __str__(self):
        return self.email or self.phone or self.username or f"user #{self.pk}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_full_name(self) -> str:
        return self.full_name or str(self)

    def get_short_name(self) -> str:
        return self.first_name or str(self)


class AddressType(models.TextChoices):
    SHIPPING = "shipping", "Shipping"
    BILLING = "billing", "Billing"


class Address(TimeStamped):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="addresses")
    type = models.CharField(
        max_length=16, choices=AddressType.choices, default=AddressType.SHIPPING
    )
    full_name = models.CharField(max_length=200)
    phone = models.CharField(max_length=20, blank=True)
    line1 = models.CharField(max_length=255)
    line2 = models.CharField(max_length=255, blank=True)
    city = models.CharField(max_length=120)
    state = models.CharField(max_length=120, blank=True)
    postal_code = models.CharField(max_length=20, blank=True, help_text="Postal code or PIN code.")
    country = models.CharField(
        max_length=2,
        validators=[RegexValidator(r"^[A-Z]{2}$", "Use a two-letter country code, e.g. LB.")],
        help_text="ISO 3166-1 alpha-2 code.",
    )
    is_default = models.BooleanField(default=False)

    class Meta:
        ordering = ["-is_default", "-created_at", "-id"]
        verbose_name_plural = "addresses"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "type"],
                condition=Q(is_default=True),
                name="address_one_default_per_type",
            ),
        ]

    def __str__(self):
        return f"{self.full_name}, {self.line1}, {self.city} ({self.country})"


class Gender(models.TextChoices):
    GIRL = "girl", _("Girl")
    BOY = "boy", _("Boy")
    UNSPECIFIED = "unspecified", _("Prefer not to say")


class Child(TimeStamped):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="children")
    name = models.CharField(max_length=100)
    birth_date = models.DateField()
    gender = models.CharField(max_length=16, choices=Gender.choices, blank=True)
    clothing_size = models.CharField(max_length=20, blank=True)
    shoe_size = models.CharField(max_length=20, blank=True)
    birthday_reminders = models.BooleanField(
        default=False,
        help_text="Opted in to one email two weeks before each birthday, with the next sizes.",
    )

    class Meta:
        ordering = ["birth_date", "id"]
        verbose_name_plural = "children"

    def __str__(self):
        return self.name

    @property
    def age_months(self) -> int:
        return age_in_months(self.birth_date, timezone.localdate())

    def clean(self):
        if self.birth_date and self.birth_date > timezone.localdate():
            raise ValidationError({"birth_date": "The birth date cannot be in the future."})


class OtpPurpose(models.TextChoices):
    LOGIN = "login", "Sign in"
    VERIFY_PHONE = "verify_phone", "Verify phone"
    CONFIRM_ORDER = "confirm_order", "Confirm a cash-on-delivery order"


class OtpCode(models.Model):
    """A one-time code sent by SMS. Only a keyed hash of the code is stored."""

    phone = models.CharField(max_length=20, db_index=True)
    purpose = models.CharField(max_length=16, choices=OtpPurpose.choices)
    code_hash = models.CharField(max_length=128)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    consumed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["phone", "purpose", "-created_at"])]

    def __str__(self):
        return f"OTP for {self.phone} ({self.purpose})"


class ApiToken(models.Model):
    """A revocable bearer token. The secret is shown once; only its SHA-256 is kept."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, blank=True)
    prefix = models.CharField(max_length=12)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.prefix}… ({self.user})"
