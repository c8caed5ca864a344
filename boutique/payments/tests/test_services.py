from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from boutique.accounts.tests.factories import UserFactory
from boutique.audit.models import AuditLog
from boutique.cart.services import cart_add, cart_obtain
from boutique.catalog.tests.factories import make_product
from boutique.checkout.services import CheckoutInput, order_place
from boutique.core.errors import Conflict, ValidationFailed
from boutique.inventory.models import Stock, StockMovement
from boutique.orders.models import ExchangeRate, Order, ShippingMethod
from boutique.payments.gateways.test import InvalidCard, tokenize
from boutique.payments.models import Payment, PaymentAttempt
from boutique.payments.services import (
    OrderNotPayable,
    PaymentRefused,
    payment_card_pay,
    payment_confirm_offline,
)

pytestmark = pytest.mark.django_db

ADDRESS = {"full_name": "Rania Haddad", "line1": "Hamra St 12", "city": "Beirut", "country": "LB"}


def _order(price="20.00", stock=5, payment_method="cod", currency="USD"):
    method = ShippingMethod.objects.create(name="Courier", price=Decimal("4.00"))
    variant = make_product(price=price, stock=stock).variants.get()
    cart = cart_obtain()
    cart_add(token=cart.token, variant_id=variant.pk, quantity=1)
    data = CheckoutInput(
        email="guest@example.com",
        shipping_address=ADDRESS,
        shipping_method_id=method.pk,
        currency=currency,
    )
    order, _ = order_place(cart=cart, data=data)
    if payment_method != "cod":
        Order.objects.filter(pk=order.pk).update(payment_method=payment_method)
        order.refresh_from_db()
    return order, variant


def _token(number="4242 4242 4242 4242"):
    return tokenize(number=number, exp_month=12, exp_year=2030, cvc="123")


def test_test_card_pays_the_order_and_takes_the_stock():
    order, variant = _order(payment_method="card")
    payment = payment_card_pay(order=order, token=_token(), idempotency_key="pay-1")
    order.refresh_from_db()
    assert (payment.status, payment.card_brand, payment.card_last4) == ("succeeded", "visa", "4242")
    assert payment.amount == order.total and payment.transaction_ref.startswith("test_")
    assert (order.status, order.payment_status) == ("paid", "paid")
    assert Stock.objects.get(variant=variant).on_hand == 4
    assert StockMovement.objects.filter(variant=variant, kind="out").count() == 1
    assert AuditLog.objects.filter(action="payment.succeeded").exists()


def test_the_same_key_is_one_charge_and_a_paid_order_cannot_be_paid_again():
    order, _ = _order(payment_method="card")
    first = payment_card_pay(order=order, token=_token(), idempotency_key="pay-1")
    again = payment_card_pay(order=order, token=_token(), idempotency_key="pay-1")
    assert again.pk == first.pk
    with pytest.raises(OrderNotPayable):
        payment_card_pay(order=order, token=_token(), idempotency_key="pay-2")
    assert Payment.objects.filter(order=order, status="succeeded").count() == 1


@pytest.mark.parametrize(
    ("number", "code"),
    [
        ("4000 0000 0000 0002", "card_declined"),
        ("4000 0000 0000 9995", "insufficient_funds"),
        ("4000 0025 0000 3155", "authentication_required"),
    ],
)
def test_a_decline_is_recorded_tells_why_and_the_order_stays_payable(number, code):
    order, variant = _order(payment_method="card")
    with pytest.raises(PaymentRefused) as refused:
        payment_card_pay(order=order, token=_token(number), idempotency_key="try-1")
    assert refused.value.status == 402 and refused.value.detail
    attempt = PaymentAttempt.objects.get(idempotency_key="try-1")
    assert attempt.error_code == code
    order.refresh_from_db()
    assert (order.status, order.payment_status) == ("pending", "failed")
    assert Stock.objects.get(variant=variant).on_hand == 5
    # Retry with a good card.
    payment_card_pay(order=order, token=_token(), idempotency_key="try-2")
    order.refresh_from_db()
    assert order.payment_status == "paid"


def test_card_numbers_are_checked_and_never_reach_the_token():
    with pytest.raises(InvalidCard):
        _token("4242 4242 4242 4241")
    token = tokenize(number="4242 4242 4242 4242", exp_month=12, exp_year=2030, cvc="987")
    assert token == "tok_test_ok_visa_4242_122030"  # brand, last four, expiry: no PAN, no CVV


def test_an_expired_order_cannot_be_paid():
    order, _ = _order(payment_method="card")
    Order.objects.filter(pk=order.pk).update(pay_by=timezone.now() - timedelta(minutes=1))
    order.refresh_from_db()
    with pytest.raises(OrderNotPayable):
        payment_card_pay(order=order, token=_token(), idempotency_key="late")
    with pytest.raises(ValidationFailed):
        payment_card_pay(order=order, token=_token(), idempotency_key="")


def test_a_key_used_for_another_order_is_refused():
    first, _ = _order(payment_method="card")
    payment_card_pay(order=first, token=_token(), idempotency_key="shared")
    second, _ = _order(payment_method="card")
    with pytest.raises(Conflict):
        payment_card_pay(order=second, token=_token(), idempotency_key="shared")


def test_a_key_that_could_name_a_refund_at_the_gateway_is_refused():
    order, _ = _order(payment_method="card")
    with pytest.raises(ValidationFailed):
        payment_card_pay(order=order, token=_token(), idempotency_key="Refund-RF-2026-000123")
    assert not Payment.objects.filter(order=order).exists()


def test_staff_confirm_a_bank_transfer_with_its_reference():
    staff = UserFactory(is_staff=True)
    order, _ = _order(payment_method="bank_transfer")
    with pytest.raises(ValidationFailed):
        payment_confirm_offline(order=order, method="bank_transfer", actor=staff)
    payment = payment_confirm_offline(
        order=order, method="bank_transfer", actor=staff, reference="BANK-778"
    )
    order.refresh_from_db()
    assert (payment.bank_reference, payment.confirmed_by, order.status) == (
        "BANK-778",
        staff,
        "paid",
    )
    log = AuditLog.objects.get(action="payment.confirmed")
    assert log.actor == staff and log.new["reference"] == "BANK-778"
    with pytest.raises(OrderNotPayable):
        payment_confirm_offline(order=order, method="bank_transfer", actor=staff, reference="x")


def test_cash_in_lbp_for_a_usd_order_uses_the_rate_of_the_order_date():
    ExchangeRate.objects.create(
        currency="LBP", rate=Decimal("89500"), effective_from=timezone.now() - timedelta(days=1)
    )
    order, _ = _order(price="10.00", payment_method="cash_lbp")
    ExchangeRate.objects.create(
        currency="LBP", rate=Decimal("95000"), effective_from=timezone.now()
    )
    payment = payment_confirm_offline(order=order, method="cash_lbp", actor=UserFactory())
    # $10.00 + $4.00 shipping + 6 % tax on $10.00 = $14.60 → LBP at 89,500.
    assert (payment.currency, payment.amount) == ("LBP", Decimal("1306700"))
    assert payment.exchange_rate == Decimal("89500")


def test_cash_on_delivery_is_confirmed_when_collected_at_the_door():
    from boutique.orders.services import order_transition

    staff = UserFactory(is_staff=True)
    order, variant = _order(payment_method="cod")
    Order.objects.filter(pk=order.pk).update(cod_confirmed_at=timezone.now())
    order.refresh_from_db()
    for target in ("processing", "shipped", "delivered"):
        order_transition(order=order, target=target, actor=staff)
    payment = payment_confirm_offline(order=order, method="cod", actor=staff)
    order.refresh_from_db()
    assert (order.status, order.payment_status) == ("delivered", "paid")
    assert payment.status == "succeeded" and payment.amount == order.total
    assert Stock.objects.get(variant=variant).on_hand == 4
    with pytest.raises(OrderNotPayable):
        payment_confirm_offline(order=order, method="cod", actor=staff)
