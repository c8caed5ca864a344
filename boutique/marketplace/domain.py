"""Payout arithmetic: no Django. Every amount is in the base currency and
rounded half-up to cents with the shop's one rounding rule."""

from dataclasses import dataclass
from decimal import Decimal

from boutique.core.money import BASE_CURRENCY, quantize


def to_base(amount: Decimal, *, currency: str, exchange_rate: Decimal) -> Decimal:
    """An amount in an order's currency → base currency at the order's own rate
    (units of its currency per base unit, snapshotted when it was placed)."""
    if currency == BASE_CURRENCY:
        return quantize(amount, BASE_CURRENCY)
    if exchange_rate <= 0:
        raise ValueError("An exchange rate is positive.")
    return quantize(Decimal(amount) / Decimal(exchange_rate), BASE_CURRENCY)


def commission_for(gross: Decimal, rate: Decimal) -> Decimal:
    if not Decimal(0) <= rate <= Decimal(1):
        raise ValueError("A commission rate is between 0 and 1.")
    return quantize(Decimal(gross) * Decimal(rate), BASE_CURRENCY)


@dataclass(frozen=True)
class PayoutTotals:
    gross: Decimal
    commission: Decimal
    refunds: Decimal

    @property
    def net(self) -> Decimal:
        return self.gross - self.commission - self.refunds


def payout_totals(lines: list[tuple[Decimal, Decimal]], refunds: list[Decimal]) -> PayoutTotals:
    """`lines` are (gross, commission) per item already rounded, so the payout is
    exactly the sum of its items; `refunds` are the deductions."""
    zero = Decimal("0.00")
    return PayoutTotals(
        gross=sum((g for g, _ in lines), zero),
        commission=sum((c for _, c in lines), zero),
        refunds=sum(refunds, zero),
    )
