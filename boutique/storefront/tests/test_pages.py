import pytest
from django.urls import reverse

from boutique.accounts.tests.factories import AddressFactory, ChildFactory, UserFactory
from boutique.storefront.helpers import LOGIN_BACKEND

PUBLIC_PAGES = [
    "home",
    "register",
    "signin",
    "signin_code",
    "password_reset",
    "password_reset_done",
    "password_reset_complete",
]
ACCOUNT_PAGES = [
    "profile",
    "password_change",
    "verify_phone",
    "addresses",
    "address_create",
    "children",
    "child_create",
]


@pytest.fixture
def customer(client, db):
    customer = UserFactory(phone="+9613123456")
    client.force_login(customer, backend=LOGIN_BACKEND)
    return customer


@pytest.mark.django_db
@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_public_page_renders_for_anonymous_visitor(client, name):
    response = client.get(reverse(f"storefront:{name}"))
    assert response.status_code == 200
    assert b"<main" in response.content


@pytest.mark.django_db
@pytest.mark.parametrize("name", ACCOUNT_PAGES)
def test_account_page_renders_for_signed_in_customer(client, customer, name):
    response = client.get(reverse(f"storefront:{name}"))
    assert response.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("name", ACCOUNT_PAGES)
def test_account_page_redirects_anonymous_visitor_to_signin(client, name):
    url = reverse(f"storefront:{name}")
    response = client.get(url)
    assert response.status_code == 302
    assert response.url == f"{reverse('storefront:signin')}?next={url}"


@pytest.mark.django_db
def test_edit_pages_render_for_the_owner(client, customer):
    address = AddressFactory(user=customer)
    child = ChildFactory(user=customer)
    assert client.get(reverse("storefront:address_update", args=[address.pk])).status_code == 200
    assert client.get(reverse("storefront:child_update", args=[child.pk])).status_code == 200


@pytest.mark.django_db
def test_edit_pages_redirect_anonymous_visitor_to_signin(client):
    address = AddressFactory()
    child = ChildFactory()
    for url in (
        reverse("storefront:address_update", args=[address.pk]),
        reverse("storefront:child_update", args=[child.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("storefront:signin"))


@pytest.mark.django_db
def test_base_layout_loads_htmx_and_sends_csrf_header(client):
    body = client.get(reverse("storefront:home")).content.decode()
    assert "/static/vendor/htmx.min.js" in body
    assert "/static/css/boutique.css" in body
    assert 'hx-headers=\'{"X-CSRFToken": "' in body


@pytest.mark.django_db
def test_nav_offers_signout_form_to_signed_in_customer(client, customer):
    body = client.get(reverse("storefront:home")).content.decode()
    assert f'action="{reverse("storefront:signout")}"' in body
    assert reverse("storefront:register") not in body


@pytest.mark.django_db
def test_home_shows_shop_by_age_strip(client, settings):
    settings.SHOP_NAME = "Calisto Baby Boutique"
    body = client.get(reverse("storefront:home")).content.decode()
    assert "Calisto Baby Boutique" in body
    assert "Shop by age" in body
    # Without shop-defined bands the default entries lead to the age filter.
    assert f"{reverse('storefront:product_list')}?age=1" in body
    assert "5 y+" in body
