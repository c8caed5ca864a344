"""Money: Decimal only, one rounding rule (half-up to the currency's minor unit)."""

from decimal import ROUND_HALF_UP, Decimal

from babel import Locale
from babel.numbers import format_currency, format_decimal
from django.utils.translation import get_language, to_locale

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


# Babel patterns where the locale's own would not do: "¤¤" is the ISO code.
# The shop has always written pounds as "LBP 1,250,000" in English; French
# writes the code after the amount ("1 500 000 LBP"). The minor unit comes from
# MINOR_UNITS, so LBP never shows decimals in any language.
_PATTERNS = {
    ("en", "LBP"): "¤¤ #,##0",
    ("fr", "LBP"): "#,##0\u00a0¤¤",
}


def babel_locale(language: str | None = None) -> str:
    """The Babel locale of `language` (default: the active one): "en", "fr", "ar"."""
    return to_locale(language or get_language() or "en").split("_")[0]


def _locale_pattern(locale: str, places: int) -> str:
    """The locale's currency pattern with the currency's own number of decimals."""
    pattern = Locale.parse(locale).currency_formats["standard"].pattern
    return pattern.replace(".00", "." + "0" * places if places else "")


def format_money(amount: Decimal, currency: str, *, language: str | None = None) -> str:
    """The amount in the active language's way (or `language`'s): "$12.50",
    "LBP 1,250,000" in English, "12,50 $US" / "1 250 000 LBP" in French, the
    Arabic form in Arabic. Rounded once, by quantize (half up to the minor
    unit); Babel only writes the digits it is given."""
    value = quantize(amount, currency)
    places = minor_units(currency)
    locale = babel_locale(language)
    decimals = "." + "0" * places if places else ""
    if locale == "en" and (locale, currency) not in _PATTERNS:
        # English keeps the shop's established form: "$12.50", "EUR 3.00".
        text = format_decimal(value, format=f"#,##0{decimals}", locale="en")
        return f"${text}" if currency == "USD" else f"{currency} {text}"
    pattern = _PATTERNS.get((locale, currency)) or _locale_pattern(locale, places)
    return format_currency(value, currency, format=pattern, locale=locale, currency_digits=False)


def format_number(value, *, language: str | None = None) -> str:
    """A count or a rating written the active language's way ("1,234", "4,5")."""
    if value in (None, ""):
        return ""
    return format_decimal(value, locale=babel_locale(language))
