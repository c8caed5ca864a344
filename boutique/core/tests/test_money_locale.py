"""Money and numbers written per language (Babel): one rounding rule
(quantize, half up), LBP never with decimals, thousands separators everywhere."""

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from boutique.core.money import format_money, format_number

NNBSP, NBSP, RLM = "\u202f", "\u00a0", "\u200f"


@pytest.mark.parametrize(
    ("language", "usd", "lbp"),
    [
        ("en", "$1,234.50", "LBP 1,500,000"),
        ("fr", f"1{NNBSP}234,50{NBSP}$US", f"1{NNBSP}500{NNBSP}000{NBSP}LBP"),
        ("ar", f"{RLM}1,234.50{NBSP}US$", f"{RLM}1,500,000{NBSP}ل.ل.{RLM}"),
    ],
)
def test_each_language_writes_usd_with_cents_and_lbp_without(language, usd, lbp):
    assert format_money(Decimal("1234.5"), "USD", language=language) == usd
    assert format_money(Decimal("1500000"), "LBP", language=language) == lbp


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "LBP 1,500,000"),
        ("fr", f"1{NNBSP}500{NNBSP}000{NBSP}LBP"),
        ("ar", f"{RLM}1,500,000{NBSP}ل.ل.{RLM}"),
    ],
)
def test_lbp_has_no_decimals_and_rounds_half_up_like_quantize(language, expected):
    assert format_money(Decimal("1499999.5"), "LBP", language=language) == expected
    # Babel alone would round half to even (2.5 → 2); the shop rounds half up, once.
    assert format_money(Decimal("2.5"), "LBP", language=language).count("3") == 1
    assert format_money(Decimal("0.125"), "USD", language="en") == "$0.13"


def test_the_active_language_is_used_by_default():
    with translation.override("fr"):
        assert format_money(Decimal("12.5"), "USD") == f"12,50{NBSP}$US"
    assert format_money(Decimal("12.5"), "USD") == "$12.50"


def test_the_money_and_number_filters_follow_the_language():
    template = Template("{% load money %}{{ amount|money:'LBP' }} · {{ count|number }}")
    context = Context({"amount": Decimal("2500000"), "count": Decimal("4.5")})
    with translation.override("fr"):
        assert template.render(context) == f"2{NNBSP}500{NNBSP}000{NBSP}LBP · 4,5"
    assert template.render(context) == "LBP 2,500,000 · 4.5"


def test_numbers_have_thousands_separators_per_language():
    assert format_number(1234567, language="en") == "1,234,567"
    assert format_number(1234567, language="fr") == f"1{NNBSP}234{NNBSP}567"
    assert format_number(None) == ""
