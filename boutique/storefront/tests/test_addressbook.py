import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from boutique.accounts.models import Address
from boutique.accounts.tests.factories import AddressFactory

from .conftest import HTMX

LIST = reverse("storefront:addresses")
CREATE = reverse("storefront:address_create")


def address_data(**overrides):
    data = {
        "type": "shipping",
        "full_name": "Rima Khoury",
        "phone": "03 123 456",
        "line1": "12 Rue Gouraud",
        "line2": "Floor 3",
        "city": "Beirut",
        "state": "",
        "postal_code": "1107",
        "country": "lb",
    }
    return {**data, **overrides}


def edit_url(address):
    return reverse("storefront:address_update", args=[address.pk])


def delete_url(address):
    return reverse("storefront:address_delete", args=[address.pk])


def default_url(address):
    return reverse("storefront:address_make_default", args=[address.pk])


@pytest.mark.django_db
def test_address_create_adds_it_and_the_first_becomes_default(signed_in, user):
    response = signed_in.post(CREATE, address_data())
    address = Address.objects.get(user=user)
    assert response.status_code == 302
    assert response.url == LIST
    assert address.is_default
    assert (address.country, address.phone) == ("LB", "+9613123456")


@pytest.mark.django_db
def test_address_create_with_a_bad_country_shows_the_error(signed_in, user):
    response = signed_in.post(CREATE, address_data(country="L1"))
    assert response.status_code == 422
    assert "Use a two-letter country code" in response.content.decode()
    assert not Address.objects.exists()


@pytest.mark.django_db
def test_address_create_with_a_bad_phone_shows_the_services_error(signed_in, user):
    response = signed_in.post(CREATE, address_data(phone="12"))
    assert response.status_code == 422
    assert "Enter a valid phone number" in response.content.decode()
    assert not Address.objects.exists()


@pytest.mark.django_db
def test_address_list_shows_the_customers_addresses_only(signed_in, user):
    mine = AddressFactory(user=user, line1="1 Mine Street")
    AddressFactory(line1="2 Theirs Street")
    body = signed_in.get(LIST).content.decode()
    assert mine.line1 in body
    assert "2 Theirs Street" not in body


@pytest.mark.django_db
def test_address_update_changes_the_fields(signed_in, user):
    address = AddressFactory(user=user, is_default=True)
    response = signed_in.post(edit_url(address), address_data(city="Jounieh", is_default="on"))
    address.refresh_from_db()
    assert response.status_code == 302
    assert address.city == "Jounieh"


@pytest.mark.django_db
def test_make_default_switches_the_default_of_that_type(signed_in, user):
    first = AddressFactory(user=user, is_default=True)
    second = AddressFactory(user=user)
    billing = AddressFactory(user=user, type="billing", is_default=True)
    response = signed_in.post(default_url(second))
    first.refresh_from_db()
    second.refresh_from_db()
    billing.refresh_from_db()
    assert response.status_code == 302
    assert (first.is_default, second.is_default, billing.is_default) == (False, True, True)


@pytest.mark.django_db
def test_make_default_over_htmx_returns_the_refreshed_list(signed_in, user):
    AddressFactory(user=user, is_default=True)
    second = AddressFactory(user=user)
    response = signed_in.post(default_url(second), headers=HTMX)
    body = response.content.decode()
    assert response.status_code == 200
    assert body.startswith('<div id="address-list"')
    assert f'action="{default_url(second)}"' not in body


@pytest.mark.django_db
def test_address_delete_removes_it_and_redirects(signed_in, user):
    address = AddressFactory(user=user)
    response = signed_in.post(delete_url(address))
    assert response.status_code == 302
    assert response.url == LIST
    assert not Address.objects.filter(pk=address.pk).exists()


@pytest.mark.django_db
def test_deleting_the_default_makes_another_address_default(signed_in, user):
    default = AddressFactory(user=user, is_default=True)
    other = AddressFactory(user=user)
    signed_in.post(delete_url(default))
    other.refresh_from_db()
    assert other.is_default


@pytest.mark.django_db
def test_address_delete_over_htmx_returns_the_list_without_the_row(signed_in, user):
    kept = AddressFactory(user=user)
    gone = AddressFactory(user=user)
    response = signed_in.post(delete_url(gone), headers=HTMX)
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert f'id="address-{kept.pk}"' in body
    assert f'id="address-{gone.pk}"' not in body
    assert 'hx-swap-oob="true"' in body
    assert "Address deleted." in body


@pytest.mark.django_db
def test_address_delete_requires_post(signed_in, user):
    address = AddressFactory(user=user)
    assert signed_in.get(delete_url(address)).status_code == 405
    assert Address.objects.filter(pk=address.pk).exists()


@pytest.mark.django_db
def test_editing_another_users_address_is_404(signed_in):
    theirs = AddressFactory(city="Tripoli")
    assert signed_in.get(edit_url(theirs)).status_code == 404
    assert signed_in.post(edit_url(theirs), address_data(city="Sidon")).status_code == 404
    theirs.refresh_from_db()
    assert theirs.city == "Tripoli"


@pytest.mark.django_db
def test_deleting_another_users_address_is_404_and_keeps_it(signed_in):
    theirs = AddressFactory()
    assert signed_in.post(delete_url(theirs)).status_code == 404
    assert signed_in.post(delete_url(theirs), headers=HTMX).status_code == 404
    assert Address.objects.filter(pk=theirs.pk).exists()


@pytest.mark.django_db
def test_making_another_users_address_default_is_404(signed_in):
    theirs = AddressFactory()
    assert signed_in.post(default_url(theirs)).status_code == 404
    theirs.refresh_from_db()
    assert not theirs.is_default


@pytest.mark.django_db
def test_address_list_query_count_does_not_grow_with_addresses(
    signed_in, user, django_assert_max_num_queries
):
    AddressFactory(user=user)
    with CaptureQueriesContext(connection) as with_one:
        assert signed_in.get(LIST).status_code == 200
    AddressFactory.create_batch(19, user=user)
    with django_assert_max_num_queries(len(with_one)):
        response = signed_in.get(LIST)
    assert response.content.decode().count('class="card address-card"') == 20
