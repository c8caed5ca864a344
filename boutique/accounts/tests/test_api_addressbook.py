"""The JSON API contract for /api/v1/me/addresses and /api/v1/me/children."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from boutique.accounts.models import Address, Child

from .factories import AddressFactory, ChildFactory, UserFactory

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"
ADDRESS = {
    "full_name": "Ann Smith",
    "phone": "03 123 456",
    "line1": "Hamra Street 12",
    "city": "Beirut",
    "postal_code": "1107",
    "country": "lb",
}


def _post(client, url, body, **extra):
    return client.post(url, body, content_type="application/json", **extra)


def _patch(client, url, body, **extra):
    return client.patch(url, body, content_type="application/json", **extra)


def _problem(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    assert response.json()["status"] == status
    return response.json()


# --- addresses --------------------------------------------------------------


def test_address_create_is_201_and_first_is_default(client, user, bearer):
    response = _post(client, "/api/v1/me/addresses", ADDRESS, **bearer)
    assert response.status_code == 201, response.content
    body = response.json()
    address = Address.objects.get()
    assert body["id"] == address.pk
    assert (body["type"], body["phone"], body["country"], body["is_default"]) == (
        "shipping",
        "+9613123456",
        "LB",
        True,
    )
    assert address.user == user


def test_address_create_invalid_body_is_422_with_field_errors(client, user, bearer):
    body = _problem(
        _post(client, "/api/v1/me/addresses", {**ADDRESS, "country": "LBN", "city": ""}, **bearer),
        422,
    )
    assert set(body["errors"]) == {"country", "city"}
    assert not Address.objects.exists()


def test_address_create_invalid_phone_is_422(client, user, bearer):
    body = _problem(
        _post(client, "/api/v1/me/addresses", {**ADDRESS, "phone": "12"}, **bearer), 422
    )
    assert list(body["errors"]) == ["phone"]


def test_address_list_shows_only_own_addresses_default_first(client, user, bearer):
    AddressFactory(user=UserFactory())
    first = _post(client, "/api/v1/me/addresses", ADDRESS, **bearer).json()
    second = _post(client, "/api/v1/me/addresses", {**ADDRESS, "city": "Jounieh"}, **bearer).json()
    response = client.get("/api/v1/me/addresses", **bearer)
    assert response.status_code == 200
    assert [a["id"] for a in response.json()] == [first["id"], second["id"]]


def test_address_detail_patch_and_delete(client, user, bearer):
    address = AddressFactory(user=user, city="Beirut", is_default=True)
    url = f"/api/v1/me/addresses/{address.pk}"
    assert client.get(url, **bearer).json()["city"] == "Beirut"

    response = _patch(client, url, {"city": "Jounieh", "line2": "Floor 3"}, **bearer)
    assert response.status_code == 200, response.content
    assert (response.json()["city"], response.json()["line2"]) == ("Jounieh", "Floor 3")
    address.refresh_from_db()
    assert address.city == "Jounieh"

    assert client.delete(url, **bearer).status_code == 204
    assert not Address.objects.filter(pk=address.pk).exists()
    _problem(client.get(url, **bearer), 404)


def test_address_patch_default_switches_default(client, user, bearer):
    first = AddressFactory(user=user, is_default=True)
    second = AddressFactory(user=user)
    url = f"/api/v1/me/addresses/{second.pk}"
    assert _patch(client, url, {"is_default": True}, **bearer).json()["is_default"] is True
    first.refresh_from_db()
    assert first.is_default is False


def test_another_users_address_is_404_and_unchanged(client, user, bearer):
    address = AddressFactory(user=UserFactory(), city="Beirut", is_default=True)
    url = f"/api/v1/me/addresses/{address.pk}"
    assert _problem(client.get(url, **bearer), 404)["code"] == "not_found"
    _problem(_patch(client, url, {"city": "Tripoli"}, **bearer), 404)
    _problem(client.delete(url, **bearer), 404)
    address.refresh_from_db()
    assert (address.city, address.is_default) == ("Beirut", True)


def test_missing_address_is_404(client, user, bearer):
    _problem(client.get("/api/v1/me/addresses/999999", **bearer), 404)


def test_addresses_need_authentication(client, user):
    address = AddressFactory(user=user)
    _problem(client.get("/api/v1/me/addresses"), 401)
    _problem(_post(client, "/api/v1/me/addresses", ADDRESS), 401)
    _problem(client.delete(f"/api/v1/me/addresses/{address.pk}"), 401)
    assert Address.objects.filter(pk=address.pk).exists()


@pytest.mark.parametrize("rows", [1, 25])
def test_address_list_query_count_does_not_grow(
    client, user, bearer, django_assert_max_num_queries, rows
):
    AddressFactory.create_batch(rows, user=user, type="billing")
    with django_assert_max_num_queries(3):
        response = client.get("/api/v1/me/addresses", **bearer)
    assert len(response.json()) == rows


# --- children ---------------------------------------------------------------


def test_child_create_is_201_with_age(client, user, bearer):
    today = timezone.localdate()
    born = date(today.year - 2, today.month, 1)
    response = _post(
        client,
        "/api/v1/me/children",
        {"name": "Lea", "birth_date": born.isoformat(), "gender": "girl", "shoe_size": "22"},
        **bearer,
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["name"], body["age_months"], body["gender"]) == ("Lea", 24, "girl")
    assert Child.objects.get().user == user


def test_child_future_birth_date_is_422(client, user, bearer):
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    body = _problem(
        _post(client, "/api/v1/me/children", {"name": "Lea", "birth_date": tomorrow}, **bearer),
        422,
    )
    assert list(body["errors"]) == ["birth_date"]
    assert not Child.objects.exists()


def test_child_bad_date_is_422(client, user, bearer):
    body = _problem(
        _post(client, "/api/v1/me/children", {"name": "Lea", "birth_date": "soon"}, **bearer),
        422,
    )
    assert list(body["errors"]) == ["birth_date"]


def test_child_list_detail_patch_and_delete(client, user, bearer):
    ChildFactory(user=UserFactory())
    child = ChildFactory(user=user, name="Lea")
    assert [c["id"] for c in client.get("/api/v1/me/children", **bearer).json()] == [child.pk]
    url = f"/api/v1/me/children/{child.pk}"
    assert client.get(url, **bearer).json()["name"] == "Lea"
    response = _patch(client, url, {"name": "Léa", "clothing_size": "2T"}, **bearer)
    assert response.status_code == 200, response.content
    child.refresh_from_db()
    assert (child.name, child.clothing_size) == ("Léa", "2T")
    assert client.delete(url, **bearer).status_code == 204
    assert not Child.objects.filter(pk=child.pk).exists()


def test_another_users_child_is_404_and_unchanged(client, user, bearer):
    child = ChildFactory(user=UserFactory(), name="Lea")
    url = f"/api/v1/me/children/{child.pk}"
    _problem(client.get(url, **bearer), 404)
    _problem(_patch(client, url, {"name": "Mia"}, **bearer), 404)
    _problem(client.delete(url, **bearer), 404)
    child.refresh_from_db()
    assert child.name == "Lea"


@pytest.mark.parametrize("rows", [1, 25])
def test_child_list_query_count_does_not_grow(
    client, user, bearer, django_assert_max_num_queries, rows
):
    ChildFactory.create_batch(rows, user=user)
    # Token, its last use, the children and the size chart (for the suggested sizes).
    with django_assert_max_num_queries(4):
        response = client.get("/api/v1/me/children", **bearer)
    assert len(response.json()) == rows


@pytest.mark.parametrize("rows", [1, 25])
def test_address_list_with_session_query_count_does_not_grow(
    client, user, django_assert_max_num_queries, rows
):
    AddressFactory.create_batch(rows, user=user, type="billing")
    client.force_login(user)
    with django_assert_max_num_queries(3):
        response = client.get("/api/v1/me/addresses")
    assert len(response.json()) == rows
