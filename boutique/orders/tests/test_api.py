"""The orders API: placing from the caller's cart (guest token or bearer user),
idempotent replays, out of stock with nothing written, reading and cancelling
one's own orders (guests by number + email), foreign orders as 404."""

from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from boutique.accounts.tests.factories import UserFactory
from boutique.cart.models import Cart, CartStatus
from boutique.checkout.tests.api_support import (
    MONEY,
    ORDERS,
    QUOTE,
    add_to_cart,
    bearer,
    body,
    courier,
    inventory_state,
    ok,
    post,
    problem,
    variant,
)
from boutique.inventory.selectors import available
from boutique.inventory.services import stock_adjust
from boutique.notifications.models import Notification
from boutique.orders.models import Order, OrderNumberCounter, OrderStatus
from boutique.orders.services import order_transition
from boutique.promotions.models import Coupon, CouponRedemption
from boutique.promotions.services import coupon_create

pytestmark = pytest.mark.django_db

EMAIL = "rania@example.com"


def _detail(client, number, headers=None, **params):
    return client.get(f"{ORDERS}/{number}", params, headers=headers or {})


def _cancel(client, number, headers=None, **params):
    query = f"?{urlencode(params)}" if params else ""
    return client.post(f"{ORDERS}/{number}/cancel{query}", headers=headers or {})


def _place_as(client, user_headers, item, quantity=1, method=None, **overrides) -> dict:
    headers = add_to_cart(client, item, quantity, user_headers)
    return ok(post(client, ORDERS, body(method, email="", **overrides), headers), 201)


@pytest.fixture
def method(db):
    return courier()


@pytest.fixture
def user(db):
    return UserFactory(email="rania@example.com")


# --- A guest from cart to cancelled order ------------------------------------------------


def test_guest_checks_out_with_a_cart_token_looks_the_order_up_and_cancels_it(client, method):
    item = variant(price="12.00", stock=10)
    headers = add_to_cart(client, item, 2)

    quote = ok(post(client, QUOTE, body(method), headers))
    assert available(item) == 8  # held for the checkout
    placed = ok(post(client, ORDERS, body(method), headers), 201)

    assert placed["number"].startswith("BQ-")
    assert (placed["status"], placed["payment_status"]) == ("pending", "pending")
    assert placed["total"] == quote["total"]
    assert placed["items"] == [
        {
            "sku": item.sku,
            "product_name": "Organic cotton bodysuit",
            "options": "",
            "unit_price": "12.00",
            "quantity": 2,
            "line_total": "24.00",
        }
    ]
    assert placed["shipping_address"]["line1"] == "Hamra St 12"
    assert placed["billing_address"] == placed["shipping_address"]
    assert placed["pay_by"] is not None
    assert available(item) == 8  # the hold moved from the cart to the order
    cart = Cart.objects.get(token=headers["X-Cart-Token"])
    assert cart.status == CartStatus.CONVERTED
    assert Notification.objects.filter(recipient=EMAIL).count() == 1

    found = ok(_detail(client, placed["number"].lower(), email="RANIA@example.com"))
    assert found == placed

    cancelled = ok(_cancel(client, placed["number"], email=EMAIL))
    assert cancelled["status"] == "cancelled"
    assert Order.objects.get(number=placed["number"]).status == OrderStatus.CANCELLED
    assert available(item) == 10


def test_placing_from_an_empty_cart_is_409(client, method):
    problem(post(client, ORDERS, body(method)), 409, "cart_empty")
    assert not Order.objects.exists()


def test_placing_without_a_shipping_method_is_400(client):
    headers = add_to_cart(client, variant(), 1)

    data = problem(post(client, ORDERS, body(None), headers), 400, "checkout_invalid")

    assert "shipping_method" in data["errors"]
    assert not Order.objects.exists()


# --- Signed-in customers ----------------------------------------------------------------


def test_bearer_customer_places_orders_and_reads_their_history(client, user, method):
    me = bearer(user)
    first = _place_as(client, me, variant(price="10.00"), 1, method)
    second = _place_as(client, me, variant(price="20.00"), 2, method, note="Ring twice")

    page = ok(client.get(ORDERS, headers=me))
    detail = ok(_detail(client, first["number"], me))

    assert page["count"] == 2 and page["num_pages"] == 1
    assert (page["next"], page["previous"]) == (None, None)
    assert [o["number"] for o in page["results"]] == [second["number"], first["number"]]
    assert page["results"][0]["total"] == second["total"]
    assert "items" not in page["results"][0]
    assert detail == first
    stored = Order.objects.get(number=first["number"])
    assert (stored.user, stored.email) == (user, "rania@example.com")


def test_order_history_is_for_signed_in_customers_only(client):
    problem(client.get(ORDERS), 401, "not_authenticated")


def test_order_history_pages(client, user, method):
    me = bearer(user)
    numbers = [_place_as(client, me, variant(), 1, method)["number"] for _ in range(3)]

    second = ok(client.get(ORDERS, {"page": "2", "page_size": "2"}, headers=me))
    beyond = ok(client.get(ORDERS, {"page": "9", "page_size": "2"}, headers=me))

    assert [o["number"] for o in second["results"]] == [numbers[0]]
    assert (second["count"], second["num_pages"], second["next"], second["previous"]) == (
        3,
        2,
        None,
        1,
    )
    assert beyond["results"] == []
    for bad in ({"page": "0"}, {"page": "x"}, {"page_size": "101"}, {"page_size": "-1"}):
        data = problem(client.get(ORDERS, bad, headers=me), 400, "order_query_invalid")
        assert set(data["errors"]) == set(bad)


def test_order_history_takes_the_same_queries_for_one_order_or_ten(
    client, user, method, django_assert_max_num_queries
):
    me = bearer(user)
    item = variant(stock=100)
    _place_as(client, me, item, 1, method)
    with CaptureQueriesContext(connection) as one:
        assert ok(client.get(ORDERS, headers=me))["count"] == 1
    baseline = len(one.captured_queries)  # read now: later requests reset the log
    for _ in range(9):
        _place_as(client, me, item, 1, method)

    with django_assert_max_num_queries(baseline):
        assert len(ok(client.get(ORDERS, headers=me))["results"]) == 10
    with django_assert_max_num_queries(6):
        ok(client.get(ORDERS, headers=me))


def test_order_detail_takes_a_fixed_number_of_queries(
    client, user, method, django_assert_max_num_queries
):
    me = bearer(user)
    headers = add_to_cart(client, variant(), 1, me)
    for _ in range(4):
        headers = add_to_cart(client, variant(), 2, headers)
    number = ok(post(client, ORDERS, body(method, email=""), headers), 201)["number"]

    with django_assert_max_num_queries(7):
        assert len(ok(_detail(client, number, me))["items"]) == 5


# --- Idempotency ----------------------------------------------------------------------


def test_the_same_idempotency_key_twice_answers_the_same_order(client, method):
    item = variant(stock=5)
    headers = add_to_cart(client, item, 2)
    keyed = {**headers, "Idempotency-Key": "checkout-7f3a"}

    first = post(client, ORDERS, body(method), keyed)
    again = post(client, ORDERS, body(method), keyed)

    assert first.status_code == 201 and "Idempotent-Replayed" not in first
    assert again.status_code == 200, again.content
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert Order.objects.count() == 1
    assert available(item) == 3


def test_an_idempotency_key_reused_with_another_body_is_409(client, method):
    headers = add_to_cart(client, variant(), 1)
    keyed = {**headers, "Idempotency-Key": "checkout-7f3a"}
    ok(post(client, ORDERS, body(method), keyed), 201)

    problem(
        post(client, ORDERS, body(method, email="other@example.com"), keyed),
        409,
        "idempotency_key_reused",
    )
    assert Order.objects.count() == 1


@pytest.mark.parametrize("key", ["k" * 101, "clé-unique", "tab\tkey"])
def test_a_malformed_idempotency_key_is_400(client, method, key):
    headers = add_to_cart(client, variant(), 1)

    data = problem(
        post(client, ORDERS, body(method), {**headers, "Idempotency-Key": key}),
        400,
        "checkout_invalid",
    )

    assert "idempotency_key" in data["errors"]
    assert not Order.objects.exists()


# --- Out of stock: 409 naming the SKU, nothing written ------------------------------------


def test_out_of_stock_is_409_naming_the_sku_and_writes_nothing(client, method):
    plenty = variant(price="10.00", stock=10, name="Knit beanie")
    scarce = variant(price="10.00", stock=3, name="Muslin swaddle")
    coupon_create(code="TEN", kind="percentage", value=Decimal("10"))
    headers = add_to_cart(client, plenty, 1)
    headers = add_to_cart(client, scarce, 3, headers)
    stock_adjust(variant=scarce, quantity=-2, reason="two damaged")
    before = (inventory_state(plenty), inventory_state(scarce))
    counters = list(OrderNumberCounter.objects.values_list("year", "last"))

    data = problem(post(client, ORDERS, body(method, coupon="ten"), headers), 409, "out_of_stock")

    assert scarce.sku in data["detail"]
    assert plenty.sku not in data["detail"]
    assert not Order.objects.exists()
    assert not CouponRedemption.objects.exists()
    assert Coupon.objects.get(code="TEN").times_used == 0
    assert (inventory_state(plenty), inventory_state(scarce)) == before
    assert list(OrderNumberCounter.objects.values_list("year", "last")) == counters
    assert Cart.objects.get(token=headers["X-Cart-Token"]).status == CartStatus.OPEN
    assert not Notification.objects.exists()


# --- Foreign orders are 404 -----------------------------------------------------------


def test_another_customers_order_is_404_and_cannot_be_cancelled(client, user, method):
    number = _place_as(client, bearer(user), variant(), 1, method)["number"]
    other = bearer(UserFactory())

    problem(_detail(client, number, other), 404, "order_not_found")
    problem(_detail(client, number, other, email="rania@example.com"), 404, "order_not_found")
    problem(_cancel(client, number, other), 404, "order_not_found")
    assert Order.objects.get(number=number).status == OrderStatus.PENDING


@pytest.mark.parametrize(
    "params",
    [{"email": "someone@example.com"}, {}, {"email": "rania@example.com\x00"}],
)
def test_a_guest_without_the_right_email_gets_404(client, method, params):
    headers = add_to_cart(client, variant(), 1)
    number = ok(post(client, ORDERS, body(method), headers), 201)["number"]

    problem(client.get(f"{ORDERS}/{number}", params), 404, "order_not_found")
    problem(_cancel(client, number, **params), 404, "order_not_found")
    assert Order.objects.get(number=number).status == OrderStatus.PENDING


@pytest.mark.parametrize("number", ["BQ-2026-999999", "BQ\x00", "B" * 41])
def test_an_unknown_order_number_is_404(client, user, number):
    problem(_detail(client, number, bearer(user)), 404, "order_not_found")
    problem(_detail(client, number, email=EMAIL), 404, "order_not_found")


# --- Cancelling ------------------------------------------------------------------------


def test_cancelling_twice_is_409_the_second_time(client, user, method):
    me = bearer(user)
    item = variant(stock=4)
    number = _place_as(client, me, item, 2, method)["number"]

    ok(_cancel(client, number, me))
    data = problem(_cancel(client, number, me), 409, "illegal_transition")

    assert "cancelled" in data["detail"]
    assert available(item) == 4


def test_a_shipped_order_cannot_be_cancelled(client, user, method):
    me = bearer(user)
    item = variant(stock=4)
    number = _place_as(client, me, item, 1, method)["number"]
    Order.objects.filter(number=number).update(cod_confirmed_at=timezone.now())
    order = Order.objects.get(number=number)
    order_transition(order=order, target=OrderStatus.PROCESSING)
    order_transition(order=order, target=OrderStatus.SHIPPED)

    problem(_cancel(client, number, me), 409, "illegal_transition")

    assert Order.objects.get(number=number).status == OrderStatus.SHIPPED
    assert ok(_detail(client, number, me))["status"] == "shipped"
    assert available(item) == 3


def test_an_order_whose_amounts_are_not_binary_fractions_is_placed(client, method):
    coupon_create(code="TEN", kind="percentage", value=Decimal("10"))
    headers = add_to_cart(client, variant(price="12.00"), 1)
    headers = add_to_cart(client, variant(price="12.00"), 3, headers)

    placed = ok(post(client, ORDERS, body(method, coupon="TEN"), headers), 201)

    assert [placed[name] for name in MONEY] == ["48.00", "4.80", "4.00", "2.59", "49.79"]


def test_order_amounts_add_up_in_the_response(client, user, method):
    placed = _place_as(client, bearer(user), variant(price="19.99"), 3, method)

    amounts = [Decimal(placed[name]) for name in MONEY]
    assert amounts[4] == amounts[0] - amounts[1] + amounts[2] + amounts[3]
    assert placed["totals_in_usd"]["total"] == placed["total"]
    assert Decimal(placed["exchange_rate"]) == 1
