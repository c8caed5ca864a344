"""Money: Decimal only, one rounding rule (half-up to the currency's minor unit)."""

from decimal import ROUND_HALF_UP, Decimal

# Minor units per ISO 4217 as shops here use them: LBP is priced in whole pounds.
MINOR_UNITS = {"USD": 2, "LBP": 0, "EUR": 2, "INR": 2}
CURRENCY_CHOICES = [("USD", "US dollar"), ("LBP", "Lebanese pound")]
BASE_CURRENCY = "USD"


class UnknownCurrency(ValueError):
    pass


def minor_units(currency: str) -> int:
    try:
        return MINOR_UNITS[currency]
    except KeyError as exc:
        raise UnknownCurrency(currency) from exc


def quantize(amount: Decimal | int | str, currency: str) -> Decimal:
    """Round half-up to the currency's minor unit. Floats are refused."""
    if isinstance(amount, float):
        raise TypeError("Money is never a float; pass a Decimal or a string.")
    exponent = Decimal(1).scaleb(-minor_units(currency))
    return Decimal(amount).quantize(exponent, rounding=ROUND_HALF_UP)


def format_money(amount: Decimal, currency: str) -> str:
    """'$12.50' or 'LBP 1,250,000'."""
    value = quantize(amount, currency)
    places = minor_units(currency)
    text = f"{value:,.{places}f}"
    if currency == "USD":
        return f"${text}"
    return f"{currency} {text}"
