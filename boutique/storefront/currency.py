"""The currency prices are shown in. Prices are kept in US dollars; a customer
may browse (and then pay) in another currency the shop has a rate for. Amounts
are converted exactly as checkout converts them (per unit, half-up to the
currency's minor unit), so the cart and the order agree to the pound."""

from decimal import Decimal

from boutique.checkout.domain import convert
from boutique.core.money import BASE_CURRENCY, quantize
from boutique.orders.selectors import exchange_rates

SESSION_KEY = "currency"


def display_currency(request, rates=None) -> str:
    """The visitor's chosen currency when the shop has a rate for it, else USD."""
    session = getattr(request, "session", None)
    chosen = session.get(SESSION_KEY, BASE_CURRENCY) if session is not None else BASE_CURRENCY
    if chosen == BASE_CURRENCY:
        return BASE_CURRENCY
    rates = exchange_rates() if rates is None else rates
    return chosen if chosen in rates else BASE_CURRENCY


def shown(amount, currency: str, target: str, rates) -> Decimal:
    """One amount in the display currency."""
    if currency == target:
        return quantize(amount, target)
    return convert(Decimal(amount), currency, target, rates)


def shown_line(unit, quantity: int, currency: str, target: str, rates) -> Decimal:
    """A line total the way checkout computes it: the converted unit × quantity."""
    return quantize(shown(unit, currency, target, rates) * quantity, target)
