"""The demo customer's wishlist and cart, so the shop looks lived-in on first
start. Runs once: nothing is added when the customer already has either."""

from boutique.catalog.selectors import purchasable_variants
from boutique.inventory.selectors import available_map

from .models import WishlistItem
from .selectors import cart_find
from .services import cart_add_item, cart_obtain, wishlist_add


def demo_cart_load(*, customer, wishes: int = 3, lines: int = 2) -> bool:
    """Fill the demo customer's wishlist and cart from the in-stock catalogue.
    Returns whether anything was added."""
    existing = cart_find(user=customer)
    if WishlistItem.objects.filter(user=customer).exists() or (
        existing is not None and existing.items.exists()
    ):
        return False
    candidates = list(purchasable_variants().order_by("pk").values_list("pk", "product_id")[:60])
    free = available_map(pk for pk, _ in candidates)
    in_stock, seen = [], set()
    for pk, product_id in candidates:
        if free[pk] > 1 and product_id not in seen:
            seen.add(product_id)
            in_stock.append((pk, product_id))
    if not in_stock:
        return False
    for _, product_id in in_stock[:wishes]:
        wishlist_add(user=customer, product_id=product_id)
    cart = cart_obtain(user=customer)
    for variant_id, _ in in_stock[wishes : wishes + lines]:
        cart_add_item(cart=cart, variant_id=variant_id, quantity=1)
    return True
