"""Checkout under load, on real connections: stock, coupon limits and
idempotency keys hold when many customers press "Place order" at once."""

from decimal import Decimal

import pytest
from django.db.models import Sum

from boutique.cart.services import cart_add, cart_obtain
from boutique.catalog.tests.factories import make_product
from boutique.checkout.services import CheckoutInput, order_place
from boutique.inventory.models import Stock, StockMovement
from boutique.inventory.selectors import available
from boutique.orders.errors import OutOfStock
from boutique.orders.models import Order, ShippingMethod
from boutique.promotions.models import Coupon, CouponRedemption
from boutique.promotions.services import CouponRefused

from .helpers import run_concurrently

pytestmark = pytest.mark.django_db(transaction=True)

ADDRESS = {"full_name": "Rania Haddad", "line1": "Hamra St 12", "city": "Beirut", "country": "LB"}


def _checkout(method, i: int, **extra) -> CheckoutInput:
    return CheckoutInput(
        email=f"buyer{i}@example.com",
        shipping_address=ADDRESS,
        shipping_method_id=method.pk,
        **extra,
    )


def _guest_cart(variant, quantity=1):
    cart = cart_obtain()
    cart_add(token=cart.token, variant_id=variant.pk, quantity=quantity)
    return cart


@pytest.fixture
def method(db):
    return ShippingMethod.objects.create(name="Courier", price=Decimal("4.00"))


def test_hundred_checkouts_for_ten_units_place_exactly_ten_orders(method):
    variant = make_product(stock=10).variants.get()
    carts = [_guest_cart(variant) for _ in range(100)]

    results = run_concurrently(
        lambda i: order_place(cart=carts[i], data=_checkout(method, i))[0], workers=100, timeout=240
    )

    placed = [r for r in results if isinstance(r, Order)]
    refused = [r for r in results if isinstance(r, OutOfStock)]
    assert len(placed) == 10, [r for r in results if not isinstance(r, Order | OutOfStock)][:3]
    assert len(refused) == 90
    assert variant.sku in refused[0].detail
    assert available(variant) == 0
    assert Order.objects.count() == 10
    assert len({order.number for order in placed}) == 10
    # Held, not yet shipped: on hand is untouched and the ledger agrees with it.
    ledger = StockMovement.objects.filter(variant=variant).aggregate(s=Sum("quantity"))["s"]
    assert ledger == Stock.objects.get(variant=variant).on_hand == 10


def test_coupon_with_five_uses_is_redeemed_exactly_five_times_by_fifty_checkouts(method):
    variant = make_product(stock=100).variants.get()
    Coupon.objects.create(code="FIVE", kind="percentage", value=Decimal("10"), max_uses=5)
    carts = [_guest_cart(variant) for _ in range(50)]

    results = run_concurrently(
        lambda i: order_place(cart=carts[i], data=_checkout(method, i, coupon_code="five"))[0],
        workers=50,
        timeout=240,
    )

    placed = [r for r in results if isinstance(r, Order)]
    refused = [r for r in results if isinstance(r, CouponRefused)]
    assert len(placed) == 5, [r for r in results if not isinstance(r, Order | CouponRefused)][:3]
    assert len(refused) == 45
    assert {r.code for r in refused} == {"coupon_used_up"}
    assert CouponRedemption.objects.count() == 5
    assert Coupon.objects.get(code="FIVE").times_used == 5


def test_one_idempotency_key_sent_twenty_times_places_one_order(method):
    variant = make_product(stock=5).variants.get()
    cart = _guest_cart(variant, quantity=2)
    data = _checkout(method, 0)

    results = run_concurrently(
        lambda i: order_place(cart=cart, data=data, idempotency_key="key-123"), workers=20
    )

    assert all(isinstance(r, tuple) for r in results), [
        r for r in results if not isinstance(r, tuple)
    ][:3]
    numbers = {order.number for order, _ in results}
    assert len(numbers) == 1
    assert sum(created for _, created in results) == 1
    assert Order.objects.count() == 1
    assert available(variant) == 3
