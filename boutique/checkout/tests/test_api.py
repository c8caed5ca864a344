"""The checkout API: shipping methods by country, the quote (priced as the order
will be, items held while the customer checks out), refusals as problem+json
with nothing held or written."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from boutique.cart.models import Cart
from boutique.inventory.models import HolderType, Reservation, ReservationState
from boutique.inventory.selectors import available
from boutique.orders.models import ExchangeRate, Order
from boutique.promotions.services import coupon_create

from .api_support import (
    MONEY,
    ORDERS,
    QUOTE,
    add_to_cart,
    body,
    courier,
    lbp_rate,
    lebanon_vat,
    ok,
    post,
    problem,
    variant,
)

pytestmark = pytest.mark.django_db

METHODS = "/api/v1/shipping-methods"


# --- Shipping methods ----------------------------------------------------------------


def test_shipping_methods_for_a_country_are_the_active_ones_serving_it(client):
    beirut = courier(position=1)
    world = courier(name="DHL Express", countries="", price=Decimal("25.00"), position=2)
    courier(name="La Poste", countries="FR, BE", position=3)
    courier(name="Retired", countries="LB", is_active=False)

    lebanon = ok(client.get(METHODS, {"country": "lb"}))
    everyone = ok(client.get(METHODS))

    assert [m["name"] for m in lebanon] == ["Beirut courier", "DHL Express"]
    assert [m["name"] for m in everyone] == ["Beirut courier", "DHL Express", "La Poste"]
    assert lebanon[0] == {
        "id": beirut.pk,
        "name": "Beirut courier",
        "provider": "Toters",
        "price": "4.00",
        "currency": "USD",
        "free_over": None,
        "countries": ["LB"],
        "eta_min_days": 1,
        "eta_max_days": 2,
    }
    assert lebanon[1]["id"] == world.pk and lebanon[1]["countries"] == []


@pytest.mark.parametrize("country", ["Lebanon", "L", "1B", "ÉÉ", "L\x00"])
def test_a_bad_country_code_is_400(client, country):
    courier()

    data = problem(client.get(METHODS, {"country": country}), 400, "checkout_invalid")

    assert "country" in data["errors"]


# --- The quote -----------------------------------------------------------------------


def test_quote_prices_the_guest_cart_and_holds_its_items(client):
    item = variant(price="12.00", stock=10)
    method = courier()
    lebanon_vat("0.11", on_shipping=True)
    headers = add_to_cart(client, item, 2)
    before = timezone.now()

    quote = ok(post(client, QUOTE, body(method), headers))

    assert quote["currency"] == "USD"
    assert Decimal(quote["rate"]) == 1
    assert quote["lines"] == [
        {
            "sku": item.sku,
            "name": "Organic cotton bodysuit",
            "options": "",
            "quantity": 2,
            "unit_price": "12.00",
            "line_total": "24.00",
        }
    ]
    # 24.00 + 4.00 shipping, VAT 11 % on both: 3.08.
    assert [quote[name] for name in MONEY] == ["24.00", "0.00", "4.00", "3.08", "31.08"]
    assert quote["totals_in_usd"]["total"] == "31.08"
    assert quote["coupon"] is None
    assert quote["shipping_method"] == {
        "id": method.pk,
        "name": "Beirut courier",
        "eta": "1–2 days",
    }
    assert Decimal(quote["tax_rate"]) == Decimal("0.11")
    assert quote["problems"] == []
    cart = Cart.objects.get(token=headers["X-Cart-Token"])
    hold = Reservation.objects.get(holder_type=HolderType.CART, holder_id=str(cart.pk))
    assert (hold.quantity, hold.state) == (2, ReservationState.ACTIVE)
    held_until = timezone.datetime.fromisoformat(quote["held_until"])
    assert before + timedelta(minutes=15) <= held_until + timedelta(seconds=1)
    assert held_until <= hold.expires_at
    assert available(item) == 8


def test_quoting_again_replaces_the_hold_instead_of_adding_one(client):
    item = variant(stock=10)
    headers = add_to_cart(client, item, 3)

    ok(post(client, QUOTE, body(courier()), headers))
    ok(post(client, QUOTE, body(), headers))

    active = Reservation.objects.filter(variant=item, state=ReservationState.ACTIVE)
    assert [r.quantity for r in active] == [3]
    assert available(item) == 7


def test_quoting_the_last_units_again_reports_no_problem(client):
    item = variant(stock=2)
    headers = add_to_cart(client, item, 2)
    ok(post(client, QUOTE, body(), headers))

    again = ok(post(client, QUOTE, body(), headers))

    assert again["held_until"] is not None
    assert again["problems"] == []


def test_quote_without_a_method_charges_no_shipping_and_uses_the_default_tax(client):
    headers = add_to_cart(client, variant(price="10.00"), 1)

    quote = ok(post(client, QUOTE, body(), headers))

    assert [quote[name] for name in MONEY] == ["10.00", "0.00", "0.00", "0.60", "10.60"]
    assert quote["shipping_method"] is None


def test_quote_with_a_coupon_names_it_and_discounts_before_tax(client):
    method = courier()
    lebanon_vat("0.11", on_shipping=True)
    coupon_create(code="spring10", kind="percentage", value=Decimal("10"))
    headers = add_to_cart(client, variant(price="12.00"), 2)

    quote = ok(post(client, QUOTE, body(method, coupon="Spring10"), headers))

    # 24.00 − 2.40 + 4.00 = 25.60; VAT 11 %: 2.816 → 2.82.
    assert [quote[name] for name in MONEY] == ["24.00", "2.40", "4.00", "2.82", "28.42"]
    assert quote["coupon"] == {"code": "SPRING10", "kind": "percentage"}


@pytest.mark.parametrize(
    ("coupon", "status", "code"),
    [
        ({"code": "OLD", "ends_at_days": -1}, 409, "coupon_expired"),
        ({"code": "BIG", "min_order_amount": Decimal("100")}, 409, "coupon_below_minimum"),
        ({"code": "OFF", "is_active": False}, 409, "coupon_disabled"),
        (None, 400, "coupon_unknown"),
    ],
)
def test_a_refused_coupon_answers_its_exact_reason_and_holds_nothing(client, coupon, status, code):
    if coupon is not None:
        fields = dict(coupon)
        days = fields.pop("ends_at_days", None)
        if days is not None:
            fields["starts_at"] = timezone.now() - timedelta(days=10)
            fields["ends_at"] = timezone.now() + timedelta(days=days)
        coupon_create(kind="percentage", value=Decimal("10"), **fields)
    headers = add_to_cart(client, variant(price="12.00"), 1)
    typed = coupon["code"] if coupon else "NOSUCH"

    data = problem(post(client, QUOTE, body(courier(), coupon=typed), headers), status, code)

    assert "coupon" in data["errors"]
    assert not Reservation.objects.exists()


def test_a_coupon_below_its_minimum_says_how_much_is_missing(client):
    coupon_create(code="BIG", kind="percentage", value=Decimal("10"), min_order_amount=50)
    headers = add_to_cart(client, variant(price="12.00"), 1)

    data = problem(post(client, QUOTE, body(coupon="big"), headers), 409, "coupon_below_minimum")

    assert "38.00" in data["detail"]


@pytest.mark.parametrize("currency", ["USD", "LBP"])
def test_quote_and_order_totals_are_identical_for_the_same_input(client, currency):
    lbp_rate("89500")
    lebanon_vat("0.11", on_shipping=True)
    method = courier(price=Decimal("3.50"))
    coupon_create(code="SAVE", kind="fixed", value=Decimal("5"))
    headers = add_to_cart(client, variant(price="12.35", name="Muslin swaddle"), 3)
    headers = add_to_cart(client, variant(price="7.99", name="Knit beanie"), 1, headers)
    request = body(method, coupon="save", currency=currency)

    quote = ok(post(client, QUOTE, request, headers))
    order = ok(post(client, ORDERS, request, headers), 201)

    assert [order[name] for name in MONEY] == [quote[name] for name in MONEY]
    assert order["totals_in_usd"] == quote["totals_in_usd"]
    assert Decimal(order["exchange_rate"]) == Decimal(quote["rate"])
    assert [
        (i["sku"], i["quantity"], i["unit_price"], i["line_total"]) for i in order["items"]
    ] == [(q["sku"], q["quantity"], q["unit_price"], q["line_total"]) for q in quote["lines"]]
    assert order["coupon_code"] == quote["coupon"]["code"] == "SAVE"
    assert order["shipping_method_name"] == quote["shipping_method"]["name"]
    assert Decimal(quote["discount"]) > 0 and Decimal(quote["tax"]) > 0
    amounts = [Decimal(quote[name]) for name in MONEY]
    assert amounts[4] == amounts[0] - amounts[1] + amounts[2] + amounts[3]


def test_an_lbp_quote_is_in_whole_pounds_and_the_order_keeps_its_rate(client):
    lbp_rate("89500")
    lebanon_vat("0.11", on_shipping=True)
    method = courier()
    headers = add_to_cart(client, variant(price="12.00"), 2)
    request = body(method, currency="lbp")

    quote = ok(post(client, QUOTE, request, headers))

    assert quote["currency"] == "LBP"
    assert Decimal(quote["rate"]) == Decimal("89500")
    # 12.00 × 89,500 = 1,074,000 a unit; shipping 4.00 = 358,000; VAT 11 % of 2,506,000.
    assert quote["lines"][0]["unit_price"] == "1074000"
    assert [quote[name] for name in MONEY] == ["2148000", "0", "358000", "275660", "2781660"]
    assert quote["totals_in_usd"] == {
        "subtotal": "24.00",
        "discount": "0.00",
        "shipping": "4.00",
        "tax": "3.08",
        "total": "31.08",
    }

    order = ok(post(client, ORDERS, request, headers), 201)
    ExchangeRate.objects.create(
        currency="LBP", rate=Decimal("100000"), effective_from=timezone.now()
    )
    again = ok(client.get(f"{ORDERS}/{order['number']}", {"email": "rania@example.com"}))

    stored = Order.objects.get(number=order["number"])
    assert (stored.currency, stored.exchange_rate) == ("LBP", Decimal("89500"))
    assert stored.total == Decimal("2781660")
    assert again["total"] == order["total"] == "2781660"
    assert Decimal(again["exchange_rate"]) == Decimal("89500")
    assert again["totals_in_usd"]["total"] == "31.08"


# --- Refusals: 4xx, nothing held, nothing written ---------------------------------------


def test_a_bad_address_is_400_with_field_errors_and_nothing_held(client):
    item = variant()
    headers = add_to_cart(client, item, 1)
    address = {"full_name": " ", "line1": "", "city": "Beirut", "country": "Lebanon"}

    for url in (QUOTE, ORDERS):
        response = post(client, url, body(courier(), shipping_address=address), headers)
        data = problem(response, 400, "checkout_invalid")
        assert {
            "shipping_address.full_name",
            "shipping_address.line1",
            "shipping_address.country",
        } <= set(data["errors"])
        assert "shipping_address.city" not in data["errors"]

    assert not Reservation.objects.exists()
    assert not Order.objects.exists()


def test_a_missing_address_and_email_are_field_errors(client):
    headers = add_to_cart(client, variant(), 1)

    data = problem(
        post(client, QUOTE, {"email": "", "shipping_method": None}, headers),
        400,
        "checkout_invalid",
    )

    assert {"email", "shipping_address"} <= set(data["errors"])


def test_an_unknown_shipping_method_is_400(client):
    headers = add_to_cart(client, variant(), 1)
    gone = courier(is_active=False)

    for url in (QUOTE, ORDERS):
        for method_id in (999_999, gone.pk):
            data = problem(
                post(client, url, body(shipping_method=method_id), headers), 400, "checkout_invalid"
            )
            assert "shipping_method" in data["errors"]
    assert not Reservation.objects.exists()
    assert not Order.objects.exists()


def test_a_method_not_serving_the_country_is_409(client):
    headers = add_to_cart(client, variant(), 1)
    france_only = courier(name="La Poste", countries="FR")

    for url in (QUOTE, ORDERS):
        data = problem(post(client, url, body(france_only), headers), 409, "shipping_not_available")
        assert "shipping_method" in data["errors"]
    assert not Reservation.objects.exists()
    assert not Order.objects.exists()


def test_a_currency_without_a_rate_is_400(client):
    headers = add_to_cart(client, variant(), 1)

    data = problem(post(client, QUOTE, body(currency="LBP"), headers), 400, "checkout_invalid")

    assert "currency" in data["errors"]


def test_a_malformed_body_is_422(client):
    headers = add_to_cart(client, variant(), 1)

    problem(post(client, QUOTE, body(shipping_method="fast"), headers), 422, "validation_error")
    problem(post(client, QUOTE, body(shipping_address="Beirut"), headers), 422, "validation_error")


def test_quoting_an_empty_cart_is_409(client):
    problem(post(client, QUOTE, body(courier())), 409, "cart_empty")
    problem(post(client, QUOTE, body(), {"X-Cart-Token": "not-a-token"}), 409, "cart_empty")


def test_a_bad_bearer_token_is_401_not_a_guest(client):
    response = post(client, QUOTE, body(), {"Authorization": "Bearer nope"})

    problem(response, 401, "not_authenticated")


def test_the_openapi_document_still_renders(client):
    spec = ok(client.get("/api/openapi.json"))

    paths = spec["paths"]
    assert "post" in paths["/api/v1/checkout/quote"]
    assert {"get", "post"} <= set(paths["/api/v1/orders"])
    assert "get" in paths["/api/v1/orders/{number}"]
    assert "post" in paths["/api/v1/orders/{number}/cancel"]
    assert "get" in paths["/api/v1/shipping-methods"]
    order_params = {p["name"] for p in paths["/api/v1/orders"]["post"]["parameters"]}
    assert {"Idempotency-Key", "X-Cart-Token"} <= order_params
