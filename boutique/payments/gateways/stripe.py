"""The Stripe gateway, on Stripe's official SDK.

A charge creates and confirms a PaymentIntent in one call with the card's
PaymentMethod id (made by Stripe.js in the browser: no card number reaches our
server) and our idempotency key, so a retried request is one charge. Amounts go
to Stripe in the currency's minor unit as Stripe counts it (`to_minor`).
Webhooks are verified with Stripe's signature scheme and normalised to
WebhookMessage. A charge's metadata names our payment and the attempt's key, so
`retrieve` can find the PaymentIntent by searching its metadata when the shop
died before recording the intent's id (or fetch it by id when it was recorded),
and a webhook can name our payment without the id. settings.STRIPE_API_BASE,
when set, sends every API call there (the tests point it at a local fake
server).
"""

import json
from decimal import Decimal

import stripe
from django.conf import settings

from .base import CardResult, GatewayError, InvalidSignature, RefundResult, WebhookMessage

# https://docs.stripe.com/currencies: amounts are in the minor unit; every
# currency not listed here (USD, EUR, LBP, …) has two decimals.
ZERO_DECIMAL = {
    "BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA",
    "PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF",
}  # fmt: skip
THREE_DECIMAL = {"BHD", "JOD", "KWD", "OMR", "TND"}
# Two-decimal in the API but charged in whole units only (amount divisible by 100).
WHOLE_UNITS_ONLY = {"ISK"}

SIGNATURE_HEADER = "Stripe-Signature"
TIMEOUT_SECONDS = 30
EVENT_TYPES = {
    "payment_intent.succeeded": "payment.succeeded",
    "payment_intent.payment_failed": "payment.failed",
}
# The metadata key holding the attempt's idempotency key (set by payments.services).
ATTEMPT_KEY = "attempt_key"
REFUND_EVENTS = {"refund.created", "refund.updated", "charge.refund.updated"}


def _exponent(currency: str) -> int:
    code = currency.upper()
    if code in ZERO_DECIMAL:
        return 0
    if code in THREE_DECIMAL:
        return 3
    return 2


def to_minor(amount: Decimal, currency: str) -> int:
    """A Decimal amount → Stripe's integer amount. Refuses amounts Stripe
    would round or reject rather than charging something else."""
    scaled = Decimal(amount).scaleb(_exponent(currency))
    if scaled != scaled.to_integral_value() or scaled <= 0:
        raise GatewayError(f"{amount} {currency} cannot be charged through Stripe.")
    minor = int(scaled)
    code = currency.upper()
    if (code in THREE_DECIMAL and minor % 10) or (code in WHOLE_UNITS_ONLY and minor % 100):
        raise GatewayError(f"{amount} {currency} cannot be charged through Stripe.")
    return minor


def from_minor(amount, currency: str) -> Decimal | None:
    if amount is None:
        return None
    return Decimal(int(amount)).scaleb(-_exponent(currency))


def _get(obj, key, default=None):
    """Read a field from a StripeObject or a plain dict alike."""
    if obj is None or isinstance(obj, str):
        return default
    try:
        value = obj[key]
    except (KeyError, TypeError):
        return default
    return default if value is None else value


def _quoted(value: str) -> str:
    """A value inside a Stripe search query's single quotes."""
    return str(value).replace("\\", "\\\\").replace("'", "\\'")


def _metadata(obj) -> dict:
    metadata = _get(obj, "metadata") or {}
    try:
        return {str(key): str(value) for key, value in dict(metadata).items()}
    except (TypeError, ValueError):
        return {}


def _card_fields(payment_method) -> dict:
    card = _get(payment_method, "card")
    if card is None:
        return {"token": payment_method if isinstance(payment_method, str) else ""}
    return {
        "token": str(_get(payment_method, "id", "")),
        "brand": str(_get(card, "brand", "")),
        "last4": str(_get(card, "last4", "")),
        "exp_month": _get(card, "exp_month"),
        "exp_year": _get(card, "exp_year"),
    }


class StripeGateway:
    name = "stripe"

    def _client(self) -> stripe.StripeClient:
        if not settings.STRIPE_SECRET_KEY:
            raise GatewayError("Stripe is not configured (STRIPE_SECRET_KEY is empty).")
        base = {"api": settings.STRIPE_API_BASE} if settings.STRIPE_API_BASE else None
        return stripe.StripeClient(
            settings.STRIPE_SECRET_KEY,
            base_addresses=base,
            # Safe to retry: every write carries an idempotency key.
            max_network_retries=getattr(settings, "STRIPE_MAX_NETWORK_RETRIES", 2),
            http_client=stripe.RequestsClient(timeout=TIMEOUT_SECONDS),
        )

    def charge(
        self,
        *,
        amount: Decimal,
        currency: str,
        token: str,
        idempotency_key: str,
        description: str = "",
        metadata: dict | None = None,
        return_url: str = "",
    ) -> CardResult:
        params = {
            "amount": to_minor(amount, currency),
            "currency": currency.lower(),
            "payment_method": token,
            "payment_method_types": ["card"],
            "confirm": True,
            "description": description,
            "metadata": {key: str(value) for key, value in (metadata or {}).items()},
            "expand": ["payment_method"],
        }
        if return_url:
            params["return_url"] = return_url
        try:
            intent = self._client().v1.payment_intents.create(
                params, {"idempotency_key": idempotency_key}
            )
        except stripe.CardError as exc:
            return self._declined(exc)
        except stripe.InvalidRequestError as exc:
            if exc.param == "payment_method":  # a token Stripe does not know
                return CardResult(
                    status="failed",
                    token=token,
                    error_code=exc.code or "invalid_payment_method",
                    error_message="We could not use that card. Please enter it again.",
                )
            if exc.param == "amount":  # e.g. amount_too_large for this currency
                return CardResult(
                    status="failed",
                    token=token,
                    error_code=exc.code or "invalid_amount",
                    error_message=exc.user_message or "Stripe cannot charge this amount.",
                )
            raise GatewayError(f"Stripe refused the request: {exc.user_message}") from exc
        except stripe.StripeError as exc:
            raise GatewayError(f"Stripe could not be reached: {exc.user_message}") from exc
        return self._result(intent)

    def retrieve(self, *, idempotency_key: str, transaction_ref: str = "") -> CardResult | None:
        """The PaymentIntent by its id when we recorded it, otherwise the one
        whose metadata carries this attempt key (Stripe's search; a just-made
        intent can take up to a minute to become searchable, which is why the
        shop asks only about payments pending for minutes). None: Stripe has no
        such intent, so nothing was charged."""
        client = self._client()
        try:
            if transaction_ref:
                return self._result(
                    client.v1.payment_intents.retrieve(
                        transaction_ref, {"expand": ["payment_method"]}
                    )
                )
            found = client.v1.payment_intents.search(
                {
                    "query": f"metadata['{ATTEMPT_KEY}']:'{_quoted(idempotency_key)}'",
                    "expand": ["data.payment_method"],
                    "limit": 10,
                }
            )
        except stripe.InvalidRequestError as exc:
            if exc.code == "resource_missing":
                return None
            raise GatewayError(f"Stripe refused the request: {exc.user_message}") from exc
        except stripe.StripeError as exc:
            raise GatewayError(f"Stripe could not be reached: {exc.user_message}") from exc
        intents = [
            intent
            for intent in (_get(found, "data") or [])
            if str(_get(_get(intent, "metadata"), ATTEMPT_KEY, "")) == idempotency_key
        ]
        if not intents:
            return None
        # One key is one intent; should there be more, a capture wins.
        intents.sort(key=lambda intent: _get(intent, "status") != "succeeded")
        return self._result(intents[0])

    def _result(self, intent) -> CardResult:
        common = {
            "transaction_ref": str(_get(intent, "id", "")),
            **_card_fields(_get(intent, "payment_method")),
        }
        status = _get(intent, "status")
        if status == "succeeded":
            return CardResult(status="succeeded", **common)
        if status in ("requires_action", "processing"):
            # Finished later by the customer's bank or Stripe; a webhook tells us.
            redirect = _get(_get(intent, "next_action"), "redirect_to_url")
            return CardResult(
                status="requires_action",
                error_code="authentication_required" if status == "requires_action" else status,
                error_message="Your bank asks you to confirm this payment."
                if status == "requires_action"
                else "Your payment is being processed.",
                next_action_url=str(_get(redirect, "url", "")),
                client_secret=str(_get(intent, "client_secret", "") or ""),
                **common,
            )
        error = _get(intent, "last_payment_error")
        return CardResult(
            status="failed",
            error_code=str(
                _get(error, "decline_code") or _get(error, "code") or status or "failed"
            ),
            error_message=str(_get(error, "message") or "Your card was declined."),
            **common,
        )

    @staticmethod
    def _declined(exc: stripe.CardError) -> CardResult:
        error = exc.error
        intent = _get(error, "payment_intent")
        card = _card_fields(_get(error, "payment_method") or _get(intent, "payment_method"))
        return CardResult(
            status="failed",
            transaction_ref=str(_get(intent, "id", "")),
            error_code=str(_get(error, "decline_code") or exc.code or "card_declined"),
            error_message=exc.user_message or "Your card was declined.",
            **card,
        )

    def refund(
        self, *, transaction_ref: str, amount: Decimal, currency: str, idempotency_key: str
    ) -> RefundResult:
        params = {"payment_intent": transaction_ref, "amount": to_minor(amount, currency)}
        try:
            refund = self._client().v1.refunds.create(params, {"idempotency_key": idempotency_key})
        except stripe.InvalidRequestError as exc:
            # e.g. charge_already_refunded, amount_too_large: an answer, not an outage.
            return RefundResult(
                status="failed",
                error_code=exc.code or "invalid_request",
                error_message=exc.user_message or "Stripe refused the refund.",
            )
        except stripe.StripeError as exc:
            raise GatewayError(f"Stripe could not be reached: {exc.user_message}") from exc
        status = {"succeeded": "succeeded", "pending": "pending", "requires_action": "pending"}
        state = status.get(_get(refund, "status"), "failed")
        return RefundResult(
            status=state,
            refund_ref=str(_get(refund, "id", "")),
            error_code="" if state != "failed" else str(_get(refund, "failure_reason", "failed")),
        )

    def parse_webhook(self, *, payload: bytes, headers) -> WebhookMessage:
        """Verify Stripe's signature (settings.STRIPE_WEBHOOK_SECRET, default
        five-minute tolerance) and normalise the event."""
        secret = settings.STRIPE_WEBHOOK_SECRET
        signature = headers.get(SIGNATURE_HEADER) or headers.get(SIGNATURE_HEADER.lower())
        if not secret or not signature:
            raise InvalidSignature("The Stripe webhook is not signed.")
        try:
            event = stripe.Webhook.construct_event(
                payload, signature, secret, api_key=settings.STRIPE_SECRET_KEY or None
            )
            data = json.loads(payload)
        except stripe.SignatureVerificationError as exc:
            raise InvalidSignature("The Stripe webhook signature does not match.") from exc
        except ValueError as exc:
            raise InvalidSignature("The Stripe webhook body is not JSON.") from exc
        obj = _get(_get(data, "data", {}), "object", {})
        currency = str(_get(obj, "currency", "")).upper()
        kind = str(event.type)
        if kind in EVENT_TYPES:
            return WebhookMessage(
                event_id=str(event.id),
                type=EVENT_TYPES[kind],
                transaction_ref=str(_get(obj, "id", "")),
                amount=from_minor(_get(obj, "amount"), currency),
                currency=currency,
                payload=data,
                metadata=_metadata(obj),
            )
        if kind in REFUND_EVENTS and _get(obj, "status") == "succeeded":
            return WebhookMessage(
                event_id=str(event.id),
                type="refund.succeeded",
                transaction_ref=str(_get(obj, "payment_intent", "")),
                amount=from_minor(_get(obj, "amount"), currency),
                currency=currency,
                refund_ref=str(_get(obj, "id", "")),
                payload=data,
            )
        return WebhookMessage(event_id=str(event.id), type=kind, payload=data)
