"""Shipments under load, on real connections: staff creating shipments for the
same items at once never ship more than was ordered, and a carrier event
delivered many times at once is applied once. Runs on SQLite and PostgreSQL."""

import json

import pytest
from django.db.models import Sum

from boutique.accounts.tests.factories import UserFactory
from boutique.notifications.models import Notification
from boutique.orders.models import Order
from boutique.shipping.errors import QuantityExceedsUnshipped
from boutique.shipping.models import CarrierEvent, Shipment, ShipmentItem, TrackingEvent
from boutique.shipping.services import shipment_create
from boutique.shipping.tests.factories import SECRET, items_of, make_provider, paid_order
from boutique.shipping.webhooks import carrier_signature, carrier_webhook_receive

from .helpers import run_concurrently

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_staff_shipping_the_whole_order_at_once_make_one_shipment():
    order, provider = paid_order(quantities=(2, 1)), make_provider()
    staff = [UserFactory(is_staff=True), UserFactory(is_staff=True)]

    results = run_concurrently(
        lambda i: shipment_create(
            order=order, provider=provider, tracking_number=f"T{i}", actor=staff[i]
        ),
        workers=2,
    )

    made = [r for r in results if isinstance(r, Shipment)]
    refused = [r for r in results if isinstance(r, QuantityExceedsUnshipped)]
    assert (len(made), len(refused)) == (1, 1), results
    assert Shipment.objects.filter(order=order).count() == 1
    carried = dict(ShipmentItem.objects.values_list("order_item_id", "quantity"))
    assert carried == {item.pk: item.quantity for item in items_of(order)}


def test_ten_staff_shipping_one_unit_each_of_two_ordered_make_two_shipments():
    order, provider = paid_order(quantities=(2,)), make_provider()
    (item,) = items_of(order)

    results = run_concurrently(
        lambda i: shipment_create(order=order, items=[(item.pk, 1)], provider=provider),
        workers=10,
        timeout=120,
    )

    made = [r for r in results if isinstance(r, Shipment)]
    refused = [r for r in results if isinstance(r, QuantityExceedsUnshipped)]
    assert len(made) == 2, [r for r in results if not isinstance(r, Shipment)][:3]
    assert len(refused) == 8
    total = ShipmentItem.objects.filter(order_item=item).aggregate(s=Sum("quantity"))["s"]
    assert total == item.quantity == 2


def test_ten_deliveries_of_one_carrier_event_at_once_apply_it_once():
    order, provider = paid_order(quantities=(1,)), make_provider()
    shipment_create(order=order, provider=provider, tracking_number="RACE1")
    body = json.dumps(
        {"event_id": "evt-race", "tracking_number": "RACE1", "kind": "shipped"}
    ).encode()
    headers = {"X-Carrier-Signature": carrier_signature(SECRET, body)}

    results = run_concurrently(
        lambda i: carrier_webhook_receive(provider_id=provider.pk, payload=body, headers=headers),
        workers=10,
        timeout=120,
    )

    assert all(isinstance(r, CarrierEvent) for r in results), results
    assert CarrierEvent.objects.count() == 1
    assert CarrierEvent.objects.get().processed_at is not None
    assert TrackingEvent.objects.filter(kind="shipped").count() == 1
    assert Notification.objects.filter(template="order_shipped").count() == 1
    assert Order.objects.get(pk=order.pk).status == "shipped"
