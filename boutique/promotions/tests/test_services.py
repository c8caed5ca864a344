"""Finding, choosing, redeeming and giving back coupons, and staff edits."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import transaction

from boutique.accounts.tests.factories import StaffFactory, UserFactory
from boutique.audit.models import AuditLog
from boutique.core.errors import ValidationFailed
from boutique.promotions.errors import CouponRefused
from boutique.promotions.models import Coupon, CouponKind, CouponRedemption
from boutique.promotions.services import (
    coupon_automatic_for_checkout,
    coupon_create,
    coupon_find_for_checkout,
    coupon_redeem,
    coupon_redemptions_return,
    coupon_update,
)

from .factories import CouponFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2025, 5, 10, 12, 0, tzinfo=UTC)
RATES = {"USD": Decimal(1), "LBP": Decimal(89500)}
GUEST_EMAIL = "guest@example.com"


def find(code="SPRING10", *, user=None, email=GUEST_EMAIL, subtotal="100.00", **kw):
    kw.setdefault("currency", "USD")
    kw.setdefault("rates", RATES)
    kw.setdefault("prior_orders", 0)
    kw.setdefault("now", NOW)
    return coupon_find_for_checkout(
        code=code, user=user, email=email, subtotal=Decimal(subtotal), **kw
    )


def refusal(code="SPRING10", **kw) -> CouponRefused:
    with pytest.raises(CouponRefused) as caught:
        find(code, **kw)
    return caught.value


def redeem(coupon, *, order="BQ-2025-000001", user=None, email=GUEST_EMAIL, prior_orders=0):
    with transaction.atomic():
        return coupon_redeem(
            coupon=coupon,
            user=user,
            email=email,
            order_number=order,
            amount=Decimal("10.00"),
            currency="USD",
            prior_orders=prior_orders,
            now=NOW,
        )


# --- Finding a typed code ---------------------------------------------------------
@pytest.mark.parametrize("typed", ["spring10", "Spring10", "  SPRING10 "])
def test_codes_are_found_in_any_case(typed):
    coupon = CouponFactory(code="SPRING10")
    assert find(typed) == coupon


def test_a_code_stored_in_lower_case_is_still_found():
    coupon = Coupon.objects.create(code="five", kind="percentage", value=Decimal(5))
    assert find("FIVE") == coupon


def test_unknown_code_is_a_400_with_the_code_in_the_sentence():
    exc = refusal("nope")
    assert (exc.code, exc.status, exc.detail) == ("coupon_unknown", 400, "There is no coupon NOPE.")
    assert exc.field_errors == {"coupon": ["There is no coupon NOPE."]}


def test_an_empty_code_asks_for_one():
    exc = refusal("   ")
    assert (exc.code, exc.detail) == ("coupon_unknown", "Enter a coupon code.")


@pytest.mark.parametrize(
    ("fields", "code", "message"),
    [
        ({"is_active": False}, "coupon_disabled", "SPRING10 is no longer available."),
        (
            {"starts_at": datetime(2025, 6, 1, 8, tzinfo=UTC)},
            "coupon_not_started",
            "SPRING10 can be used from 1 June 2025.",
        ),
        (
            {"ends_at": datetime(2025, 5, 1, 8, tzinfo=UTC)},
            "coupon_expired",
            "SPRING10 expired on 1 May 2025.",
        ),
        ({"max_uses": 3, "times_used": 3}, "coupon_used_up", "SPRING10 has been used up."),
        (
            {"min_order_amount": Decimal("150.00")},
            "coupon_below_minimum",
            "Add $50.00 more to use SPRING10 (minimum $150.00).",
        ),
    ],
)
def test_each_refusal_is_a_409_with_its_exact_sentence(fields, code, message):
    CouponFactory(code="SPRING10", **fields)
    exc = refusal("spring10")
    assert (exc.code, exc.status, exc.detail) == (code, 409, message)


def test_minimum_is_checked_in_the_coupons_currency():
    # 3,356,250 LBP at 89,500 per dollar is $37.50.
    CouponFactory(code="SPRING10", min_order_amount=Decimal("50.00"))
    exc = refusal(subtotal="3356250", currency="LBP")
    assert exc.detail == "Add $12.50 more to use SPRING10 (minimum $50.00)."
    assert find(subtotal="4475000", currency="LBP").code == "SPRING10"  # $50.00 exactly


def test_a_pound_minimum_is_checked_against_a_dollar_subtotal():
    CouponFactory(code="LIRA", currency="LBP", min_order_amount=Decimal("4475000"))
    exc = refusal("LIRA", subtotal="40.00")
    assert exc.detail == "Add LBP 895,000 more to use LIRA (minimum LBP 4,475,000)."


def test_without_a_checkout_currency_the_subtotal_is_in_the_coupons_currency():
    CouponFactory(code="LIRA", currency="LBP", min_order_amount=Decimal("1000000"))
    assert find("LIRA", subtotal="1000000", currency=None, rates=None).code == "LIRA"


def test_a_coupon_in_a_currency_without_a_rate_is_refused_not_crashed():
    CouponFactory(code="LIRA", kind=CouponKind.FIXED, value=Decimal(100000), currency="LBP")
    exc = refusal("LIRA", rates={"USD": Decimal(1)})
    assert (exc.code, exc.status) == ("coupon_currency_unavailable", 409)


def test_first_order_only_refuses_a_customer_with_orders():
    CouponFactory(code="WELCOME", first_order_only=True)
    assert find("welcome", prior_orders=0).code == "WELCOME"
    exc = refusal("welcome", prior_orders=2)
    assert (exc.code, exc.detail) == (
        "coupon_first_order_only",
        "WELCOME is only for a first order.",
    )


def test_assigned_coupon_serves_only_its_customer():
    owner, other = UserFactory(), UserFactory()
    CouponFactory(code="FORYOU", assigned_to=owner)
    assert find("foryou", user=owner, email=owner.email).code == "FORYOU"
    exc = refusal("foryou", user=other, email=other.email)
    assert (exc.code, exc.detail) == ("coupon_not_yours", "FORYOU was given to another customer.")
    guest = refusal("foryou", email=owner.email)
    assert guest.code == "coupon_not_yours"
    assert "sign in" in guest.detail


# --- Per-customer limits ------------------------------------------------------------
def test_per_customer_limit_counts_a_signed_in_customers_uses():
    ann, bob = UserFactory(), UserFactory()
    coupon = CouponFactory(code="ONCE", max_uses_per_customer=1)
    redeem(coupon, user=ann, email=ann.email)

    exc = refusal("once", user=ann, email="another-address@example.com")
    assert (exc.code, exc.detail) == (
        "coupon_already_used",
        "You have already used ONCE (once per customer).",
    )
    assert find("once", user=bob, email=bob.email) == coupon


def test_per_customer_limit_counts_guests_by_email_in_any_case():
    coupon = CouponFactory(code="ONCE", max_uses_per_customer=1)
    redeem(coupon, email="Guest@Example.COM")

    assert CouponRedemption.objects.get().email == GUEST_EMAIL
    assert refusal("once", email=GUEST_EMAIL).code == "coupon_already_used"
    assert find("once", email="someone.else@example.com") == coupon


def test_a_guest_use_counts_when_the_same_email_signs_in():
    ann = UserFactory(email="ann@example.com")
    coupon = CouponFactory(code="ONCE", max_uses_per_customer=1)
    redeem(coupon, email="ann@example.com")
    assert refusal("once", user=ann, email=ann.email).code == "coupon_already_used"


# --- Redeeming --------------------------------------------------------------------
def test_redeem_counts_the_use_and_audits_it():
    ann = UserFactory()
    coupon = CouponFactory(code="SPRING10", max_uses=5)

    redemption = redeem(coupon, user=ann, email=ann.email.upper(), order="BQ-2025-000042")

    coupon.refresh_from_db()
    assert coupon.times_used == 1
    assert (redemption.order_id, redemption.user, redemption.email) == (
        "BQ-2025-000042",
        ann,
        ann.email.lower(),
    )
    assert (redemption.amount, redemption.currency, redemption.returned_at) == (
        Decimal("10.00"),
        "USD",
        None,
    )
    log = AuditLog.objects.get(action="coupon.redeemed")
    assert log.entity_id == str(coupon.pk)
    assert log.actor == ann
    assert log.new["order"] == "BQ-2025-000042"
    assert (log.old["times_used"], log.new["times_used"]) == (0, 1)


@pytest.mark.parametrize(
    ("fields", "prior", "code"),
    [
        ({"max_uses": 1, "times_used": 1}, 0, "coupon_used_up"),
        ({"first_order_only": True}, 1, "coupon_first_order_only"),
        ({"is_active": False}, 0, "coupon_disabled"),
    ],
)
def test_redeem_rechecks_the_limits_and_writes_nothing_when_refused(fields, prior, code):
    coupon = CouponFactory(**fields)
    before = Coupon.objects.get(pk=coupon.pk).times_used
    with pytest.raises(CouponRefused) as caught:
        redeem(coupon, prior_orders=prior)
    assert caught.value.code == code
    assert CouponRedemption.objects.count() == 0
    assert Coupon.objects.get(pk=coupon.pk).times_used == before
    assert not AuditLog.objects.filter(action="coupon.redeemed").exists()


def test_redeem_rechecks_the_per_customer_limit():
    coupon = CouponFactory(max_uses_per_customer=1)
    redeem(coupon, order="BQ-1")
    with pytest.raises(CouponRefused) as caught:
        redeem(coupon, order="BQ-2", email=GUEST_EMAIL.upper())
    assert caught.value.code == "coupon_already_used"
    assert Coupon.objects.get(pk=coupon.pk).times_used == 1


def test_the_same_order_cannot_redeem_a_coupon_twice():
    coupon = CouponFactory()
    redeem(coupon, order="BQ-1")
    with pytest.raises(ValidationFailed):
        redeem(coupon, order="BQ-1", email="other@example.com")
    assert Coupon.objects.get(pk=coupon.pk).times_used == 1


# --- Giving uses back ---------------------------------------------------------------
def test_a_returned_use_can_be_used_again_and_returning_is_idempotent():
    coupon = CouponFactory(code="ONCE", max_uses=1, max_uses_per_customer=1)
    redeem(coupon, order="BQ-1")
    assert refusal("once").code == "coupon_used_up"

    assert coupon_redemptions_return(order_number="BQ-1") == 1
    assert coupon_redemptions_return(order_number="BQ-1") == 0

    coupon.refresh_from_db()
    assert coupon.times_used == 0
    assert CouponRedemption.objects.get().returned_at is not None
    assert find("once") == coupon
    assert AuditLog.objects.filter(action="coupon.use_returned").count() == 1
    redeem(coupon, order="BQ-2")
    assert Coupon.objects.get(pk=coupon.pk).times_used == 1


def test_returning_an_order_without_coupons_changes_nothing():
    coupon = CouponFactory()
    redeem(coupon, order="BQ-1")
    assert coupon_redemptions_return(order_number="BQ-404") == 0
    assert Coupon.objects.get(pk=coupon.pk).times_used == 1


# --- Automatic coupons --------------------------------------------------------------
def automatic(*, user=None, email=GUEST_EMAIL, subtotal="100.00", prior_orders=0, **kw):
    kw.setdefault("currency", "USD")
    kw.setdefault("rates", RATES)
    return coupon_automatic_for_checkout(
        user=user,
        email=email,
        subtotal=Decimal(subtotal),
        prior_orders=prior_orders,
        now=NOW,
        **kw,
    )


def test_no_automatic_coupon_gives_none():
    CouponFactory(code="TYPED")  # needs a code: never automatic
    assert automatic() is None


def test_first_order_discount_applies_only_to_a_first_order():
    welcome = CouponFactory(code="WELCOME", is_automatic=True, first_order_only=True)
    assert automatic(prior_orders=0) == welcome
    assert automatic(prior_orders=1) is None


def test_the_automatic_coupon_taking_most_off_wins():
    CouponFactory(code="FIVE", is_automatic=True, value=Decimal(5))
    twenty = CouponFactory(code="TWENTY", is_automatic=True, kind="fixed", value=Decimal(20))
    CouponFactory(code="FIFTEEN", is_automatic=True, value=Decimal(15))
    assert automatic(subtotal="100.00") == twenty
    # On $200, 15 % ($30) beats $20 off.
    assert automatic(subtotal="200.00").code == "FIFTEEN"


def test_ineligible_automatic_coupons_are_skipped_without_raising(django_assert_max_num_queries):
    other = UserFactory()
    CouponFactory(code="OTHERS", is_automatic=True, value=Decimal(50), assigned_to=other)
    CouponFactory(code="GONE", is_automatic=True, value=Decimal(40), max_uses=1, times_used=1)
    CouponFactory(code="LATER", is_automatic=True, value=Decimal(30), starts_at=NOW + timedelta(1))
    CouponFactory(code="BIG", is_automatic=True, value=Decimal(20), min_order_amount=500)
    CouponFactory(
        code="LIRA", is_automatic=True, kind="fixed", value=Decimal(900000), currency="LBP"
    )
    small = CouponFactory(code="SMALL", is_automatic=True, value=Decimal(5))
    with django_assert_max_num_queries(2):
        chosen = automatic(rates={"USD": Decimal(1)})  # no LBP rate: LIRA is skipped
    assert chosen == small


def test_automatic_coupon_used_by_this_customer_is_skipped():
    coupon = CouponFactory(code="ONCE", is_automatic=True, max_uses_per_customer=1)
    redeem(coupon)
    assert automatic() is None
    assert automatic(email="new@example.com") == coupon


# --- Staff --------------------------------------------------------------------------
def test_create_stores_the_code_in_capitals_and_audits():
    staff = StaffFactory()
    coupon = coupon_create(
        actor=staff, code=" spring10 ", kind="percentage", value=Decimal(10), max_uses=100
    )
    assert coupon.code == "SPRING10"
    log = AuditLog.objects.get(action="coupon.created")
    assert (log.actor, log.entity_id) == (staff, str(coupon.pk))
    assert log.new["code"] == "SPRING10"
    assert log.new["value"] == "10"


def test_create_refuses_a_code_taken_in_another_case():
    CouponFactory(code="SPRING10")
    with pytest.raises(ValidationFailed) as caught:
        coupon_create(code="Spring10", kind="percentage", value=Decimal(5))
    assert caught.value.field_errors == {"code": ["A coupon with this code already exists."]}
    assert Coupon.objects.count() == 1


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"kind": "percentage", "value": Decimal(0)}, "value", "more than 0 and at most 100"),
        ({"kind": "percentage", "value": Decimal(101)}, "value", "more than 0 and at most 100"),
        ({"kind": "fixed", "value": Decimal(0)}, "value", "A fixed amount is more than 0."),
        ({"kind": "free_shipping", "value": Decimal(5)}, "value", "has the value 0"),
        (
            {
                "kind": "percentage",
                "value": Decimal(10),
                "starts_at": NOW,
                "ends_at": NOW - timedelta(hours=1),
            },
            "ends_at",
            "The end must come after the start.",
        ),
        ({"kind": "percentage", "value": Decimal(10), "max_uses": 0}, "max_uses", ""),
        ({"kind": "bogus", "value": Decimal(10)}, "kind", ""),
    ],
)
def test_create_validates_the_terms(fields, field, message):
    with pytest.raises(ValidationFailed) as caught:
        coupon_create(code="BAD", **fields)
    assert field in caught.value.field_errors
    assert message in " ".join(caught.value.field_errors[field])
    assert not Coupon.objects.exists()
    assert not AuditLog.objects.exists()


def test_free_shipping_needs_no_value():
    coupon = coupon_create(code="SHIPFREE", kind="free_shipping", value=None)
    assert coupon.value == 0


def test_create_refuses_unknown_fields():
    with pytest.raises(ValidationFailed) as caught:
        coupon_create(code="X", kind="percentage", value=Decimal(5), times_used=3)
    assert "times_used" in caught.value.field_errors


def test_update_audits_what_changed_and_keeps_the_use_count():
    staff = StaffFactory()
    coupon = CouponFactory(code="SPRING10", value=Decimal(10))
    stale = Coupon.objects.get(pk=coupon.pk)
    redeem(coupon)  # counted after `stale` was read

    updated = coupon_update(coupon=stale, actor=staff, value=Decimal(15), code="spring15")

    assert (updated.code, updated.value, updated.times_used) == ("SPRING15", Decimal(15), 1)
    assert Coupon.objects.get(pk=coupon.pk).times_used == 1
    log = AuditLog.objects.get(action="coupon.updated")
    assert log.old == {"value": "10.00", "code": "SPRING10"}
    assert log.new == {"value": "15", "code": "SPRING15"}


def test_update_with_nothing_changed_writes_no_audit():
    coupon = CouponFactory(code="SPRING10")
    coupon_update(coupon=coupon, code="spring10")
    assert not AuditLog.objects.filter(action="coupon.updated").exists()


def test_update_validates_and_changes_nothing_when_invalid():
    coupon = CouponFactory(code="SPRING10", value=Decimal(10))
    with pytest.raises(ValidationFailed):
        coupon_update(coupon=coupon, value=Decimal(150))
    assert Coupon.objects.get(pk=coupon.pk).value == Decimal(10)
