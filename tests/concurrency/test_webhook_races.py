"""Gateway webhooks on real connections: a notification delivered many times
at once is stored once and captures once; notices racing out of order apply
each once."""

import json
from decimal import Decimal

import pytest
from django.test import Client

from boutique.audit.models import AuditLog
from boutique.cart.services import cart_add, cart_obtain
from boutique.catalog.tests.factories import make_product
from boutique.checkout.services import CheckoutInput, order_place
from boutique.inventory.models import Stock, StockMovement
from boutique.orders.models import Order, ShippingMethod
from boutique.payments.gateways.test import sign_test_webhook, tokenize
from boutique.payments.models import Payment, Refund, WebhookEvent
from boutique.payments.services import PaymentRefused, payment_card_pay
from boutique.payments.webhooks import webhook_events_retry

from .helpers import run_concurrently

pytestmark = pytest.mark.django_db(transaction=True)

ADDRESS = {"full_name": "Rania Haddad", "line1": "Hamra St 12", "city": "Beirut", "country": "LB"}


def _awaiting_payment(variants):
    """An order of one unit of each variant, paid by a card the bank asked to
    confirm: the capture will be told by the webhook."""
    method = ShippingMethod.objects.create(name="Courier", price=Decimal("4.00"))
    cart = cart_obtain()
    for variant in variants:
        cart_add(token=cart.token, variant_id=variant.pk, quantity=1)
    data = CheckoutInput(
        email="guest@example.com", shipping_address=ADDRESS, shipping_method_id=method.pk
    )
    order, _ = order_place(cart=cart, data=data)
    Order.objects.filter(pk=order.pk).update(payment_method="card")
    token = tokenize(number="4000 0025 0000 3155", exp_month=12, exp_year=2030, cvc="123")
    with pytest.raises(PaymentRefused):
        payment_card_pay(order=order, token=token, idempotency_key=f"3ds-{order.pk}")
    return Payment.objects.get(order=order)


def test_one_capture_notice_delivered_ten_times_at_once_pays_the_order_once():
    variants = [make_product(price="15.00", stock=3).variants.get() for _ in range(2)]
    payment = _awaiting_payment(variants)
    body = json.dumps(
        {
            "id": "evt_race",
            "type": "payment.succeeded",
            "transaction_ref": payment.transaction_ref,
            "amount": str(payment.amount),
            "currency": payment.currency,
        }
    ).encode()
    signature = sign_test_webhook(body)

    def deliver(_):
        response = Client().post(
            "/api/v1/webhooks/test",
            data=body,
            content_type="application/json",
            HTTP_X_TEST_SIGNATURE=signature,
        )
        return response.status_code, response.json()

    results = run_concurrently(deliver, workers=10, timeout=120)

    assert results == [(200, {"received": True})] * 10, results
    event = WebhookEvent.objects.get()
    assert event.event_id == "evt_race" and event.processed_at is not None and event.error == ""
    assert Payment.objects.filter(order_id=payment.order_id).count() == 1
    payment.refresh_from_db()
    assert payment.status == "succeeded"
    order = Order.objects.get(pk=payment.order_id)
    assert (order.status, order.payment_status) == ("paid", "paid")
    assert AuditLog.objects.filter(action="payment.succeeded").count() == 1
    assert AuditLog.objects.filter(action="order.paid").count() == 1
    for variant in variants:
        assert StockMovement.objects.filter(variant=variant, kind="out").count() == 1
        assert Stock.objects.get(variant=variant).on_hand == 2


def test_refund_and_capture_notices_racing_out_of_order_apply_each_once():
    variant = make_product(price="15.00", stock=3).variants.get()
    payment = _awaiting_payment([variant])
    ref = payment.transaction_ref
    capture = json.dumps({"id": "evt_cap", "type": "payment.succeeded", "transaction_ref": ref})
    refund = json.dumps(
        {
            "id": "evt_ref",
            "type": "refund.succeeded",
            "transaction_ref": ref,
            "amount": "5.00",
            "refund_ref": "re_race",
        }
    )
    bodies = [capture.encode() if i % 2 else refund.encode() for i in range(20)]

    def deliver(i):
        return (
            Client()
            .post(
                "/api/v1/webhooks/test",
                data=bodies[i],
                content_type="application/json",
                HTTP_X_TEST_SIGNATURE=sign_test_webhook(bodies[i]),
            )
            .status_code
        )

    results = run_concurrently(deliver, workers=20, timeout=120)
    assert results == [200] * 20, results
    webhook_events_retry()  # a refund notice that beat the capture is applied now

    assert WebhookEvent.objects.count() == 2
    assert WebhookEvent.objects.filter(processed_at__isnull=True).count() == 0
    payment.refresh_from_db()
    assert (payment.status, payment.amount_refunded) == ("succeeded", Decimal("5.00"))
    assert Refund.objects.filter(payment=payment).count() == 1
    order = Order.objects.get(pk=payment.order_id)
    assert (order.status, order.payment_status) == ("paid", "partially_refunded")
    assert StockMovement.objects.filter(variant=variant, kind="out").count() == 1
