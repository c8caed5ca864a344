"""Coupon limits on real connections: many orders redeem one coupon at the same
moment and the limits still hold (PostgreSQL row lock; SQLite's IMMEDIATE
transactions queue the writers)."""

from decimal import Decimal

import pytest
from django.db import transaction

from boutique.accounts.tests.factories import UserFactory
from boutique.promotions.errors import CouponRefused
from boutique.promotions.models import Coupon, CouponRedemption
from boutique.promotions.services import coupon_redeem, coupon_redemptions_return

from .helpers import run_concurrently

pytestmark = pytest.mark.django_db(transaction=True)


def _redeem(coupon, i, *, user=None, email=None):
    with transaction.atomic():
        return coupon_redeem(
            coupon=coupon,
            user=user,
            email=email or f"buyer{i}@example.com",
            order_number=f"BQ-2025-{i:06d}",
            amount=Decimal("5.00"),
            currency="USD",
            prior_orders=0,
        )


def _outcome(results):
    won = [r for r in results if isinstance(r, CouponRedemption)]
    refused = [r for r in results if isinstance(r, CouponRefused)]
    other = [r for r in results if not isinstance(r, CouponRedemption | CouponRefused)]
    return won, refused, other


def test_fifty_redeems_of_a_five_use_coupon_succeed_exactly_five_times():
    coupon = Coupon.objects.create(code="FIVE", kind="percentage", value=Decimal(10), max_uses=5)

    results = run_concurrently(lambda i: _redeem(coupon, i), workers=50, timeout=240)

    won, refused, other = _outcome(results)
    assert other == []
    assert len(won) == 5
    assert len(refused) == 45
    assert {r.code for r in refused} == {"coupon_used_up"}
    assert CouponRedemption.objects.filter(coupon=coupon).count() == 5
    assert Coupon.objects.get(pk=coupon.pk).times_used == 5


def test_ten_redeems_by_one_customer_of_a_once_per_customer_coupon_succeed_once():
    ann = UserFactory()
    coupon = Coupon.objects.create(
        code="ONCE", kind="percentage", value=Decimal(10), max_uses_per_customer=1
    )

    results = run_concurrently(
        lambda i: _redeem(coupon, i, user=ann, email=ann.email), workers=10, timeout=120
    )

    won, refused, other = _outcome(results)
    assert other == []
    assert len(won) == 1
    assert {r.code for r in refused} == {"coupon_already_used"}
    assert CouponRedemption.objects.filter(coupon=coupon, user=ann).count() == 1
    assert Coupon.objects.get(pk=coupon.pk).times_used == 1


def test_a_use_given_back_concurrently_is_given_back_once():
    coupon = Coupon.objects.create(code="BACK", kind="percentage", value=Decimal(10), max_uses=3)
    _redeem(coupon, 1)
    _redeem(coupon, 2)

    results = run_concurrently(
        lambda i: coupon_redemptions_return(order_number="BQ-2025-000001"), workers=10
    )

    assert sorted(results) == [0] * 9 + [1]
    assert Coupon.objects.get(pk=coupon.pk).times_used == 1
    assert CouponRedemption.objects.filter(returned_at__isnull=True).count() == 1
