"""Shipping back office: carriers with a write-only webhook secret; shipments
listed with a fixed number of queries, tracked from their page and marked
shipped in bulk (all or nothing) through the services; staff without the
shipping permissions get 403."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from boutique.accounts.models import Role
from boutique.accounts.tests.factories import StaffFactory, UserFactory
from boutique.audit.models import AuditLog
from boutique.notifications.models import Notification
from boutique.orders.models import Order
from boutique.shipping.models import Shipment, ShippingProvider, TrackingEvent
from boutique.shipping.services import shipment_create, tracking_event_add

from .factories import items_of, make_provider, paid_order

pytestmark = pytest.mark.django_db

SHIPMENTS = reverse("admin:shipping_shipment_changelist")
PROVIDERS = reverse("admin:shipping_shippingprovider_changelist")


@pytest.fixture
def staff_client(client):
    staff = StaffFactory(email="ship@example.com")
    client.force_login(staff)
    client.staff = staff
    return client


def _staff_with(*codenames):
    user = UserFactory(role=Role.ADMIN, is_superuser=False)
    assert user.is_staff
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return user


def _messages(response):
    return [str(m) for m in response.context["messages"]]


def _event_url(shipment):
    return reverse("admin:shipping_shipment_add_event", args=[shipment.pk])


def _change_url(shipment):
    return reverse("admin:shipping_shipment_change", args=[shipment.pk])


def _mark_shipped(client, shipments):
    payload = {"action": "mark_shipped", "_selected_action": [s.pk for s in shipments]}
    return client.post(SHIPMENTS, payload, follow=True)


# --- Carriers -----------------------------------------------------------------------------
def test_provider_secret_is_write_only_kept_when_empty_and_replaced_when_typed(staff_client):
    provider = make_provider(webhook_secret="s3cret-original-value")
    change = reverse("admin:shipping_shippingprovider_change", args=[provider.pk])

    page = staff_client.get(change).content.decode()
    assert "s3cret-original-value" not in page
    assert 'name="webhook_secret"' in page

    form = {
        "name": "Aramex Express",
        "contact_email": "ops@example.com",
        "contact_phone": "+9611000000",
        "tracking_url_template": "https://t.example.com/{tracking_number}",
        "webhook_secret": "",
        "is_active": "on",
    }
    assert staff_client.post(change, form).status_code == 302
    provider.refresh_from_db()
    assert provider.name == "Aramex Express"
    assert provider.webhook_secret == "s3cret-original-value"

    assert staff_client.post(change, {**form, "webhook_secret": "new-secret"}).status_code == 302
    provider.refresh_from_db()
    assert provider.webhook_secret == "new-secret"

    logs = AuditLog.objects.filter(action="shipping_provider.updated").order_by("pk")
    assert [log.actor for log in logs] == [staff_client.staff] * 2
    assert logs[0].new == {"name": "Aramex Express", "contact_phone": "+9611000000"} | {
        "tracking_url_template": "https://t.example.com/{tracking_number}"
    }
    assert "new-secret" not in str(logs[1].new) and "webhook_secret" in logs[1].new


def test_provider_created_from_the_admin_is_audited(staff_client):
    add = reverse("admin:shipping_shippingprovider_add")
    form = {
        "name": "  Liban Post ",
        "tracking_url_template": "https://lp.example.com/?n={tracking_number}",
        "webhook_secret": "lp-secret",
        "is_active": "on",
    }
    assert staff_client.post(add, form).status_code == 302
    provider = ShippingProvider.objects.get(name="Liban Post")
    assert provider.webhook_secret == "lp-secret" and provider.is_active
    log = AuditLog.objects.get(action="shipping_provider.created")
    assert log.actor == staff_client.staff and "lp-secret" not in str(log.new)


def test_provider_tracking_template_without_placeholder_is_refused(staff_client):
    add = reverse("admin:shipping_shippingprovider_add")
    response = staff_client.post(
        add, {"name": "Bad", "tracking_url_template": "https://t.example.com/", "is_active": "on"}
    )
    assert response.status_code == 200
    assert "{tracking_number}" in response.content.decode()
    assert not ShippingProvider.objects.filter(name="Bad").exists()
    assert staff_client.get(PROVIDERS).status_code == 200


# --- The list -----------------------------------------------------------------------------
def test_shipment_list_links_the_order_and_searches_and_filters(staff_client):
    provider = make_provider()
    first, second = paid_order(), paid_order(email="other@example.com")
    a = shipment_create(order=first, provider=provider, tracking_number="AX-111")
    b = shipment_create(order=second, provider=provider, tracking_number="AX-222")
    tracking_event_add(shipment=b, kind="shipped")

    response = staff_client.get(SHIPMENTS)
    page = response.content.decode()
    assert response.status_code == 200
    assert reverse("admin:orders_order_change", args=[first.pk]) in page
    assert first.number in page and "AX-222" in page

    def pks(params):
        return [s.pk for s in staff_client.get(SHIPMENTS, params).context["cl"].result_list]

    assert pks({"q": "AX-111"}) == [a.pk]
    assert pks({"q": second.number}) == [b.pk]
    assert pks({"status__exact": "shipped"}) == [b.pk]
    assert set(pks({"provider__id__exact": provider.pk})) == {a.pk, b.pk}


def test_shipment_list_runs_a_fixed_number_of_queries(staff_client, django_assert_max_num_queries):
    provider = make_provider()

    def run():
        with django_assert_max_num_queries(12) as queries:
            assert staff_client.get(SHIPMENTS).status_code == 200
        return len(queries)

    shipment_create(order=paid_order(), provider=provider)
    few = run()
    for n in range(4):
        shipment_create(
            order=paid_order(email=f"b{n}@example.com"), provider=make_provider(f"C{n}")
        )
    assert run() == few


# --- Tracking events from the shipment's page ---------------------------------------------
def test_add_tracking_event_goes_through_the_service_with_the_staff_actor(staff_client):
    order, provider = paid_order(), make_provider()
    shipment = shipment_create(order=order, provider=provider, tracking_number="AX1")

    page = staff_client.get(_change_url(shipment)).content.decode()
    assert _event_url(shipment) in page and "Add tracking event" in page

    response = staff_client.post(
        _event_url(shipment),
        {"kind": "shipped", "location": "Beirut hub", "remarks": "Picked up"},
        follow=True,
    )
    assert "Shipped recorded" in " ".join(_messages(response))
    event = TrackingEvent.objects.get(shipment=shipment)
    assert (event.kind, event.location, event.remarks, event.source) == (
        "shipped",
        "Beirut hub",
        "Picked up",
        "staff",
    )
    shipment.refresh_from_db()
    assert shipment.status == "shipped" and shipment.shipped_at is not None
    assert Order.objects.get(pk=order.pk).status == "shipped"
    assert AuditLog.objects.filter(action="shipment.shipped", actor=staff_client.staff).exists()
    assert Notification.objects.filter(template="order_shipped").count() == 1


def test_a_late_or_bad_tracking_event_changes_nothing(staff_client):
    shipment = shipment_create(order=paid_order(), provider=make_provider())
    tracking_event_add(shipment=shipment, kind="in_transit")

    late = staff_client.post(_event_url(shipment), {"kind": "packed"}, follow=True)
    assert "Nothing was changed" in " ".join(_messages(late))
    bad = staff_client.post(_event_url(shipment), {"kind": "teleported"}, follow=True)
    assert "Nothing was changed" in " ".join(_messages(bad))
    assert list(TrackingEvent.objects.values_list("kind", flat=True)) == ["in_transit"]
    assert staff_client.get(_event_url(shipment)).status_code == 405


# --- Mark shipped in bulk -----------------------------------------------------------------
def test_bulk_mark_shipped_rolls_the_order_up_to_shipped(staff_client):
    order, provider = paid_order(quantities=(2, 1)), make_provider()
    bodysuit, hat = items_of(order)
    first = shipment_create(order=order, items=[(bodysuit.pk, 2)], provider=provider)
    second = shipment_create(order=order, items=[(hat.pk, 1)], provider=provider)

    response = _mark_shipped(staff_client, [first, second])

    assert "2 shipment(s) marked shipped" in " ".join(_messages(response))
    assert set(Shipment.objects.values_list("status", flat=True)) == {"shipped"}
    assert Order.objects.get(pk=order.pk).status == "shipped"
    assert AuditLog.objects.filter(action="shipment.shipped", actor=staff_client.staff).count() == 2


def test_bulk_mark_shipped_is_all_or_nothing(staff_client):
    provider = make_provider()
    fresh = shipment_create(order=paid_order(), provider=provider)
    gone = shipment_create(order=paid_order(email="x@example.com"), provider=provider)
    tracking_event_add(shipment=gone, kind="delivered")
    notifications_before = Notification.objects.count()

    response = _mark_shipped(staff_client, [fresh, gone])

    text = " ".join(_messages(response))
    assert "Nothing was changed" in text and f"Shipment {gone.pk} is delivered" in text
    fresh.refresh_from_db()
    assert fresh.status == "pending" and fresh.shipped_at is None
    assert not TrackingEvent.objects.filter(shipment=fresh).exists()
    assert Notification.objects.count() == notifications_before
    assert Order.objects.get(pk=fresh.order_id).status == "paid"


# --- Permissions --------------------------------------------------------------------------
def test_staff_without_shipping_permissions_get_403(client):
    shipment = shipment_create(order=paid_order(), provider=make_provider())
    client.force_login(_staff_with("view_order"))

    assert client.get(SHIPMENTS).status_code == 403
    assert client.get(_change_url(shipment)).status_code == 403
    assert client.get(PROVIDERS).status_code == 403
    assert client.post(_event_url(shipment), {"kind": "shipped"}).status_code == 403
    assert not TrackingEvent.objects.exists()


def test_staff_who_may_only_view_shipments_cannot_track_them(client):
    shipment = shipment_create(order=paid_order(), provider=make_provider())
    client.force_login(_staff_with("view_shipment"))

    page = client.get(_change_url(shipment))
    assert page.status_code == 200 and "Add tracking event" not in page.content.decode()
    assert client.post(_event_url(shipment), {"kind": "shipped"}).status_code == 403
    response = client.post(
        SHIPMENTS, {"action": "mark_shipped", "_selected_action": [shipment.pk]}, follow=True
    )
    assert response.status_code == 200
    shipment.refresh_from_db()
    assert shipment.status == "pending"
    assert not TrackingEvent.objects.exists()
