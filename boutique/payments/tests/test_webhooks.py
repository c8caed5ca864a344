import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import Client

from boutique.accounts.tests.factories import UserFactory
from boutique.audit.models import AuditLog
from boutique.cart.services import cart_add, cart_obtain
from boutique.catalog.tests.factories import make_product
from boutique.checkout.services import CheckoutInput, order_place
from boutique.inventory.models import Stock, StockMovement
from boutique.orders.models import Order, ShippingMethod
from boutique.payments.gateways import RefundResult
from boutique.payments.gateways.test import TestGateway, sign_test_webhook, tokenize
from boutique.payments.models import Payment, Refund, WebhookEvent
from boutique.payments.refunds import refund_create
from boutique.payments.services import PaymentRefused, payment_card_pay
from boutique.payments.webhooks import webhook_events_retry

pytestmark = pytest.mark.django_db

URL = "/api/v1/webhooks/test"
ADDRESS = {"full_name": "Rania Haddad", "line1": "Hamra St 12", "city": "Beirut", "country": "LB"}


def _awaiting_payment(price="20.00"):
    """A card payment the bank asked to confirm (3-D Secure): the gateway's
    webhook will tell us how it ended."""
    method = ShippingMethod.objects.create(name="Courier", price=Decimal("4.00"))
    variant = make_product(price=price, stock=5).variants.get()
    cart = cart_obtain()
    cart_add(token=cart.token, variant_id=variant.pk, quantity=1)
    data = CheckoutInput(
        email="guest@example.com", shipping_address=ADDRESS, shipping_method_id=method.pk
    )
    order, _ = order_place(cart=cart, data=data)
    Order.objects.filter(pk=order.pk).update(payment_method="card")
    token = tokenize(number="4000 0025 0000 3155", exp_month=12, exp_year=2030, cvc="123")
    with pytest.raises(PaymentRefused):
        payment_card_pay(order=order, token=token, idempotency_key=f"3ds-{order.pk}")
    payment = Payment.objects.get(order=order)
    assert payment.status == "requires_action" and payment.transaction_ref
    return payment, variant


def _event(event_id, type_, payment, **extra) -> bytes:
    body = {"id": event_id, "type": type_, "transaction_ref": payment.transaction_ref}
    body.update(extra)
    return json.dumps(body).encode()


def _post(body: bytes, *, signature=None, provider="test", client=None):
    client = client or Client(enforce_csrf_checks=True)
    signature = sign_test_webhook(body) if signature is None else signature
    return client.post(
        f"/api/v1/webhooks/{provider}",
        data=body,
        content_type="application/json",
        HTTP_X_TEST_SIGNATURE=signature,
    )


def _state(payment):
    payment.refresh_from_db()
    order = Order.objects.get(pk=payment.order_id)
    return payment.status, payment.amount_refunded, order.status, order.payment_status


def test_success_event_pays_the_order_and_takes_the_stock():
    payment, variant = _awaiting_payment()
    body = _event("evt_1", "payment.succeeded", payment, amount=str(payment.amount))

    response = _post(body)

    assert response.status_code == 200, response.content
    assert response.json() == {"received": True}
    assert _state(payment)[0::2] == ("succeeded", "paid")
    assert Order.objects.get(pk=payment.order_id).payment_status == "paid"
    assert Stock.objects.get(variant=variant).on_hand == 4
    assert StockMovement.objects.filter(variant=variant, kind="out").count() == 1
    event = WebhookEvent.objects.get()
    assert (event.provider, event.event_id, event.type) == ("test", "evt_1", "payment.succeeded")
    assert event.processed_at is not None and event.error == ""
    assert event.payload["event"]["id"] == "evt_1"


def test_bad_signature_is_400_and_stores_nothing():
    payment, _ = _awaiting_payment()
    body = _event("evt_1", "payment.succeeded", payment)

    forged = _post(body, signature="0" * 64)
    missing = Client().post(URL, data=body, content_type="application/json")
    tampered = _post(body.replace(b"evt_1", b"evt_2"), signature=sign_test_webhook(body))

    for response in (forged, missing, tampered):
        assert response.status_code == 400
        assert response.json()["code"] == "invalid_signature"
        assert response["Content-Type"].startswith("application/problem+json")
    assert WebhookEvent.objects.count() == 0
    assert _state(payment)[0] == "requires_action"


def test_unknown_or_inactive_provider_is_404_and_stores_nothing(settings):
    payment, _ = _awaiting_payment()
    body = _event("evt_1", "payment.succeeded", payment)
    assert _post(body, provider="paypal").status_code == 404
    settings.PAYMENT_GATEWAY = "stripe"  # the test gateway's secret pays nothing then
    response = _post(body, provider="test")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert WebhookEvent.objects.count() == 0
    assert _state(payment)[0] == "requires_action"


def test_a_body_that_is_not_json_or_has_no_usable_id_is_400():
    assert _post(b"not json").status_code == 400
    long_id = json.dumps({"id": "e" * 101, "type": "payment.succeeded"}).encode()
    response = _post(long_id)
    assert response.status_code == 400 and response.json()["code"] == "invalid_webhook"
    assert WebhookEvent.objects.count() == 0


def test_the_same_event_twice_is_one_row_processed_once():
    payment, variant = _awaiting_payment()
    body = _event("evt_dup", "payment.succeeded", payment)

    first, second = _post(body), _post(body)

    assert first.status_code == second.status_code == 200
    assert second.json() == {"received": True}
    event = WebhookEvent.objects.get()
    assert event.processed_at is not None
    assert Payment.objects.filter(order_id=payment.order_id, status="succeeded").count() == 1
    assert AuditLog.objects.filter(action="payment.succeeded").count() == 1
    assert AuditLog.objects.filter(action="order.paid").count() == 1
    assert StockMovement.objects.filter(variant=variant, kind="out").count() == 1


def test_a_capture_notice_for_a_payment_already_succeeded_changes_nothing():
    payment, variant = _awaiting_payment()
    _post(_event("evt_a", "payment.succeeded", payment))
    response = _post(_event("evt_b", "payment.succeeded", payment))
    assert response.status_code == 200
    assert WebhookEvent.objects.filter(processed_at__isnull=False).count() == 2
    assert AuditLog.objects.filter(action="order.paid").count() == 1
    assert StockMovement.objects.filter(variant=variant, kind="out").count() == 1


def test_an_unknown_payment_is_stored_unprocessed_and_applied_by_a_retry():
    payment, _ = _awaiting_payment()
    ref = payment.transaction_ref
    Payment.objects.filter(pk=payment.pk).update(transaction_ref="")
    response = _post(_event("evt_early", "payment.succeeded", payment))
    assert response.status_code == 200
    event = WebhookEvent.objects.get()
    assert (event.processed_at, event.error) == (None, "unknown payment")
    assert _state(payment)[0] == "requires_action"

    Payment.objects.filter(pk=payment.pk).update(transaction_ref=ref)
    assert webhook_events_retry() == 1
    event.refresh_from_db()
    assert event.processed_at is not None and event.error == ""
    assert _state(payment)[0::2] == ("succeeded", "paid")


def test_an_amount_that_does_not_match_is_not_applied():
    payment, _ = _awaiting_payment()
    _post(_event("evt_x", "payment.succeeded", payment, amount="1.00"))
    event = WebhookEvent.objects.get()
    assert event.processed_at is None and event.error.startswith("amount mismatch")
    assert _state(payment)[0] == "requires_action"


def test_a_failure_notice_fails_a_waiting_payment_but_never_a_succeeded_one():
    payment, _ = _awaiting_payment()
    _post(_event("evt_f", "payment.failed", payment, error_message="Authentication failed."))
    payment.refresh_from_db()
    assert (payment.status, payment.error_message) == ("failed", "Authentication failed.")
    order = Order.objects.get(pk=payment.order_id)
    assert (order.status, order.payment_status) == ("pending", "failed")

    other, _ = _awaiting_payment()
    _post(_event("evt_s", "payment.succeeded", other))
    _post(_event("evt_f2", "payment.failed", other))
    assert _state(other)[0::2] == ("succeeded", "paid")
    assert WebhookEvent.objects.get(event_id="evt_f2").processed_at is not None


def test_a_failure_notice_keeps_the_providers_reason_in_stripes_shape():
    payment, _ = _awaiting_payment()
    error = {"last_payment_error": {"message": "Your card was declined."}}
    _post(_event("evt_f", "payment.failed", payment, data={"object": error}))
    payment.refresh_from_db()
    assert (payment.status, payment.error_message) == ("failed", "Your card was declined.")


def test_refund_before_the_capture_notice_waits_for_the_capture_and_a_retry():
    payment, _ = _awaiting_payment()
    before = _state(payment)
    refund = _event("evt_refund", "refund.succeeded", payment, amount="5.00", refund_ref="re_1")

    assert _post(refund).status_code == 200
    assert _state(payment) == before  # nothing applied to an uncaptured payment
    waiting = WebhookEvent.objects.get(event_id="evt_refund")
    assert waiting.processed_at is None and "capture" in waiting.error
    assert webhook_events_retry() == 0  # still no capture: still waiting
    assert _state(payment) == before

    assert _post(_event("evt_capture", "payment.succeeded", payment)).status_code == 200
    assert _state(payment) == ("succeeded", Decimal("0"), "paid", "paid")

    out = io.StringIO()
    call_command("retry_webhook_events", stdout=out)
    assert "Applied 1 webhook event(s); 0 still pending." in out.getvalue()
    assert _state(payment) == ("succeeded", Decimal("5.00"), "paid", "partially_refunded")
    assert WebhookEvent.objects.filter(processed_at__isnull=True).count() == 0
    refund = Refund.objects.get()
    assert (refund.amount, refund.status, refund.provider_ref) == (
        Decimal("5.00"),
        "succeeded",
        "re_1",
    )
    assert refund.refund_number.startswith("RF-")
    # The same refund again (a redelivery or another event for it) is not counted twice.
    _post(_event("evt_refund", "refund.succeeded", payment, amount="5.00", refund_ref="re_1"))
    _post(_event("evt_refund_2", "refund.succeeded", payment, amount="5.00", refund_ref="re_1"))
    assert _state(payment)[1] == Decimal("5.00")
    assert Refund.objects.count() == 1
    assert WebhookEvent.objects.get(event_id="evt_refund_2").error.startswith("duplicate")


def test_pending_events_are_retried_in_the_order_received():
    payment, _ = _awaiting_payment()
    total = payment.amount
    _post(_event("evt_r1", "refund.succeeded", payment, amount=str(total - 1), refund_ref="re_1"))
    _post(_event("evt_r2", "refund.succeeded", payment, amount="1.00", refund_ref="re_2"))
    _post(_event("evt_cap", "payment.succeeded", payment))

    assert webhook_events_retry() == 2
    assert _state(payment) == ("succeeded", total, "paid", "refunded")
    refunds = Refund.objects.order_by("refund_number")
    assert [r.provider_ref for r in refunds] == ["re_1", "re_2"]
    assert [r.amount for r in refunds] == [total - 1, Decimal("1.00")]


def test_a_refund_above_what_is_left_is_not_applied():
    payment, _ = _awaiting_payment()
    _post(_event("evt_cap", "payment.succeeded", payment))
    too_much = str(payment.amount + 1)
    _post(_event("evt_big", "refund.succeeded", payment, amount=too_much, refund_ref="re_9"))
    event = WebhookEvent.objects.get(event_id="evt_big")
    assert event.processed_at is None and "exceeds" in event.error
    assert _state(payment)[1] == Decimal("0")
    assert Refund.objects.count() == 0


def test_a_refund_we_made_is_completed_by_its_notice_and_never_counted_twice(monkeypatch):
    payment, _ = _awaiting_payment()
    _post(_event("evt_cap", "payment.succeeded", payment))
    staff = UserFactory(is_staff=True)
    monkeypatch.setattr(
        TestGateway,
        "refund",
        lambda self, **kw: RefundResult(status="pending", refund_ref="re_ours"),
    )
    refund = refund_create(order=payment.order, actor=staff, reason="Damaged", amount="4.00")
    assert refund.status == "pending"
    assert _state(payment)[1::2] == (Decimal("4.00"), "paid")  # reserved, not yet given back

    body = _event("evt_ours", "refund.succeeded", payment, amount="4.00", refund_ref="re_ours")
    assert _post(body).status_code == 200

    refund.refresh_from_db()
    assert refund.status == "succeeded"
    assert _state(payment) == ("succeeded", Decimal("4.00"), "paid", "partially_refunded")
    _post(_event("evt_ours_2", "refund.succeeded", payment, amount="4.00", refund_ref="re_ours"))
    assert Refund.objects.count() == 1 and _state(payment)[1] == Decimal("4.00")


def test_a_notice_waits_while_a_refund_of_ours_is_at_the_gateway():
    payment, _ = _awaiting_payment()
    _post(_event("evt_cap", "payment.succeeded", payment))
    staff = UserFactory(is_staff=True)
    Refund.objects.create(
        order=payment.order,
        payment=payment,
        refund_number="RF-TEST-1",
        amount=Decimal("3.00"),
        currency=payment.currency,
        reason="Damaged",
        actor=staff,
    )  # in flight: the gateway has not answered with its reference yet
    _post(_event("evt_r", "refund.succeeded", payment, amount="3.00", refund_ref="re_x"))
    event = WebhookEvent.objects.get(event_id="evt_r")
    assert event.processed_at is None and "waiting" in event.error
    assert _state(payment)[1] == Decimal("0")


def test_an_unknown_event_type_is_stored_and_ignored():
    payment, _ = _awaiting_payment()
    assert _post(_event("evt_o", "customer.created", payment)).status_code == 200
    event = WebhookEvent.objects.get()
    assert event.processed_at is not None and event.error.startswith("ignored")
    assert _state(payment)[0] == "requires_action"
