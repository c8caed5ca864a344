from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from boutique.core.money import UnknownCurrency, format_money, quantize


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        ("1.005", "USD", Decimal("1.01")),
        ("1.004", "USD", Decimal("1.00")),
        ("2.675", "USD", Decimal("2.68")),
        ("1500.5", "LBP", Decimal("1501")),
        ("1499.49", "LBP", Decimal("1499")),
        ("-1.005", "USD", Decimal("-1.01")),
    ],
)
def test_quantize_rounds_half_up_to_the_minor_unit(amount, currency, expected):
    assert quantize(Decimal(amount), currency) == expected


def test_quantize_refuses_floats():
    with pytest.raises(TypeError):
        quantize(1.1, "USD")


def test_unknown_currency_is_refused():
    with pytest.raises(UnknownCurrency):
        quantize(Decimal("1"), "XYZ")


def test_format_money_shows_symbol_or_code():
    assert format_money(Decimal("1234.5"), "USD") == "$1,234.50"
    assert format_money(Decimal("1250000"), "LBP") == "LBP 1,250,000"


@given(st.decimals(min_value=-(10**9), max_value=10**9, allow_nan=False, allow_infinity=False))
def test_quantize_is_idempotent_and_within_half_a_unit(value):
    for currency, unit in (("USD", Decimal("0.01")), ("LBP", Decimal(1))):
        once = quantize(value, currency)
        assert quantize(once, currency) == once
        assert abs(once - value) <= unit / 2
