"""Every write to carts and wishlists.

Carts hold no stock: a line's quantity is checked against what is available when
it is added or raised (a cart is a wish, not a promise; checkout reserves).
Each change runs in a transaction holding the cart's row lock, so two tabs
adding the same thing at once still end with one line and a capped quantity.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from boutique.catalog.selectors import product_find_visible, purchasable_ids, variant_find
from boutique.inventory.models import HolderType
from boutique.inventory.selectors import available_map
from boutique.notifications.services import notification_enqueue
from boutique.registry.services_checkout import registry_marks_follow_merge

from .errors import (
    CartItemNotFound,
    CartRequestInvalid,
    CurrencyMismatch,
    NotEnoughAvailable,
    ProductUnavailable,
    SignInRequired,
    WishlistItemNotFound,
)
from .locks import cart_for_update
from .models import MAX_LINE_QUANTITY, Cart, CartItem, CartStatus, WishlistItem
from .selectors import cart_find, parse_token


# --- Carts -----------------------------------------------------------------------
def cart_obtain(*, user=None, token=None) -> Cart:
    """The open cart of this user, or the guest cart with this token; a new one
    when there is none (a guest gets a fresh token)."""
    cart = cart_find(user=user, token=token)
    if cart is not None:
        return cart
    if user is not None and user.is_authenticated:
        try:
            with transaction.atomic():
                return Cart.objects.create(user=user)
        except IntegrityError:  # a concurrent request created it first
            return Cart.objects.get(user=user, status=CartStatus.OPEN)
    return Cart.objects.create()


def _check_quantity(quantity) -> int:
    if isinstance(quantity, bool) or not isinstance(quantity, int):
        raise CartRequestInvalid(
            gettext("Quantity must be a whole number."),
            field_errors={"quantity": [gettext("Whole number.")]},
        )
    if quantity <= 0:
        raise CartRequestInvalid(
            gettext("Quantity must be at least 1."),
            field_errors={"quantity": [gettext("At least 1.")]},
        )
    if quantity > MAX_LINE_QUANTITY:
        raise CartRequestInvalid(
            f"At most {MAX_LINE_QUANTITY} of one item.",
            field_errors={"quantity": [f"At most {MAX_LINE_QUANTITY}."]},
        )
    return quantity


def _variant_for_cart(*, variant_id=None, sku=None):
    if variant_id is None and not (sku or "").strip():
        raise CartRequestInvalid(
            gettext("Say which product: a sku or a variant_id."),
            field_errors={"sku": [gettext("Give a sku or a variant_id.")]},
        )
    variant = variant_find(variant_id=variant_id, sku=(sku or "").strip() or None)
    if variant is None:
        label = f"SKU {sku}" if sku else f"variant {variant_id}"
        raise CartRequestInvalid(
            f"There is no product with {label}.",
            field_errors={"sku" if sku else "variant_id": ["Unknown."]},
        )
    if not variant.purchasable:
        raise ProductUnavailable(f"{variant} is no longer sold.")
    return variant


def _not_enough(variant, *, free: int, in_cart: int) -> NotEnoughAvailable:
    if free <= 0:
        message = f"{variant} is out of stock."
    elif in_cart:
        message = f"Only {free} of {variant} available and {in_cart} already in your cart."
    else:
        message = f"Only {free} of {variant} available."
    return NotEnoughAvailable(message, field_errors={"quantity": [f"At most {max(free, 0)}."]})


def _available_to(cart: Cart, variant) -> int:
    """Available units, counting what this cart holds in checkout as its own."""
    return available_map([variant.pk], for_holder=(HolderType.CART, cart.pk))[variant.pk]


def _lock(cart: Cart) -> Cart:
    return cart_for_update().get(pk=cart.pk, status=CartStatus.OPEN)


def cart_add_item(*, cart: Cart, quantity: int, variant_id=None, sku=None) -> CartItem:
    """Add units of a variant (to its line if there is one). Refused, with the
    cart unchanged, when that would be more than is available."""
    quantity = _check_quantity(quantity)
    variant = _variant_for_cart(variant_id=variant_id, sku=sku)
    with transaction.atomic():
        try:
            cart = _lock(cart)
        except Cart.DoesNotExist:
            raise CartRequestInvalid(gettext("This cart is closed; start a new one.")) from None
        line = CartItem.objects.filter(cart=cart, variant=variant).first()
        in_cart = line.quantity if line else 0
        if variant.currency != cart.currency:
            if cart.items.exists():
                raise CurrencyMismatch(
                    f"{variant} is priced in {variant.currency}; your cart is in {cart.currency}."
                )
            cart.currency = variant.currency
            cart.save(update_fields=["currency", "updated_at"])
        free = _available_to(cart, variant)
        wanted = in_cart + quantity
        if wanted > MAX_LINE_QUANTITY:
            raise CartRequestInvalid(
                f"At most {MAX_LINE_QUANTITY} of one item.",
                field_errors={"quantity": [f"At most {MAX_LINE_QUANTITY - in_cart} more."]},
            )
        if wanted > free:
            raise _not_enough(variant, free=free, in_cart=in_cart)
        # The customer has just seen today's price: the snapshot follows it.
        if line is None:
            line = CartItem.objects.create(
                cart=cart,
                variant=variant,
                quantity=wanted,
                unit_price=variant.price,
                currency=variant.currency,
            )
        else:
            line.quantity = wanted
            line.unit_price = variant.price
            line.save(update_fields=["quantity", "unit_price", "updated_at"])
        Cart.objects.filter(pk=cart.pk).update(updated_at=timezone.now())
    return line


def cart_add(*, user=None, token=None, quantity: int, variant_id=None, sku=None) -> CartItem:
    """Add to the caller's cart, opening one if they have none; both or neither,
    so a refused first add leaves no empty cart behind. `line.cart` is the cart."""
    with transaction.atomic():
        cart = cart_obtain(user=user, token=token)
        return cart_add_item(cart=cart, quantity=quantity, variant_id=variant_id, sku=sku)


def _line(cart: Cart, item_id) -> CartItem:
    line = (
        CartItem.objects.select_related("variant__product")
        .filter(pk=item_id, cart=cart, cart__status=CartStatus.OPEN)
        .first()
    )
    if line is None:
        raise CartItemNotFound()
    return line


def cart_set_quantity(*, cart: Cart, item_id: int, quantity: int) -> CartItem:
    """Change a line's quantity. Lowering is always allowed; raising is checked
    against availability."""
    quantity = _check_quantity(quantity)
    with transaction.atomic():
        cart = _lock(cart)
        line = _line(cart, item_id)
        if quantity > line.quantity:
            variant = line.variant
            if variant.pk not in purchasable_ids([variant.pk]):
                raise ProductUnavailable(f"{variant} is no longer sold.")
            free = _available_to(cart, variant)
            if quantity > free:
                raise _not_enough(variant, free=free, in_cart=0)
        if quantity != line.quantity:
            line.quantity = quantity
            line.save(update_fields=["quantity", "updated_at"])
            Cart.objects.filter(pk=cart.pk).update(updated_at=timezone.now())
    return line


def cart_remove_item(*, cart: Cart, item_id: int) -> None:
    with transaction.atomic():
        cart = _lock(cart)
        _line(cart, item_id).delete()
        Cart.objects.filter(pk=cart.pk).update(updated_at=timezone.now())


def cart_accept_prices(*, cart: Cart) -> int:
    """The customer has seen the new prices: snapshots follow today's prices.
    Returns how many lines changed."""
    changed = 0
    with transaction.atomic():
        cart = _lock(cart)
        for line in CartItem.objects.filter(cart=cart).select_related("variant"):
            if line.unit_price != line.variant.price:
                line.unit_price = line.variant.price
                line.save(update_fields=["unit_price", "updated_at"])
                changed += 1
    return changed


@dataclass
class MergeResult:
    cart: Cart | None
    merged: bool = False
    notes: list[str] = field(default_factory=list)


def cart_merge_on_sign_in(*, user, guest_token) -> MergeResult:
    """Fold the guest cart into the user's cart once: quantities add, capped by
    what is available. Called by every sign-in path with the guest's token.
    A second call with the same token does nothing."""
    token = parse_token(guest_token)
    if token is None or user is None or not user.is_authenticated:
        return MergeResult(cart=None)
    with transaction.atomic():
        guest = (
            cart_for_update().filter(token=token, user__isnull=True, status=CartStatus.OPEN).first()
        )
        if guest is None:
            return MergeResult(cart=cart_find(user=user))
        mine = Cart.objects.filter(user=user, status=CartStatus.OPEN).first()
        if mine is None:
            # Nothing to merge with: the guest cart becomes the user's.
            guest.user = user
            guest.save(update_fields=["user", "updated_at"])
            return MergeResult(cart=guest, merged=True)
        # Both carts locked in pk order.
        list(cart_for_update().filter(pk__in=[guest.pk, mine.pk]))
        mine_before = set(mine.items.values_list("variant_id", flat=True))
        notes = _merge_lines(guest, mine)
        # Registry gift lines stay gifts (issue 13).
        notes += registry_marks_follow_merge(guest=guest, mine=mine, skip_variants=mine_before)
        guest.status = CartStatus.MERGED
        guest.merged_into = mine
        guest.save(update_fields=["status", "merged_into", "updated_at"])
        Cart.objects.filter(pk=mine.pk).update(updated_at=timezone.now())
        return MergeResult(cart=mine, merged=True, notes=notes)


def _merge_lines(guest: Cart, mine: Cart) -> list[str]:
    incoming = list(guest.items.select_related("variant__product"))
    existing = {line.variant_id: line for line in mine.items.all()}
    free = available_map(line.variant_id for line in incoming)
    notes = []
    for line in incoming:
        variant = line.variant
        if line.currency != mine.currency:
            notes.append(f"{variant} is priced in {line.currency} and was left out.")
            continue
        current = existing.get(variant.pk)
        have = current.quantity if current else 0
        cap = max(free[variant.pk], have)
        total = min(have + line.quantity, cap, MAX_LINE_QUANTITY)
        if total < have + line.quantity:
            if free[variant.pk] <= 0:
                notes.append(f"{variant} is out of stock and was not added.")
            else:
                notes.append(f"Only {free[variant.pk]} of {variant} available: quantity capped.")
        if current is not None:
            if total != current.quantity:
                current.quantity = total
                current.save(update_fields=["quantity", "updated_at"])
        elif total > 0:
            CartItem.objects.create(
                cart=mine,
                variant=variant,
                quantity=total,
                unit_price=line.unit_price,
                currency=line.currency,
            )
    return notes


# --- Wishlist --------------------------------------------------------------------
def _require_user(user):
    if user is None or not user.is_authenticated:
        raise SignInRequired(gettext("Sign in to keep a wishlist."))


def wishlist_add(*, user, product_id=None, variant_id=None) -> tuple[WishlistItem, bool]:
    """Keep a product (or one variant) for later. Adding it twice keeps one."""
    _require_user(user)
    variant = None
    if variant_id is not None:
        variant = _variant_for_cart(variant_id=variant_id)
        product = variant.product
    else:
        if product_id is None:
            raise CartRequestInvalid(
                gettext("Say which product."), field_errors={"product_id": [gettext("Required.")]}
            )
        product = product_find_visible(product_id=product_id)
        if product is None:
            raise CartRequestInvalid(
                f"There is no product {product_id}.",
                field_errors={"product_id": [gettext("Unknown.")]},
            )
    lookup = {"user": user, "product": product, "variant": variant}
    existing = WishlistItem.objects.filter(**lookup).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            return WishlistItem.objects.create(**lookup), True
    except IntegrityError:  # the same heart clicked twice at once
        return WishlistItem.objects.get(**lookup), False


def wishlist_remove(*, user, item_id: int) -> None:
    _require_user(user)
    deleted, _ = WishlistItem.objects.filter(pk=item_id, user=user).delete()
    if not deleted:
        raise WishlistItemNotFound()


def wishlist_toggle(*, user, product_id: int) -> bool:
    """The heart on a product card: add the product, or remove it (and any of
    its variants) when it is there. Returns whether it is now in the wishlist."""
    _require_user(user)
    deleted, _ = WishlistItem.objects.filter(user=user, product_id=product_id).delete()
    if deleted:
        return False
    wishlist_add(user=user, product_id=product_id)
    return True


def wishlist_move_to_cart(*, user, item_id: int) -> CartItem:
    """Put one of a wished-for variant in the cart and take it off the wishlist,
    both or neither. A product with several sizes needs the size chosen first."""
    _require_user(user)
    item = WishlistItem.objects.filter(pk=item_id, user=user).select_related("product").first()
    if item is None:
        raise WishlistItemNotFound()
    variant_id = item.variant_id
    if variant_id is None:
        options = list(
            item.product.variants.filter(is_active=True).values_list("pk", flat=True)[:2]
        )
        if len(options) != 1:
            raise CartRequestInvalid(
                f"Choose a size or colour of {item.product.name} first.",
                field_errors={"variant_id": [gettext("Choose one.")]},
            )
        variant_id = options[0]
    with transaction.atomic():
        line = cart_add(user=user, variant_id=variant_id, quantity=1)
        item.delete()
    return line


# --- Abandoned-cart reminder ------------------------------------------------------
def carts_remind_abandoned(*, now=None, limit: int = 200) -> int:
    """The periodic job: one email per cart to signed-in customers who opted in,
    CART_REMINDER_AFTER_HOURS after the cart's last change, never once the cart
    became an order. Returns how many reminders were queued."""
    now = now or timezone.now()
    due = now - timedelta(hours=settings.CART_REMINDER_AFTER_HOURS)
    candidates = list(
        Cart.objects.filter(
            status=CartStatus.OPEN,
            user__isnull=False,
            user__cart_reminders=True,
            reminded_at__isnull=True,
            updated_at__lte=due,
            items__isnull=False,
        )
        .exclude(user__email="")
        .distinct()
        .values_list("pk", flat=True)[:limit]
    )
    sent = 0
    for cart_id in candidates:
        with transaction.atomic():
            # Claim it: still open, still not reminded (a checkout or another
            # worker may have got there first).
            claimed = Cart.objects.filter(
                pk=cart_id, status=CartStatus.OPEN, reminded_at__isnull=True
            ).update(reminded_at=now)
            if not claimed:
                continue
            cart = Cart.objects.select_related("user").get(pk=cart_id)
            items = [
                {"name": str(line.variant), "quantity": line.quantity}
                for line in cart.items.select_related("variant__product")
            ]
            notification_enqueue(
                channel="email",
                recipient=cart.user.email,
                template="abandoned_cart",
                language=cart.user.preferred_language,
                context={"customer_name": cart.user.first_name, "items": items},
                reference=("cart", cart.pk),
            )
            sent += 1
    return sent
