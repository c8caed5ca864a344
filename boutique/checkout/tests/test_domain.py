"""The pricing engine, by hand-worked examples and by property. No database."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from boutique.checkout.domain import (
    CouponTerms,
    LineQuote,
    PriceLine,
    ShippingTerms,
    TaxTerms,
    convert,
    price_order,
)
from boutique.core.money import UnknownCurrency, quantize

D = Decimal
USD_ONLY: dict[str, Decimal] = {}
LBP_RATES = {"USD": D(1), "LBP": D(89500)}
VAT_6 = TaxTerms(rate=D("0.06"))
CART = [PriceLine(1, D("12.99"), "USD", 2), PriceLine(2, D("7.50"), "USD", 1)]  # 33.48


def usd(lines=CART, rates=USD_ONLY, **kwargs):
    kwargs.setdefault("tax", VAT_6)
    return price_order(lines, currency="USD", rates=rates, **kwargs)


def assert_adds_up(quote):
    assert quote.total == quote.subtotal - quote.discount + quote.shipping + quote.tax


def test_percentage_coupon_and_tax_on_the_discounted_subtotal():
    quote = usd(shipping=ShippingTerms(D("5.00")), coupon=CouponTerms("percentage", D(10)))

    assert quote.lines == (
        LineQuote(1, D("12.99"), 2, D("25.98")),
        LineQuote(2, D("7.50"), 1, D("7.50")),
    )
    assert quote.subtotal == D("33.48")
    assert quote.discount == D("3.35")  # 3.348 half-up
    assert quote.shipping == D("5.00")
    assert quote.tax == D("1.81")  # 6 % of 30.13 = 1.8078; shipping untaxed
    assert quote.total == D("36.94")
    assert (quote.currency, quote.rate, quote.free_shipping) == ("USD", D(1), False)
    assert_adds_up(quote)


def test_tax_on_shipping_when_the_rate_says_so():
    taxed = usd(
        shipping=ShippingTerms(D("5.00")),
        coupon=CouponTerms("percentage", D(10)),
        tax=TaxTerms(D("0.06"), applies_to_shipping=True),
    )

    assert taxed.tax == D("2.11")  # 6 % of 30.13 + 5.00 = 2.1078
    assert taxed.total == D("37.24")


def test_fixed_coupon_larger_than_the_subtotal_is_capped():
    quote = usd(
        [PriceLine(2, D("7.50"), "USD", 1)],
        shipping=ShippingTerms(D("5.00")),
        coupon=CouponTerms("fixed", D("20.00")),
        tax=TaxTerms(D("0.06"), applies_to_shipping=True),
    )

    assert quote.discount == D("7.50")
    assert quote.tax == D("0.30")  # only shipping is left to tax
    assert quote.total == quote.shipping + quote.tax == D("5.30")


def test_free_shipping_coupon_zeroes_shipping_and_discounts_nothing():
    quote = usd(shipping=ShippingTerms(D("5.00")), coupon=CouponTerms("free_shipping", D(0)))

    assert (quote.discount, quote.shipping, quote.free_shipping) == (D(0), D(0), True)
    assert quote.tax == D("2.01")  # 6 % of 33.48 = 2.0088
    assert quote.total == D("35.49")


def test_no_shipping_method_means_no_shipping():
    quote = usd()

    assert (quote.shipping, quote.free_shipping) == (D(0), False)
    assert quote.total == D("35.49")


@pytest.mark.parametrize(
    ("price", "free", "shipping"),
    [
        (D("60.00"), True, D(0)),  # 54.00 after 10 % still reaches 50
        (D("50.00"), False, D("5.00")),  # 45.00 after 10 % falls short; 50 before did not count
        (D("55.56"), True, D(0)),  # 55.56 - 5.56 = 50.00 exactly: the threshold is inclusive
    ],
)
def test_free_over_threshold_compares_the_discounted_subtotal(price, free, shipping):
    quote = usd(
        [PriceLine(1, price, "USD", 1)],
        shipping=ShippingTerms(D("5.00"), free_over=D("50.00")),
        coupon=CouponTerms("percentage", D(10)),
    )

    assert (quote.free_shipping, quote.shipping) == (free, shipping)
    assert_adds_up(quote)


def test_tax_inclusive_sticker_price_is_what_the_customer_pays():
    quote = usd(
        [PriceLine(1, D("10.60"), "USD", 1)], tax=TaxTerms(D("0.06"), prices_include_tax=True)
    )

    assert quote.lines[0].line_total == D("10.60")
    assert (quote.subtotal, quote.tax, quote.total) == (D("10.00"), D("0.60"), D("10.60"))


def test_tax_inclusive_rounding_residual_lands_in_tax_not_in_the_total():
    quote = usd(
        [PriceLine(1, D("9.99"), "USD", 3)],  # 29.97 gross
        shipping=ShippingTerms(D("5.30")),
        coupon=CouponTerms("percentage", D(10)),  # 3.00 gross
        tax=TaxTerms(D("0.06"), applies_to_shipping=True, prices_include_tax=True),
    )

    assert quote.total == D("32.27")  # 29.97 - 3.00 + 5.30, exactly the stickers
    assert quote.subtotal == D("28.27")  # 29.97 / 1.06 = 28.2736
    assert quote.discount == D("2.83")  # 3.00 / 1.06 = 2.8302
    assert quote.shipping == D("5.00")
    assert quote.tax == D("1.83")
    assert_adds_up(quote)


def test_tax_inclusive_untaxed_shipping_stays_gross():
    quote = usd(
        [PriceLine(1, D("10.60"), "USD", 1)],
        shipping=ShippingTerms(D("5.30")),
        tax=TaxTerms(D("0.06"), prices_include_tax=True),
    )

    assert (quote.subtotal, quote.shipping, quote.tax, quote.total) == (
        D("10.00"),
        D("5.30"),
        D("0.60"),
        D("15.90"),
    )


def test_lbp_quote_converts_usd_prices_first_then_rounds_in_whole_pounds():
    quote = price_order(
        CART,
        currency="LBP",
        rates=LBP_RATES,
        tax=VAT_6,
        shipping=ShippingTerms(D("5.00")),
        coupon=CouponTerms("percentage", D(10)),
    )

    assert quote.lines[0] == LineQuote(1, D(1162605), 2, D(2325210))  # $12.99 x 89,500
    assert quote.lines[1].unit_price == D(671250)
    assert quote.subtotal == D(2996460)
    assert quote.discount == D(299646)
    assert quote.shipping == D(447500)
    assert quote.tax == D(161809)  # 6 % of 2,696,814 = 161,808.84
    assert quote.total == D(3306123)
    assert (quote.currency, quote.rate) == ("LBP", D(89500))


def test_lbp_discount_rounds_half_up_to_whole_pounds():
    quote = price_order(
        [PriceLine(1, D("12.99"), "USD", 1)],
        currency="LBP",
        rates=LBP_RATES,
        tax=TaxTerms(D(0)),
        coupon=CouponTerms("percentage", D(10)),
    )

    assert quote.discount == D(116261)  # 116,260.5 half-up
    assert quote.total == D(1046344)


def test_fixed_usd_coupon_is_converted_into_the_quote_currency():
    quote = price_order(
        CART, currency="LBP", rates=LBP_RATES, tax=VAT_6, coupon=CouponTerms("fixed", D(10))
    )

    assert quote.discount == D(895000)


def test_lbp_priced_variant_in_a_usd_quote():
    quote = usd(
        [PriceLine(7, D(100000), "LBP", 3), PriceLine(8, D(450), "LBP", 1)],
        rates={"LBP": D(90000)},
    )

    assert quote.lines[0].unit_price == D("1.11")  # 1.1111 per unit, rounded before x 3
    assert quote.lines[0].line_total == D("3.33")
    assert quote.lines[1].unit_price == D("0.01")  # exactly 0.005: half-up
    assert quote.subtotal == D("3.34")


def test_convert_same_currency_only_quantizes():
    assert convert(D("1.005"), "USD", "USD", {}) == D("1.01")
    assert convert(D(448), "LBP", "USD", {"LBP": D(89500)}) == D("0.01")
    assert convert(D(447), "LBP", "USD", {"LBP": D(89500)}) == D("0.00")


@pytest.mark.parametrize(
    ("currency", "rates"),
    [
        ("XYZ", {"XYZ": D(2)}),  # not a currency the shop knows
        ("LBP", {}),  # known, but no rate given
    ],
)
def test_unknown_currency_raises(currency, rates):
    with pytest.raises(UnknownCurrency):
        price_order(CART, currency=currency, rates=rates, tax=VAT_6)


def test_line_in_a_currency_without_a_rate_raises():
    with pytest.raises(UnknownCurrency):
        usd([PriceLine(1, D(1000), "LBP", 1)])


@pytest.mark.parametrize("quantity", [0, -1])
def test_quantity_below_one_raises(quantity):
    with pytest.raises(ValueError, match="Quantity"):
        usd([PriceLine(1, D("1.00"), "USD", quantity)])


@pytest.mark.parametrize(
    "kwargs",
    [
        {"coupon": CouponTerms("percentage", D(0))},
        {"coupon": CouponTerms("percentage", D(101))},
        {"coupon": CouponTerms("fixed", D(-1))},
        {"coupon": CouponTerms("bogo", D(1))},
        {"shipping": ShippingTerms(D(-1))},
        {"tax": TaxTerms(D("-0.01"))},
        {"lines": [PriceLine(1, D("-0.01"), "USD", 1)]},
    ],
)
def test_nonsense_terms_raise(kwargs):
    with pytest.raises(ValueError):
        usd(**kwargs)


def test_float_money_is_refused():
    with pytest.raises(TypeError):
        usd([PriceLine(1, 1.1, "USD", 1)])


def test_usd_rate_other_than_one_is_refused():
    with pytest.raises(ValueError):
        usd(rates={"USD": D(2)})


# --- Property ------------------------------------------------------------------------

CURRENCIES = ("USD", "LBP")


def money(currency, max_usd, min_usd="0"):
    """Amounts already on the currency's grid, worth up to about max_usd (LBP at 89,500)."""
    if currency == "USD":
        return st.decimals(min_value=D(min_usd), max_value=D(max_usd), places=2)
    low, high = (int(D(bound) * 89500) for bound in (min_usd, max_usd))
    return st.integers(min_value=low, max_value=high).map(D)


@st.composite
def price_lines(draw):
    lines = []
    for key in range(1, draw(st.integers(min_value=1, max_value=6)) + 1):
        currency = draw(st.sampled_from(CURRENCIES))
        price = draw(money(currency, "999.99"))
        lines.append(PriceLine(key, price, currency, draw(st.integers(min_value=1, max_value=20))))
    return lines


@st.composite
def coupons(draw):
    kind = draw(st.sampled_from((None, "percentage", "fixed", "free_shipping")))
    if kind is None:
        return None
    if kind == "percentage":
        return CouponTerms(kind, D(draw(st.integers(min_value=1, max_value=100))))
    if kind == "fixed":
        currency = draw(st.sampled_from(CURRENCIES))
        return CouponTerms(kind, draw(money(currency, "500", min_usd="0.01")), currency)
    return CouponTerms(kind, D(0))


@st.composite
def shippings(draw):
    if draw(st.booleans()):
        return None
    currency = draw(st.sampled_from(CURRENCIES))
    free_over = draw(st.none() | money(currency, "3000"))
    return ShippingTerms(draw(money(currency, "50")), currency, free_over)


taxes = st.builds(
    TaxTerms,
    rate=st.decimals(min_value=D(0), max_value=D("0.25"), places=4),
    applies_to_shipping=st.booleans(),
    prices_include_tax=st.booleans(),
)
lbp_rates = st.decimals(min_value=D(1), max_value=D(200000), places=2)


@settings(max_examples=300, deadline=None)
@given(
    lines=price_lines(),
    coupon=coupons(),
    shipping=shippings(),
    tax=taxes,
    currency=st.sampled_from(CURRENCIES),
    lbp_rate=lbp_rates,
)
def test_quote_invariants_hold_for_any_cart(lines, coupon, shipping, tax, currency, lbp_rate):
    rates = {"USD": D(1), "LBP": lbp_rate}

    quote = price_order(
        lines, currency=currency, rates=rates, tax=tax, shipping=shipping, coupon=coupon
    )

    amounts = (quote.subtotal, quote.discount, quote.shipping, quote.tax, quote.total)
    assert quote.total == quote.subtotal - quote.discount + quote.shipping + quote.tax
    line_amounts = tuple(x for line in quote.lines for x in (line.unit_price, line.line_total))
    for amount in amounts + line_amounts:
        assert amount >= 0
        assert amount == quantize(amount, currency)
        if currency == "LBP":
            assert amount == amount.to_integral_value()
    assert quote.discount <= quote.subtotal
    assert quote.rate == rates[currency]
    assert [(line.key, line.quantity) for line in quote.lines] == [
        (line.key, line.quantity) for line in lines
    ]
    for line in quote.lines:
        assert line.line_total == quantize(line.unit_price * line.quantity, currency)
    coupon_ships_free = coupon is not None and coupon.kind == "free_shipping"
    if coupon_ships_free:
        assert (quote.shipping, quote.free_shipping) == (0, True)
    if shipping is None and not coupon_ships_free:
        assert (quote.shipping, quote.free_shipping) == (0, False)
    gross_lines = sum(line.line_total for line in quote.lines)
    if tax.prices_include_tax:
        if coupon is None:  # the customer pays the stickers plus shipping, exactly
            gross_shipping = (
                convert(shipping.price, shipping.currency, currency, rates)
                if shipping is not None and not quote.free_shipping
                else 0
            )
            assert quote.total == gross_lines + gross_shipping
    else:
        assert quote.subtotal == gross_lines
        taxable = quote.subtotal - quote.discount
        if tax.applies_to_shipping:
            taxable += quote.shipping
        assert quote.tax == quantize(tax.rate * taxable, currency)
        if shipping is not None and shipping.free_over is not None and not coupon_ships_free:
            threshold = convert(shipping.free_over, shipping.currency, currency, rates)
            assert quote.free_shipping == (quote.subtotal - quote.discount >= threshold)
    assert (
        price_order(
            lines, currency=currency, rates=rates, tax=tax, shipping=shipping, coupon=coupon
        )
        == quote
    )
