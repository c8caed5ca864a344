"""What a customer pays offline: cash in LBP of a dollar order is converted at
the LBP rate of the order's date (its own rate when it was placed in LBP)."""

from decimal import Decimal

from boutique.checkout.domain import convert
from boutique.core.errors import ValidationFailed
from boutique.orders.models import ExchangeRate, Order, PaymentMethod


def offline_amount(order: Order, method: str) -> tuple[str, Decimal, Decimal]:
    """(currency, rate, amount) the customer pays offline. Cash in LBP of a USD
    order is converted at the order's own rate (whole pounds)."""
    if method == PaymentMethod.CASH_LBP and order.currency != "LBP":
        rate = order_lbp_rate(order)
        return "LBP", rate, convert(order.total, order.currency, "LBP", {"LBP": rate, "USD": 1})
    if method == PaymentMethod.CASH_USD and order.currency != "USD":
        usd = convert(order.total, order.currency, "USD", {order.currency: order.exchange_rate})
        return "USD", Decimal(1), usd
    return order.currency, order.exchange_rate, order.total


def order_lbp_rate(order: Order) -> Decimal:
    """The LBP rate for an order: its own when placed in LBP, else the rate in
    effect when it was placed."""
    if order.currency == "LBP":
        return order.exchange_rate
    row = (
        ExchangeRate.objects.filter(currency="LBP", effective_from__lte=order.placed_at)
        .order_by("-effective_from")
        .first()
    )
    if row is None:
        raise ValidationFailed("There is no LBP exchange rate for this order's date.")
    return row.rate
