from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from boutique.catalog.tests.factories import make_product
from boutique.orders.models import ExchangeRate
from boutique.orders.services import exchange_rate_set
from boutique.storefront.currency import SESSION_KEY

from .conftest import HTMX

pytestmark = pytest.mark.django_db
CHOOSE = reverse("storefront:currency_choose")


@pytest.fixture
def lbp(db):
    return ExchangeRate.objects.create(
        currency="LBP", rate=Decimal("89500"), effective_from=timezone.now() - timedelta(days=1)
    )


def test_prices_show_in_the_chosen_currency_everywhere(client, lbp):
    product = make_product("Knitted bunny", price="12.99", stock=3)
    variant = product.variants.get()
    response = client.post(CHOOSE, {"currency": "LBP", "next": "/shop/"})
    assert response.status_code == 302 and response["Location"] == "/shop/"
    assert client.session[SESSION_KEY] == "LBP"
    listing = client.get("/shop/").content.decode()
    assert "LBP 1,162,605" in listing and "$12.99" not in listing
    page = client.get(reverse("storefront:product", args=[product.slug])).content.decode()
    assert "LBP 1,162,605" in page
    client.post(reverse("storefront:cart_add"), {"variant_id": variant.pk, "quantity": "3"})
    cart = client.get(reverse("storefront:cart")).content.decode()
    # The line total is the converted unit price times the quantity, as checkout computes it.
    assert "LBP 3,487,815" in cart


def test_an_unknown_or_unrated_currency_is_refused(client, lbp):
    client.post(CHOOSE, {"currency": "EUR"})
    assert SESSION_KEY not in client.session
    client.post(CHOOSE, {"currency": "LBP"})
    ExchangeRate.objects.all().delete()
    make_product("Knitted bunny", price="12.99", stock=3)
    assert "$12.99" in client.get("/shop/").content.decode()


def test_switching_with_htmx_refreshes_the_page(client, lbp):
    response = client.post(CHOOSE, {"currency": "LBP"}, headers=HTMX)
    assert response.status_code == 200 and response["HX-Refresh"] == "true"


def test_the_switch_is_offered_only_when_there_is_a_rate(client):
    assert 'id="currency-choice"' not in client.get("/").content.decode()
    exchange_rate_set(currency="LBP", rate=Decimal("89500"))
    assert 'id="currency-choice"' in client.get("/").content.decode()
