"""Helpers for the checkout and orders API tests: carts filled through the cart
API, checkout bodies, reference data rows (shipping, tax, exchange rate)."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from boutique.accounts.services import token_issue
from boutique.catalog.tests.factories import make_product
from boutique.inventory.models import Reservation, Stock
from boutique.orders.models import ExchangeRate, ShippingMethod, TaxRate

ITEMS = "/api/v1/cart/items"
QUOTE = "/api/v1/checkout/quote"
ORDERS = "/api/v1/orders"
METHODS = "/api/v1/shipping-methods"
PROBLEM = "application/problem+json"
MONEY = ("subtotal", "discount", "shipping", "tax", "total")

HOME = {
    "full_name": "Rania Haddad",
    "phone": "+96170123456",
    "line1": "Hamra St 12",
    "line2": "",
    "city": "Beirut",
    "state": "",
    "postal_code": "1103",
    "country": "LB",
}


def variant(price="12.00", stock=10, name="Organic cotton bodysuit"):
    return make_product(name, price=price, stock=stock).variants.get()


def courier(**fields) -> ShippingMethod:
    values = {
        "name": "Beirut courier",
        "provider": "Toters",
        "price": Decimal("4.00"),
        "countries": "LB",
        "eta_min_days": 1,
        "eta_max_days": 2,
    }
    values.update(fields)
    return ShippingMethod.objects.create(**values)


def lebanon_vat(rate="0.11", on_shipping=True) -> TaxRate:
    return TaxRate.objects.create(
        country="LB", name="VAT", rate=Decimal(rate), applies_to_shipping=on_shipping
    )


def lbp_rate(rate="89500") -> ExchangeRate:
    return ExchangeRate.objects.create(
        currency="LBP", rate=Decimal(rate), effective_from=timezone.now() - timedelta(days=1)
    )


def bearer(user) -> dict:
    secret, _ = token_issue(user=user)
    return {"Authorization": f"Bearer {secret}"}


def post(client, url, body=None, headers=None):
    return client.post(url, body or {}, content_type="application/json", headers=headers or {})


def add_to_cart(client, item, quantity=1, headers=None) -> dict:
    """Add through the cart API; returns the headers naming the caller's cart
    (a guest's new X-Cart-Token, or the headers given)."""
    response = post(client, ITEMS, {"variant_id": item.pk, "quantity": quantity}, headers)
    assert response.status_code == 201, response.content
    headers = dict(headers or {})
    token = response.json()["token"]
    if token and "Authorization" not in headers:
        headers["X-Cart-Token"] = token
    return headers


def body(method=None, **overrides) -> dict:
    data = {
        "email": "rania@example.com",
        "shipping_address": HOME,
        "shipping_method": method.pk if method is not None else None,
        "currency": "USD",
        "payment_method": "cod",
    }
    data.update(overrides)
    return data


def ok(response, status=200) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def problem(response, status, code) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    data = response.json()
    assert (data["status"], data["code"]) == (status, code)
    assert data["detail"]
    return data


def inventory_state(item) -> tuple:
    """Everything placing an order could change about a variant's stock."""
    stock = Stock.objects.get(variant=item)
    holds = sorted(
        Reservation.objects.filter(variant=item).values_list(
            "id", "holder_type", "holder_id", "quantity", "state"
        )
    )
    return stock.on_hand, holds
