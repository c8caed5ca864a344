"""Settling card payments left pending, on real connections: reconcile jobs
running at once with the payment's own late completion record one success and
send one "payment received"; new payments of the order racing the jobs never
charge a second time."""

import threading
import time
from decimal import Decimal

import pytest

from boutique.audit.models import AuditLog
from boutique.cart.services import cart_add, cart_obtain
from boutique.catalog.tests.factories import make_product
from boutique.checkout.services import CheckoutInput, order_place
from boutique.core.errors import Conflict
from boutique.inventory.models import Stock, StockMovement
from boutique.notifications.models import Notification
from boutique.orders.models import Order, ShippingMethod
from boutique.payments.gateways.test import TestGateway, tokenize
from boutique.payments.models import Payment, TestGatewayCharge
from boutique.payments.reconcile import payments_reconcile_stale
from boutique.payments.services import payment_card_pay

from .helpers import run_concurrently

pytestmark = pytest.mark.django_db(transaction=True)

ADDRESS = {"full_name": "Rania Haddad", "line1": "Hamra St 12", "city": "Beirut", "country": "LB"}
JOBS = 6
TOKEN = tokenize(number="4242 4242 4242 4242", exp_month=12, exp_year=2030, cvc="123")


def _order():
    method = ShippingMethod.objects.create(name="Courier", price=Decimal("4.00"))
    variant = make_product(price="15.00", stock=3).variants.get()
    cart = cart_obtain()
    cart_add(token=cart.token, variant_id=variant.pk, quantity=1)
    data = CheckoutInput(
        email="guest@example.com", shipping_address=ADDRESS, shipping_method_id=method.pk
    )
    order, _ = order_place(cart=cart, data=data)
    Order.objects.filter(pk=order.pk).update(payment_method="card")
    order.refresh_from_db()
    return order, variant


def _paid_once(order, variant):
    order.refresh_from_db()
    assert (order.status, order.payment_status) == ("paid", "paid")
    assert Payment.objects.filter(order=order, status="succeeded").count() == 1
    assert TestGatewayCharge.objects.count() == 1  # one charge at the gateway
    assert AuditLog.objects.filter(action="payment.succeeded").count() == 1
    assert AuditLog.objects.filter(action="order.paid").count() == 1
    assert not AuditLog.objects.filter(action="payment.failed").exists()
    paid = Notification.objects.filter(template="payment_received", reference_id=order.number)
    assert paid.count() == 1
    assert StockMovement.objects.filter(variant=variant, kind="out").count() == 1
    assert Stock.objects.get(variant=variant).on_hand == 2


def test_jobs_racing_the_late_completion_record_one_success(monkeypatch, settings):
    # Every pending payment counts as stale: the jobs ask about the one in flight.
    settings.PAYMENT_RECONCILE_AFTER_MINUTES = 0
    order, variant = _order()
    charged = threading.Event()
    real = TestGateway.charge

    def slow_answer(self, **kwargs):
        result = real(self, **kwargs)  # the gateway has taken the charge …
        charged.set()
        time.sleep(0.05)  # … and its answer is late
        return result

    monkeypatch.setattr(TestGateway, "charge", slow_answer)

    def work(i):
        if i == 0:
            return payment_card_pay(order=order, token=TOKEN, idempotency_key="late").status
        assert charged.wait(timeout=30)
        return payments_reconcile_stale()

    results = run_concurrently(work, workers=JOBS + 1, timeout=120)

    assert results[0] == "succeeded", results
    jobs = results[1:]
    assert all(isinstance(r, dict) and set(r) <= {"succeeded", "settled"} for r in jobs), results
    assert sum(r.get("succeeded", 0) for r in jobs) <= 1, results
    _paid_once(order, variant)
    payment = Payment.objects.get(order=order)
    assert payment.attempts.get().outcome == "succeeded"


def test_new_payments_racing_the_jobs_never_charge_twice(monkeypatch, settings):
    settings.PAYMENT_RECONCILE_AFTER_MINUTES = 0
    order, variant = _order()
    real = TestGateway.charge

    def killed(self, **kwargs):
        real(self, **kwargs)
        raise KeyboardInterrupt  # the worker dies once the gateway took the charge

    monkeypatch.setattr(TestGateway, "charge", killed)
    with pytest.raises(KeyboardInterrupt):
        payment_card_pay(order=order, token=TOKEN, idempotency_key="crashed")
    monkeypatch.setattr(TestGateway, "charge", real)
    assert Payment.objects.get(order=order).status == "pending"

    def work(i):
        if i % 2:
            return payments_reconcile_stale()
        try:
            return payment_card_pay(order=order, token=TOKEN, idempotency_key=f"new-{i}").status
        except Conflict as exc:  # already paid, or still being confirmed
            return exc.code

    results = run_concurrently(work, workers=JOBS, timeout=120)

    payments = [r for i, r in enumerate(results) if i % 2 == 0]
    assert set(payments) <= {"order_not_payable", "payment_being_confirmed"}, results
    _paid_once(order, variant)
    assert Payment.objects.filter(order=order).count() == 1
