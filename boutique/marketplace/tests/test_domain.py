from decimal import Decimal

import pytest

from boutique.marketplace.domain import commission_for, payout_totals, to_base


def test_base_currency_amounts_are_rounded_to_cents():
    assert to_base(Decimal("10.005"), currency="USD", exchange_rate=Decimal(1)) == Decimal("10.01")


def test_lbp_lines_convert_at_the_orders_own_rate():
    assert to_base(Decimal(895000), currency="LBP", exchange_rate=Decimal(89500)) == Decimal(
        "10.00"
    )
    assert to_base(Decimal(100000), currency="LBP", exchange_rate=Decimal(89500)) == Decimal("1.12")


def test_commission_rounds_half_up():
    assert commission_for(Decimal("10.10"), Decimal("0.15")) == Decimal("1.52")  # 1.515
    assert commission_for(Decimal("0.00"), Decimal("0.15")) == Decimal("0.00")


@pytest.mark.parametrize("rate", [Decimal("-0.01"), Decimal("1.01")])
def test_commission_rate_outside_0_1_is_refused(rate):
    with pytest.raises(ValueError):
        commission_for(Decimal(10), rate)


def test_payout_net_is_gross_less_commission_less_refunds():
    totals = payout_totals(
        [(Decimal("20.00"), Decimal("3.00")), (Decimal("10.10"), Decimal("1.52"))],
        [Decimal("5.00")],
    )
    assert (totals.gross, totals.commission, totals.refunds) == (
        Decimal("30.10"),
        Decimal("4.52"),
        Decimal("5.00"),
    )
    assert totals.net == Decimal("20.58")
