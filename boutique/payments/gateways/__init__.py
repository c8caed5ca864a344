"""Card gateways behind one interface. `get_gateway()` returns the active one
(settings.PAYMENT_GATEWAY: "test" offline, or "stripe")."""

from django.conf import settings
from django.utils.module_loading import import_string

from .base import CardResult, Gateway, GatewayError, InvalidSignature, RefundResult, WebhookMessage

GATEWAYS = {
    "test": "boutique.payments.gateways.test.TestGateway",
    "stripe": "boutique.payments.gateways.stripe.StripeGateway",
}

__all__ = [
    "CardResult",
    "Gateway",
    "GatewayError",
    "InvalidSignature",
    "RefundResult",
    "WebhookMessage",
    "get_gateway",
]


def get_gateway(name: str | None = None) -> Gateway:
    name = name or settings.PAYMENT_GATEWAY
    try:
        path = GATEWAYS[name]
    except KeyError as exc:
        raise GatewayError(f"Unknown payment gateway {name!r}.") from exc
    return import_string(path)()
