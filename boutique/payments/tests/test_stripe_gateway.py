"""The Stripe gateway, exercised through Stripe's own SDK against a fake Stripe
API on 127.0.0.1 (never the internet). The fake answers with bodies shaped like
Stripe's recorded responses and keeps every request it got, so the tests can
check what the SDK actually sent: amount in minor units, currency, the
idempotency key header and the PaymentMethod token."""

import hashlib
import hmac
import json
import threading
import time
from datetime import timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest
from django.utils import timezone

from boutique.cart.services import cart_add, cart_obtain
from boutique.catalog.tests.factories import make_product
from boutique.checkout.services import CheckoutInput, order_place
from boutique.inventory.models import Stock
from boutique.orders.models import ExchangeRate, Order, ShippingMethod
from boutique.payments.gateways import GatewayError, InvalidSignature, get_gateway
from boutique.payments.gateways.stripe import StripeGateway, from_minor, to_minor
from boutique.payments.models import Payment, PaymentAttempt
from boutique.payments.services import PaymentRefused, payment_card_pay
from boutique.payments.webhooks import webhook_receive

SECRET_KEY = "sk_test_boutique_fake"
WEBHOOK_SECRET = "whsec_boutique_fake"
PM = "pm_1QFakeVisa4242"


def _payment_method(last4="4242", brand="visa"):
    return {
        "id": PM,
        "object": "payment_method",
        "type": "card",
        "billing_details": {"email": None, "name": None},
        "card": {
            "brand": brand,
            "last4": last4,
            "exp_month": 12,
            "exp_year": 2030,
            "funding": "credit",
            "country": "US",
            "wallet": None,
        },
        "created": 1732480000,
        "livemode": False,
    }


def _intent(amount, currency, status="succeeded", **extra):
    body = {
        "id": "pi_3QFakeIntent0001",
        "object": "payment_intent",
        "amount": amount,
        "amount_received": amount if status == "succeeded" else 0,
        "currency": currency,
        "status": status,
        "capture_method": "automatic_async",
        "confirmation_method": "automatic",
        "client_secret": "pi_3QFakeIntent0001_secret_abc",
        "latest_charge": "ch_3QFakeCharge0001" if status == "succeeded" else None,
        "last_payment_error": None,
        "next_action": None,
        "payment_method": _payment_method(),
        "payment_method_types": ["card"],
        "livemode": False,
        "metadata": {},
        "created": 1732480000,
    }
    body.update(extra)
    return body


def _requires_action(amount, currency):
    return _intent(
        amount,
        currency,
        status="requires_action",
        next_action={
            "type": "redirect_to_url",
            "redirect_to_url": {
                "url": "https://hooks.stripe.com/3d_secure_2/hosted?merchant=acct_1&payment_intent=pi_3QFakeIntent0001",
                "return_url": "https://shop.example/return",
            },
        },
    )


def _card_declined(decline_code="insufficient_funds", message="Your card has insufficient funds."):
    error = {
        "code": "card_declined",
        "decline_code": decline_code,
        "doc_url": "https://stripe.com/docs/error-codes/card-declined",
        "message": message,
        "type": "card_error",
        "payment_method": _payment_method(last4="9995"),
    }
    error["payment_intent"] = _intent(
        2400, "usd", status="requires_payment_method", last_payment_error=dict(error)
    )
    return 402, {"error": error}


def _refund(amount, currency, status="succeeded"):
    return {
        "id": "re_3QFakeRefund0001",
        "object": "refund",
        "amount": amount,
        "currency": currency,
        "charge": "ch_3QFakeCharge0001",
        "payment_intent": "pi_3QFakeIntent0001",
        "reason": None,
        "status": status,
        "created": 1732480100,
    }


class FakeStripe:
    """A tiny Stripe API: replies are queued per path; requests are recorded."""

    def __init__(self):
        self.replies: dict[str, list] = {}
        self.requests: list[dict] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                self._answer(self.path, self.rfile.read(length).decode())

            def do_GET(self):  # retrieve and search: parameters in the query string
                path, _, query = self.path.partition("?")
                self._answer(path, query)

            def _answer(self, path, raw):
                fake.requests.append(
                    {
                        "method": self.command,
                        "path": path,
                        "headers": {k.lower(): v for k, v in self.headers.items()},
                        "form": {k: v[0] for k, v in parse_qs(raw).items()},
                    }
                )
                queue = fake.replies.get(path) or [
                    (404, {"error": {"type": "invalid_request_error", "message": "No fake."}})
                ]
                status, body = queue.pop(0) if len(queue) > 1 else queue[0]
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Request-Id", f"req_fake_{len(fake.requests)}")
                if status >= 500:
                    self.send_header("Stripe-Should-Retry", "false")
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def reply(self, path, body, status=200):
        self.replies.setdefault(path, []).append((status, body))


@pytest.fixture
def fake_stripe(settings):
    fake = FakeStripe()
    fake.thread.start()
    settings.STRIPE_API_BASE = fake.url
    settings.STRIPE_SECRET_KEY = SECRET_KEY
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_MAX_NETWORK_RETRIES = 0
    yield fake
    fake.server.shutdown()
    fake.server.server_close()
    fake.thread.join(timeout=5)


def _charge(**overrides):
    args = {
        "amount": Decimal("24.00"),
        "currency": "USD",
        "token": PM,
        "idempotency_key": "pay-key-1",
        "description": "Order BQ-1",
        "metadata": {"order": "BQ-1", "payment": 7},
    }
    args.update(overrides)
    return StripeGateway().charge(**args)


# --- amounts ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "currency", "minor"),
    [
        ("24.00", "USD", 2400),
        ("0.50", "usd", 50),
        ("1306700", "LBP", 130670000),  # LBP is a two-decimal currency at Stripe
        ("500", "JPY", 500),
        ("5.120", "KWD", 5120),
        ("5", "ISK", 500),
    ],
)
def test_amounts_go_to_stripe_in_its_minor_units(amount, currency, minor):
    assert to_minor(Decimal(amount), currency) == minor
    assert from_minor(minor, currency) == Decimal(amount)


@pytest.mark.parametrize(
    ("amount", "currency"),
    [("24.005", "USD"), ("500.5", "JPY"), ("5.124", "KWD"), ("5.50", "ISK"), ("0", "USD")],
)
def test_amounts_stripe_would_round_or_refuse_are_not_sent(amount, currency):
    with pytest.raises(GatewayError):
        to_minor(Decimal(amount), currency)


# --- charges ------------------------------------------------------------------


def test_a_charge_creates_and_confirms_a_payment_intent_with_the_key(fake_stripe):
    fake_stripe.reply("/v1/payment_intents", _intent(2400, "usd"))
    result = _charge()
    assert result.status == "succeeded"
    assert result.transaction_ref == "pi_3QFakeIntent0001"
    assert (result.brand, result.last4, result.exp_month, result.exp_year) == (
        "visa",
        "4242",
        12,
        2030,
    )
    assert result.token == PM
    (sent,) = fake_stripe.requests
    assert sent["path"] == "/v1/payment_intents"
    assert sent["headers"]["idempotency-key"] == "pay-key-1"
    assert sent["headers"]["authorization"] == f"Bearer {SECRET_KEY}"
    form = sent["form"]
    assert (form["amount"], form["currency"], form["payment_method"]) == ("2400", "usd", PM)
    assert form["confirm"] == "true"
    assert form["expand[0]"] == "payment_method"
    assert form["metadata[order]"] == "BQ-1" and form["metadata[payment]"] == "7"


def test_requires_action_carries_the_banks_page(fake_stripe):
    fake_stripe.reply("/v1/payment_intents", _requires_action(2400, "usd"))
    result = _charge()
    assert result.status == "requires_action"
    assert result.transaction_ref == "pi_3QFakeIntent0001"
    assert result.next_action_url.startswith("https://hooks.stripe.com/3d_secure_2/")
    assert result.error_code == "authentication_required" and result.error_message
    # For Stripe.js to show the bank's check in the browser.
    assert result.client_secret == "pi_3QFakeIntent0001_secret_abc"


def test_a_card_decline_is_a_failed_result_with_stripes_reason(fake_stripe):
    status, body = _card_declined()
    fake_stripe.reply("/v1/payment_intents", body, status=status)
    result = _charge()
    assert result.status == "failed"
    assert result.error_code == "insufficient_funds"
    assert result.error_message == "Your card has insufficient funds."
    assert result.transaction_ref == "pi_3QFakeIntent0001"
    assert (result.brand, result.last4) == ("visa", "9995")


def test_an_unknown_token_is_a_failed_result_not_an_outage(fake_stripe):
    body = {
        "error": {
            "code": "resource_missing",
            "message": "No such PaymentMethod: 'pm_nope'",
            "param": "payment_method",
            "type": "invalid_request_error",
        }
    }
    fake_stripe.reply("/v1/payment_intents", body, status=400)
    result = _charge(token="pm_nope")
    assert (result.status, result.error_code) == ("failed", "resource_missing")


def test_api_errors_and_an_unreachable_stripe_are_gateway_errors(fake_stripe, settings):
    fake_stripe.reply(
        "/v1/payment_intents", {"error": {"type": "api_error", "message": "Boom."}}, status=500
    )
    with pytest.raises(GatewayError):
        _charge()
    fake_stripe.replies["/v1/payment_intents"] = [
        (401, {"error": {"type": "invalid_request_error", "message": "Invalid API Key provided"}})
    ]
    with pytest.raises(GatewayError):
        _charge()
    # Nothing listens on the port once the fake has stopped.
    fake_stripe.server.shutdown()
    fake_stripe.server.server_close()
    with pytest.raises(GatewayError):
        _charge()
    settings.STRIPE_SECRET_KEY = ""
    with pytest.raises(GatewayError):
        _charge()


# --- refunds ------------------------------------------------------------------


def test_a_refund_names_the_intent_amount_and_key(fake_stripe):
    fake_stripe.reply("/v1/refunds", _refund(1000, "usd"))
    result = StripeGateway().refund(
        transaction_ref="pi_3QFakeIntent0001",
        amount=Decimal("10.00"),
        currency="USD",
        idempotency_key="refund-RF-1",
    )
    assert (result.status, result.refund_ref) == ("succeeded", "re_3QFakeRefund0001")
    (sent,) = fake_stripe.requests
    assert sent["path"] == "/v1/refunds"
    assert sent["headers"]["idempotency-key"] == "refund-RF-1"
    assert sent["form"] == {"payment_intent": "pi_3QFakeIntent0001", "amount": "1000"}


def test_a_pending_refund_and_a_refused_refund(fake_stripe):
    fake_stripe.reply("/v1/refunds", _refund(1000, "usd", status="pending"))
    gateway = StripeGateway()
    args = {"transaction_ref": "pi_3QFakeIntent0001", "amount": Decimal("10"), "currency": "USD"}
    assert gateway.refund(idempotency_key="r-1", **args).status == "pending"
    fake_stripe.replies["/v1/refunds"] = [
        (
            400,
            {
                "error": {
                    "code": "charge_already_refunded",
                    "message": "Charge ch_3QFakeCharge0001 has already been refunded.",
                    "type": "invalid_request_error",
                }
            },
        )
    ]
    refused = gateway.refund(idempotency_key="r-2", **args)
    assert (refused.status, refused.error_code) == ("failed", "charge_already_refunded")


# --- webhooks -----------------------------------------------------------------


def _signed(event: dict, secret=WEBHOOK_SECRET, timestamp=None) -> tuple[bytes, dict]:
    payload = json.dumps(event).encode()
    t = int(timestamp if timestamp is not None else time.time())
    signature = hmac.new(
        secret.encode(), f"{t}.{payload.decode()}".encode(), hashlib.sha256
    ).hexdigest()
    return payload, {"Stripe-Signature": f"t={t},v1={signature}"}


def _event(kind, obj, event_id="evt_1QFakeEvent0001"):
    return {
        "id": event_id,
        "object": "event",
        "api_version": "2024-11-20.acacia",
        "created": 1732480200,
        "livemode": False,
        "type": kind,
        "data": {"object": obj},
    }


def test_a_signed_payment_succeeded_event_is_normalised(settings):
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    payload, headers = _signed(_event("payment_intent.succeeded", _intent(2400, "usd")))
    message = StripeGateway().parse_webhook(payload=payload, headers=headers)
    assert message.event_id == "evt_1QFakeEvent0001"
    assert message.type == "payment.succeeded"
    assert message.transaction_ref == "pi_3QFakeIntent0001"
    assert (message.amount, message.currency) == (Decimal("24.00"), "USD")
    assert message.payload["data"]["object"]["id"] == "pi_3QFakeIntent0001"


def test_failed_payments_and_refunds_are_normalised(settings):
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    failed = _intent(2400, "usd", status="requires_payment_method")
    payload, headers = _signed(_event("payment_intent.payment_failed", failed, "evt_2"))
    message = StripeGateway().parse_webhook(payload=payload, headers=headers)
    assert (message.type, message.transaction_ref) == ("payment.failed", "pi_3QFakeIntent0001")
    payload, headers = _signed(_event("refund.updated", _refund(1000, "usd"), "evt_3"))
    refund = StripeGateway().parse_webhook(payload=payload, headers=headers)
    assert refund.type == "refund.succeeded"
    assert (refund.refund_ref, refund.transaction_ref) == (
        "re_3QFakeRefund0001",
        "pi_3QFakeIntent0001",
    )
    assert (refund.amount, refund.currency) == (Decimal("10.00"), "USD")
    payload, headers = _signed(_event("customer.created", {"id": "cus_1"}, "evt_4"))
    other = StripeGateway().parse_webhook(payload=payload, headers=headers)
    assert (other.type, other.transaction_ref) == ("customer.created", "")


def test_a_tampered_or_unsigned_webhook_is_refused(settings):
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    gateway = StripeGateway()
    payload, headers = _signed(_event("payment_intent.succeeded", _intent(2400, "usd")))
    tampered = payload.replace(b'"amount": 2400', b'"amount": 1')
    assert tampered != payload
    with pytest.raises(InvalidSignature):
        gateway.parse_webhook(payload=tampered, headers=headers)
    _, wrong_secret = _signed(json.loads(payload), secret="whsec_someone_else")
    with pytest.raises(InvalidSignature):
        gateway.parse_webhook(payload=payload, headers=wrong_secret)
    _, stale = _signed(json.loads(payload), timestamp=time.time() - 3600)
    with pytest.raises(InvalidSignature):
        gateway.parse_webhook(payload=payload, headers=stale)
    with pytest.raises(InvalidSignature):
        gateway.parse_webhook(payload=payload, headers={})
    settings.STRIPE_WEBHOOK_SECRET = ""
    with pytest.raises(InvalidSignature):
        gateway.parse_webhook(payload=payload, headers=headers)


# --- end to end through payment_card_pay ---------------------------------------

ADDRESS = {"full_name": "Rania Haddad", "line1": "Hamra St 12", "city": "Beirut", "country": "LB"}


def _card_order(currency="USD"):
    method = ShippingMethod.objects.create(name="Courier", price=Decimal("4.00"))
    variant = make_product(price="20.00", stock=5).variants.get()
    cart = cart_obtain()
    cart_add(token=cart.token, variant_id=variant.pk, quantity=1)
    data = CheckoutInput(
        email="guest@example.com",
        shipping_address=ADDRESS,
        shipping_method_id=method.pk,
        currency=currency,
    )
    order, _ = order_place(cart=cart, data=data)
    Order.objects.filter(pk=order.pk).update(payment_method="card")
    order.refresh_from_db()
    return order, variant


@pytest.mark.django_db
def test_card_pay_through_stripe_pays_the_order(fake_stripe, settings):
    settings.PAYMENT_GATEWAY = "stripe"
    assert isinstance(get_gateway(), StripeGateway)
    order, variant = _card_order()
    cents = int(order.total * 100)
    fake_stripe.reply("/v1/payment_intents", _intent(cents, "usd"))
    payment = payment_card_pay(order=order, token=PM, idempotency_key="checkout-42")
    order.refresh_from_db()
    assert (payment.status, payment.provider) == ("succeeded", "stripe")
    assert payment.transaction_ref == "pi_3QFakeIntent0001"
    assert (payment.card_brand, payment.card_last4, payment.card_token) == ("visa", "4242", PM)
    assert (order.status, order.payment_status) == ("paid", "paid")
    assert Stock.objects.get(variant=variant).on_hand == 4
    (sent,) = fake_stripe.requests
    assert sent["form"]["amount"] == str(cents) and sent["form"]["currency"] == "usd"
    assert sent["headers"]["idempotency-key"] == "checkout-42"
    assert sent["form"]["metadata[order]"] == order.number
    assert sent["form"]["metadata[payment]"] == str(payment.pk)
    assert sent["form"]["metadata[attempt_key]"] == "checkout-42"
    # The same key again is answered from our records: Stripe is not called twice.
    again = payment_card_pay(order=order, token=PM, idempotency_key="checkout-42")
    assert again.pk == payment.pk and len(fake_stripe.requests) == 1


@pytest.mark.django_db
def test_a_stripe_decline_keeps_the_order_payable_and_says_why(fake_stripe, settings):
    settings.PAYMENT_GATEWAY = "stripe"
    order, variant = _card_order()
    status, body = _card_declined()
    fake_stripe.reply("/v1/payment_intents", body, status=status)
    with pytest.raises(PaymentRefused) as refused:
        payment_card_pay(order=order, token=PM, idempotency_key="try-1")
    assert refused.value.detail == "Your card has insufficient funds."
    attempt = PaymentAttempt.objects.get(idempotency_key="try-1")
    assert (attempt.outcome, attempt.error_code) == ("failed", "insufficient_funds")
    order.refresh_from_db()
    assert (order.status, order.payment_status) == ("pending", "failed")
    assert Stock.objects.get(variant=variant).on_hand == 5
    assert not Payment.objects.filter(order=order, status="succeeded").exists()


@pytest.mark.django_db
def test_an_lbp_order_is_sent_to_stripe_in_piastres(fake_stripe, settings):
    settings.PAYMENT_GATEWAY = "stripe"
    ExchangeRate.objects.create(
        currency="LBP", rate=Decimal("89500"), effective_from=timezone.now() - timedelta(days=1)
    )
    order, _ = _card_order(currency="LBP")
    assert order.currency == "LBP"
    minor = int(order.total * 100)
    fake_stripe.reply("/v1/payment_intents", _intent(minor, "lbp"))
    payment_card_pay(order=order, token=PM, idempotency_key="lbp-1")
    (sent,) = fake_stripe.requests
    assert (sent["form"]["amount"], sent["form"]["currency"]) == (str(minor), "lbp")


@pytest.mark.django_db
def test_a_3d_secure_charge_completes_through_a_signed_stripe_webhook(fake_stripe, settings):
    settings.PAYMENT_GATEWAY = "stripe"
    order, _ = _card_order()
    cents = int(order.total * 100)
    fake_stripe.reply("/v1/payment_intents", _requires_action(cents, "usd"))
    with pytest.raises(PaymentRefused):
        payment_card_pay(order=order, token=PM, idempotency_key="3ds-1")
    payment = Payment.objects.get(order=order)
    assert (payment.status, payment.transaction_ref) == ("requires_action", "pi_3QFakeIntent0001")
    payload, headers = _signed(_event("payment_intent.succeeded", _intent(cents, "usd")))
    event = webhook_receive(provider="stripe", payload=payload, headers=headers)
    assert event.processed_at is not None
    payment.refresh_from_db()
    order.refresh_from_db()
    assert payment.status == "succeeded"
    assert (order.status, order.payment_status) == ("paid", "paid")


@pytest.mark.django_db
def test_the_order_page_hands_a_3d_secure_check_to_stripe_js(fake_stripe, settings, client):
    from django.urls import reverse

    settings.PAYMENT_GATEWAY = "stripe"
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_boutique"
    order, _ = _card_order()
    session = client.session
    session["guest_orders"] = {order.number: order.email}
    session.save()
    fake_stripe.reply("/v1/payment_intents", _requires_action(int(order.total * 100), "usd"))
    response = client.post(
        reverse("storefront:order_pay", args=[order.number]), {"token": PM, "key": "3ds-page"}
    )
    html = response.content.decode()
    assert response.status_code == 202
    assert 'data-client-secret="pi_3QFakeIntent0001_secret_abc"' in html
    assert "js/stripe-action.js" in html
    # The client secret is handed to the browser, never stored.
    assert "secret" not in Payment.objects.get(order=order).card_token
