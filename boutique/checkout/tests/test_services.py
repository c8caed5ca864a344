from datetime import timedelta
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.utils import timezone

from boutique.accounts.tests.factories import UserFactory
from boutique.audit.models import AuditLog
from boutique.cart.models import Cart
from boutique.cart.services import cart_add, cart_obtain
from boutique.catalog.services import variant_update
from boutique.catalog.tests.factories import make_product
from boutique.checkout.services import (
    CheckoutInput,
    checkout_hold,
    checkout_quote,
    order_place,
)
from boutique.inventory.models import Reservation, Stock, StockMovement
from boutique.inventory.selectors import available
from boutique.inventory.services import stock_adjust
from boutique.notifications.models import Notification
from boutique.orders.errors import (
    CartEmpty,
    CheckoutInvalid,
    IdempotencyKeyReused,
    IllegalTransition,
    OutOfStock,
    ShippingNotAvailable,
)
from boutique.orders.models import ExchangeRate, Order, ShippingMethod, TaxRate
from boutique.orders.services import (
    exchange_rate_set,
    order_cancel,
    order_transition,
    orders_expire_unpaid,
)
from boutique.promotions.models import Coupon, CouponRedemption
from boutique.promotions.services import CouponRefused

pytestmark = pytest.mark.django_db

HOME = {
    "full_name": "Rania Haddad",
    "phone": "+96170123456",
    "line1": "Hamra St 12",
    "city": "Beirut",
    "country": "LB",
}


@pytest.fixture
def courier(db):
    return ShippingMethod.objects.create(
        name="Beirut courier", price=Decimal("4.00"), free_over=Decimal("60"), countries="LB"
    )


def _cart(*lines, user=None):
    cart = cart_obtain(user=user)
    for variant, quantity in lines:
        cart_add(user=user, token=cart.token, variant_id=variant.pk, quantity=quantity)
    return Cart.objects.get(pk=cart.pk)


def _variant(price="12.00", stock=10, name="Organic cotton bodysuit"):
    return make_product(name, price=price, stock=stock).variants.get()


def _input(method, **overrides) -> CheckoutInput:
    data = {
        "email": "guest@example.com",
        "shipping_address": HOME,
        "shipping_method_id": method.pk if method else None,
    }
    data.update(overrides)
    return CheckoutInput(**data)


def _place(cart, method, **overrides):
    key = overrides.pop("key", None)
    user = overrides.pop("user", None)
    return order_place(cart=cart, user=user, data=_input(method, **overrides), idempotency_key=key)


def test_guest_order_snapshots_everything_and_holds_the_stock(courier):
    bodysuit, hat = _variant("12.00"), _variant("15.50", name="Wool hat")
    cart = _cart((bodysuit, 2), (hat, 1))

    order, created = _place(cart, courier)

    assert created and order.number.startswith(f"BQ-{timezone.now().year}-")
    assert (order.subtotal, order.discount, order.shipping) == (
        Decimal("39.50"),
        Decimal("0.00"),
        Decimal("4.00"),
    )
    assert order.tax == Decimal("2.37")  # 6 % default, on the goods only
    assert order.total == order.subtotal - order.discount + order.shipping + order.tax
    items = {item.sku: item for item in order.items.all()}
    assert items[bodysuit.sku].product_name == "Organic cotton bodysuit"
    assert (items[bodysuit.sku].quantity, items[bodysuit.sku].line_total) == (2, Decimal("24.00"))
    assert {a.kind for a in order.addresses.all()} == {"shipping", "billing"}
    assert order.addresses.get(kind="shipping").city == "Beirut"
    # The stock is held for the order, not yet taken off the shelf.
    assert available(bodysuit) == 8
    assert Stock.objects.get(variant=bodysuit).on_hand == 10
    assert Reservation.objects.filter(holder_type="order", holder_id=order.number).count() == 2
    assert Cart.objects.get(pk=cart.pk).status == "converted"
    assert Notification.objects.get(reference_id=order.number).template == "order_confirmation"
    assert AuditLog.objects.filter(action="order.placed", entity_id=str(order.pk)).exists()


def test_quote_and_order_agree(courier):
    TaxRate.objects.create(country="LB", rate=Decimal("0.11"), applies_to_shipping=True)
    cart = _cart((_variant("19.99"), 3))
    quote = checkout_quote(cart=cart, data=_input(courier)).quote
    order, _ = _place(cart, courier)
    assert (quote.subtotal, quote.discount, quote.shipping, quote.tax, quote.total) == (
        order.subtotal,
        order.discount,
        order.shipping,
        order.tax,
        order.total,
    )
    assert order.tax_rate == Decimal("0.11")


def test_an_lbp_order_keeps_its_rate_when_the_rate_changes(courier):
    exchange_rate_set(currency="LBP", rate="89500", effective_from=timezone.now() - timedelta(1))
    cart = _cart((_variant("12.99"), 1))
    order, _ = _place(cart, courier, currency="LBP")
    assert order.currency == "LBP" and order.exchange_rate == Decimal("89500")
    assert order.subtotal == Decimal("1162605")
    assert order.total == order.subtotal - order.discount + order.shipping + order.tax
    assert order.total == order.total.to_integral_value()
    exchange_rate_set(currency="LBP", rate="90000")
    order.refresh_from_db()
    assert order.exchange_rate == Decimal("89500") and order.subtotal == Decimal("1162605")


def test_a_currency_without_a_rate_is_refused(courier):
    ExchangeRate.objects.all().delete()
    cart = _cart((_variant(), 1))
    with pytest.raises(CheckoutInvalid) as refused:
        _place(cart, courier, currency="LBP")
    assert "currency" in refused.value.field_errors
    assert not Order.objects.exists()


def test_bad_addresses_and_methods_are_400_or_409_and_place_nothing(courier):
    cart = _cart((_variant(), 1))
    with pytest.raises(CheckoutInvalid) as refused:
        _place(cart, courier, shipping_address={"full_name": "", "country": "Lebanon"})
    errors = refused.value.field_errors
    assert {
        "shipping_address.full_name",
        "shipping_address.line1",
        "shipping_address.country",
    } <= set(errors)
    with pytest.raises(CheckoutInvalid):
        _place(cart, courier, email="not-an-email")
    with pytest.raises(ShippingNotAvailable):
        _place(cart, courier, shipping_address={**HOME, "country": "FR"})
    with pytest.raises(CheckoutInvalid):
        _place(cart, courier, payment_method="paypal")
    assert not Order.objects.exists()
    assert Cart.objects.get(pk=cart.pk).status == "open"


def test_out_of_stock_names_the_sku_and_changes_nothing(courier):
    scarce = _variant(stock=2)
    plenty = _variant(name="Wool hat")
    cart = _cart((scarce, 2), (plenty, 1))
    stock_adjust(variant=scarce, quantity=-1, reason="damaged")
    before = StockMovement.objects.count()
    with pytest.raises(OutOfStock, match=scarce.sku):
        _place(cart, courier)
    assert not Order.objects.exists()
    assert not Reservation.objects.filter(holder_type="order").exists()
    assert StockMovement.objects.count() == before
    assert Cart.objects.get(pk=cart.pk).status == "open"


def test_the_same_key_returns_the_same_order_and_a_reused_key_is_refused(courier):
    variant = _variant()
    cart = _cart((variant, 1))
    first, created = _place(cart, courier, key="abc-1")
    again, created_again = _place(cart, courier, key="abc-1")
    assert created and not created_again and again.pk == first.pk
    assert Order.objects.count() == 1
    with pytest.raises(IdempotencyKeyReused):
        _place(_cart((variant, 1)), courier, key="abc-1", email="other@example.com")
    with pytest.raises(CheckoutInvalid):
        _place(cart, courier, key="x" * 101)


def test_an_empty_or_already_placed_cart_is_refused(courier):
    cart = _cart((_variant(), 1))
    _place(cart, courier)
    with pytest.raises(CartEmpty):
        _place(cart, courier)
    with pytest.raises(CartEmpty):
        _place(None, courier)


def test_prices_are_taken_now_not_from_the_cart_snapshot(courier):
    variant = _variant("12.00")
    cart = _cart((variant, 1))
    variant_update(variant=variant, price=Decimal("14.50"))
    order, _ = _place(cart, courier)
    assert order.items.get().unit_price == Decimal("14.50")


def test_coupon_is_redeemed_and_given_back_on_cancel(courier):
    Coupon.objects.create(code="SPRING10", kind="percentage", value=Decimal("10"))
    cart = _cart((_variant("50.00"), 1))
    order, _ = _place(cart, courier, coupon_code="spring10")
    assert order.discount == Decimal("5.00") and order.coupon_code == "SPRING10"
    redemption = CouponRedemption.objects.get(order_id=order.number)
    assert redemption.amount == Decimal("5.00")
    order_cancel(order=order, reason="changed my mind")
    redemption.refresh_from_db()
    assert redemption.returned_at is not None
    assert Coupon.objects.get(code="SPRING10").times_used == 0


def test_a_refused_coupon_says_why_and_places_nothing(courier):
    Coupon.objects.create(
        code="BIG", kind="fixed", value=Decimal("10"), min_order_amount=Decimal("100")
    )
    cart = _cart((_variant("30.00"), 1))
    with pytest.raises(CouponRefused) as refused:
        _place(cart, courier, coupon_code="BIG")
    assert refused.value.code == "coupon_below_minimum"
    assert not Order.objects.exists()
    quote = checkout_quote(cart=cart, data=_input(courier, coupon_code="BIG"))
    assert quote.coupon is None and quote.coupon_refusal.code == "coupon_below_minimum"


def test_free_shipping_coupon_zeroes_shipping(courier):
    Coupon.objects.create(code="SHIPFREE", kind="free_shipping", value=Decimal("0"))
    cart = _cart((_variant("20.00"), 1))
    order, _ = _place(cart, courier, coupon_code="SHIPFREE")
    assert order.shipping == Decimal("0.00")
    assert CouponRedemption.objects.get(order_id=order.number).amount == Decimal("4.00")


def test_checkout_hold_reserves_the_cart_for_a_while_and_placing_moves_it(courier):
    variant = _variant(stock=3)
    cart = _cart((variant, 2))
    assert checkout_hold(cart=cart) == []
    assert available(variant) == 1
    assert checkout_hold(cart=cart) == []  # renewing does not double the hold
    assert available(variant) == 1
    order, _ = _place(cart, courier)
    assert not Reservation.objects.filter(holder_type="cart", state="active").exists()
    assert available(variant) == 1
    assert Reservation.objects.get(holder_type="order", holder_id=order.number).quantity == 2


def test_hold_reports_what_cannot_be_held(courier):
    variant = _variant(stock=2)
    cart = _cart((variant, 2))
    stock_adjust(variant=variant, quantity=-1, reason="broken")
    problems = checkout_hold(cart=cart)
    assert problems and "Only 1" in problems[0]
    # All or nothing: the refused hold holds nothing.
    assert not Reservation.objects.filter(holder_type="cart").exists()
    assert available(variant) == 1


# --- Lifecycle ---------------------------------------------------------------------------
def test_paying_takes_stock_off_the_shelf_and_illegal_moves_are_refused(courier):
    variant = _variant(stock=5)
    order, _ = _place(_cart((variant, 2)), courier)
    staff = UserFactory(is_staff=True)
    with pytest.raises(IllegalTransition):
        order_transition(order=order, target="shipped", actor=staff)
    order_transition(order=order, target="paid", actor=staff)
    order.refresh_from_db()
    assert (order.status, order.payment_status) == ("paid", "paid")
    assert Stock.objects.get(variant=variant).on_hand == 3
    ledger = StockMovement.objects.filter(variant=variant).aggregate(s=Sum("quantity"))["s"]
    assert ledger == 3
    log = AuditLog.objects.get(action="order.paid")
    assert log.actor == staff and log.old == {"status": "pending", "payment_status": "pending"}
    for target in ("processing", "shipped", "delivered"):
        order_transition(order=order, target=target, actor=staff)
    with pytest.raises(IllegalTransition):
        order_cancel(order=order)
    order.refresh_from_db()
    assert order.status == "delivered"


def test_cash_on_delivery_is_processed_before_payment_but_card_is_not(courier):
    variant = _variant(stock=5)
    order, _ = _place(_cart((variant, 1)), courier)
    with pytest.raises(IllegalTransition, match="not confirmed"):
        order_transition(order=order, target="processing")
    Order.objects.filter(pk=order.pk).update(cod_confirmed_at=timezone.now())
    order.refresh_from_db()
    order_transition(order=order, target="processing")
    assert Stock.objects.get(variant=variant).on_hand == 4
    card_order, _ = _place(_cart((variant, 1)), courier)
    Order.objects.filter(pk=card_order.pk).update(payment_method="card")
    card_order.refresh_from_db()
    with pytest.raises(IllegalTransition):
        order_transition(order=card_order, target="processing")


def test_cancelling_a_paid_order_returns_the_stock_with_movements(courier):
    variant = _variant(stock=5)
    order, _ = _place(_cart((variant, 2)), courier)
    order_transition(order=order, target="paid")
    order_cancel(order=order, reason="customer asked")
    assert Stock.objects.get(variant=variant).on_hand == 5
    kinds = list(StockMovement.objects.filter(variant=variant).values_list("kind", "quantity"))
    assert ("out", -2) in kinds and ("return", 2) in kinds
    with pytest.raises(IllegalTransition):
        order_cancel(order=order)


def test_a_customer_cancels_only_their_own_order(courier):
    owner, stranger = UserFactory(), UserFactory()
    variant = _variant(stock=3)
    order, _ = _place(_cart((variant, 1), user=owner), courier, user=owner, email="")
    assert order.user == owner and order.email == owner.email
    with pytest.raises(Exception) as refused:
        order_cancel(order=order, by_customer=stranger)
    assert refused.value.status == 404
    order_cancel(order=order, by_customer=owner)
    assert available(variant) == 3


def test_unpaid_orders_expire_and_free_their_stock_and_coupon(courier):
    Coupon.objects.create(code="ONCE", kind="fixed", value=Decimal("1"), max_uses=1)
    variant = _variant(stock=2)
    order, _ = _place(_cart((variant, 2)), courier, coupon_code="ONCE")
    fresh, _ = _place(_cart((_variant(name="Hat"), 1)), courier)
    Order.objects.filter(pk=order.pk).update(pay_by=timezone.now() - timedelta(minutes=1))
    assert orders_expire_unpaid() == [order.number]
    order.refresh_from_db()
    assert (order.status, order.cancel_reason) == ("cancelled", "not paid in time")
    assert available(variant) == 2
    assert Coupon.objects.get(code="ONCE").times_used == 0
    fresh.refresh_from_db()
    assert fresh.status == "pending"
    assert orders_expire_unpaid() == []


def test_order_numbers_are_sequential(courier):
    variant = _variant(stock=5)
    first, _ = _place(_cart((variant, 1)), courier)
    second, _ = _place(_cart((variant, 1)), courier)
    assert int(second.number.rsplit("-", 1)[1]) == int(first.number.rsplit("-", 1)[1]) + 1


def test_expiry_command_reports_what_it_cancelled(courier):
    from io import StringIO

    from django.core.management import call_command

    order, _ = _place(_cart((_variant(stock=2), 1)), courier)
    Order.objects.filter(pk=order.pk).update(pay_by=timezone.now() - timedelta(seconds=1))
    out = StringIO()
    call_command("expire_unpaid_orders", stdout=out)
    assert "Expired 1 unpaid order(s)" in out.getvalue() and order.number in out.getvalue()


def test_guest_lookup_finds_only_guest_orders(courier):
    from boutique.orders.errors import OrderNotFound
    from boutique.orders.selectors import order_get_for_guest

    guest_order, _ = _place(_cart((_variant(), 1)), courier, email="Guest@Example.com")
    assert order_get_for_guest(number=guest_order.number.lower(), email="guest@example.com")
    owner = UserFactory()
    own, _ = _place(_cart((_variant(), 1), user=owner), courier, user=owner, email="")
    with pytest.raises(OrderNotFound):
        order_get_for_guest(number=own.number, email=owner.email)


def test_tax_inclusive_prices_charge_the_sticker_price(courier, settings):
    settings.PRICES_INCLUDE_TAX = True
    cart = _cart((_variant("10.60"), 1))
    order, _ = _place(cart, courier)
    # 6 % included in the $10.60 sticker; shipping not taxed: the customer pays 10.60 + 4.00.
    assert (order.subtotal, order.tax, order.shipping, order.total) == (
        Decimal("10.00"),
        Decimal("0.60"),
        Decimal("4.00"),
        Decimal("14.60"),
    )
    assert order.prices_include_tax


def test_customers_are_told_at_each_step(courier):
    from boutique.notifications.models import Notification

    cart = _cart((_variant(), 1))
    order, _ = _place(cart, courier, payment_method="bank_transfer")
    sent = lambda: list(  # noqa: E731
        Notification.objects.filter(reference_id=order.number)
        .order_by("pk")
        .values_list("template", flat=True)
    )
    assert sent() == ["order_confirmation", "bank_transfer_instructions"]
    instructions = Notification.objects.get(template="bank_transfer_instructions")
    assert (
        instructions.context["reference"] == order.number and instructions.context["bank_details"]
    )
    order_transition(order=order, target="paid")
    assert sent()[-1] == "payment_received"
    order_cancel(order=order, reason="out of stock at the warehouse")
    assert sent()[-1] == "order_cancelled"
    assert Notification.objects.get(template="order_cancelled").context["was_paid"] is True


def test_no_message_is_queued_when_the_change_is_refused(courier):
    from boutique.notifications.models import Notification

    order, _ = _place(_cart((_variant(), 1)), courier)
    with pytest.raises(IllegalTransition):
        order_transition(order=order, target="delivered")
    assert list(Notification.objects.values_list("template", flat=True)) == ["order_confirmation"]


def test_a_refused_hold_leaves_the_other_lines_unheld_and_an_earlier_hold_intact(courier):
    plenty, scarce = _variant(stock=5, name="Hat"), _variant(stock=2, name="Boots")
    cart = _cart((plenty, 1), (scarce, 2))
    assert checkout_hold(cart=cart) == []
    # The customer wants all 5 hats, then one is found damaged: only 4 left.
    cart_add(token=cart.token, variant_id=plenty.pk, quantity=4)
    stock_adjust(variant=plenty, quantity=-1, reason="damaged")
    problems = checkout_hold(cart=cart)
    assert problems and plenty.sku in problems[0]
    # The earlier hold (1 hat, 2 boots) is still in place; nothing new was held.
    held = dict(
        Reservation.objects.filter(holder_type="cart", state="active").values_list(
            "variant_id", "quantity"
        )
    )
    assert held == {plenty.pk: 1, scarce.pk: 2}
