import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from boutique.core.models import TimeStamped
from boutique.core.money import BASE_CURRENCY, CURRENCY_CHOICES

MAX_LINE_QUANTITY = 999


class CartStatus(models.TextChoices):
    OPEN = "open", "Open"
    MERGED = "merged", "Merged into a customer's cart"
    CONVERTED = "converted", "Turned into an order"


class Cart(TimeStamped):
    """A customer's cart (one open cart per user) or a guest's, found by its
    token (kept in the session, or sent as X-Cart-Token by API clients)."""

    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="carts",
    )
    status = models.CharField(max_length=10, choices=CartStatus.choices, default=CartStatus.OPEN)
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES, default=BASE_CURRENCY)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reminded_at = models.DateTimeField(
        null=True, blank=True, help_text="When the one abandoned-cart reminder went out."
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(status="open", user__isnull=False),
                name="cart_one_open_per_user",
            )
        ]

    def __str__(self):
        owner = f"user {self.user_id}" if self.user_id else "guest"
        return f"Cart {self.pk} ({owner}, {self.status})"


class CartItem(TimeStamped):
    """A line: the unit price is a snapshot taken when it was added, so the cart
    can tell the customer when the price has changed since."""

    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="items")
    variant = models.ForeignKey("catalog.Variant", on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveIntegerField()
    unit_price = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES, default=BASE_CURRENCY)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["cart", "variant"], name="cart_item_one_per_variant"),
            models.CheckConstraint(
                condition=Q(quantity__gt=0, quantity__lte=MAX_LINE_QUANTITY),
                name="cart_item_quantity_range",
            ),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="cart_item_price_gte_0"),
        ]

    def __str__(self):
        return f"{self.quantity} × variant {self.variant_id}"


class WishlistItem(models.Model):
    """A product (or one variant of it) a signed-in customer keeps for later."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="wishlist_items"
    )
    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="+")
    variant = models.ForeignKey(
        "catalog.Variant", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "product"],
                condition=Q(variant__isnull=True),
                name="wishlist_one_per_product",
            ),
            models.UniqueConstraint(
                fields=["user", "variant"],
                condition=Q(variant__isnull=False),
                name="wishlist_one_per_variant",
            ),
        ]

    def __str__(self):
        return f"Wishlist {self.user_id}: product {self.product_id} / {self.variant_id}"
