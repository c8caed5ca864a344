"""Back-in-stock alerts and recall notices under concurrency (issue 13): real
threads on real connections. However receipts, sweeps and fan-out jobs
overlap, every subscriber gets exactly one back-in-stock message and every
past buyer exactly one recall notice. Runs on SQLite and PostgreSQL."""

from collections import Counter

import pytest

from boutique.accounts.tests.factories import StaffFactory
from boutique.catalog.safety import recall_issue, recall_notify_buyers
from boutique.catalog.tests.factories import make_product
from boutique.inventory import services as inventory_services
from boutique.inventory.alerts import stock_alert_subscribe, stock_alerts_notify
from boutique.inventory.models import StockAlert
from boutique.inventory.services import stock_receive, stock_return
from boutique.notifications.models import Notification
from boutique.orders.models import OrderItem
from boutique.orders.tests.factories import order_factory

from .helpers import run_concurrently

pytestmark = pytest.mark.django_db(transaction=True)

SUBSCRIBERS = 15


def _subscribed_sold_out_variant():
    variant = make_product("Linen sleep sack", stock=0).variants.get()
    for n in range(SUBSCRIBERS):
        stock_alert_subscribe(variant=variant, email=f"parent{n}@example.com")
    return variant


def _messages(template: str) -> Counter:
    rows = Notification.objects.filter(template=template)
    return Counter(rows.values_list("recipient", flat=True))


def _assert_each_told_once(counts: Counter) -> None:
    assert len(counts) == SUBSCRIBERS, counts
    assert set(counts.values()) == {1}, counts


def test_two_concurrent_receipts_send_one_message_per_subscriber():
    variant = _subscribed_sold_out_variant()

    def receive(i):
        if i % 2:
            return stock_return(variant=variant, quantity=1, note=f"return {i}")
        return stock_receive(variant=variant, quantity=2, note=f"delivery {i}")

    results = run_concurrently(receive, workers=2)

    assert not [r for r in results if isinstance(r, BaseException)], results
    _assert_each_told_once(_messages("back_in_stock"))
    assert set(StockAlert.objects.values_list("status", flat=True)) == {"notified"}


def test_many_receipts_and_sweeps_at_once_still_send_one_message_each():
    variant = _subscribed_sold_out_variant()

    def act(i):
        if i < 4:
            return stock_receive(variant=variant, quantity=1, note=f"delivery {i}")
        return stock_alerts_notify(variant_id=variant.pk)

    results = run_concurrently(act, workers=10)

    assert not [r for r in results if isinstance(r, BaseException)], results
    _assert_each_told_once(_messages("back_in_stock"))


def test_racing_notify_jobs_tell_each_subscriber_once(monkeypatch):
    variant = _subscribed_sold_out_variant()
    # Stock arrives but its after-commit job is lost: the racers below do the telling.
    monkeypatch.setattr(inventory_services, "stock_alerts_after_commit", lambda variant_id: None)
    stock_receive(variant=variant, quantity=3)

    results = run_concurrently(
        lambda i: stock_alerts_notify(variant_id=variant.pk, batch_size=4), workers=8
    )

    assert not [r for r in results if isinstance(r, BaseException)], results
    assert sum(results) == SUBSCRIBERS
    _assert_each_told_once(_messages("back_in_stock"))


def test_racing_recall_fan_outs_tell_each_buyer_once(monkeypatch):
    from boutique.catalog import safety

    product = make_product("Bunny rattle", stock=5)
    variant = product.variants.get()
    for n in range(SUBSCRIBERS):
        order = order_factory(email=f"buyer{n}@example.com", status="delivered")
        OrderItem.objects.filter(order=order).update(product=product, variant=variant)
    # Issue it without its own after-commit fan-out, then let workers race.
    monkeypatch.setattr(safety, "recall_notify_after_commit", lambda recall_id: None)
    recall = recall_issue(
        product=product,
        title="Loose eyes",
        description="Choking hazard.",
        remedy="Return it.",
        actor=StaffFactory(),
    )

    results = run_concurrently(
        lambda i: recall_notify_buyers(recall_id=recall.pk, batch_size=4), workers=6
    )

    assert not [r for r in results if isinstance(r, BaseException)], results
    assert sum(results) == SUBSCRIBERS
    _assert_each_told_once(_messages("product_recall"))
