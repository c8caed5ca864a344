"""Reads for the back office: what is left to ship of an order, and the
carriers staff may pick."""

from dataclasses import dataclass

from django.db.models import Sum

from boutique.orders.models import Order, OrderItem

from .models import ShipmentItem, ShippingProvider
from .services import ENDED


@dataclass(frozen=True)
class ItemToShip:
    item: OrderItem
    ordered: int
    remaining: int


def order_items_to_ship(*, order: Order) -> list[ItemToShip]:
    """Each item of the order with the quantity not yet in a live shipment
    (failed or returned parcels do not hold their items). Two queries."""
    allocated = dict(
        ShipmentItem.objects.filter(shipment__order=order)
        .exclude(shipment__status__in=ENDED)
        .values("order_item_id")
        .annotate(total=Sum("quantity"))
        .values_list("order_item_id", "total")
    )
    return [
        ItemToShip(
            item=item, ordered=item.quantity, remaining=item.quantity - allocated.get(item.pk, 0)
        )
        for item in order.items.order_by("pk")
    ]


def provider_list_active():
    """Carriers a new shipment may use, by name."""
    return ShippingProvider.objects.filter(is_active=True).order_by("name", "pk")
