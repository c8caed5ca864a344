"""Coupon back office: lists with usage counts, adds and edits through the
services (validated, audited), uses are read-only."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from boutique.accounts.tests.factories import StaffFactory, UserFactory
from boutique.audit.models import AuditLog
from boutique.promotions.models import Coupon, CouponRedemption
from boutique.promotions.services import coupon_redeem

from .factories import CouponFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:promotions_coupon_changelist"


@pytest.fixture
def staff_client(client):
    staff = StaffFactory(email="owner@example.com")
    client.force_login(staff)
    client.staff = staff
    return client


def _form(**overrides):
    data = {
        "code": "spring10",
        "description": "Spring sale",
        "is_active": "on",
        "kind": "percentage",
        "value": "10",
        "currency": "USD",
        "min_order_amount": "",
        "starts_at_0": "",
        "starts_at_1": "",
        "ends_at_0": "",
        "ends_at_1": "",
        "max_uses": "100",
        "max_uses_per_customer": "1",
        "assigned_to": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def _change_form(coupon, **overrides):
    uses = coupon.redemptions.count()
    data = _form(
        code=coupon.code,
        description=coupon.description,
        kind=coupon.kind,
        value=str(coupon.value),
        max_uses=coupon.max_uses or "",
        max_uses_per_customer=coupon.max_uses_per_customer or "",
        **{"redemptions-TOTAL_FORMS": str(uses), "redemptions-INITIAL_FORMS": str(uses)},
    )
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def _redeem(coupon, order, email="guest@example.com", user=None):
    with transaction.atomic():
        coupon_redeem(
            coupon=coupon,
            user=user,
            email=email,
            order_number=order,
            amount=Decimal("7.50"),
            currency="USD",
            prior_orders=0,
        )


def test_changelist_shows_terms_and_usage_in_fixed_queries(
    staff_client, django_assert_max_num_queries
):
    owner = UserFactory(email="vip@example.com")
    five = CouponFactory(code="FIVE", max_uses=5)
    _redeem(five, "BQ-1")
    _redeem(five, "BQ-2", email="two@example.com")
    CouponFactory(code="VIP", kind="fixed", value=Decimal("5"), assigned_to=owner)
    for i in range(10):
        CouponFactory(code=f"BULK{i}", assigned_to=UserFactory())

    with django_assert_max_num_queries(12):
        response = staff_client.get(reverse(CHANGELIST))

    assert response.status_code == 200
    text = response.content.decode()
    assert "2 / 5" in text
    assert "$5.00" in text
    assert "vip@example.com" in text
    assert "10 %" in text


def test_status_filter_tells_expired_from_current(staff_client):
    now = timezone.now()
    CouponFactory(code="OLD", ends_at=now - timedelta(days=1))
    CouponFactory(code="NOW", ends_at=now + timedelta(days=1))
    CouponFactory(code="OFF", is_active=False)

    def codes(status):
        response = staff_client.get(reverse(CHANGELIST), {"status": status})
        return sorted(c.code for c in response.context["cl"].result_list)

    assert codes("expired") == ["OLD"]
    assert codes("current") == ["NOW"]
    assert codes("disabled") == ["OFF"]


def test_search_by_code(staff_client):
    CouponFactory(code="SPRING10")
    CouponFactory(code="WINTER")
    response = staff_client.get(reverse(CHANGELIST), {"q": "spring"})
    assert [c.code for c in response.context["cl"].result_list] == ["SPRING10"]


def test_add_through_the_service_stores_capitals_and_audits(staff_client):
    response = staff_client.post(reverse("admin:promotions_coupon_add"), _form())

    assert response.status_code == 302, response.context["adminform"].form.errors
    coupon = Coupon.objects.get()
    assert (coupon.code, coupon.value, coupon.max_uses_per_customer) == (
        "SPRING10",
        Decimal("10"),
        1,
    )
    log = AuditLog.objects.get(action="coupon.created")
    assert (log.actor, log.entity_id) == (staff_client.staff, str(coupon.pk))


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"value": "150"}, "value", "A percentage is more than 0 and at most 100."),
        ({"kind": "fixed", "value": "0"}, "value", "A fixed amount is more than 0."),
        (
            {"kind": "free_shipping", "value": "5"},
            "value",
            "A free-shipping coupon has the value 0.",
        ),
        (
            {
                "starts_at_0": "2025-06-01",
                "starts_at_1": "00:00:00",
                "ends_at_0": "2025-05-01",
                "ends_at_1": "00:00:00",
            },
            "ends_at",
            "The end must come after the start.",
        ),
        ({"max_uses": "0"}, "max_uses", "greater than or equal to 1"),
    ],
)
def test_add_refuses_invalid_terms_and_saves_nothing(staff_client, overrides, field, message):
    response = staff_client.post(reverse("admin:promotions_coupon_add"), _form(**overrides))

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert any(message in text for text in errors[field]), errors
    assert not Coupon.objects.exists()
    assert not AuditLog.objects.exists()


def test_add_refuses_a_code_taken_in_another_case(staff_client):
    CouponFactory(code="SPRING10")
    response = staff_client.post(reverse("admin:promotions_coupon_add"), _form(code="Spring10"))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["code"] == [
        "A coupon with this code already exists."
    ]
    assert Coupon.objects.count() == 1


def test_change_page_lists_the_uses(staff_client):
    coupon = CouponFactory(code="SPRING10")
    _redeem(coupon, "BQ-2025-000007", email="rania@example.com")
    response = staff_client.get(reverse("admin:promotions_coupon_change", args=[coupon.pk]))
    text = response.content.decode()
    assert "BQ-2025-000007" in text
    assert "rania@example.com" in text
    assert "$7.50" in text


def test_edit_goes_through_the_service_and_is_audited(staff_client):
    coupon = CouponFactory(code="SPRING10", value=Decimal("10"), max_uses=100)
    _redeem(coupon, "BQ-1")
    coupon.refresh_from_db()

    response = staff_client.post(
        reverse("admin:promotions_coupon_change", args=[coupon.pk]),
        _change_form(coupon, value="20", is_active=None),
    )

    assert response.status_code == 302
    coupon.refresh_from_db()
    assert (coupon.value, coupon.is_active, coupon.times_used) == (Decimal("20"), False, 1)
    log = AuditLog.objects.get(action="coupon.updated")
    assert log.actor == staff_client.staff
    assert log.old == {"value": "10.00", "is_active": True}
    assert log.new == {"value": "20", "is_active": False}


def test_edit_refuses_invalid_value_and_changes_nothing(staff_client):
    coupon = CouponFactory(code="SPRING10", value=Decimal("10"))
    response = staff_client.post(
        reverse("admin:promotions_coupon_change", args=[coupon.pk]),
        _change_form(coupon, value="-5"),
    )
    assert response.status_code == 200
    assert "value" in response.context["adminform"].form.errors
    assert Coupon.objects.get(pk=coupon.pk).value == Decimal("10")
    assert not AuditLog.objects.filter(action="coupon.updated").exists()


def test_disable_action_goes_through_the_service(staff_client):
    coupon = CouponFactory(code="SPRING10")
    staff_client.post(
        reverse(CHANGELIST), {"action": "disable_coupons", "_selected_action": [coupon.pk]}
    )
    assert Coupon.objects.get(pk=coupon.pk).is_active is False
    assert AuditLog.objects.get(action="coupon.updated").new == {"is_active": False}


def test_coupons_cannot_be_deleted(staff_client):
    coupon = CouponFactory()
    response = staff_client.post(
        reverse("admin:promotions_coupon_delete", args=[coupon.pk]), {"post": "yes"}
    )
    assert response.status_code == 403
    assert Coupon.objects.filter(pk=coupon.pk).exists()


def test_uses_are_read_only(staff_client, django_assert_max_num_queries):
    coupon = CouponFactory(code="SPRING10")
    for i in range(10):
        _redeem(coupon, f"BQ-{i}", email=f"c{i}@example.com", user=UserFactory())

    with django_assert_max_num_queries(10):
        listing = staff_client.get(reverse("admin:promotions_couponredemption_changelist"))
    assert listing.status_code == 200
    assert "BQ-9" in listing.content.decode()
    assert staff_client.get(reverse("admin:promotions_couponredemption_add")).status_code == 403
    redemption = CouponRedemption.objects.first()
    url = reverse("admin:promotions_couponredemption_change", args=[redemption.pk])
    staff_client.post(url, {"order_id": "HACKED", "amount": "0"})
    redemption.refresh_from_db()
    assert redemption.order_id != "HACKED"
