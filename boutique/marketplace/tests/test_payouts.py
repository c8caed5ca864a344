"""Commissions and payouts (issue 9): delivered items less commission less
refunds, in the base currency; an item is paid out once."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from boutique.accounts.tests.factories import StaffFactory
from boutique.audit.models import AuditLog
from boutique.catalog.tests.factories import make_product
from boutique.core.errors import ValidationFailed
from boutique.marketplace import selectors, services
from boutique.marketplace.errors import PayoutAlreadyPaid
from boutique.marketplace.models import Payout, PayoutItem, PayoutStatus
from boutique.notifications.models import Notification
from boutique.orders.models import ExchangeRate
from boutique.payments.refunds import refund_create

from .factories import SellerFactory, deliver, multi_seller_order, seller_product

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.DEFAULT_TAX_RATE = "0"
    settings.MARKETPLACE_COMMISSION_RATE = "0.15"


def _days_ago(n):
    return timezone.now() - timedelta(days=n)


def _period(days_back=7):
    today = timezone.localdate()
    return {"period_start": today - timedelta(days=days_back), "period_end": today - timedelta(1)}


@pytest.fixture
def market():
    """Seller A (2 × $20), seller B (1 × $15) and the shop (1 × $10) in one order."""
    a, b = SellerFactory(), SellerFactory()
    pa, pb = seller_product(a, price="20.00"), seller_product(b, price="15.00")
    shop = make_product("Shop blanket", price="10.00", stock=5)
    order = multi_seller_order([(pa, 2), (pb, 1), (shop, 1)])
    items = {item.seller_id: item for item in order.items.all()}
    return a, b, order, items


def test_a_payout_sums_delivered_items_less_commission(market):
    a, _b, order, items = market
    deliver(order, [items[a.pk]], at=_days_ago(2))
    payouts = services.payouts_generate(**_period())
    assert [p.seller for p in payouts] == [a]  # B's item is not delivered; the shop is no seller
    payout = payouts[0]
    assert (payout.gross_amount, payout.commission_amount, payout.refunds_amount) == (
        Decimal("40.00"),
        Decimal("6.00"),
        Decimal("0.00"),
    )
    assert payout.net_amount == Decimal("34.00") and payout.currency == "USD"
    line = PayoutItem.objects.get(payout=payout)
    assert line.order_item == items[a.pk] and line.commission_rate == Decimal("0.15")
    assert Notification.objects.filter(template="payout_created", reference_id=str(payout.pk))
    assert AuditLog.objects.filter(action="payout.created", entity_id=str(payout.pk)).exists()


def test_an_item_is_paid_out_once(market):
    a, _, order, items = market
    deliver(order, [items[a.pk]], at=_days_ago(2))
    assert len(services.payouts_generate(**_period())) == 1
    assert services.payouts_generate(**_period()) == []
    assert services.payout_generate(seller=a, **_period(30)) is None
    assert PayoutItem.objects.count() == 1


def test_items_delivered_outside_the_period_wait_for_their_own(market):
    a, _, order, items = market
    deliver(order, [items[a.pk]], at=_days_ago(10))
    assert services.payouts_generate(**_period(7)) == []
    assert len(services.payouts_generate(**_period(14))) == 1


def test_a_partly_delivered_item_is_not_paid_out(market):
    a, _, order, items = market
    from boutique.shipping.services import shipment_create, shipment_mark_delivered
    from boutique.shipping.tests.factories import make_provider

    shipment = shipment_create(order=order, items=[(items[a.pk].pk, 1)], provider=make_provider())
    shipment_mark_delivered(shipment=shipment, at=_days_ago(2))
    assert services.payouts_generate(**_period()) == []


def test_the_sellers_own_rate_applies(market):
    a, _, order, items = market
    services.seller_set_commission(seller=a, rate="0.10", actor=StaffFactory())
    deliver(order, [items[a.pk]], at=_days_ago(2))
    payout = services.payout_generate(seller=a, **_period())
    assert payout.commission_amount == Decimal("4.00") and payout.net_amount == Decimal("36.00")


def test_a_refund_on_a_paid_out_item_is_deducted_from_the_next_payout_once(market):
    a, _, order, items = market
    deliver(order, [items[a.pk]], at=_days_ago(3))
    first = services.payout_generate(seller=a, **_period())
    refund_create(
        order=order,
        actor=StaffFactory(),
        reason="Damaged",
        items=[{"order_item_id": items[a.pk].pk, "quantity": 1}],
    )
    second = services.payout_generate(seller=a, **_period())
    assert second.pk != first.pk
    assert (second.gross_amount, second.refunds_amount, second.net_amount) == (
        Decimal("0.00"),
        Decimal("20.00"),
        Decimal("-20.00"),
    )
    assert services.payout_generate(seller=a, **_period()) is None


def test_a_refund_before_the_payout_is_deducted_in_it(market):
    a, _, order, items = market
    deliver(order, [items[a.pk]], at=_days_ago(3))
    refund_create(
        order=order,
        actor=StaffFactory(),
        reason="One was too small",
        items=[{"order_item_id": items[a.pk].pk, "quantity": 1}],
    )
    payout = services.payout_generate(seller=a, **_period())
    assert (payout.gross_amount, payout.commission_amount, payout.refunds_amount) == (
        Decimal("40.00"),
        Decimal("6.00"),
        Decimal("20.00"),
    )
    assert payout.net_amount == Decimal("14.00")


def test_an_amount_only_refund_is_the_shops(market):
    a, _, order, items = market
    deliver(order, [items[a.pk]], at=_days_ago(3))
    refund_create(order=order, actor=StaffFactory(), reason="Late", amount="5.00")
    assert services.payout_generate(seller=a, **_period()).refunds_amount == Decimal("0.00")


def test_lbp_orders_are_paid_out_in_dollars_at_the_orders_rate():
    ExchangeRate.objects.create(currency="LBP", rate=Decimal(89500), effective_from=_days_ago(30))
    seller = SellerFactory()
    order = multi_seller_order([(seller_product(seller, price="20.00"), 1)], currency="LBP")
    assert order.currency == "LBP"
    deliver(order, at=_days_ago(2))
    payout = services.payout_generate(seller=seller, **_period())
    assert payout.currency == "USD" and payout.gross_amount == Decimal("20.00")


def test_the_period_must_be_over_and_ordered():
    today = timezone.localdate()
    with pytest.raises(ValidationFailed):
        services.payouts_generate(period_start=today - timedelta(3), period_end=today)
    with pytest.raises(ValidationFailed):
        services.payouts_generate(
            period_start=today - timedelta(1), period_end=today - timedelta(3)
        )


def test_staff_mark_a_payout_paid_once_with_a_reference(market):
    a, _, order, items = market
    deliver(order, [items[a.pk]], at=_days_ago(2))
    payout = services.payout_generate(seller=a, **_period())
    staff = StaffFactory()
    with pytest.raises(ValidationFailed):
        services.payout_mark_paid(payout=payout, reference=" ", actor=staff)
    paid = services.payout_mark_paid(payout=payout, reference="TRF-2211", actor=staff)
    assert (paid.status, paid.reference, paid.paid_by) == (PayoutStatus.PAID, "TRF-2211", staff)
    with pytest.raises(PayoutAlreadyPaid):
        services.payout_mark_paid(payout=payout, reference="TRF-9999", actor=staff)
    assert Payout.objects.get(pk=payout.pk).reference == "TRF-2211"
    note = Notification.objects.get(template="payout_paid")
    assert note.context["reference"] == "TRF-2211" and note.context["net"] == "$34.00"
    log = AuditLog.objects.get(action="payout.paid")
    assert (log.old["status"], log.new["status"]) == ("pending", "paid")


def test_a_sellers_payouts_are_listed_newest_period_first():
    seller = SellerFactory()
    product = seller_product(seller, price="20.00")
    deliver(multi_seller_order([(product, 1)]), at=_days_ago(10))
    today = timezone.localdate()
    older = services.payout_generate(
        seller=seller, period_start=today - timedelta(14), period_end=today - timedelta(8)
    )
    deliver(multi_seller_order([(product, 1)]), at=_days_ago(2))
    newer = services.payout_generate(seller=seller, **_period())
    payouts = selectors.seller_payouts(seller)
    # The item count's GROUP BY drops the model's ordering unless the selector sets it.
    assert payouts.ordered
    assert list(payouts) == [newer, older]
