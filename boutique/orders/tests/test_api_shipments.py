"""Orders in the API carry their parcels: carrier, tracking number and link,
status, estimates and dates, the items in each and their tracking events.
Reading stays a fixed number of queries; someone else's order is still 404."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from boutique.accounts.tests.factories import UserFactory
from boutique.checkout.tests.api_support import ORDERS, bearer, ok, problem
from boutique.shipping.services import shipment_mark_delivered
from boutique.shipping.tests.factories import items_of, paid_order
from boutique.shipping.tests.tracking_support import (
    ETA_FIRST,
    ETA_SECOND,
    START,
    customer_order,
    ship_in_two,
)

pytestmark = pytest.mark.django_db


def _detail(client, number, headers=None, **params):
    return client.get(f"{ORDERS}/{number}", params, headers=headers or {})


def test_a_customer_sees_each_parcel_with_its_items_link_and_timeline(client):
    order, user = customer_order()
    first, _ = ship_in_two(order)
    cardigan, hat = items_of(order)
    data = ok(_detail(client, order.number, bearer(user)))
    assert [s["tracking_number"] for s in data["shipments"]] == ["AX100", "AX200"]
    parcel, rest = data["shipments"]
    assert parcel["provider"] == "Aramex"
    assert parcel["tracking_url"] == "https://track.example.com/AX100"
    assert parcel["status"] == "in_transit"
    assert parcel["estimated_delivery"] == ETA_FIRST.isoformat()
    assert parcel["shipped_at"].startswith("2026-03-02T09:00") and parcel["delivered_at"] is None
    assert parcel["items"] == [
        {"sku": cardigan.sku, "product_name": cardigan.product_name, "quantity": 2}
    ]
    assert [(e["kind"], e["location"], e["remarks"]) for e in parcel["events"]] == [
        ("shipped", "Beirut hub", ""),
        ("in_transit", "Tripoli", "On the truck"),
    ]
    assert rest["status"] == "pending" and rest["shipped_at"] is None
    assert rest["estimated_delivery"] == ETA_SECOND.isoformat()
    assert rest["items"] == [{"sku": hat.sku, "product_name": hat.product_name, "quantity": 1}]
    assert [e["kind"] for e in rest["events"]] == ["packed"]

    shipment_mark_delivered(shipment=first, at=START + timedelta(days=1))
    parcel = ok(_detail(client, order.number, bearer(user)))["shipments"][0]
    assert parcel["status"] == "delivered"
    assert parcel["delivered_at"].startswith("2026-03-03T09:00")
    assert parcel["events"][-1]["kind"] == "delivered"


def test_a_guest_sees_the_parcels_with_number_and_email(client):
    order = paid_order(email="guest@example.com")
    ship_in_two(order)
    data = ok(_detail(client, order.number, email="GUEST@example.com"))
    assert len(data["shipments"]) == 2
    assert ok(_detail(client, paid_order().number, email="buyer@example.com"))["shipments"] == []


def test_someone_elses_order_is_still_404(client):
    order, _ = customer_order()
    ship_in_two(order)
    stranger = bearer(UserFactory())
    problem(_detail(client, order.number, stranger), 404, "order_not_found")
    guest = paid_order(email="guest@example.com")
    ship_in_two(guest)
    problem(_detail(client, guest.number, email="other@example.com"), 404, "order_not_found")
    # A customer's order is not a guest's: number + email does not open it here.
    problem(_detail(client, order.number, email="customer@example.com"), 404, "order_not_found")


def test_order_detail_queries_do_not_grow_with_parcels_or_events(
    client, django_assert_max_num_queries
):
    small, user = customer_order(quantities=(1,))
    me = bearer(user)
    with CaptureQueriesContext(connection) as none_shipped:
        ok(_detail(client, small.number, me))
    big = paid_order(quantities=(1, 1, 1, 1))
    big.user = user
    big.save(update_fields=["user"])
    ship_in_two(big)
    # Shipments, their items and their events: three queries at most, whatever the count.
    with django_assert_max_num_queries(len(none_shipped) + 2):
        data = ok(_detail(client, big.number, me))
    assert sum(len(s["items"]) for s in data["shipments"]) == 4


def test_the_order_list_carries_shipments_in_a_fixed_number_of_queries(
    client, django_assert_max_num_queries
):
    order, user = customer_order()
    ship_in_two(order)
    me = bearer(user)
    with CaptureQueriesContext(connection) as one:
        listed = ok(client.get(ORDERS, headers=me))["results"]
    assert [len(o["shipments"]) for o in listed] == [2]
    for _ in range(4):
        other = paid_order()
        other.user = user
        other.save(update_fields=["user"])
        ship_in_two(other)
    with django_assert_max_num_queries(len(one)):
        listed = ok(client.get(ORDERS, headers=me))["results"]
    assert [len(o["shipments"]) for o in listed] == [2] * 5
    assert all(o["shipments"][0]["events"][0]["kind"] == "shipped" for o in listed)
