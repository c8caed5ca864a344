"""Every read of carts and wishlists. A cart view costs a fixed number of
queries whatever its number of lines."""

import uuid
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Sum

from boutique.catalog.selectors import active_variant_rows, primary_images_for, purchasable_ids
from boutique.core.money import BASE_CURRENCY, quantize
from boutique.inventory.models import HolderType
from boutique.inventory.selectors import available_map

from .models import Cart, CartItem, CartStatus, WishlistItem


def parse_token(value) -> uuid.UUID | None:
    """A cart token from a header, cookie or session; None when malformed."""
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value).strip())
    except (TypeError, ValueError, AttributeError):
        return None


def cart_find(*, user=None, token=None) -> Cart | None:
    """The open cart of a signed-in user, else the open guest cart with this
    token. A token never opens another customer's cart."""
    if user is not None and user.is_authenticated:
        return Cart.objects.filter(user=user, status=CartStatus.OPEN).first()
    token = parse_token(token)
    if token is None:
        return None
    return Cart.objects.filter(token=token, user__isnull=True, status=CartStatus.OPEN).first()


def cart_count(*, user=None, token=None) -> int:
    """Units in the cart, for the header badge (one query)."""
    if user is not None and user.is_authenticated:
        qs = CartItem.objects.filter(cart__user=user, cart__status=CartStatus.OPEN)
    else:
        token = parse_token(token)
        if token is None:
            return 0
        qs = CartItem.objects.filter(
            cart__token=token, cart__user__isnull=True, cart__status=CartStatus.OPEN
        )
    return qs.aggregate(units=Sum("quantity"))["units"] or 0


@dataclass
class CartLine:
    item: CartItem
    price: Decimal  # today's unit price
    available: int
    purchasable: bool
    image: object = None

    @property
    def variant(self):
        return self.item.variant

    @property
    def product(self):
        return self.item.variant.product

    @property
    def quantity(self) -> int:
        return self.item.quantity

    @property
    def price_changed(self) -> bool:
        return self.item.unit_price != self.price

    @property
    def price_went_up(self) -> bool:
        return self.price > self.item.unit_price

    @property
    def out_of_stock(self) -> bool:
        return self.purchasable and self.available <= 0

    @property
    def over_available(self) -> bool:
        """More in the cart than can be bought now (but some can)."""
        return self.purchasable and 0 < self.available < self.quantity

    @property
    def ok(self) -> bool:
        return self.purchasable and self.quantity <= self.available

    @property
    def max_quantity(self) -> int:
        return max(self.available, self.quantity)

    @property
    def line_total(self) -> Decimal:
        return quantize(self.price * self.quantity, self.item.currency)

    @property
    def problem(self) -> str:
        if not self.purchasable:
            return "No longer available"
        if self.out_of_stock:
            return "Out of stock"
        if self.over_available:
            return f"Only {self.available} available: lower the quantity"
        return ""


@dataclass
class CartView:
    cart: Cart | None
    lines: list[CartLine] = field(default_factory=list)

    @property
    def currency(self) -> str:
        return self.cart.currency if self.cart else "USD"

    @property
    def count(self) -> int:
        return sum(line.quantity for line in self.lines)

    @property
    def subtotal(self) -> Decimal:
        """What the lines that can be bought now cost at today's prices."""
        total = sum((line.line_total for line in self.lines if line.ok), Decimal(0))
        return quantize(total, self.currency)

    @property
    def price_changes(self) -> list[CartLine]:
        return [line for line in self.lines if line.price_changed]

    @property
    def problems(self) -> list[CartLine]:
        return [line for line in self.lines if not line.ok]

    @property
    def can_check_out(self) -> bool:
        return bool(self.lines) and not self.problems

    @property
    def is_empty(self) -> bool:
        return not self.lines


def cart_view(cart: Cart | None) -> CartView:
    """The cart as the customer should see it now: today's prices, flags for
    lines whose price changed, that ran out or are no longer sold."""
    if cart is None:
        return CartView(cart=None)
    items = list(
        CartItem.objects.filter(cart=cart).select_related("variant__product").order_by("pk")
    )
    if not items:
        return CartView(cart=cart)
    variant_ids = [item.variant_id for item in items]
    # Units this cart holds while its owner is in checkout are theirs to buy.
    free = available_map(variant_ids, for_holder=(HolderType.CART, cart.pk))
    buyable = purchasable_ids(variant_ids)
    images = primary_images_for({item.variant.product_id for item in items})
    lines = [
        CartLine(
            item=item,
            price=item.variant.price,
            available=free[item.variant_id],
            purchasable=item.variant_id in buyable,
            image=images.get(item.variant.product_id),
        )
        for item in items
    ]
    return CartView(cart=cart, lines=lines)


# --- Wishlist --------------------------------------------------------------------
@dataclass
class WishlistEntry:
    item: WishlistItem
    image: object
    in_stock: bool
    purchasable: bool
    needs_choice: bool  # a product with several sizes: choose one on its page first
    currency: str

    @property
    def product(self):
        return self.item.product

    @property
    def variant(self):
        return self.item.variant

    @property
    def price(self) -> Decimal | None:
        if self.item.variant is not None:
            return self.item.variant.price
        return self.item.product.min_price


def wishlist_entries(*, user) -> list[WishlistEntry]:
    """A user's wishlist, newest first, with stock and images (fixed queries)."""
    if user is None or not user.is_authenticated:
        return []
    items = list(
        WishlistItem.objects.filter(user=user).select_related("product", "variant__product")
    )
    if not items:
        return []
    product_ids = {item.product_id for item in items}
    variants = active_variant_rows(product_ids)
    variant_ids = [pk for pk, _, _ in variants]
    free = available_map(variant_ids)
    buyable = purchasable_ids(variant_ids)
    product_in_stock = {pid: False for pid in product_ids}
    product_buyable = {pid: False for pid in product_ids}
    options: dict[int, int] = {}
    currency: dict[int, str] = {}
    for pk, product_id, variant_currency in variants:
        options[product_id] = options.get(product_id, 0) + 1
        currency.setdefault(product_id, variant_currency)
        if pk in buyable:
            product_buyable[product_id] = True
            if free.get(pk, 0) > 0:
                product_in_stock[product_id] = True
    images = primary_images_for(product_ids)
    entries = []
    for item in items:
        if item.variant_id is not None:
            purchasable = item.variant_id in buyable
            in_stock = purchasable and free.get(item.variant_id, 0) > 0
        else:
            purchasable = product_buyable[item.product_id]
            in_stock = product_in_stock[item.product_id]
        entries.append(
            WishlistEntry(
                item=item,
                image=images.get(item.product_id),
                in_stock=in_stock,
                purchasable=purchasable,
                needs_choice=item.variant_id is None and options.get(item.product_id, 0) > 1,
                currency=(item.variant.currency if item.variant else currency.get(item.product_id))
                or BASE_CURRENCY,
            )
        )
    return entries


def wishlist_product_ids(*, user) -> set[int]:
    """Products with a filled heart for this user (one query; none for guests)."""
    if user is None or not user.is_authenticated:
        return set()
    return set(WishlistItem.objects.filter(user=user).values_list("product_id", flat=True))
