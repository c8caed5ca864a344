"""Refunds under load, on real connections: many staff pressing "Refund" at
once never give back more than was paid. Runs on SQLite and PostgreSQL."""

from decimal import Decimal

import pytest
from django.db.models import Sum

from boutique.accounts.tests.factories import UserFactory
from boutique.cart.services import cart_add, cart_obtain
from boutique.catalog.tests.factories import make_product
from boutique.checkout.services import CheckoutInput, order_place
from boutique.notifications.models import Notification
from boutique.orders.models import Order, ShippingMethod
from boutique.payments.gateways.test import tokenize
from boutique.payments.models import Payment, Refund
from boutique.payments.refunds import RefundTooLarge, refund_create
from boutique.payments.services import payment_card_pay, payment_confirm_offline

from .helpers import run_concurrently

pytestmark = pytest.mark.django_db(transaction=True)

ADDRESS = {"full_name": "Rania Haddad", "line1": "Hamra St 12", "city": "Beirut", "country": "LB"}


def _paid_order(method: str, staff) -> tuple[Order, Payment]:
    """An order of $96.00 + $4.00 shipping (no tax), paid $100.00."""
    shipping = ShippingMethod.objects.create(name="Courier", price=Decimal("4.00"))
    variant = make_product(price="96.00", stock=5).variants.get()
    cart = cart_obtain()
    cart_add(token=cart.token, variant_id=variant.pk, quantity=1)
    data = CheckoutInput(
        email="buyer@example.com", shipping_address=ADDRESS, shipping_method_id=shipping.pk
    )
    order, _ = order_place(cart=cart, data=data)
    Order.objects.filter(pk=order.pk).update(payment_method=method)
    order.refresh_from_db()
    if method == "card":
        token = tokenize(number="4242424242424242", exp_month=12, exp_year=2030, cvc="123")
        payment = payment_card_pay(order=order, token=token, idempotency_key="pay-race")
    else:
        payment = payment_confirm_offline(order=order, method=method, actor=staff)
    assert payment.amount == Decimal("100.00")
    return order, payment


@pytest.mark.parametrize("method", ["card", "cash_usd"])
def test_twenty_refunds_of_ten_on_a_hundred_exactly_ten_succeed(settings, method):
    settings.DEFAULT_TAX_RATE = "0"
    staff = UserFactory(is_staff=True)
    order, payment = _paid_order(method, staff)

    results = run_concurrently(
        lambda i: refund_create(order=order, actor=staff, reason=f"Race {i}", amount="10.00"),
        workers=20,
        timeout=120,
    )

    done = [r for r in results if isinstance(r, Refund)]
    refused = [r for r in results if isinstance(r, RefundTooLarge)]
    assert len(done) == 10, [r for r in results if not isinstance(r, Refund | RefundTooLarge)][:3]
    assert len(refused) == 10
    assert all(r.status == "succeeded" for r in done)
    payment.refresh_from_db()
    order.refresh_from_db()
    assert payment.amount_refunded == Decimal("100.00")
    assert order.payment_status == "refunded"
    assert Refund.objects.filter(payment=payment).count() == 10
    assert Refund.objects.filter(payment=payment).aggregate(s=Sum("amount"))["s"] == Decimal(
        "100.00"
    )
    numbers = set(Refund.objects.values_list("refund_number", flat=True))
    assert len(numbers) == 10
    assert Notification.objects.filter(template="refund_issued").count() == 10
