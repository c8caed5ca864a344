"""What every card gateway offers. Amounts are Decimals in the order currency;
adapters convert to the provider's units."""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol


class GatewayError(Exception):
    """The gateway could not be reached or answered nonsense (not a decline)."""


class InvalidSignature(Exception):
    """A webhook whose signature does not verify."""


@dataclass(frozen=True)
class CardResult:
    status: str  # "succeeded" | "failed" | "requires_action"
    transaction_ref: str = ""
    brand: str = ""
    last4: str = ""
    exp_month: int | None = None
    exp_year: int | None = None
    token: str = ""
    error_code: str = ""
    error_message: str = ""
    next_action_url: str = ""
    # For the browser to finish a bank confirmation (Stripe.js); never stored.
    client_secret: str = ""


@dataclass(frozen=True)
class RefundResult:
    status: str  # "succeeded" | "failed" | "pending"
    refund_ref: str = ""
    error_code: str = ""
    error_message: str = ""


@dataclass(frozen=True)
class WebhookMessage:
    event_id: str
    type: str  # normalised: "payment.succeeded" | "payment.failed" | "refund.succeeded" | other
    transaction_ref: str = ""
    amount: Decimal | None = None
    currency: str = ""
    refund_ref: str = ""
    payload: dict = field(default_factory=dict)
    # What we put in the charge's metadata (our payment id, the attempt's key):
    # finds our payment when the gateway's reference was never recorded.
    metadata: dict = field(default_factory=dict)


class Gateway(Protocol):
    name: str

    def charge(
        self,
        *,
        amount: Decimal,
        currency: str,
        token: str,
        idempotency_key: str,
        description: str = "",
        metadata: dict | None = None,
    ) -> CardResult: ...

    def retrieve(self, *, idempotency_key: str, transaction_ref: str = "") -> CardResult | None:
        """How the charge made with this idempotency key (or this reference, when
        it was recorded) stands now; None when the gateway has no such charge
        (the request never reached it). Raises GatewayError when it cannot tell."""
        ...

    def refund(
        self, *, transaction_ref: str, amount: Decimal, currency: str, idempotency_key: str
    ) -> RefundResult: ...

    def parse_webhook(self, *, payload: bytes, headers) -> WebhookMessage: ...
