"""Shipments from the order's page: a form listing each item with what is left
to ship, creating a parcel through `shipment_create` with the staff actor;
refusals (over-quantity, no carrier, bad input) are messages and change
nothing; the order's parcels are shown read-only; staff without the shipping
permission neither see the form nor may post it."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from boutique.accounts.models import Role
from boutique.accounts.tests.factories import StaffFactory, UserFactory
from boutique.audit.models import AuditLog
from boutique.shipping.models import Shipment, ShipmentItem
from boutique.shipping.services import shipment_create, tracking_event_add
from boutique.shipping.tests.factories import items_of, make_provider, paid_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    staff = StaffFactory(email="fulfil@example.com")
    client.force_login(staff)
    client.staff = staff
    return client


def _staff_with(*codenames):
    user = UserFactory(role=Role.ADMIN, is_superuser=False)
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return user


def _change_url(order):
    return reverse("admin:orders_order_change", args=[order.pk])


def _ship_url(order):
    return reverse("admin:orders_order_create_shipment", args=[order.pk])


def _messages(response):
    return " ".join(str(m) for m in response.context["messages"])


def test_order_page_lists_items_with_quantity_left_and_active_carriers(staff_client):
    order, provider = paid_order(quantities=(2, 1)), make_provider("Aramex")
    make_provider("Retired", is_active=False)
    bodysuit, hat = items_of(order)
    shipment_create(order=order, items=[(bodysuit.pk, 1)], provider=provider)

    page = staff_client.get(_change_url(order)).content.decode()

    assert _ship_url(order) in page
    assert f'name="qty_{bodysuit.pk}"' in page and 'max="1"' in page
    assert f'name="qty_{hat.pk}"' in page
    assert "Aramex" in page and "Retired" not in page
    assert reverse("admin:shipping_shipment_change", args=[Shipment.objects.get().pk]) in page


def test_create_a_partial_shipment_from_the_order_page(staff_client):
    order, provider = paid_order(quantities=(2, 1)), make_provider()
    bodysuit, hat = items_of(order)

    response = staff_client.post(
        _ship_url(order),
        {
            f"qty_{bodysuit.pk}": "1",
            f"qty_{hat.pk}": "0",
            "provider": str(provider.pk),
            "tracking_number": " AX-900 ",
            "estimated_delivery": "2030-01-15",
        },
        follow=True,
    )

    assert "created with Aramex: 1 unit(s)" in _messages(response)
    shipment = Shipment.objects.get(order=order)
    assert shipment.tracking_number == "AX-900"
    assert str(shipment.estimated_delivery) == "2030-01-15"
    assert shipment.created_by == staff_client.staff
    assert list(shipment.items.values_list("order_item_id", "quantity")) == [(bodysuit.pk, 1)]
    assert AuditLog.objects.filter(action="shipment.created", actor=staff_client.staff).exists()
    # The page now offers what is left: one bodysuit and the hat, and lists the parcel.
    page = response.content.decode()
    assert "AX-900" in page
    assert f'id="id_ship_{bodysuit.pk}" min="0" max="1" value="1"' in page
    assert f'id="id_ship_{hat.pk}" min="0" max="1" value="1"' in page


def test_over_quantity_is_refused_and_nothing_changes(staff_client):
    order, provider = paid_order(quantities=(2, 1)), make_provider()
    bodysuit, hat = items_of(order)

    response = staff_client.post(
        _ship_url(order),
        {f"qty_{bodysuit.pk}": "3", f"qty_{hat.pk}": "1", "provider": str(provider.pk)},
        follow=True,
    )

    text = _messages(response)
    assert "Nothing was changed" in text and "More than is left to ship" in text
    assert not Shipment.objects.exists() and not ShipmentItem.objects.exists()
    assert not AuditLog.objects.filter(action="shipment.created").exists()


@pytest.mark.parametrize(
    "bad",
    [
        {"qty_ITEM": "two"},
        {"qty_ITEM": "1", "provider": "nope"},
        {"qty_ITEM": "1", "provider": "INACTIVE"},
        {"qty_ITEM": "1", "estimated_delivery": "next tuesday"},
        {"qty_ITEM": "0"},
        {"qty_ITEM": "-1"},
        {"qty_999999": "1"},
    ],
)
def test_bad_input_is_a_message_and_changes_nothing(staff_client, bad):
    order, provider = paid_order(quantities=(2,)), make_provider()
    inactive = make_provider("Old", is_active=False)
    (item,) = items_of(order)
    form = {"provider": str(provider.pk)}
    for key, value in bad.items():
        value = value.replace("INACTIVE", str(inactive.pk))
        form[key.replace("ITEM", str(item.pk))] = value

    response = staff_client.post(_ship_url(order), form, follow=True)

    assert response.status_code == 200
    assert "Nothing was changed" in _messages(response)
    assert not Shipment.objects.exists()


def test_an_order_that_cannot_ship_gets_no_form_and_a_refusal(staff_client):
    order, provider = paid_order(), make_provider()
    shipment_create(order=order, provider=provider)
    tracking_event_add(shipment=Shipment.objects.get(), kind="shipped")  # order now shipped
    assert "Create shipment" not in staff_client.get(_change_url(order)).content.decode()
    (item, _) = items_of(order)
    response = staff_client.post(
        _ship_url(order), {f"qty_{item.pk}": "1", "provider": str(provider.pk)}, follow=True
    )
    assert "Nothing was changed" in _messages(response)
    assert Shipment.objects.count() == 1


def test_order_page_query_count_does_not_grow_with_shipments(
    staff_client, django_assert_max_num_queries
):
    order, provider = paid_order(quantities=(3, 3)), make_provider()
    first, second = items_of(order)

    def run():
        with django_assert_max_num_queries(40) as queries:
            assert staff_client.get(_change_url(order)).status_code == 200
        return len(queries)

    shipment_create(order=order, items=[(first.pk, 1)], provider=provider)
    few = run()
    for _ in range(2):
        shipment_create(order=order, items=[(first.pk, 1), (second.pk, 1)], provider=provider)
    assert run() == few


def test_staff_without_the_shipping_permission_cannot_create_shipments(client):
    order, provider = paid_order(), make_provider()
    client.force_login(_staff_with("view_order", "change_order"))
    (item, _) = items_of(order)

    page = client.get(_change_url(order))
    assert page.status_code == 200 and _ship_url(order) not in page.content.decode()
    response = client.post(_ship_url(order), {f"qty_{item.pk}": "1", "provider": str(provider.pk)})
    assert response.status_code == 403
    assert not Shipment.objects.exists()
