"""Payout generation run several times at once (two staff members, or the timed
job and a click) pays every delivered item exactly once. Runs on SQLite and
PostgreSQL with real connections."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db.models import Count, Sum
from django.utils import timezone

from boutique.marketplace.models import Payout, PayoutItem
from boutique.marketplace.services import payout_generate, payouts_generate
from boutique.marketplace.tests.factories import (
    SellerFactory,
    deliver,
    multi_seller_order,
    seller_product,
)

from .helpers import run_concurrently

pytestmark = pytest.mark.django_db(transaction=True)


def _period():
    today = timezone.localdate()
    return {"period_start": today - timedelta(7), "period_end": today - timedelta(1)}


@pytest.fixture
def delivered(settings):
    """Three sellers, each with three delivered orders of 1 × $20."""
    settings.DEFAULT_TAX_RATE = "0"
    settings.MARKETPLACE_COMMISSION_RATE = "0.15"
    sellers = [SellerFactory() for _ in range(3)]
    for seller in sellers:
        product = seller_product(seller, price="20.00")
        for n in range(3):
            order = multi_seller_order([(product, 1)], email=f"b{n}@example.com")
            deliver(order, at=timezone.now() - timedelta(days=2))
    return sellers


def test_ten_concurrent_runs_pay_every_item_once(delivered):
    results = run_concurrently(lambda i: payouts_generate(**_period()), workers=10, timeout=120)

    errors = [r for r in results if isinstance(r, BaseException)]
    assert errors == []
    assert sum(len(r) for r in results) == 3  # one payout per seller, whoever made it
    assert PayoutItem.objects.count() == 9
    per_seller = Payout.objects.values("seller").annotate(n=Count("id"), net=Sum("net_amount"))
    assert sorted((row["n"], row["net"]) for row in per_seller) == [(1, Decimal("51.00"))] * 3


def test_one_seller_generated_twenty_times_at_once(delivered):
    seller = delivered[0]
    results = run_concurrently(
        lambda i: payout_generate(seller=seller, **_period()), workers=20, timeout=120
    )

    made = [r for r in results if isinstance(r, Payout)]
    assert len(made) == 1
    assert [r for r in results if r is not None and not isinstance(r, Payout)] == []
    assert PayoutItem.objects.filter(payout__seller=seller).count() == 3
