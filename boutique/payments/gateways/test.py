"""The offline test gateway, for development, the demo and tests.

A card number is turned into a token in memory (`tokenize`) and dropped at
once: the token carries only the brand, the last four digits, the expiry and
the outcome the test number stands for. Test numbers:

    4242 4242 4242 4242   succeeds
    4000 0000 0000 0002   declined
    4000 0000 0000 9995   insufficient funds
    4000 0025 0000 3155   requires action (3-D Secure)

Any other number that passes the Luhn check succeeds; one that fails it is
refused as an invalid number.

Like a real gateway it remembers its charges per idempotency key: each charge
is written to its own table (`TestGatewayCharge`, committed at once, outside
the shop's transactions) before the answer is returned. So the same key is the
same charge, and `retrieve` can tell a shop that crashed mid-payment whether
the charge happened (a row) or never reached the gateway (no row). Deriving the
outcome from the token alone could not tell those two apart.
"""

import hashlib
import hmac
import json
import uuid
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction

from .base import CardResult, GatewayError, InvalidSignature, RefundResult, WebhookMessage

OUTCOMES = {
    "4242424242424242": "ok",
    "4000000000000002": "declined",
    "4000000000009995": "funds",
    "4000002500003155": "action",
}
ERRORS = {
    "declined": ("card_declined", "Your card was declined."),
    "funds": ("insufficient_funds", "Your card has insufficient funds."),
}
SIGNATURE_HEADER = "X-Test-Signature"


class InvalidCard(ValueError):
    """A number or expiry that cannot be a card (told to the customer)."""


def _luhn_ok(number: str) -> bool:
    total = 0
    for index, digit in enumerate(reversed(number)):
        value = int(digit)
        if index % 2:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def _brand(number: str) -> str:
    if number.startswith("4"):
        return "visa"
    if number[:2] in {"51", "52", "53", "54", "55"} or "2221" <= number[:4] <= "2720":
        return "mastercard"
    if number[:2] in {"34", "37"}:
        return "amex"
    return "card"


def tokenize(*, number: str, exp_month: int, exp_year: int, cvc: str) -> str:
    """Card details → a test token. Nothing is stored; the caller drops the
    details. The CVV is checked for shape only and never kept."""
    digits = "".join(ch for ch in str(number) if ch.isdigit())
    if not 12 <= len(digits) <= 19 or not _luhn_ok(digits):
        raise InvalidCard("That card number is not valid.")
    if not (1 <= int(exp_month) <= 12) or not (2000 <= int(exp_year) <= 2100):
        raise InvalidCard("That expiry date is not valid.")
    if not (str(cvc).isdigit() and 3 <= len(str(cvc)) <= 4):
        raise InvalidCard("The security code is 3 or 4 digits.")
    outcome = OUTCOMES.get(digits, "ok")
    return f"tok_test_{outcome}_{_brand(digits)}_{digits[-4:]}_{int(exp_month):02d}{int(exp_year)}"


def _parse_token(token: str) -> tuple[str, str, str, int, int]:
    parts = str(token).split("_")
    if len(parts) != 6 or parts[:2] != ["tok", "test"] or len(parts[5]) != 6:
        raise GatewayError("Not a test gateway token.")
    _, _, outcome, brand, last4, expiry = parts
    return outcome, brand, last4, int(expiry[:2]), int(expiry[2:])


class TestGateway:
    name = "test"

    def charge(
        self, *, amount: Decimal, currency: str, token: str, idempotency_key: str, **_
    ) -> CardResult:
        from boutique.payments.models import TestGatewayCharge

        outcome = _parse_token(token)[0]
        status = {"ok": "succeeded", "action": "requires_action"}.get(outcome, "failed")
        values = {
            "token": token,
            "status": status,
            # The same key always names the same charge, like a real gateway.
            "transaction_ref": "test_" + hashlib.sha256(idempotency_key.encode()).hexdigest()[:24],
            "amount": amount,
            "currency": currency,
        }
        try:
            with transaction.atomic():
                charge, _ = TestGatewayCharge.objects.get_or_create(
                    idempotency_key=idempotency_key, defaults=values
                )
        except IntegrityError:  # the same key at the same moment: one charge
            charge = TestGatewayCharge.objects.get(idempotency_key=idempotency_key)
        if (charge.token, charge.amount, charge.currency) != (token, Decimal(amount), currency):
            raise GatewayError("This idempotency key was used for another charge.")
        return self._result(charge)

    def retrieve(self, *, idempotency_key: str, transaction_ref: str = "") -> CardResult | None:
        from boutique.payments.models import TestGatewayCharge

        charge = TestGatewayCharge.objects.filter(idempotency_key=idempotency_key).first()
        return None if charge is None else self._result(charge)

    @staticmethod
    def _result(charge) -> CardResult:
        outcome, brand, last4, month, year = _parse_token(charge.token)
        common = {
            "brand": brand,
            "last4": last4,
            "exp_month": month,
            "exp_year": year,
            "token": charge.token,
            "transaction_ref": charge.transaction_ref,
        }
        if charge.status == "succeeded":
            return CardResult(status="succeeded", **common)
        if charge.status == "requires_action":
            return CardResult(
                status="requires_action",
                error_code="authentication_required",
                error_message="Your bank asks you to confirm this payment.",
                **common,
            )
        code, message = ERRORS[outcome]
        return CardResult(status="failed", error_code=code, error_message=message, **common)

    def refund(
        self, *, transaction_ref: str, amount: Decimal, currency: str, idempotency_key: str
    ) -> RefundResult:
        if not transaction_ref.startswith("test_"):
            return RefundResult(status="failed", error_code="unknown_charge")
        ref = "test_re_" + hashlib.sha256(idempotency_key.encode()).hexdigest()[:20]
        return RefundResult(status="succeeded", refund_ref=ref)

    def parse_webhook(self, *, payload: bytes, headers) -> WebhookMessage:
        """Test webhooks are JSON signed with HMAC-SHA256 of the body and
        settings.PAYMENT_TEST_WEBHOOK_SECRET in the X-Test-Signature header."""
        expected = hmac.new(
            settings.PAYMENT_TEST_WEBHOOK_SECRET.encode(), payload, hashlib.sha256
        ).hexdigest()
        if not hmac.compare_digest(expected, headers.get(SIGNATURE_HEADER, "")):
            raise InvalidSignature("The test webhook signature does not match.")
        try:
            data = json.loads(payload)
        except ValueError as exc:
            raise InvalidSignature("The webhook body is not JSON.") from exc
        amount = data.get("amount")
        return WebhookMessage(
            event_id=str(data.get("id") or uuid.uuid4()),
            type=str(data.get("type", "")),
            transaction_ref=str(data.get("transaction_ref", "")),
            amount=Decimal(str(amount)) if amount is not None else None,
            currency=str(data.get("currency", "")),
            refund_ref=str(data.get("refund_ref", "")),
            payload=data,
            metadata=_metadata(data.get("metadata")),
        )


def _metadata(value) -> dict:
    if not isinstance(value, dict):
        return {}
    return {str(key)[:40]: str(item)[:500] for key, item in value.items()}


def sign_test_webhook(body: bytes) -> str:
    """The signature a test webhook carries (for tests and the demo)."""
    return hmac.new(settings.PAYMENT_TEST_WEBHOOK_SECRET.encode(), body, hashlib.sha256).hexdigest()
