"""Orders with parcels on their way, for the customer-side tests (selectors,
the orders API, the storefront's order and tracking pages)."""

from datetime import UTC, date, datetime, timedelta

from boutique.accounts.tests.factories import UserFactory
from boutique.orders.models import Order
from boutique.shipping.services import shipment_create, tracking_event_add

from .factories import items_of, make_provider, paid_order

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ETA_FIRST = date(2026, 3, 5)
ETA_SECOND = date(2026, 3, 9)


def customer_order(email="customer@example.com", quantities=(2, 1)):
    """A paid order placed by a signed-in customer (and the customer)."""
    user = UserFactory(email=email)
    order = paid_order(quantities=quantities, email=email)
    Order.objects.filter(pk=order.pk).update(user=user)
    order.refresh_from_db()
    return order, user


def ship_in_two(order, *, provider=None):
    """Two parcels: the first item's units in one (shipped, then in transit, an
    estimate of ETA_FIRST), the rest in another (packed only, ETA_SECOND)."""
    provider = provider or make_provider()
    first_item, *_ = items_of(order)
    first = shipment_create(
        order=order,
        items=[(first_item.pk, first_item.quantity)],
        provider=provider,
        tracking_number="AX100",
        estimated_delivery=ETA_FIRST,
    )
    tracking_event_add(shipment=first, kind="shipped", location="Beirut hub", at=START)
    tracking_event_add(
        shipment=first,
        kind="in_transit",
        location="Tripoli",
        remarks="On the truck",
        at=START + timedelta(hours=5),
    )
    second = shipment_create(
        order=order, provider=provider, tracking_number="AX200", estimated_delivery=ETA_SECOND
    )
    tracking_event_add(shipment=second, kind="packed", at=START + timedelta(hours=1))
    return first, second
