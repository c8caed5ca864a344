"""The pricing engine: pure functions from cart lines and terms to a Quote.

No Django, no database. Every input is converted into the quote currency first
(each amount quantized there), then all arithmetic happens in that one currency,
so `total == subtotal - discount + shipping + tax` holds exactly.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, localcontext

from boutique.core.money import BASE_CURRENCY, UnknownCurrency, minor_units, quantize

PERCENTAGE = "percentage"
FIXED = "fixed"
FREE_SHIPPING = "free_shipping"
COUPON_KINDS = (PERCENTAGE, FIXED, FREE_SHIPPING)

ZERO = Decimal(0)
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class PriceLine:
    key: int  # variant id
    unit_price: Decimal  # what the customer pays per unit, in `currency`
    currency: str  # the variant's currency
    quantity: int


@dataclass(frozen=True)
class CouponTerms:
    kind: str  # "percentage" | "fixed" | "free_shipping"
    value: Decimal  # percent (0 < v <= 100); an amount in `currency` for fixed; else ignored
    currency: str = "USD"  # currency of a fixed value


@dataclass(frozen=True)
class ShippingTerms:
    price: Decimal
    currency: str = "USD"
    free_over: Decimal | None = None  # free when the DISCOUNTED subtotal >= free_over


@dataclass(frozen=True)
class TaxTerms:
    rate: Decimal  # a fraction: Decimal("0.06") for 6 %
    applies_to_shipping: bool = False
    prices_include_tax: bool = False


@dataclass(frozen=True)
class LineQuote:
    key: int
    unit_price: Decimal  # in the quote currency (the sticker price, tax included if it is)
    quantity: int
    line_total: Decimal  # quantize(unit_price * quantity)


@dataclass(frozen=True)
class Quote:
    currency: str
    rate: Decimal  # units of `currency` per 1 USD used for this quote
    lines: tuple[LineQuote, ...]
    subtotal: Decimal
    discount: Decimal
    shipping: Decimal
    tax: Decimal
    total: Decimal
    free_shipping: bool  # shipping zeroed by a coupon or the threshold


def _decimal(value: Decimal | int | str, what: str) -> Decimal:
    if isinstance(value, float | bool):
        raise TypeError(f"{what} must be a Decimal, not {type(value).__name__}.")
    return Decimal(value)


def _non_negative(value: Decimal | int | str, what: str) -> Decimal:
    amount = _decimal(value, what)
    if not amount.is_finite() or amount < 0:
        raise ValueError(f"{what} must be a finite amount >= 0, got {value!r}.")
    return amount


def rate_for(currency: str, rates: Mapping[str, Decimal]) -> Decimal:
    """Units of `currency` per 1 USD. USD is 1 whether or not `rates` lists it."""
    minor_units(currency)  # an unknown code raises UnknownCurrency
    if currency not in rates:
        if currency == BASE_CURRENCY:
            return Decimal(1)
        raise UnknownCurrency(f"No exchange rate for {currency}.")
    rate = _decimal(rates[currency], f"The {currency} rate")
    if not rate.is_finite() or rate <= 0:
        raise ValueError(f"The {currency} rate must be > 0, got {rate!r}.")
    if currency == BASE_CURRENCY and rate != 1:
        raise ValueError(f"The {BASE_CURRENCY} rate is always 1, got {rate!r}.")
    return rate


def convert(
    amount: Decimal, from_currency: str, to_currency: str, rates: Mapping[str, Decimal]
) -> Decimal:
    """quantize(amount / rate[from] * rate[to], to), half-up, rounded once."""
    from_rate = rate_for(from_currency, rates)
    to_rate = rate_for(to_currency, rates)
    amount = _decimal(amount, "An amount")
    if from_currency == to_currency:
        return quantize(amount, to_currency)
    # Multiply before dividing, with room to spare, so only the final step rounds.
    with localcontext() as ctx:
        ctx.prec = 60
        exact = amount * to_rate / from_rate
    return quantize(exact, to_currency)


def _price_lines(
    lines: Iterable[PriceLine], currency: str, rates: Mapping[str, Decimal]
) -> tuple[LineQuote, ...]:
    quoted = []
    for line in lines:
        if isinstance(line.quantity, bool) or not isinstance(line.quantity, int):
            raise TypeError(f"Quantity of line {line.key} must be an int.")
        if line.quantity < 1:
            raise ValueError(f"Quantity of line {line.key} must be >= 1, got {line.quantity}.")
        unit_source = _non_negative(line.unit_price, f"Unit price of line {line.key}")
        unit = convert(unit_source, line.currency, currency, rates)
        line_total = quantize(unit * line.quantity, currency)
        quoted.append(LineQuote(line.key, unit, line.quantity, line_total))
    return tuple(quoted)


def _discount(
    coupon: CouponTerms | None, subtotal: Decimal, currency: str, rates: Mapping[str, Decimal]
) -> Decimal:
    """The discount in `currency`, capped at `subtotal`."""
    if coupon is None or coupon.kind == FREE_SHIPPING:
        return ZERO
    if coupon.kind == PERCENTAGE:
        percent = _decimal(coupon.value, "A percentage coupon's value")
        if not percent.is_finite() or not ZERO < percent <= HUNDRED:
            raise ValueError(f"A percentage must be in (0, 100], got {coupon.value!r}.")
        discount = quantize(subtotal * percent / HUNDRED, currency)
    elif coupon.kind == FIXED:
        value = _non_negative(coupon.value, "A fixed coupon's value")
        discount = convert(value, coupon.currency, currency, rates)
    else:
        raise ValueError(f"Unknown coupon kind {coupon.kind!r}; expected one of {COUPON_KINDS}.")
    return min(discount, subtotal)


def _shipping(
    terms: ShippingTerms | None,
    coupon: CouponTerms | None,
    discounted_subtotal: Decimal,
    currency: str,
    rates: Mapping[str, Decimal],
) -> tuple[Decimal, bool]:
    """(shipping in `currency`, whether a coupon or the threshold made it free)."""
    price = free_over = None
    if terms is not None:  # validated even when a coupon makes it free
        price = _non_negative(terms.price, "The shipping price")
        price = convert(price, terms.currency, currency, rates)
        if terms.free_over is not None:
            free_over = _non_negative(terms.free_over, "The free-shipping threshold")
            free_over = convert(free_over, terms.currency, currency, rates)
    if coupon is not None and coupon.kind == FREE_SHIPPING:
        return ZERO, True
    if price is None:
        return ZERO, False
    if free_over is not None and discounted_subtotal >= free_over:
        return ZERO, True
    return price, False


def _tax_rate(tax: TaxTerms) -> Decimal:
    rate = _decimal(tax.rate, "The tax rate")
    if not rate.is_finite() or rate < 0:
        raise ValueError(f"The tax rate must be a fraction >= 0, got {tax.rate!r}.")
    return rate


def price_order(
    lines: Iterable[PriceLine],
    *,
    currency: str,
    rates: Mapping[str, Decimal],
    tax: TaxTerms,
    shipping: ShippingTerms | None = None,
    coupon: CouponTerms | None = None,
) -> Quote:
    """Price `lines` in `currency`.

    Tax-exclusive: tax = quantize(rate * (subtotal - discount [+ shipping])).
    Tax-inclusive: the customer pays the stickers (minus discount, plus shipping)
    exactly; subtotal, discount and taxed shipping are reported net of tax, and
    the rounding residual lands in tax, never in the total. The lines keep the
    sticker prices, and the free-over threshold compares the discounted sticker
    subtotal. Raises UnknownCurrency/ValueError/TypeError on bad input.
    """
    rate = _tax_rate(tax)
    quote_rate = rate_for(currency, rates)
    quoted = _price_lines(lines, currency, rates)
    subtotal = sum((line.line_total for line in quoted), ZERO)
    discount = _discount(coupon, subtotal, currency, rates)
    shipping_amount, free_shipping = _shipping(
        shipping, coupon, subtotal - discount, currency, rates
    )
    if tax.prices_include_tax:
        total = subtotal - discount + shipping_amount
        divisor = 1 + rate
        subtotal = quantize(subtotal / divisor, currency)
        discount = quantize(discount / divisor, currency)
        if tax.applies_to_shipping:
            shipping_amount = quantize(shipping_amount / divisor, currency)
        tax_amount = total - (subtotal - discount + shipping_amount)
    else:
        taxable = subtotal - discount
        if tax.applies_to_shipping:
            taxable += shipping_amount
        tax_amount = quantize(taxable * rate, currency)
        total = subtotal - discount + shipping_amount + tax_amount
    return Quote(
        currency=currency,
        rate=quote_rate,
        lines=quoted,
        # Already on the currency's grid; quantizing again only fixes the exponent
        # so that zero reads 0.00 in USD.
        subtotal=quantize(subtotal, currency),
        discount=quantize(discount, currency),
        shipping=quantize(shipping_amount, currency),
        tax=quantize(tax_amount, currency),
        total=quantize(total, currency),
        free_shipping=free_shipping,
    )
