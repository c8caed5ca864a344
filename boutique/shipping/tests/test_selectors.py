"""Reading an order's parcels for the customer: everything the pages and the
API show in a fixed number of queries, the order's estimated delivery, and
the public tracking lookup by number and email."""

from datetime import timedelta

import pytest

from boutique.orders.errors import OrderNotFound
from boutique.orders.models import Order
from boutique.shipping.selectors import (
    estimated_deliveries,
    order_estimated_delivery,
    order_for_tracking,
    orders_with_shipments,
    shipments_for_order,
)
from boutique.shipping.services import shipment_create, shipment_mark_delivered, tracking_event_add

from .factories import items_of, make_provider, paid_order
from .tracking_support import ETA_FIRST, ETA_SECOND, START, customer_order, ship_in_two

pytestmark = pytest.mark.django_db


def _read_all(shipments):
    """Touch everything a page shows of each parcel."""
    return [
        (
            s.provider.name,
            s.tracking_url,
            [
                (line.order_item.sku, line.order_item.product_name, line.quantity)
                for line in s.items.all()
            ],
            [(e.kind, e.at) for e in s.events.all()],
        )
        for s in shipments
    ]


def test_shipments_come_with_carrier_items_link_and_timeline():
    order = paid_order(quantities=(2, 1))
    first, second = ship_in_two(order)
    bodysuit, hat = items_of(order)
    shipments = shipments_for_order(order)
    assert [s.pk for s in shipments] == [first.pk, second.pk]
    carrier, url, items, events = _read_all(shipments)[0]
    assert carrier == "Aramex" and url == "https://track.example.com/AX100"
    assert items == [(bodysuit.sku, bodysuit.product_name, 2)]
    assert events == [("shipped", START), ("in_transit", START + timedelta(hours=5))]
    assert _read_all(shipments)[1][2] == [(hat.sku, hat.product_name, 1)]
    assert shipments[0].status == "in_transit" and shipments[0].shipped_at == START


@pytest.mark.parametrize("parcels", [1, 4])
def test_reading_shipments_takes_three_queries_however_many(parcels, django_assert_num_queries):
    order = paid_order(quantities=(1,) * parcels)
    provider = make_provider()
    for n, item in enumerate(items_of(order)):
        shipment = shipment_create(
            order=order, items=[(item.pk, 1)], provider=provider, tracking_number=f"T{n}"
        )
        tracking_event_add(shipment=shipment, kind="shipped", at=START)
        tracking_event_add(shipment=shipment, kind="in_transit", at=START + timedelta(hours=1))
    order = Order.objects.get(pk=order.pk)
    with django_assert_num_queries(3):  # shipments + carrier, items + order items, events
        shown = _read_all(shipments_for_order(order))
    assert len(shown) == parcels and all(len(events) == 2 for *_, events in shown)


def test_a_page_of_orders_gets_its_shipments_in_a_fixed_number_of_queries(
    django_assert_num_queries,
):
    orders = []
    for _ in range(3):
        order = paid_order()
        ship_in_two(order)
        orders.append(order)
    fresh = list(Order.objects.filter(pk__in=[o.pk for o in orders]))
    with django_assert_num_queries(4):  # shipments, items, events … and the estimates: none
        loaded = orders_with_shipments(fresh)
        shown = [_read_all(shipments_for_order(order)) for order in loaded]
        estimates = [order_estimated_delivery(order) for order in loaded]
        by_id = estimated_deliveries(loaded)
    assert all(len(parcels) == 2 for parcels in shown)
    assert estimates == [ETA_SECOND] * 3
    assert by_id == {order.pk: ETA_SECOND for order in orders}


def test_estimated_delivery_is_the_latest_of_parcels_still_on_their_way():
    order = paid_order()
    assert order_estimated_delivery(order) is None
    first, second = ship_in_two(order)
    assert order_estimated_delivery(order) == ETA_SECOND
    tracking_event_add(shipment=second, kind="shipped", at=START + timedelta(hours=2))
    shipment_mark_delivered(shipment=second, at=START + timedelta(days=1))
    assert order_estimated_delivery(order) == ETA_FIRST
    assert estimated_deliveries([order]) == {order.pk: ETA_FIRST}
    shipment_mark_delivered(shipment=first, at=START + timedelta(days=2))
    assert order_estimated_delivery(order) is None
    assert estimated_deliveries([order]) == {}
    (prefetched,) = orders_with_shipments([Order.objects.get(pk=order.pk)])
    assert order_estimated_delivery(prefetched) is None


def test_tracking_finds_guest_and_customer_orders_by_number_and_email_any_case():
    guest = paid_order(email="Guest@Example.com")
    mine, _ = customer_order(email="member@example.com")
    assert order_for_tracking(number=guest.number.lower(), email="guest@EXAMPLE.com") == guest
    assert order_for_tracking(number=f" {mine.number} ", email="MEMBER@example.com") == mine
    for number, email in [
        (guest.number, "member@example.com"),
        (mine.number, "guest@example.com"),
        ("BQ-0000-000000", "guest@example.com"),
        (guest.number, ""),
        ("", "guest@example.com"),
        (guest.number + "\x00", "guest@example.com"),
        (guest.number, "guest@example.com\x00"),
        ("X" * 500, "guest@example.com"),
    ]:
        with pytest.raises(OrderNotFound):
            order_for_tracking(number=number, email=email)


def test_the_timeline_follows_the_time_of_each_event_not_when_it_was_told():
    order = paid_order(quantities=(1,))
    shipment = shipment_create(order=order, provider=make_provider())
    tracking_event_add(shipment=shipment, kind="packed", at=START + timedelta(hours=3))
    tracking_event_add(shipment=shipment, kind="shipped", at=START + timedelta(hours=1))
    (shown,) = shipments_for_order(order)
    assert [e.kind for e in shown.events.all()] == ["shipped", "packed"]
