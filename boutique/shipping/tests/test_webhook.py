import json

import pytest
from django.test import Client

from boutique.notifications.models import Notification
from boutique.orders.models import Order
from boutique.shipping.models import CarrierEvent, TrackingEvent
from boutique.shipping.services import shipment_create
from boutique.shipping.webhooks import carrier_events_retry, carrier_signature

from .factories import SECRET, make_provider, paid_order

pytestmark = pytest.mark.django_db


def _body(event_id="evt-1", kind="shipped", tracking_number="AX1", **extra) -> bytes:
    data = {
        "event_id": event_id,
        "tracking_number": tracking_number,
        "kind": kind,
        "location": "Beirut hub",
        "remarks": "Left the depot",
        "at": "2026-11-20T10:00:00+02:00",
    }
    data.update(extra)
    return json.dumps(data).encode()


def _post(provider, body: bytes, signature: str | None = "sign"):
    headers = {}
    if signature == "sign":
        signature = carrier_signature(SECRET, body)
    if signature is not None:
        headers["HTTP_X_CARRIER_SIGNATURE"] = signature
    return Client(enforce_csrf_checks=True).post(
        f"/api/v1/webhooks/carriers/{provider.pk}",
        data=body,
        content_type="application/json",
        **headers,
    )


@pytest.fixture
def shipment():
    order, provider = paid_order(quantities=(1,)), make_provider()
    return shipment_create(order=order, provider=provider, tracking_number="AX1")


def test_a_signed_event_is_applied(shipment, django_assert_max_num_queries):
    with django_assert_max_num_queries(45):
        response = _post(shipment.provider, _body())
    assert response.status_code == 200, response.content
    assert response.json() == {"received": True, "processed": True}
    event = TrackingEvent.objects.get()
    assert (event.kind, event.source, event.external_id) == ("shipped", "carrier", "evt-1")
    assert event.location == "Beirut hub"
    shipment.refresh_from_db()
    assert shipment.status == "shipped" and shipment.shipped_at == event.at
    assert Order.objects.get(pk=shipment.order_id).status == "shipped"
    assert Notification.objects.filter(template="order_shipped").count() == 1


@pytest.mark.parametrize("signature", [None, "", "deadbeef", "sha256=" + "0" * 64])
def test_a_missing_or_bad_signature_is_401_and_stores_nothing(shipment, signature):
    response = _post(shipment.provider, _body(), signature=signature)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "invalid_signature"
    assert not CarrierEvent.objects.exists() and not TrackingEvent.objects.exists()


def test_a_signature_made_with_another_carriers_secret_is_refused(shipment):
    body = _body()
    response = _post(shipment.provider, body, signature=carrier_signature("other", body))
    assert response.status_code == 401
    assert not CarrierEvent.objects.exists()


def test_the_sha256_prefix_is_accepted(shipment):
    body = _body()
    response = _post(shipment.provider, body, signature="sha256=" + carrier_signature(SECRET, body))
    assert response.status_code == 200


def test_a_carrier_without_a_secret_accepts_nothing():
    provider = make_provider(webhook_secret="")
    body = _body()
    assert _post(provider, body, signature=carrier_signature("", body)).status_code == 401
    assert not CarrierEvent.objects.exists()


def test_a_replayed_event_is_applied_once(shipment):
    body = _body()
    assert _post(shipment.provider, body).status_code == 200
    again = _post(shipment.provider, body)
    assert again.status_code == 200 and again.json()["processed"] is True
    assert CarrierEvent.objects.count() == 1
    assert TrackingEvent.objects.count() == 1
    assert Notification.objects.filter(template="order_shipped").count() == 1


def test_a_late_event_is_stored_but_changes_nothing(shipment):
    assert _post(shipment.provider, _body("evt-1", kind="in_transit")).status_code == 200
    response = _post(shipment.provider, _body("evt-0", kind="shipped"))
    assert response.status_code == 200
    late = CarrierEvent.objects.get(event_id="evt-0")
    assert late.processed_at is not None and late.error.startswith("ignored")
    assert list(TrackingEvent.objects.values_list("kind", flat=True)) == ["in_transit"]


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[]",
        _body(kind="teleported"),
        _body(event_id=""),
        _body(at="yesterday"),
        _body(at="2026-11-20T10:00:00"),
        _body(location=5),
    ],
)
def test_an_unreadable_body_is_400_and_stores_nothing(shipment, body):
    response = _post(shipment.provider, body)
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert not CarrierEvent.objects.exists()


def test_unknown_carrier_is_404():
    provider = make_provider(is_active=False)
    assert _post(provider, _body()).status_code == 404


def test_an_event_for_an_unknown_parcel_waits_and_applies_once_it_exists():
    order, provider = paid_order(quantities=(1,)), make_provider()
    response = _post(provider, _body(tracking_number="LATE1"))
    assert response.status_code == 200 and response.json()["processed"] is False
    stored = CarrierEvent.objects.get()
    assert "unknown tracking number" in stored.error
    assert carrier_events_retry() == 0
    shipment_create(order=order, provider=provider, tracking_number="LATE1")
    assert carrier_events_retry() == 1
    assert TrackingEvent.objects.get().kind == "shipped"
    assert carrier_events_retry() == 0
