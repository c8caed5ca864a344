"""Gift registries (issue 13): a customer's list of wanted variants that friends
buy from through a share link; the gifts ship to the registrant's address,
which the buyer never sees."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from boutique.core.models import TimeStamped

MAX_WANTED = 99


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Public: findable by name and title")
    LINK_ONLY = "link_only", _("Link only: whoever has the link")


class RevealBuyers(models.TextChoices):
    AFTER_EVENT = "after_event", _("After the event date")
    ALWAYS = "always", _("Straight away")
    NEVER = "never", _("Never")


class RegistryStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    CLOSED = "closed", _("Closed")


class Registry(TimeStamped):
    """The shipping address is a snapshot of one of the owner's addresses taken
    when it is chosen: editing the address book later does not move gifts
    already on their way, and choosing again takes a new snapshot."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="registries"
    )
    title = models.CharField(max_length=120)
    event_date = models.DateField()
    message = models.TextField(max_length=1000, blank=True)
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.LINK_ONLY
    )
    share_token = models.CharField(max_length=43, unique=True)
    reveal_buyers = models.CharField(
        max_length=12, choices=RevealBuyers.choices, default=RevealBuyers.AFTER_EVENT
    )
    status = models.CharField(
        max_length=8, choices=RegistryStatus.choices, default=RegistryStatus.ACTIVE, db_index=True
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    address = models.ForeignKey(
        "accounts.Address",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The address-book entry the snapshot below was taken from.",
    )
    ship_full_name = models.CharField(max_length=200)
    ship_phone = models.CharField(max_length=20, blank=True)
    ship_line1 = models.CharField(max_length=255)
    ship_line2 = models.CharField(max_length=255, blank=True)
    ship_city = models.CharField(max_length=120)
    ship_state = models.CharField(max_length=120, blank=True)
    ship_postal_code = models.CharField(max_length=20, blank=True)
    ship_country = models.CharField(max_length=2)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "registries"
        indexes = [models.Index(fields=["visibility", "status"], name="registry_public_active")]

    def __str__(self):
        return self.title

    @property
    def is_active(self) -> bool:
        return self.status == RegistryStatus.ACTIVE

    @property
    def shipping_address(self) -> dict:
        """The snapshot as checkout's address dict."""
        return {
            "full_name": self.ship_full_name,
            "phone": self.ship_phone,
            "line1": self.ship_line1,
            "line2": self.ship_line2,
            "city": self.ship_city,
            "state": self.ship_state,
            "postal_code": self.ship_postal_code,
            "country": self.ship_country,
        }


class RegistryItem(TimeStamped):
    registry = models.ForeignKey(Registry, on_delete=models.CASCADE, related_name="items")
    variant = models.ForeignKey("catalog.Variant", on_delete=models.PROTECT, related_name="+")
    wanted_quantity = models.PositiveIntegerField()
    purchased_quantity = models.PositiveIntegerField(default=0)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["registry", "variant"], name="registry_item_unique"),
            models.CheckConstraint(
                condition=Q(wanted_quantity__gte=1, wanted_quantity__lte=MAX_WANTED),
                name="registry_item_wanted_range",
            ),
            models.CheckConstraint(
                condition=Q(purchased_quantity__gte=0)
                & Q(purchased_quantity__lte=F("wanted_quantity")),
                name="registry_item_purchased_within_wanted",
            ),
        ]

    def __str__(self):
        return f"{self.variant_id} × {self.wanted_quantity} ({self.purchased_quantity} bought)"

    @property
    def still_needed(self) -> int:
        return max(self.wanted_quantity - self.purchased_quantity, 0)


class RegistryPurchase(TimeStamped):
    """Units of a registry item bought in one order. Cancelling the order (or
    refunding it in full) sets cancelled_at once and gives the units back."""

    item = models.ForeignKey(RegistryItem, on_delete=models.PROTECT, related_name="purchases")
    order = models.ForeignKey("orders.Order", on_delete=models.CASCADE, related_name="+")
    order_item = models.ForeignKey("orders.OrderItem", on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveIntegerField()
    buyer_name = models.CharField(max_length=200, blank=True)
    buyer_email = models.EmailField()
    gift_message = models.CharField(max_length=500, blank=True)
    ships_to_registry = models.BooleanField(default=False)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="registry_purchase_qty_gt_0"),
            models.UniqueConstraint(fields=["item", "order"], name="registry_purchase_once"),
        ]

    def __str__(self):
        return f"{self.quantity} × item {self.item_id} in order {self.order_id}"


class RegistryCartLine(models.Model):
    """Marks a cart line as a gift for a registry item. Kept beside the cart
    (not a column on CartItem) so the cart app knows nothing of registries;
    deleting the line deletes the mark."""

    cart_item = models.OneToOneField(
        "cart.CartItem", on_delete=models.CASCADE, related_name="registry_line"
    )
    registry_item = models.ForeignKey(RegistryItem, on_delete=models.CASCADE, related_name="+")

    def __str__(self):
        return f"cart line {self.cart_item_id} → registry item {self.registry_item_id}"
