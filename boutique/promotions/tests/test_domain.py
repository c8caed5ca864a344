"""Eligibility rules without a database: every reason, its exact sentence and
the order in which reasons are checked."""

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from boutique.promotions.domain import CouponRules, Refusal, coupon_refusal

NOW = datetime(2025, 5, 10, 12, 0, tzinfo=UTC)
OPEN = CouponRules(code="SPRING10")


def check(terms=OPEN, **overrides):
    args = {
        "now": NOW,
        "subtotal_in_coupon_currency": Decimal("100.00"),
        "uses_total": 0,
        "uses_by_customer": 0,
        "customer_id": 7,
        "prior_orders": 0,
    }
    args.update(overrides)
    return coupon_refusal(terms, **args)


def test_an_open_coupon_is_not_refused():
    assert check() is None


def test_disabled():
    assert check(replace(OPEN, is_active=False)) == Refusal(
        "coupon_disabled", "SPRING10 is no longer available."
    )


def test_not_started_names_the_first_day():
    terms = replace(OPEN, starts_at=datetime(2025, 6, 1, tzinfo=UTC))
    assert check(terms) == Refusal("coupon_not_started", "SPRING10 can be used from 1 June 2025.")


def test_usable_from_the_start_moment_itself():
    assert check(replace(OPEN, starts_at=NOW)) is None


def test_expired_names_the_end_day():
    terms = replace(OPEN, ends_at=datetime(2025, 5, 1, tzinfo=UTC))
    assert check(terms) == Refusal("coupon_expired", "SPRING10 expired on 1 May 2025.")


def test_expired_at_the_end_moment_itself():
    assert check(replace(OPEN, ends_at=NOW)).code == "coupon_expired"


def test_assigned_to_another_customer_is_not_yours():
    assert check(replace(OPEN, assigned_to_id=8)) == Refusal(
        "coupon_not_yours", "SPRING10 was given to another customer."
    )


def test_assigned_coupon_asks_a_guest_to_sign_in():
    assert check(replace(OPEN, assigned_to_id=7), customer_id=None) == Refusal(
        "coupon_not_yours",
        "SPRING10 belongs to a customer account: sign in to the account it was given to.",
    )


def test_assigned_coupon_is_fine_for_its_customer():
    assert check(replace(OPEN, assigned_to_id=7)) is None


def test_first_order_only_refuses_a_returning_customer():
    terms = replace(OPEN, first_order_only=True)
    assert check(terms, prior_orders=0) is None
    assert check(terms, prior_orders=1) == Refusal(
        "coupon_first_order_only", "SPRING10 is only for a first order."
    )


def test_used_up_when_max_uses_reached():
    terms = replace(OPEN, max_uses=5)
    assert check(terms, uses_total=4) is None
    assert check(terms, uses_total=5) == Refusal("coupon_used_up", "SPRING10 has been used up.")


def test_already_used_once_per_customer():
    terms = replace(OPEN, max_uses_per_customer=1)
    assert check(terms, uses_by_customer=1) == Refusal(
        "coupon_already_used", "You have already used SPRING10 (once per customer)."
    )


def test_already_used_as_often_as_allowed():
    terms = replace(OPEN, max_uses_per_customer=3)
    assert check(terms, uses_by_customer=2) is None
    assert check(terms, uses_by_customer=3) == Refusal(
        "coupon_already_used", "You have already used SPRING10 3 times, the most allowed."
    )


def test_below_minimum_says_by_how_much():
    terms = replace(OPEN, min_order_amount=Decimal("50.00"))
    assert check(terms, subtotal_in_coupon_currency=Decimal("37.50")) == Refusal(
        "coupon_below_minimum", "Add $12.50 more to use SPRING10 (minimum $50.00)."
    )


def test_exactly_the_minimum_is_enough():
    terms = replace(OPEN, min_order_amount=Decimal("50.00"))
    assert check(terms, subtotal_in_coupon_currency=Decimal("50.00")) is None


def test_below_minimum_in_pounds_has_no_cents():
    terms = replace(OPEN, currency="LBP", min_order_amount=Decimal("1000000"))
    assert check(terms, subtotal_in_coupon_currency=Decimal("500000")).message == (
        "Add LBP 500,000 more to use SPRING10 (minimum LBP 1,000,000)."
    )


def test_no_subtotal_skips_the_minimum():
    terms = replace(OPEN, min_order_amount=Decimal("50.00"))
    assert check(terms, subtotal_in_coupon_currency=None) is None


# Everything wrong at once: the reasons come off in the documented order.
ORDER = [
    ("coupon_disabled", {"is_active": True}),
    ("coupon_not_started", {"starts_at": None}),
    ("coupon_expired", {"ends_at": None}),
    ("coupon_not_yours", {"assigned_to_id": None}),
    ("coupon_first_order_only", {"first_order_only": False}),
    ("coupon_used_up", {"max_uses": None}),
    ("coupon_already_used", {"max_uses_per_customer": None}),
    ("coupon_below_minimum", {"min_order_amount": None}),
]


def test_reasons_are_checked_in_order():
    terms = CouponRules(
        code="ALLBAD",
        is_active=False,
        starts_at=datetime(2025, 6, 1, tzinfo=UTC),
        ends_at=datetime(2025, 5, 1, tzinfo=UTC),
        assigned_to_id=99,
        first_order_only=True,
        max_uses=1,
        max_uses_per_customer=1,
        min_order_amount=Decimal("500"),
    )
    seen = []
    for _code, fix in ORDER:
        refusal = check(terms, uses_total=1, uses_by_customer=1, prior_orders=2)
        seen.append(refusal.code)
        terms = replace(terms, **fix)
    assert seen == [code for code, _ in ORDER]
    assert check(terms, uses_total=1, uses_by_customer=1, prior_orders=2) is None


@pytest.mark.parametrize("customer_id", [None, 7])
def test_unassigned_coupon_serves_guests_and_customers(customer_id):
    assert check(customer_id=customer_id) is None
