"""Card payments left pending by a crash (a worker killed between recording the
attempt and recording the gateway's answer) are settled from the gateway's
records: the crash is simulated by letting the charge call die after (or
before) the gateway took the charge, so step 3 never runs."""

import io
import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from boutique.audit.models import AuditLog
from boutique.cart.services import cart_add, cart_obtain
from boutique.catalog.tests.factories import make_product
from boutique.checkout.services import CheckoutInput, order_place
from boutique.core.errors import Conflict
from boutique.inventory.models import Stock
from boutique.notifications.models import Notification
from boutique.orders.models import Order, ShippingMethod
from boutique.payments.gateways import GatewayError
from boutique.payments.gateways.test import TestGateway, sign_test_webhook, tokenize
from boutique.payments.models import Payment, PaymentAttempt, TestGatewayCharge, WebhookEvent
from boutique.payments.reconcile import payment_reconcile, payments_reconcile_stale
from boutique.payments.services import (
    OrderNotPayable,
    PaymentBeingConfirmed,
    PaymentRefused,
    payment_card_pay,
)
from boutique.payments.webhooks import webhook_events_retry

pytestmark = pytest.mark.django_db

ADDRESS = {"full_name": "Rania Haddad", "line1": "Hamra St 12", "city": "Beirut", "country": "LB"}
GOOD = "4242 4242 4242 4242"
DECLINED = "4000 0000 0000 0002"
THREE_DS = "4000 0025 0000 3155"


class WorkerKilled(Exception):
    """Stands for SIGKILL: nothing after the charge call runs."""


def _order():
    method = ShippingMethod.objects.create(name="Courier", price=Decimal("4.00"))
    variant = make_product(price="20.00", stock=5).variants.get()
    cart = cart_obtain()
    cart_add(token=cart.token, variant_id=variant.pk, quantity=1)
    data = CheckoutInput(
        email="guest@example.com", shipping_address=ADDRESS, shipping_method_id=method.pk
    )
    order, _ = order_place(cart=cart, data=data)
    Order.objects.filter(pk=order.pk).update(payment_method="card")
    order.refresh_from_db()
    return order, variant


def _token(number=GOOD):
    return tokenize(number=number, exp_month=12, exp_year=2030, cvc="123")


def _crash(monkeypatch, *, charged: bool):
    """The next charge dies after the gateway took it, or before it got there."""
    real = TestGateway.charge

    def charge(self, **kwargs):
        if charged:
            real(self, **kwargs)
        raise WorkerKilled

    monkeypatch.setattr(TestGateway, "charge", charge)
    return lambda: monkeypatch.setattr(TestGateway, "charge", real)


def _stuck(monkeypatch, order, *, charged=True, number=GOOD, key="pay-1", age_minutes=11):
    restore = _crash(monkeypatch, charged=charged)
    with pytest.raises(WorkerKilled):
        payment_card_pay(order=order, token=_token(number), idempotency_key=key)
    restore()
    payment = Payment.objects.get(order=order)
    assert (payment.status, payment.transaction_ref) == ("pending", "")
    assert payment.attempts.get().outcome == "pending"
    _age(payment, age_minutes)
    return payment


def _age(payment, minutes):
    Payment.objects.filter(pk=payment.pk).update(
        created_at=timezone.now() - timedelta(minutes=minutes)
    )


def _paid_messages(order):
    return Notification.objects.filter(template="payment_received", reference_id=order.number)


def test_a_charge_taken_before_the_crash_is_recorded_as_the_normal_path_would(monkeypatch):
    order, variant = _order()
    payment = _stuck(monkeypatch, order)

    assert payments_reconcile_stale() == {"succeeded": 1}

    payment.refresh_from_db()
    order.refresh_from_db()
    assert (payment.status, payment.card_brand, payment.card_last4) == ("succeeded", "visa", "4242")
    assert payment.transaction_ref == TestGatewayCharge.objects.get().transaction_ref
    assert payment.attempts.get().outcome == "succeeded"
    assert (order.status, order.payment_status) == ("paid", "paid")
    assert Stock.objects.get(variant=variant).on_hand == 4
    assert AuditLog.objects.filter(action="payment.succeeded").count() == 1
    assert _paid_messages(order).count() == 1
    # The client's retry with its key now gets the payment, not a 409.
    again = payment_card_pay(order=order, token=_token(), idempotency_key="pay-1")
    assert again.pk == payment.pk
    # Idempotent: a second run finds nothing to do.
    assert payments_reconcile_stale() == {}
    assert AuditLog.objects.filter(action="payment.succeeded").count() == 1


def test_a_crash_before_the_gateway_fails_the_payment_and_the_customer_pays_again(monkeypatch):
    order, variant = _order()
    payment = _stuck(monkeypatch, order, charged=False)

    assert payments_reconcile_stale() == {"not_charged": 1}

    payment.refresh_from_db()
    order.refresh_from_db()
    assert (payment.status, payment.error_code) == ("failed", "not_charged")
    attempt = payment.attempts.get()
    assert (attempt.outcome, attempt.error_code) == ("failed", "not_charged")
    assert (order.status, order.payment_status) == ("pending", "failed")
    assert AuditLog.objects.filter(action="payment.failed").count() == 1
    with pytest.raises(PaymentRefused, match="not been charged"):
        payment_card_pay(order=order, token=_token(), idempotency_key="pay-1")
    paid = payment_card_pay(order=order, token=_token(), idempotency_key="pay-2")
    order.refresh_from_db()
    assert paid.status == "succeeded" and order.payment_status == "paid"
    assert Stock.objects.get(variant=variant).on_hand == 4


def test_a_decline_taken_before_the_crash_fails_with_the_banks_reason(monkeypatch):
    order, _ = _order()
    payment = _stuck(monkeypatch, order, number=DECLINED)
    assert payments_reconcile_stale() == {"failed": 1}
    payment.refresh_from_db()
    assert (payment.status, payment.error_code) == ("failed", "card_declined")


def test_a_charge_waiting_for_the_bank_is_left_to_the_bank(monkeypatch):
    order, _ = _order()
    payment = _stuck(monkeypatch, order, number=THREE_DS)
    assert payments_reconcile_stale() == {"requires_action": 1}
    payment.refresh_from_db()
    order.refresh_from_db()
    # Waiting as the normal path leaves it, with the reference its webhook names.
    assert payment.status == "requires_action" and payment.transaction_ref.startswith("test_")
    assert payment.attempts.get().outcome == "requires_action"
    assert order.status == "pending"  # still payable, as after a live 3-D Secure answer


def test_a_payment_younger_than_the_threshold_is_left_alone(monkeypatch, settings):
    settings.PAYMENT_RECONCILE_AFTER_MINUTES = 10
    order, _ = _order()
    payment = _stuck(monkeypatch, order, age_minutes=9)
    assert payments_reconcile_stale() == {}
    later = timezone.now() + timedelta(minutes=2)
    assert payments_reconcile_stale(now=later) == {"succeeded": 1}
    payment.refresh_from_db()
    assert payment.status == "succeeded"


def test_an_unreachable_gateway_leaves_the_payment_pending_for_the_next_run(monkeypatch):
    order, _ = _order()
    payment = _stuck(monkeypatch, order)

    def down(self, **kwargs):
        raise GatewayError("timeout")

    monkeypatch.setattr(TestGateway, "retrieve", down)
    assert payments_reconcile_stale() == {"unreachable": 1}
    payment.refresh_from_db()
    assert payment.status == "pending"
    monkeypatch.undo()
    assert payments_reconcile_stale() == {"succeeded": 1}


def test_a_new_payment_waits_while_one_is_being_confirmed(monkeypatch):
    order, _ = _order()
    _stuck(monkeypatch, order, age_minutes=1)  # may still be in flight
    with pytest.raises(PaymentBeingConfirmed) as refused:
        payment_card_pay(order=order, token=_token(), idempotency_key="pay-2")
    assert refused.value.status == 409 and "try again" in refused.value.detail
    assert not PaymentAttempt.objects.filter(idempotency_key="pay-2").exists()
    assert TestGatewayCharge.objects.count() == 1  # nothing charged a second time
    # The same key also answers 409 while it may be in flight.
    with pytest.raises(Conflict, match="still being processed"):
        payment_card_pay(order=order, token=_token(), idempotency_key="pay-1")


def test_a_new_payment_settles_a_stale_one_first_and_never_charges_twice(monkeypatch):
    order, _ = _order()
    payment = _stuck(monkeypatch, order)  # charged, then the worker died
    with pytest.raises(OrderNotPayable, match="is paid"):
        payment_card_pay(order=order, token=_token(), idempotency_key="pay-2")
    payment.refresh_from_db()
    assert payment.status == "succeeded"
    assert TestGatewayCharge.objects.count() == 1
    assert Payment.objects.filter(order=order).count() == 1


def test_a_new_payment_after_a_stale_uncharged_one_goes_through(monkeypatch):
    order, _ = _order()
    payment = _stuck(monkeypatch, order, charged=False)
    paid = payment_card_pay(order=order, token=_token(), idempotency_key="pay-2")
    payment.refresh_from_db()
    assert (payment.status, paid.status) == ("failed", "succeeded")


def test_the_same_key_after_the_threshold_is_answered_from_the_gateway(monkeypatch):
    order, _ = _order()
    payment = _stuck(monkeypatch, order)
    assert payment_card_pay(order=order, token=_token(), idempotency_key="pay-1").pk == payment.pk
    order.refresh_from_db()
    assert order.payment_status == "paid"


def test_a_payment_settled_meanwhile_is_not_recorded_again(monkeypatch):
    order, _ = _order()
    payment = _stuck(monkeypatch, order)
    payments_reconcile_stale()
    assert payment_reconcile(payment=payment) == "settled"  # the stale copy it was given
    assert AuditLog.objects.filter(action="payment.succeeded").count() == 1
    assert _paid_messages(order).count() == 1


def test_the_command_reports_what_it_settled(monkeypatch):
    order, _ = _order()
    _stuck(monkeypatch, order)
    out = io.StringIO()
    call_command("payments_reconcile_stale", stdout=out)
    assert out.getvalue().strip() == "Reconciled 1 payment(s): 1 succeeded."
    out = io.StringIO()
    call_command("payments_reconcile_stale", stdout=out)
    assert out.getvalue().strip() == "Reconciled 0 payment(s)."


def test_the_test_gateway_remembers_each_charge_by_its_key():
    gateway = TestGateway()
    args = {"amount": Decimal("24.00"), "currency": "USD", "token": _token()}
    first = gateway.charge(idempotency_key="k-1", **args)
    again = gateway.charge(idempotency_key="k-1", **args)
    assert first == again and TestGatewayCharge.objects.count() == 1
    assert gateway.retrieve(idempotency_key="k-1") == first
    assert gateway.retrieve(idempotency_key="k-2") is None
    with pytest.raises(GatewayError):
        gateway.charge(idempotency_key="k-1", **{**args, "amount": Decimal("25.00")})


# --- the gateway's webhook names the payment by its metadata -----------------------------


def _webhook(event_id, payment, *, metadata, type_="payment.succeeded"):
    charge = TestGatewayCharge.objects.get()
    body = json.dumps(
        {
            "id": event_id,
            "type": type_,
            "transaction_ref": charge.transaction_ref,
            "amount": str(payment.amount),
            "currency": payment.currency,
            "metadata": metadata,
        }
    ).encode()
    return Client().post(
        "/api/v1/webhooks/test",
        data=body,
        content_type="application/json",
        HTTP_X_TEST_SIGNATURE=sign_test_webhook(body),
    )


def test_a_capture_notice_finds_a_payment_without_reference_by_its_metadata(monkeypatch):
    order, _ = _order()
    payment = _stuck(monkeypatch, order, age_minutes=0)
    metadata = {"order": order.number, "payment": str(payment.pk), "attempt_key": "pay-1"}
    assert _webhook("evt_1", payment, metadata=metadata).status_code == 200

    event = WebhookEvent.objects.get()
    assert event.processed_at is not None and event.error == ""
    payment.refresh_from_db()
    order.refresh_from_db()
    assert payment.status == "succeeded"
    assert payment.transaction_ref == TestGatewayCharge.objects.get().transaction_ref
    assert payment.attempts.get().outcome == "succeeded"
    assert order.payment_status == "paid" and _paid_messages(order).count() == 1
    assert payment_card_pay(order=order, token=_token(), idempotency_key="pay-1").pk == payment.pk
    assert payments_reconcile_stale(now=timezone.now() + timedelta(hours=1)) == {}


def test_metadata_that_does_not_agree_finds_nothing(monkeypatch):
    order, _ = _order()
    payment = _stuck(monkeypatch, order, age_minutes=0)
    wrong_key = {"payment": str(payment.pk), "attempt_key": "someone-elses"}
    wrong_order = {"payment": str(payment.pk), "order": "BQ-NOPE"}
    _webhook("evt_1", payment, metadata=wrong_key)
    _webhook("evt_2", payment, metadata=wrong_order)
    assert set(WebhookEvent.objects.values_list("error", flat=True)) == {"unknown payment"}
    payment.refresh_from_db()
    assert payment.status == "pending"
    # Once the job records the reference, the waiting notices apply (once).
    _age(payment, 11)
    payments_reconcile_stale()
    assert webhook_events_retry() == 2
    assert AuditLog.objects.filter(action="payment.succeeded").count() == 1


def test_a_failure_notice_by_metadata_fails_the_payment_and_its_attempt(monkeypatch):
    order, _ = _order()
    payment = _stuck(monkeypatch, order, number=DECLINED, age_minutes=0)
    metadata = {"payment": str(payment.pk), "attempt_key": "pay-1"}
    _webhook("evt_f", payment, metadata=metadata, type_="payment.failed")
    payment.refresh_from_db()
    assert payment.status == "failed" and payment.transaction_ref.startswith("test_")
    assert payment.attempts.get().outcome == "failed"
    paid = payment_card_pay(order=order, token=_token(), idempotency_key="pay-2")
    assert paid.status == "succeeded"
