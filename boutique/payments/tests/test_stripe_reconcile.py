"""Asking Stripe about a charge whose answer was never recorded (the shop's
worker died after sending it): by the PaymentIntent's id when we have it,
otherwise by searching the intents' metadata for the attempt's key; against
the fake Stripe API of test_stripe_gateway.py."""

from datetime import timedelta

import pytest
from django.utils import timezone

from boutique.payments.gateways import GatewayError
from boutique.payments.gateways.stripe import StripeGateway
from boutique.payments.models import Payment, WebhookEvent
from boutique.payments.reconcile import payments_reconcile_stale
from boutique.payments.services import payment_card_pay
from boutique.payments.webhooks import webhook_receive

from . import test_stripe_gateway
from .test_stripe_gateway import PM, _card_order, _event, _intent, _signed

# The fake Stripe API fixture of test_stripe_gateway.py.
fake_stripe = test_stripe_gateway.fake_stripe

SEARCH = "/v1/payment_intents/search"
INTENT = "/v1/payment_intents/pi_3QFakeIntent0001"


def _found(*intents):
    return {
        "object": "search_result",
        "url": SEARCH,
        "has_more": False,
        "next_page": None,
        "data": list(intents),
    }


def _with_metadata(intent, **metadata):
    return {**intent, "metadata": {key: str(value) for key, value in metadata.items()}}


def test_an_intent_is_found_by_the_attempt_key_in_its_metadata(fake_stripe):
    fake_stripe.reply(SEARCH, _found(_with_metadata(_intent(2400, "usd"), attempt_key="pay-1")))
    result = StripeGateway().retrieve(idempotency_key="pay-1")
    assert (result.status, result.transaction_ref) == ("succeeded", "pi_3QFakeIntent0001")
    assert (result.brand, result.last4, result.token) == ("visa", "4242", PM)
    (sent,) = fake_stripe.requests
    assert (sent["method"], sent["path"]) == ("GET", SEARCH)
    assert sent["form"]["query"] == "metadata['attempt_key']:'pay-1'"
    assert sent["form"]["expand[0]"] == "data.payment_method"


def test_no_intent_with_that_key_means_nothing_was_charged(fake_stripe):
    fake_stripe.reply(SEARCH, _found())
    assert StripeGateway().retrieve(idempotency_key="pay-1") is None
    # An intent whose metadata names another attempt is not ours.
    other = _with_metadata(_intent(2400, "usd"), attempt_key="pay-2")
    fake_stripe.replies[SEARCH] = [(200, _found(other))]
    assert StripeGateway().retrieve(idempotency_key="pay-1") is None


def test_quotes_in_a_key_are_escaped_in_the_search_query(fake_stripe):
    fake_stripe.reply(SEARCH, _found())
    StripeGateway().retrieve(idempotency_key="it's\\")
    assert fake_stripe.requests[0]["form"]["query"] == "metadata['attempt_key']:'it\\'s\\\\'"


def test_a_recorded_intent_is_fetched_by_its_id(fake_stripe):
    fake_stripe.reply(INTENT, _intent(2400, "usd", status="requires_payment_method"))
    ref = "pi_3QFakeIntent0001"
    result = StripeGateway().retrieve(idempotency_key="pay-1", transaction_ref=ref)
    assert result.status == "failed"
    (sent,) = fake_stripe.requests
    assert (sent["method"], sent["path"], sent["form"]) == (
        "GET",
        INTENT,
        {"expand[0]": "payment_method"},
    )
    missing = {"error": {"type": "invalid_request_error", "code": "resource_missing"}}
    fake_stripe.replies[INTENT] = [(404, missing)]
    assert StripeGateway().retrieve(idempotency_key="x", transaction_ref=ref) is None


def test_an_outage_while_asking_is_a_gateway_error(fake_stripe):
    fake_stripe.reply(SEARCH, {"error": {"type": "api_error", "message": "Boom."}}, status=500)
    with pytest.raises(GatewayError):
        StripeGateway().retrieve(idempotency_key="pay-1")


def _stuck_stripe_payment(fake_stripe, monkeypatch):
    """Stripe took the charge, then the worker died before recording it."""
    order, _ = _card_order()
    cents = int(order.total * 100)
    fake_stripe.reply("/v1/payment_intents", _intent(cents, "usd"))
    real = StripeGateway.charge

    def charge(self, **kwargs):
        real(self, **kwargs)
        raise KeyboardInterrupt  # stands for SIGKILL

    monkeypatch.setattr(StripeGateway, "charge", charge)
    with pytest.raises(KeyboardInterrupt):
        payment_card_pay(order=order, token=PM, idempotency_key="crash-1")
    monkeypatch.setattr(StripeGateway, "charge", real)
    payment = Payment.objects.get(order=order)
    assert (payment.status, payment.transaction_ref) == ("pending", "")
    metadata = fake_stripe.requests[0]["form"]
    charged = _with_metadata(
        _intent(cents, "usd"),
        order=metadata["metadata[order]"],
        payment=metadata["metadata[payment]"],
        attempt_key=metadata["metadata[attempt_key]"],
    )
    return order, payment, charged


@pytest.mark.django_db
def test_a_stripe_charge_lost_by_a_crash_is_reconciled(fake_stripe, settings, monkeypatch):
    settings.PAYMENT_GATEWAY = "stripe"
    order, payment, charged = _stuck_stripe_payment(fake_stripe, monkeypatch)
    assert charged["metadata"]["payment"] == str(payment.pk)
    fake_stripe.reply(SEARCH, _found(charged))

    later = timezone.now() + timedelta(minutes=settings.PAYMENT_RECONCILE_AFTER_MINUTES + 1)
    assert payments_reconcile_stale(now=later) == {"succeeded": 1}

    payment.refresh_from_db()
    order.refresh_from_db()
    assert (payment.status, payment.transaction_ref) == ("succeeded", "pi_3QFakeIntent0001")
    assert (order.status, order.payment_status) == ("paid", "paid")
    assert fake_stripe.requests[-1]["form"]["query"] == "metadata['attempt_key']:'crash-1'"


@pytest.mark.django_db
def test_a_stripe_webhook_names_the_payment_by_its_metadata(fake_stripe, settings, monkeypatch):
    settings.PAYMENT_GATEWAY = "stripe"
    order, payment, charged = _stuck_stripe_payment(fake_stripe, monkeypatch)
    payload, headers = _signed(_event("payment_intent.succeeded", charged))

    event = webhook_receive(provider="stripe", payload=payload, headers=headers)

    assert event.processed_at is not None and event.error == ""
    payment.refresh_from_db()
    order.refresh_from_db()
    assert (payment.status, payment.transaction_ref) == ("succeeded", "pi_3QFakeIntent0001")
    assert payment.attempts.get().outcome == "succeeded"
    assert order.payment_status == "paid"
    stored = WebhookEvent.objects.get().payload["normalised"]["metadata"]
    assert stored["attempt_key"] == "crash-1"
