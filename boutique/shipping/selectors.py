"""Every read of shipments for the customer: an order's parcels with their
carrier, items and tracking timeline, and when the order should arrive."""

from django.db.models import Max, Prefetch, prefetch_related_objects

from boutique.orders.errors import OrderNotFound
from boutique.orders.models import Order

from .models import Shipment, ShipmentItem, ShipmentStatus, TrackingEvent

# Parcels that will not arrive (any more): their estimate means nothing.
NOT_ARRIVING = (ShipmentStatus.DELIVERED, ShipmentStatus.FAILED, ShipmentStatus.RETURNED)
MAX_NUMBER_LENGTH = 40
MAX_EMAIL_LENGTH = 254


def _shipments_qs():
    """Shipments with their carrier (joined), items with the order item and
    events oldest first (prefetched): three queries for any number of rows."""
    return (
        Shipment.objects.select_related("provider")
        .prefetch_related(
            Prefetch(
                "items",
                queryset=ShipmentItem.objects.select_related("order_item__seller").order_by("id"),
            ),
            Prefetch("events", queryset=TrackingEvent.objects.order_by("at", "id")),
        )
        .order_by("created_at", "id")
    )


def shipments_prefetch() -> Prefetch:
    """For `prefetch_related`: an order's shipments as `shipments_for_order` reads them."""
    return Prefetch("shipments", queryset=_shipments_qs())


def orders_with_shipments(orders) -> list[Order]:
    """The given orders, each with its shipments prefetched (a fixed number of
    queries however many orders, shipments, items and events)."""
    orders = list(orders)
    if orders:
        prefetch_related_objects(orders, shipments_prefetch())
    return orders


def shipments_for_order(order: Order) -> list[Shipment]:
    """The order's parcels, oldest first, each with `provider`, `items` (with
    `order_item`: name, SKU) and `events` (by time); `tracking_url` comes from
    the carrier's template. Uses the prefetched rows when the order has them."""
    cache = getattr(order, "_prefetched_objects_cache", {})
    if "shipments" in cache:
        return list(order.shipments.all())
    return list(_shipments_qs().filter(order=order))


def order_estimated_delivery(order: Order):
    """The latest estimate among the order's parcels still on their way (not
    delivered, failed or returned), or None."""
    cache = getattr(order, "_prefetched_objects_cache", {})
    if "shipments" in cache:
        dates = [
            s.estimated_delivery
            for s in order.shipments.all()
            if s.estimated_delivery and s.status not in NOT_ARRIVING
        ]
        return max(dates, default=None)
    return (
        Shipment.objects.filter(order=order, estimated_delivery__isnull=False)
        .exclude(status__in=NOT_ARRIVING)
        .aggregate(latest=Max("estimated_delivery"))["latest"]
    )


def estimated_deliveries(orders) -> dict[int, object]:
    """{order id: latest estimate of its undelivered parcels} for a page of
    orders, in one query; orders without one are missing."""
    ids = [order.pk for order in orders]
    if not ids:
        return {}
    rows = (
        Shipment.objects.filter(order_id__in=ids, estimated_delivery__isnull=False)
        .exclude(status__in=NOT_ARRIVING)
        .values("order_id")
        .annotate(latest=Max("estimated_delivery"))
    )
    return {row["order_id"]: row["latest"] for row in rows}


def order_for_tracking(*, number: str, email: str) -> Order:
    """A guest's or a customer's order by its number and the email on it (both
    compared without case), for the public tracking page. No match is
    OrderNotFound."""
    number = str(number or "").strip().upper()
    email = str(email or "").strip()
    if (
        not number
        or not email
        or not number.isprintable()
        or not email.isprintable()
        or len(number) > MAX_NUMBER_LENGTH
        or len(email) > MAX_EMAIL_LENGTH
    ):
        raise OrderNotFound("No order matches that number and email.")
    order = (
        Order.objects.filter(number=number, email__iexact=email)
        .prefetch_related(shipments_prefetch())
        .first()
    )
    if order is None:
        raise OrderNotFound("No order matches that number and email.")
    return order
