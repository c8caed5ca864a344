"""The marketplace back office: seller applications, status changes and
commission, payouts generated for a period and marked paid, the order admin's
seller-status filter, and the generate_payouts command. Every change goes
through the services (audited); staff without the permission and non-staff
change nothing."""

from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth.models import Permission
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from boutique.accounts.models import Role
from boutique.accounts.tests.factories import StaffFactory, UserFactory
from boutique.audit.models import AuditLog
from boutique.marketplace.forms_admin import previous_week
from boutique.marketplace.models import Payout, PayoutStatus, SellerStatus
from boutique.marketplace.services.payouts import payouts_generate
from boutique.marketplace.tasks import generate_payouts
from boutique.storefront.helpers import LOGIN_BACKEND

from .factories import SellerFactory, deliver, multi_seller_order, seller_product

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.DEFAULT_TAX_RATE = "0"
    settings.MARKETPLACE_COMMISSION_RATE = "0.15"


@pytest.fixture
def staff(client):
    user = StaffFactory()
    client.force_login(user, backend=LOGIN_BACKEND)
    return user


@pytest.fixture
def view_only_staff(client):
    """Staff who may look at sellers and payouts but change nothing."""
    user = UserFactory(role=Role.ADMIN, is_superuser=False)
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_seller", "view_payout"])
    )
    client.force_login(user, backend=LOGIN_BACKEND)
    return user


def _url(name, *args):
    return reverse(f"admin:marketplace_{name}", args=args)


def _delivered_payout_setup(days_ago=3):
    seller = SellerFactory()
    order = multi_seller_order([(seller_product(seller, price="20.00"), 2)])
    deliver(order, at=timezone.now() - timedelta(days=days_ago))
    return seller


# --- Sellers ---------------------------------------------------------------------------------
def test_pending_applications_come_first(client, staff):
    SellerFactory(store_name="Active A")
    SellerFactory(store_name="Waiting", status=SellerStatus.PENDING)
    page = client.get(_url("seller_changelist"))
    assert page.status_code == 200
    names = [s.store_name for s in page.context["cl"].result_list]
    assert names[0] == "Waiting"
    filtered = client.get(_url("seller_changelist"), {"status__exact": "active"})
    assert [s.store_name for s in filtered.context["cl"].result_list] == ["Active A"]


def test_the_detail_shows_every_field_and_the_buttons(client, staff):
    seller = SellerFactory(status=SellerStatus.PENDING, payout_account="LB62 0999")
    page = client.get(_url("seller_change", seller.pk))
    assert page.status_code == 200
    assert b"LB62 0999" in page.content
    assert _url("seller_approve", seller.pk).encode() in page.content
    assert _url("seller_reject", seller.pk).encode() in page.content


def test_staff_approve_with_a_commission_rate(client, staff):
    seller = SellerFactory(status=SellerStatus.PENDING, owner__role=Role.CUSTOMER)
    assert client.get(_url("seller_approve", seller.pk)).status_code == 200
    response = client.post(_url("seller_approve", seller.pk), {"commission_rate": "0.1"})
    assert response.status_code == 302
    seller.refresh_from_db()
    assert seller.status == SellerStatus.ACTIVE and seller.commission_rate == Decimal("0.1")
    assert seller.approved_by == staff
    assert seller.owner.role == Role.SELLER
    assert AuditLog.objects.filter(action="seller.approved", entity_id=str(seller.pk)).exists()


def test_staff_reject_with_a_reason(client, staff):
    seller = SellerFactory(status=SellerStatus.PENDING)
    assert client.post(_url("seller_reject", seller.pk), {"reason": ""}).status_code == 422
    seller.refresh_from_db()
    assert seller.status == SellerStatus.PENDING
    client.post(_url("seller_reject", seller.pk), {"reason": "No photos."})
    seller.refresh_from_db()
    assert seller.status == SellerStatus.REJECTED and seller.status_reason == "No photos."


def test_staff_suspend_and_reactivate(client, staff):
    seller = SellerFactory()
    client.post(_url("seller_suspend", seller.pk), {"reason": "Complaints"})
    seller.refresh_from_db()
    assert seller.status == SellerStatus.SUSPENDED and seller.status_reason == "Complaints"
    client.post(_url("seller_reactivate", seller.pk))
    seller.refresh_from_db()
    assert seller.status == SellerStatus.ACTIVE


def test_a_change_from_the_wrong_status_is_a_message_not_a_change(client, staff):
    seller = SellerFactory()  # active: cannot be approved
    response = client.post(_url("seller_approve", seller.pk), {}, follow=True)
    assert response.status_code == 200
    assert "cannot be approved" in " ".join(str(m) for m in response.context["messages"])
    seller.refresh_from_db()
    assert seller.status == SellerStatus.ACTIVE and seller.approved_by is None


def test_staff_set_and_clear_the_commission_rate(client, staff):
    seller = SellerFactory()
    client.post(_url("seller_commission", seller.pk), {"commission_rate": "0.2"})
    seller.refresh_from_db()
    assert seller.commission_rate == Decimal("0.2")
    assert (
        client.post(_url("seller_commission", seller.pk), {"commission_rate": "2"}).status_code
        == 422
    )
    client.post(_url("seller_commission", seller.pk), {"commission_rate": ""})
    seller.refresh_from_db()
    assert seller.commission_rate is None
    assert AuditLog.objects.filter(action="seller.commission_changed").count() == 2


def test_the_bulk_actions_approve_and_reactivate(client, staff):
    pending = SellerFactory(status=SellerStatus.PENDING)
    suspended = SellerFactory(status=SellerStatus.SUSPENDED)
    active = SellerFactory()
    changelist = _url("seller_changelist")
    client.post(
        changelist,
        {"action": "approve_selected", "_selected_action": [pending.pk, active.pk]},
    )
    client.post(changelist, {"action": "reactivate_selected", "_selected_action": [suspended.pk]})
    pending.refresh_from_db()
    suspended.refresh_from_db()
    assert pending.status == SellerStatus.ACTIVE and suspended.status == SellerStatus.ACTIVE


def test_view_only_staff_change_nothing(client, view_only_staff):
    seller = SellerFactory(status=SellerStatus.PENDING)
    assert client.get(_url("seller_change", seller.pk)).status_code == 200
    assert client.get(_url("seller_approve", seller.pk)).status_code == 403
    assert client.post(_url("seller_approve", seller.pk)).status_code == 403
    assert client.post(_url("seller_reject", seller.pk), {"reason": "x"}).status_code == 403
    assert (
        client.post(_url("seller_commission", seller.pk), {"commission_rate": "0.3"}).status_code
        == 403
    )
    client.post(
        _url("seller_changelist"),
        {"action": "approve_selected", "_selected_action": [seller.pk]},
    )
    assert client.post(_url("payout_generate"), {}).status_code == 403
    seller.refresh_from_db()
    assert seller.status == SellerStatus.PENDING and seller.commission_rate is None


def test_non_staff_are_sent_to_the_admin_sign_in(client):
    seller = SellerFactory(status=SellerStatus.PENDING)
    client.force_login(seller.owner, backend=LOGIN_BACKEND)
    response = client.post(_url("seller_approve", seller.pk))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    seller.refresh_from_db()
    assert seller.status == SellerStatus.PENDING


# --- Payouts ---------------------------------------------------------------------------------
def test_staff_generate_payouts_for_a_period_and_mark_one_paid(client, staff):
    seller = _delivered_payout_setup()
    today = timezone.localdate()
    period = {"period_start": today - timedelta(days=7), "period_end": today - timedelta(days=1)}
    assert client.get(_url("payout_generate")).status_code == 200
    response = client.post(_url("payout_generate"), period)
    assert response.status_code == 302
    payout = Payout.objects.get(seller=seller)
    assert payout.gross_amount == Decimal("40.00") and payout.net_amount == Decimal("34.00")
    # A second run finds nothing left to pay.
    client.post(_url("payout_generate"), period)
    assert Payout.objects.count() == 1

    listing = client.get(_url("payout_changelist"))
    assert listing.status_code == 200 and b"34.00" in listing.content
    detail = client.get(_url("payout_change", payout.pk))
    assert detail.status_code == 200
    assert _url("payout_mark_paid", payout.pk).encode() in detail.content
    assert len(detail.context["inline_admin_formsets"]) == 2

    assert client.post(_url("payout_mark_paid", payout.pk), {"reference": ""}).status_code == 422
    client.post(_url("payout_mark_paid", payout.pk), {"reference": "TRF-123"})
    payout.refresh_from_db()
    assert payout.status == PayoutStatus.PAID and payout.reference == "TRF-123"
    assert payout.paid_by == staff
    assert AuditLog.objects.filter(action="payout.paid").count() == 1
    # Paying twice is refused with a message and changes nothing.
    response = client.post(_url("payout_mark_paid", payout.pk), {"reference": "OTHER"}, follow=True)
    assert "already paid" in " ".join(str(m) for m in response.context["messages"])
    payout.refresh_from_db()
    assert payout.reference == "TRF-123"


def test_a_period_not_over_is_refused(client, staff):
    _delivered_payout_setup(days_ago=0)
    today = timezone.localdate().isoformat()
    response = client.post(
        _url("payout_generate"), {"period_start": today, "period_end": today}, follow=True
    )
    assert "yesterday at the latest" in " ".join(str(m) for m in response.context["messages"])
    assert not Payout.objects.exists()


def test_payouts_cannot_be_added_edited_or_deleted_by_hand(client, staff):
    _delivered_payout_setup()
    today = timezone.localdate()
    (payout,) = payouts_generate(
        period_start=today - timedelta(days=7), period_end=today - timedelta(days=1)
    )
    assert client.get(_url("payout_add")).status_code == 403
    assert client.get(_url("payout_delete", payout.pk)).status_code == 403


# --- Orders -----------------------------------------------------------------------------------
def test_the_order_admin_finds_orders_with_items_of_suspended_sellers(client, staff):
    seller, other = SellerFactory(), SellerFactory()
    suspended_order = multi_seller_order([(seller_product(seller), 1)])
    multi_seller_order([(seller_product(other), 1)])
    seller.status = SellerStatus.SUSPENDED
    seller.save(update_fields=["status"])
    response = client.get(reverse("admin:orders_order_changelist"), {"seller_status": "suspended"})
    assert response.status_code == 200
    assert [o.number for o in response.context["cl"].result_list] == [suspended_order.number]


# --- The command and the timed job ------------------------------------------------------------
def test_previous_week_is_monday_to_sunday():
    from datetime import date

    assert previous_week(date(2026, 11, 25)) == (date(2026, 11, 16), date(2026, 11, 22))
    assert previous_week(date(2026, 11, 23)) == (date(2026, 11, 16), date(2026, 11, 22))


def test_the_command_generates_payouts_for_a_period():
    seller = _delivered_payout_setup()
    today = timezone.localdate()
    out = StringIO()
    call_command(
        "generate_payouts",
        "--start",
        (today - timedelta(days=7)).isoformat(),
        "--end",
        (today - timedelta(days=1)).isoformat(),
        stdout=out,
    )
    assert "1 payout(s)" in out.getvalue()
    assert Payout.objects.get().seller == seller


def test_the_command_defaults_to_last_week():
    start, end = previous_week()
    _delivered_payout_setup(days_ago=(timezone.localdate() - end).days)
    out = StringIO()
    call_command("generate_payouts", stdout=out)
    payout = Payout.objects.get()
    assert (payout.period_start, payout.period_end) == (start, end)


def test_the_command_refuses_half_a_period_and_an_unfinished_one():
    with pytest.raises(CommandError):
        call_command("generate_payouts", "--start", "2026-01-01")
    today = timezone.localdate().isoformat()
    with pytest.raises(CommandError, match="yesterday"):
        call_command("generate_payouts", "--start", today, "--end", today)


def test_the_weekly_job_pays_out_last_week():
    start, end = previous_week()
    seller = _delivered_payout_setup(days_ago=(timezone.localdate() - end).days)
    (payout_id,) = generate_payouts.run()
    payout = Payout.objects.get(pk=payout_id)
    assert (payout.seller, payout.period_start, payout.period_end) == (seller, start, end)
    assert generate_payouts.run() == []


def test_the_weekly_job_is_scheduled(settings):
    entry = next(
        e
        for e in settings.CELERY_BEAT_SCHEDULE.values()
        if e["task"] == "marketplace.generate_payouts"
    )
    assert entry["schedule"].day_of_week == {1}
