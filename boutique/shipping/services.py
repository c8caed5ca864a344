"""Shipments: parcels made of an order's unshipped items, their tracking
events, and the order's status following them.

Every write is audited. Customer messages (shipped, out for delivery,
delivered) go into the notification outbox in the same transaction as the
event that causes them, so a message exists exactly when its event does.

Locks, always in this order: the order's row, then the shipment's. Two staff
members shipping the same items at once queue on the order's row, and the
second sees what the first allocated.
"""

from collections import defaultdict

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from boutique.audit.services import audit_record
from boutique.core.errors import Conflict, ValidationFailed, validation_errors_from_django
from boutique.notifications.services import notification_enqueue
from boutique.orders.locks import order_for_update
from boutique.orders.models import Order, OrderStatus
from boutique.orders.services import order_transition

from . import domain
from .errors import OrderNotShippable, QuantityExceedsUnshipped
from .locks import shipment_for_update
from .models import (
    EventSource,
    Shipment,
    ShipmentItem,
    ShipmentStatus,
    ShippingProvider,
    TrackingEvent,
    TrackingKind,
)

SHIPPABLE_ORDER_STATUSES = (OrderStatus.PAID, OrderStatus.PROCESSING)
# A failed or returned parcel no longer holds its items: they may be shipped again.
ENDED = (ShipmentStatus.FAILED, ShipmentStatus.RETURNED)
NOTIFY_TEMPLATES = {
    TrackingKind.SHIPPED: "order_shipped",
    TrackingKind.OUT_FOR_DELIVERY: "order_out_for_delivery",
    TrackingKind.DELIVERED: "order_delivered",
}


def _actor_user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _invalid(exc: DjangoValidationError) -> ValidationFailed:
    return ValidationFailed(field_errors=validation_errors_from_django(exc))


# --- Creating shipments -------------------------------------------------------------------
def _allocated(order: Order, *, shipped_only: bool = False) -> dict[int, int]:
    """Quantity of each order item in the order's live shipments (or only in
    those that have left the shop)."""
    rows = ShipmentItem.objects.filter(shipment__order=order).exclude(shipment__status__in=ENDED)
    if shipped_only:
        rows = rows.filter(shipment__shipped_at__isnull=False)
    totals = rows.values("order_item_id").annotate(total=Sum("quantity"))
    return {row["order_item_id"]: row["total"] for row in totals}


def _requested(order: Order, items) -> dict[int, int]:
    """What to put in the new shipment, checked against what is left to ship."""
    ordered = dict(order.items.values_list("pk", "quantity"))
    allocated = _allocated(order)
    remaining = {pk: qty - allocated.get(pk, 0) for pk, qty in ordered.items()}
    if items is None:
        wanted = {pk: qty for pk, qty in remaining.items() if qty > 0}
        if not wanted:
            raise QuantityExceedsUnshipped(
                f"Every item of order {order.number} is already shipped."
            )
        return wanted
    wanted: dict[int, int] = defaultdict(int)
    errors: list[str] = []
    for entry in items:
        try:
            pk, quantity = int(entry[0]), int(entry[1])
        except (TypeError, ValueError, IndexError):
            errors.append(f"{entry!r} is not an (order item id, quantity) pair.")
            continue
        if pk not in ordered:
            errors.append(f"Item {pk} is not part of order {order.number}.")
        elif quantity <= 0:
            errors.append(f"Item {pk}: the quantity must be at least 1.")
        else:
            wanted[pk] += quantity
    if errors:
        raise ValidationFailed("Some items cannot be shipped.", field_errors={"items": errors})
    if not wanted:
        raise ValidationFailed("Pick at least one item.", field_errors={"items": ["Empty."]})
    over = [
        f"item {pk}: {qty} asked, {max(remaining[pk], 0)} left"
        for pk, qty in wanted.items()
        if qty > remaining[pk]
    ]
    if over:
        raise QuantityExceedsUnshipped("More than is left to ship: " + "; ".join(over) + ".")
    return dict(wanted)


def shipment_create(
    *,
    order: Order,
    items=None,
    provider: ShippingProvider,
    tracking_number: str = "",
    estimated_delivery=None,
    actor=None,
) -> Shipment:
    """A parcel for some of an order's unshipped items, `items` being
    (order item id, quantity) pairs, or every unshipped unit when None. Only
    for paid or processing orders; never more of an item than was ordered
    minus what live shipments already hold (QuantityExceedsUnshipped, 409).
    Takes the order's row lock: safe when staff ship the same order at once."""
    with transaction.atomic(durable=True):
        order = order_for_update().get(pk=order.pk)
        if order.status not in SHIPPABLE_ORDER_STATUSES:
            raise OrderNotShippable(
                f"Order {order.number} is {order.status}; only paid or processing orders ship."
            )
        provider = ShippingProvider.objects.filter(pk=provider.pk, is_active=True).first()
        if provider is None:
            raise ValidationFailed(
                "This carrier is not active.", field_errors={"provider": ["Not active."]}
            )
        wanted = _requested(order, items)
        shipment = Shipment(
            order=order,
            provider=provider,
            tracking_number=str(tracking_number or "").strip(),
            estimated_delivery=estimated_delivery,
            created_by=_actor_user(actor),
        )
        try:
            shipment.full_clean()
        except DjangoValidationError as exc:
            raise _invalid(exc) from exc
        shipment.save()
        ShipmentItem.objects.bulk_create(
            ShipmentItem(shipment=shipment, order_item_id=pk, quantity=qty)
            for pk, qty in sorted(wanted.items())
        )
        audit_record(
            entity=shipment,
            action="shipment.created",
            actor=actor,
            new={
                "order": order.number,
                "provider": provider.name,
                "tracking_number": shipment.tracking_number,
                "estimated_delivery": estimated_delivery,
                "items": {str(pk): qty for pk, qty in sorted(wanted.items())},
            },
        )
    return shipment


# --- Tracking events ----------------------------------------------------------------------
def tracking_event_add(
    *,
    shipment: Shipment,
    kind: str,
    location: str = "",
    remarks: str = "",
    at=None,
    actor=None,
    external_id: str | None = None,
    source: str = EventSource.STAFF,
) -> TrackingEvent | None:
    """Record a milestone of a shipment. Only forward moves apply (see
    domain.is_forward): a duplicate or late event, or one whose external id
    was seen already, is ignored and returns None, changing nothing. Shipped
    sets shipped_at, delivered sets delivered_at; the order's status follows
    and the customer's message is queued, all in one transaction. Takes the
    order's row lock, then the shipment's."""
    with transaction.atomic(durable=True):
        return tracking_event_apply(
            shipment=shipment,
            kind=kind,
            location=location,
            remarks=remarks,
            at=at,
            actor=actor,
            external_id=external_id,
            source=source,
        )


def tracking_event_apply(
    *, shipment, kind, location="", remarks="", at=None, actor=None, external_id=None, source
) -> TrackingEvent | None:
    """tracking_event_add inside the caller's transaction (the carrier webhook's)."""
    if kind not in TrackingKind.values:
        raise ValidationFailed(f"Unknown tracking event {kind!r}.", field_errors={"kind": [kind]})
    order = order_for_update().get(pk=shipment.order_id)
    shipment = shipment_for_update().get(pk=shipment.pk)
    external_id = str(external_id or "").strip()
    if (
        external_id
        and TrackingEvent.objects.filter(
            provider_id=shipment.provider_id, external_id=external_id
        ).exists()
    ):
        return None
    if not domain.is_forward(set(shipment.events.values_list("kind", flat=True)), kind):
        return None
    at = at or timezone.now()
    event = TrackingEvent(
        shipment=shipment,
        provider_id=shipment.provider_id,
        kind=kind,
        location=str(location or "").strip(),
        remarks=str(remarks or "").strip(),
        at=at,
        source=source,
        external_id=external_id,
    )
    try:
        event.full_clean(validate_unique=False, validate_constraints=False)
    except DjangoValidationError as exc:
        raise _invalid(exc) from exc
    event.save()
    old = {"status": shipment.status}
    fields = {"status": domain.STATUS_FOR_KIND[kind], "updated_at": timezone.now()}
    if kind in domain.LEFT_THE_SHOP and shipment.shipped_at is None:
        fields["shipped_at"] = at
    if kind == TrackingKind.DELIVERED:
        fields["delivered_at"] = at
    Shipment.objects.filter(pk=shipment.pk).update(**fields)
    for name, value in fields.items():
        setattr(shipment, name, value)
    audit_record(
        entity=shipment,
        action=f"shipment.{kind}",
        actor=actor,
        old=old,
        new={"status": shipment.status, "event": event.pk, "source": source, "at": at},
    )
    _notify(order, shipment, event)
    _order_roll_up(order, actor=actor)
    return event


def shipment_mark_delivered(*, shipment: Shipment, actor=None, at=None, remarks="") -> Shipment:
    """Staff record a parcel as delivered. A parcel already delivered stays as
    it is; one that failed or came back cannot be delivered (409)."""
    tracking_event_add(
        shipment=shipment, kind=TrackingKind.DELIVERED, at=at, remarks=remarks, actor=actor
    )
    shipment.refresh_from_db()
    if shipment.status != ShipmentStatus.DELIVERED:
        raise Conflict(f"Shipment {shipment.pk} is {shipment.status}; it cannot be delivered.")
    return shipment


def _notify(order: Order, shipment: Shipment, event: TrackingEvent) -> None:
    template = NOTIFY_TEMPLATES.get(event.kind)
    if template is None or not order.email:
        return
    provider = ShippingProvider.objects.get(pk=shipment.provider_id)
    estimated = shipment.estimated_delivery
    notification_enqueue(
        channel="email",
        recipient=order.email,
        template=template,
        language=order.email_language,
        context={
            "number": order.number,
            "shipment_id": shipment.pk,
            "carrier": provider.name,
            "tracking_number": shipment.tracking_number,
            "tracking_url": provider.tracking_url(shipment.tracking_number),
            "estimated_delivery": estimated.isoformat() if estimated else None,
            "location": event.location,
            "at": event.at.isoformat(),
            "delivered_at": shipment.delivered_at.date().isoformat()
            if shipment.delivered_at
            else None,
        },
        reference=("shipment", shipment.pk),
    )


def _order_roll_up(order: Order, *, actor) -> None:
    """Shipped once every unit of every item is in a parcel that left the
    shop; delivered once every live parcel is delivered. Expects the order's
    row lock."""
    if order.status in SHIPPABLE_ORDER_STATUSES:
        shipped = _allocated(order, shipped_only=True)
        ordered = dict(order.items.values_list("pk", "quantity"))
        if ordered and all(shipped.get(pk, 0) >= qty for pk, qty in ordered.items()):
            if order.status == OrderStatus.PAID:
                order = order_transition(order=order, target=OrderStatus.PROCESSING, actor=actor)
            order = order_transition(order=order, target=OrderStatus.SHIPPED, actor=actor)
    if order.status == OrderStatus.SHIPPED:
        statuses = set(order.shipments.exclude(status__in=ENDED).values_list("status", flat=True))
        if statuses == {ShipmentStatus.DELIVERED}:
            order_transition(order=order, target=OrderStatus.DELIVERED, actor=actor)
