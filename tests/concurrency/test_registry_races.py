"""Registry gifts under load, on real connections: many friends placing an
order for the last wanted unit of one item at once — exactly one order is
placed, purchased ends equal to wanted and never above; the rest are refused
with registry_item_fulfilled (409) and leave nothing behind. Cancelling one
order from several workers at once gives the units back exactly once."""

import pytest
from django.db import transaction

from boutique.cart.models import Cart, CartItem, CartStatus
from boutique.cart.services import cart_add_item, cart_obtain
from boutique.checkout.services import order_place
from boutique.orders.errors import IllegalTransition
from boutique.orders.models import Order
from boutique.orders.services import order_cancel
from boutique.registry.errors import RegistryItemFulfilled
from boutique.registry.models import RegistryCartLine, RegistryItem, RegistryPurchase
from boutique.registry.services_checkout import registry_purchases_cancel
from boutique.registry.tests.factories import (
    gift_checkout,
    make_registry,
    make_variant,
    shipping_method,
)

from .helpers import run_concurrently

pytestmark = pytest.mark.django_db(transaction=True)

WORKERS = 12


def _gift_carts(item, n: int) -> list:
    """n friends' carts, each holding the last wanted unit as a gift line
    (made directly: "Buy as a gift" would refuse the second friend's add, but
    each friend may have added it before anyone ordered)."""
    carts = []
    for _ in range(n):
        cart = cart_obtain()
        line = cart_add_item(cart=cart, quantity=1, variant_id=item.variant_id)
        RegistryCartLine.objects.create(cart_item=line, registry_item=item)
        carts.append(cart)
    return carts


def test_friends_racing_for_the_last_wanted_unit_place_exactly_one_order():
    registry = make_registry(items=[(make_variant(stock=100), 3)])
    item = registry.items.get()
    RegistryItem.objects.filter(pk=item.pk).update(purchased_quantity=2)  # one left
    method = shipping_method()
    carts = _gift_carts(item, WORKERS)

    results = run_concurrently(
        lambda i: order_place(
            cart=carts[i], data=gift_checkout(method, email=f"friend{i}@example.com")
        )[0],
        workers=WORKERS,
        timeout=240,
    )

    placed = [r for r in results if isinstance(r, Order)]
    refused = [r for r in results if isinstance(r, RegistryItemFulfilled)]
    assert len(placed) == 1, [r for r in results if not isinstance(r, Order)][:3]
    assert len(refused) == WORKERS - 1
    assert {r.status for r in refused} == {409}
    item.refresh_from_db()
    assert item.purchased_quantity == item.wanted_quantity == 3
    assert Order.objects.count() == 1
    assert RegistryPurchase.objects.get().order == placed[0]
    # The refused friends keep their open carts (to remove the gift).
    assert Cart.objects.filter(status=CartStatus.OPEN).count() == WORKERS - 1


def test_many_friends_buying_one_unit_each_never_exceed_what_is_wanted():
    registry = make_registry(items=[(make_variant(stock=100), 5)])
    item = registry.items.get()
    method = shipping_method()
    carts = _gift_carts(item, WORKERS)

    results = run_concurrently(
        lambda i: order_place(
            cart=carts[i], data=gift_checkout(method, email=f"friend{i}@example.com")
        )[0],
        workers=WORKERS,
        timeout=240,
    )

    placed = [r for r in results if isinstance(r, Order)]
    assert len(placed) == 5, [r for r in results if not isinstance(r, Order)][:3]
    assert all(isinstance(r, Order | RegistryItemFulfilled) for r in results)
    item.refresh_from_db()
    assert item.purchased_quantity == 5
    assert sum(p.quantity for p in RegistryPurchase.objects.all()) == 5


def test_cancelling_one_order_from_many_workers_gives_the_units_back_once():
    registry = make_registry(items=[(make_variant(stock=100), 4)])
    item = registry.items.get()
    method = shipping_method()
    cart = _gift_carts(item, 1)[0]
    CartItem.objects.filter(cart=cart).update(quantity=3)
    order, _ = order_place(cart=cart, data=gift_checkout(method))
    item.refresh_from_db()
    assert item.purchased_quantity == 3

    def cancel(i):
        if i % 2:  # a second path (a full refund) reaching the same purchases
            with transaction.atomic():
                return registry_purchases_cancel(order=Order.objects.get(pk=order.pk))
        try:
            order_cancel(order=Order.objects.get(pk=order.pk), reason="race")
        except IllegalTransition:
            return "already"
        return "cancelled"

    results = run_concurrently(cancel, workers=8)

    assert not [r for r in results if isinstance(r, BaseException)], results
    item.refresh_from_db()
    assert item.purchased_quantity == 0
    assert RegistryPurchase.objects.filter(cancelled_at__isnull=False).count() == 1
    assert results.count("cancelled") == 1
