from datetime import date, timedelta

import pytest
from django.utils import timezone

from boutique.accounts.tests.factories import UserFactory
from boutique.audit.models import AuditLog
from boutique.core.errors import Conflict, ValidationFailed
from boutique.notifications.dispatch import notification_send
from boutique.notifications.models import Notification
from boutique.orders.models import Order
from boutique.shipping import services
from boutique.shipping.errors import OrderNotShippable, QuantityExceedsUnshipped
from boutique.shipping.models import Shipment, ShipmentItem, TrackingEvent
from boutique.shipping.services import (
    shipment_create,
    shipment_mark_delivered,
    tracking_event_add,
)

from .factories import items_of, make_provider, paid_order

pytestmark = pytest.mark.django_db


def _status(order) -> str:
    return Order.objects.get(pk=order.pk).status


def test_a_shipment_takes_every_unshipped_unit_when_no_items_are_picked():
    order, provider, staff = paid_order(), make_provider(), UserFactory(is_staff=True)
    shipment = shipment_create(order=order, provider=provider, tracking_number="AX1", actor=staff)
    carried = dict(shipment.items.values_list("order_item_id", "quantity"))
    assert carried == {item.pk: item.quantity for item in items_of(order)}
    assert shipment.created_by == staff and shipment.status == "pending"
    assert AuditLog.objects.filter(action="shipment.created", actor=staff).count() == 1


def test_partial_shipments_never_hold_more_than_was_ordered():
    order, provider = paid_order(quantities=(2, 1)), make_provider()
    bodysuit, hat = items_of(order)
    first = shipment_create(order=order, items=[(bodysuit.pk, 1)], provider=provider)
    second = shipment_create(order=order, provider=provider)  # what is left
    assert dict(second.items.values_list("order_item_id", "quantity")) == {
        bodysuit.pk: 1,
        hat.pk: 1,
    }
    with pytest.raises(QuantityExceedsUnshipped) as refused:
        shipment_create(order=order, items=[(bodysuit.pk, 1)], provider=provider)
    assert refused.value.status == 409
    with pytest.raises(QuantityExceedsUnshipped):
        shipment_create(order=order, provider=provider)
    assert Shipment.objects.filter(order=order).count() == 2
    assert first.items.get().quantity == 1


def test_over_quantity_in_one_request_is_refused_and_changes_nothing():
    order, provider = paid_order(quantities=(2,)), make_provider()
    (item,) = items_of(order)
    with pytest.raises(QuantityExceedsUnshipped):
        shipment_create(order=order, items=[(item.pk, 1), (item.pk, 2)], provider=provider)
    assert not Shipment.objects.exists() and not ShipmentItem.objects.exists()


@pytest.mark.parametrize("items", [[(999_999, 1)], [("x", 1)], [], "bad"])
def test_unknown_items_or_quantities_are_422(items):
    order, provider = paid_order(quantities=(2,)), make_provider()
    (item,) = items_of(order)
    picked = [(item.pk, 0)] if items == "bad" else items
    with pytest.raises(ValidationFailed):
        shipment_create(order=order, items=picked, provider=provider)
    assert not Shipment.objects.exists()


def test_an_item_of_another_order_cannot_be_shipped():
    order, other, provider = paid_order(), paid_order(), make_provider()
    with pytest.raises(ValidationFailed):
        shipment_create(order=order, items=[(items_of(other)[0].pk, 1)], provider=provider)


def test_only_paid_or_processing_orders_ship():
    order, provider = paid_order(), make_provider()
    Order.objects.filter(pk=order.pk).update(status="pending")
    with pytest.raises(OrderNotShippable) as refused:
        shipment_create(order=order, provider=provider)
    assert refused.value.status == 409
    Order.objects.filter(pk=order.pk).update(status="processing")
    assert shipment_create(order=order, provider=provider).pk


def test_an_inactive_carrier_is_refused():
    order, provider = paid_order(), make_provider(is_active=False)
    with pytest.raises(ValidationFailed):
        shipment_create(order=order, provider=provider)


def test_a_failed_parcel_frees_its_items_to_ship_again():
    order, provider = paid_order(quantities=(1,)), make_provider()
    lost = shipment_create(order=order, provider=provider)
    tracking_event_add(shipment=lost, kind="failed", remarks="Address not found")
    again = shipment_create(order=order, provider=provider)
    assert again.items.get().quantity == 1


def test_order_is_shipped_only_when_every_unit_left_and_delivered_when_every_parcel_arrived():
    order, provider = paid_order(quantities=(2, 1)), make_provider()
    bodysuit, hat = items_of(order)
    first = shipment_create(order=order, items=[(bodysuit.pk, 2)], provider=provider)
    second = shipment_create(order=order, items=[(hat.pk, 1)], provider=provider)

    tracking_event_add(shipment=first, kind="shipped", location="Beirut hub")
    first.refresh_from_db()
    assert first.status == "shipped" and first.shipped_at is not None
    assert _status(order) == "paid"  # the hat is still on the shelf

    tracking_event_add(shipment=second, kind="shipped")
    assert _status(order) == "shipped"
    assert AuditLog.objects.filter(action="order.shipped").count() == 1

    shipment_mark_delivered(shipment=first)
    first.refresh_from_db()
    assert first.delivered_at is not None and _status(order) == "shipped"
    shipment_mark_delivered(shipment=second)
    assert _status(order) == "delivered"


def test_duplicate_and_late_events_are_ignored():
    order, provider = paid_order(quantities=(1,)), make_provider()
    shipment = shipment_create(order=order, provider=provider, tracking_number="AX9")
    at = timezone.now()
    assert tracking_event_add(shipment=shipment, kind="in_transit", at=at) is not None
    audits = AuditLog.objects.count()
    assert tracking_event_add(shipment=shipment, kind="in_transit", at=at) is None
    assert tracking_event_add(shipment=shipment, kind="shipped", at=at) is None
    assert tracking_event_add(shipment=shipment, kind="packed") is None
    assert list(shipment.events.values_list("kind", flat=True)) == ["in_transit"]
    assert AuditLog.objects.count() == audits
    shipment.refresh_from_db()
    assert shipment.status == "in_transit" and shipment.shipped_at == at


def test_the_same_carrier_event_id_is_applied_once():
    order, provider = paid_order(quantities=(1,)), make_provider()
    shipment = shipment_create(order=order, provider=provider)
    tracking_event_add(shipment=shipment, kind="packed", external_id="evt-1")
    assert tracking_event_add(shipment=shipment, kind="shipped", external_id="evt-1") is None
    assert TrackingEvent.objects.count() == 1


def test_nothing_follows_a_returned_parcel_and_it_cannot_be_delivered():
    order, provider = paid_order(quantities=(1,)), make_provider()
    shipment = shipment_create(order=order, provider=provider)
    tracking_event_add(shipment=shipment, kind="returned")
    with pytest.raises(Conflict):
        shipment_mark_delivered(shipment=shipment)
    assert tracking_event_add(shipment=shipment, kind="shipped") is None
    assert _status(order) == "paid"


def test_unknown_event_kind_is_422():
    order, provider = paid_order(quantities=(1,)), make_provider()
    shipment = shipment_create(order=order, provider=provider)
    with pytest.raises(ValidationFailed):
        tracking_event_add(shipment=shipment, kind="teleported")


def test_customer_is_told_when_shipped_out_for_delivery_and_delivered():
    order = paid_order(quantities=(1,), email="mum@example.com")
    provider = make_provider()
    eta = date.today() + timedelta(days=3)
    shipment = shipment_create(
        order=order, provider=provider, tracking_number="AX 42", estimated_delivery=eta
    )
    for kind in ("packed", "shipped", "in_transit", "out_for_delivery", "delivered"):
        tracking_event_add(shipment=shipment, kind=kind)
    sent = Notification.objects.filter(reference_type="shipment").order_by("pk")
    assert [n.template for n in sent] == [
        "order_shipped",
        "order_out_for_delivery",
        "order_delivered",
    ]
    shipped = sent[0]
    assert (shipped.channel, shipped.recipient) == ("email", "mum@example.com")
    assert shipped.context["tracking_url"] == "https://track.example.com/AX 42"
    assert shipped.context["number"] == order.number
    assert shipped.context["estimated_delivery"] == eta.isoformat()
    assert sent[2].context["delivered_at"] is not None


def test_an_error_after_the_change_leaves_no_notification_and_no_change(monkeypatch):
    order, provider = paid_order(quantities=(1,)), make_provider()
    shipment = shipment_create(order=order, provider=provider)

    def broken(**kwargs):
        raise RuntimeError("order service down")

    monkeypatch.setattr(services, "order_transition", broken)
    with pytest.raises(RuntimeError):
        tracking_event_add(shipment=shipment, kind="shipped")
    assert not Notification.objects.filter(template="order_shipped").exists()
    assert not TrackingEvent.objects.exists()
    shipment.refresh_from_db()
    assert shipment.status == "pending" and shipment.shipped_at is None
    assert _status(order) == "paid"


def test_the_shipped_email_carries_the_tracking_link(mailoutbox):
    order, provider = paid_order(quantities=(1,), email="mum@example.com"), make_provider()
    shipment = shipment_create(order=order, provider=provider, tracking_number="AX7")
    tracking_event_add(shipment=shipment, kind="shipped")
    queued = Notification.objects.get(template="order_shipped")
    assert notification_send(queued.pk) == "sent"
    (mail,) = [m for m in mailoutbox if "mum@example.com" in m.to]
    assert order.number in mail.body
    assert "https://track.example.com/AX7" in mail.body
    assert "https://track.example.com/AX7" in mail.alternatives[0][0]
