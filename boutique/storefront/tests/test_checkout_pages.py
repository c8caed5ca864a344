"""Checkout on the storefront (cart → hold → one page → place → confirmation),
the account's order pages and the guest lookup."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from boutique.accounts.tests.factories import AddressFactory, UserFactory
from boutique.cart.models import Cart, CartStatus
from boutique.cart.services import cart_add
from boutique.catalog.tests.factories import make_product
from boutique.checkout.services import CheckoutInput, checkout_quote, order_place
from boutique.inventory.models import HolderType, Reservation, ReservationState
from boutique.inventory.services import stock_reserve
from boutique.orders.models import Order, OrderStatus, ShippingMethod, TaxRate
from boutique.orders.services import exchange_rate_set
from boutique.promotions.errors import CouponRefused
from boutique.promotions.services import coupon_create, coupon_find_for_checkout
from boutique.storefront.helpers import CART_SESSION_KEY, LOGIN_BACKEND

from .conftest import HTMX

pytestmark = pytest.mark.django_db

CART = reverse("storefront:cart")
ADD = reverse("storefront:cart_add")
START = reverse("storefront:checkout_start")
CHECKOUT = reverse("storefront:checkout")
LOOKUP = reverse("storefront:order_lookup")
HISTORY = reverse("storefront:orders")
ADDRESS = {
    "full_name": "Maya Haddad",
    "phone": "+9613123456",
    "line1": "12 Rue Gouraud",
    "line2": "Floor 3",
    "city": "Beirut",
    "state": "",
    "postal_code": "1107",
    "country": "LB",
}


# --- Helpers ------------------------------------------------------------------------------
def _variant(stock=10, price="12.00", name="Organic cotton bodysuit"):
    return make_product(name, stock=stock, price=price).variants.get()


def _method(name="Beirut courier", price="5.00", countries="LB", **fields):
    return ShippingMethod.objects.create(
        name=name, price=Decimal(price), countries=countries, **fields
    )


def _add(client, variant, quantity=1):
    response = client.post(ADD, {"variant_id": variant.pk, "quantity": str(quantity)})
    assert response.status_code == 302


def _token(html: str) -> str:
    return re.search(r'name="token" value="([^"]+)"', html).group(1)


def _open_checkout(client) -> str:
    assert client.post(START)["Location"] == CHECKOUT
    response = client.get(CHECKOUT)
    assert response.status_code == 200
    return response.content.decode()


def _guest_form(token, method, **overrides) -> dict:
    data = {f"ship_{name}": value for name, value in ADDRESS.items()}
    data.update(
        token=token,
        email="guest@example.com",
        billing_same="on",
        shipping_method=str(method.pk) if method else "",
        coupon="",
        currency="USD",
        payment_method="cod",
        action="place",
    )
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def _input(method, *, email="guest@example.com", coupon="", currency="USD") -> CheckoutInput:
    return CheckoutInput(
        email=email,
        shipping_address=dict(ADDRESS),
        shipping_method_id=method.pk,
        coupon_code=coupon,
        currency=currency,
        payment_method="cod",
    )


def _total(html: str, key: str, column: str = "amount") -> str:
    """A totals row's amount (column "amount") or its US-dollar equivalent ("usd")."""
    row = re.search(rf'data-total="{key}">(.*?)</tr>', html, re.S).group(1)
    css = "amount-usd" if column == "usd" else "amount"
    return re.search(rf'<td class="{css}">(.*?)</td>', row).group(1)


def _place_directly(user, variant, method, quantity=1) -> Order:
    line = cart_add(user=user, variant_id=variant.pk, quantity=quantity)
    data = _input(method, email=user.email)
    return order_place(cart=line.cart, user=user, data=data)[0]


@pytest.fixture
def lb():
    TaxRate.objects.create(country="LB", rate=Decimal("0.10"), applies_to_shipping=True)
    return _method()


# --- Entering checkout --------------------------------------------------------------------
def test_cart_offers_checkout_and_start_holds_the_items(client, lb):
    variant = _variant()
    _add(client, variant, 2)
    assert f'action="{START}"' in client.get(CART).content.decode()
    assert client.post(START)["Location"] == CHECKOUT
    cart = Cart.objects.get(token=client.session[CART_SESSION_KEY])
    held = Reservation.objects.get(holder_type=HolderType.CART, holder_id=str(cart.pk))
    assert held.quantity == 2 and held.state == ReservationState.ACTIVE
    assert held.expires_at > timezone.now() + timedelta(minutes=14)
    # Back on the cart, its own hold does not make the items look sold out.
    page = client.get(CART).content.decode()
    assert f'action="{START}"' in page and "Out of stock" not in page


def test_start_with_an_empty_cart_goes_back_to_the_cart(client):
    response = client.post(START)
    assert response.status_code == 302 and response["Location"] == CART
    response = client.get(CHECKOUT)
    assert response.status_code == 302 and response["Location"] == CART


def test_lines_that_cannot_be_held_are_messages_on_the_cart(client, lb):
    variant = _variant(stock=3)
    _add(client, variant, 3)
    stock_reserve(variant=variant, quantity=2, holder_type=HolderType.ORDER, holder_id="other")
    response = client.post(START, follow=True)
    assert response.redirect_chain[-1][0] == CART
    assert f"Only 1 of {variant.sku} available." in response.content.decode()


# --- Placing ----------------------------------------------------------------------------------
def test_guest_checkout_places_the_order_the_page_quoted(client, lb):
    bodysuit = _variant(price="12.00")
    hat = _variant(price="7.50", name="Wool hat")
    _add(client, bodysuit, 2)
    _add(client, hat, 1)
    cart = Cart.objects.get(token=client.session[CART_SESSION_KEY])
    html = _open_checkout(client)
    expected = checkout_quote(cart=cart, data=_input(lb)).quote
    # The page's summary is the service's quote.
    assert _total(html, "subtotal") == "$31.50" == f"${expected.subtotal}"
    assert _total(html, "total") == f"${expected.total}"
    assert "Beirut courier" in html

    response = client.post(CHECKOUT, _guest_form(_token(html), lb))
    order = Order.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("storefront:order_detail", args=[order.number])
    assert re.fullmatch(r"BQ-\d{4}-\d{6}", order.number)
    assert order.user is None and order.email == "guest@example.com"
    totals = (order.subtotal, order.discount, order.shipping, order.tax, order.total)
    assert totals == (
        expected.subtotal,
        expected.discount,
        expected.shipping,
        expected.tax,
        expected.total,
    )
    assert order.total == Decimal("31.50") + Decimal("5.00") + Decimal("3.65")
    items = list(order.items.values_list("product_name", "sku", "unit_price", "quantity"))
    assert sorted(items) == sorted(
        [
            ("Organic cotton bodysuit", bodysuit.sku, Decimal("12.00"), 2),
            ("Wool hat", hat.sku, Decimal("7.50"), 1),
        ]
    )
    for kind in ("shipping", "billing"):
        address = order.addresses.get(kind=kind)
        assert {name: getattr(address, name) for name in ADDRESS} == ADDRESS
    cart.refresh_from_db()
    assert cart.status == CartStatus.CONVERTED
    held = Reservation.objects.filter(holder_type=HolderType.ORDER, holder_id=order.number)
    assert sorted(held.values_list("quantity", flat=True)) == [1, 2]

    confirmation = client.get(response["Location"])
    page = confirmation.content.decode()
    assert confirmation.status_code == 200
    assert f"Thank you! We received your order {order.number}." in page
    assert _total(page, "total") == f"${order.total}"
    assert "12 Rue Gouraud" in page and bodysuit.sku in page


def test_signed_in_customer_picks_a_saved_address_and_types_a_billing_one(client, lb):
    user = UserFactory(email="nour@example.com")
    saved = AddressFactory(user=user, full_name="Nour Saad", line1="Hamra St 4", is_default=True)
    AddressFactory(user=user, full_name="Nour at work", line1="Verdun 9")
    client.force_login(user, backend=LOGIN_BACKEND)
    _add(client, _variant(), 1)
    html = _open_checkout(client)
    assert 'value="nour@example.com"' in html
    assert re.search(rf'value="{saved.pk}"[^>]*checked', html)

    billing = {f"bill_{k}": v for k, v in {**ADDRESS, "full_name": "Nour Accounts"}.items()}
    form = {
        "token": _token(html),
        "saved_address": str(saved.pk),
        "shipping_method": str(lb.pk),
        "currency": "USD",
        "payment_method": "cod",
        "action": "place",
        **billing,
    }
    response = client.post(CHECKOUT, form)
    assert response.status_code == 302
    order = Order.objects.get()
    assert order.user == user and order.email == "nour@example.com"
    shipping = order.addresses.get(kind="shipping")
    assert (shipping.full_name, shipping.line1, shipping.city) == (
        "Nour Saad",
        "Hamra St 4",
        "Beirut",
    )
    assert order.addresses.get(kind="billing").full_name == "Nour Accounts"
    assert client.get(response["Location"]).status_code == 200


def test_someone_elses_saved_address_is_refused(client, lb):
    user = UserFactory()
    AddressFactory(user=user, full_name="Mine")
    theirs = AddressFactory(full_name="Not Yours")
    client.force_login(user, backend=LOGIN_BACKEND)
    _add(client, _variant(), 1)
    html = _open_checkout(client)
    form = _guest_form(_token(html), lb, saved_address=str(theirs.pk))
    response = client.post(CHECKOUT, form)
    assert response.status_code == 422
    assert "Select a valid choice" in response.content.decode()
    assert not Order.objects.exists()
    assert "Not Yours" not in response.content.decode()


def test_missing_details_are_shown_beside_the_fields_and_nothing_is_placed(client, lb):
    _add(client, _variant(), 1)
    html = _open_checkout(client)
    form = _guest_form(_token(html), lb, email="", ship_full_name="", ship_city="")
    response = client.post(CHECKOUT, form)
    page = response.content.decode()
    assert response.status_code == 400
    assert "Give an email address for the order confirmation." in page
    assert page.count("Required.") == 2
    assert not Order.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "status", "message"),
    [
        ("shipping_method", "abc", 400, "Unknown shipping method."),
        ("shipping_method", "", 400, "Choose a shipping method."),
        ("currency", "EUR", 422, "Select a valid choice."),
        ("payment_method", "paypal", 422, "Select a valid choice."),
        ("ship_country", "L1", 400, "Use a two-letter country code, e.g. LB."),
        ("ship_country", "Lebanon", 422, "at most 2 characters"),
        ("ship_line1", "bad\x00text", 422, "Null characters are not allowed."),
        ("token", "clé", 400, "An Idempotency-Key is 1 to 100 printable ASCII characters."),
        ("coupon", "X" * 41, 422, "at most 40 characters"),
    ],
)
def test_bad_input_answers_4xx_and_places_nothing(client, lb, field, value, status, message):
    _add(client, _variant(), 1)
    html = _open_checkout(client)
    form = {**_guest_form(_token(html), lb), field: value}
    response = client.post(CHECKOUT, form)
    assert response.status_code == status
    assert message in response.content.decode()
    assert not Order.objects.exists()


def test_double_submit_with_the_same_token_places_one_order(client, lb):
    _add(client, _variant(), 1)
    form = _guest_form(_token(_open_checkout(client)), lb)
    first = client.post(CHECKOUT, form)
    second = client.post(CHECKOUT, form)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Order.objects.count() == 1


def test_out_of_stock_at_place_time_is_409_naming_the_sku(client, lb):
    variant = _variant(stock=3)
    _add(client, variant, 3)
    html = client.get(CHECKOUT).content.decode()
    # Someone else's order takes two while this customer fills in the form.
    stock_reserve(variant=variant, quantity=2, holder_type=HolderType.ORDER, holder_id="other")
    response = client.post(CHECKOUT, _guest_form(_token(html), lb))
    assert response.status_code == 409
    assert f"{variant.sku} is out of stock" in response.content.decode()
    assert not Order.objects.exists()
    assert Cart.objects.get(token=client.session[CART_SESSION_KEY]).status == CartStatus.OPEN


def test_a_method_that_does_not_serve_the_country_is_refused(client, lb):
    _add(client, _variant(), 1)
    html = _open_checkout(client)
    response = client.post(CHECKOUT, _guest_form(_token(html), lb, ship_country="FR"))
    assert response.status_code == 409
    assert "Beirut courier does not deliver to FR." in response.content.decode()
    assert not Order.objects.exists()


# --- The page follows the customer's choices -------------------------------------------------
def test_shipping_methods_follow_the_country(client, lb):
    _method("La Poste", countries="FR")
    _method("DHL world", price="20.00", countries="")
    _add(client, _variant(), 1)
    html = _open_checkout(client)
    assert "Beirut courier" in html and "DHL world" in html and "La Poste" not in html

    form = _guest_form(_token(html), lb, ship_country="FR", action="refresh")
    response = client.post(CHECKOUT, form, headers=HTMX)
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<section id="checkout-summary"')
    methods = re.search(r'<fieldset id="checkout-methods".*?</fieldset>', body, re.S).group(0)
    assert 'hx-swap-oob="true"' in methods
    assert "La Poste" in methods and "DHL world" in methods and "Beirut courier" not in methods
    # The LB method does not serve FR: the first method that does is chosen and priced.
    la_poste = ShippingMethod.objects.get(name="La Poste")
    assert re.search(rf'value="{la_poste.pk}" checked', methods)
    assert "Shipping (La Poste)" in body

    # Without JavaScript the same post answers the whole page.
    page = client.post(CHECKOUT, form).content.decode()
    assert "<html" in page and "La Poste" in page and "Beirut courier" not in page


def test_coupon_apply_shows_the_exact_reason(client, lb):
    now = timezone.now()
    coupon_create(
        code="WINTER",
        kind="percentage",
        value=Decimal("10"),
        ends_at=now - timedelta(days=1),
        starts_at=now - timedelta(days=30),
    )
    coupon_create(code="SPRING10", kind="percentage", value=Decimal("10"))
    _add(client, _variant(price="20.00"), 1)
    html = _open_checkout(client)
    token = _token(html)

    unknown = client.post(CHECKOUT, _guest_form(token, lb, coupon="nope", action="apply_coupon"))
    assert unknown.status_code == 400
    assert "There is no coupon NOPE." in unknown.content.decode()

    with pytest.raises(CouponRefused) as refused:
        coupon_find_for_checkout(code="winter", user=None, email="g@example.com", subtotal=20)
    expired = client.post(
        CHECKOUT, _guest_form(token, lb, coupon="winter", action="apply_coupon"), headers=HTMX
    )
    body = expired.content.decode()
    assert expired.status_code == 409 and refused.value.code == "coupon_expired"
    feedback = re.search(r'<div id="coupon-feedback".*?</div>', body, re.S).group(0)
    assert 'hx-swap-oob="true"' in feedback and refused.value.detail in feedback
    assert 'data-total="discount"' not in body

    good = client.post(
        CHECKOUT, _guest_form(token, lb, coupon="spring10", action="apply_coupon"), headers=HTMX
    )
    body = good.content.decode()
    assert good.status_code == 200
    assert "SPRING10 applied" in body
    assert _total(body, "discount") == "−$2.00"
    assert not Order.objects.exists()


def test_a_refused_coupon_at_place_time_places_nothing(client, lb):
    coupon_create(code="ONCE", kind="fixed", value=Decimal("5"), max_uses=1)
    other = UserFactory()
    line = cart_add(user=other, variant_id=_variant().pk, quantity=1)
    order_place(cart=line.cart, user=other, data=_input(lb, email=other.email, coupon="ONCE"))
    _add(client, _variant(), 1)
    html = _open_checkout(client)
    response = client.post(CHECKOUT, _guest_form(_token(html), lb, coupon="once"))
    assert response.status_code == 409
    assert "ONCE" in response.content.decode()
    assert Order.objects.count() == 1


def test_paying_in_lbp_shows_pounds_and_dollars(client, lb):
    exchange_rate_set(currency="LBP", rate="89500")
    _add(client, _variant(price="12.00"), 2)
    html = _open_checkout(client)
    assert '<option value="LBP"' in html
    form = _guest_form(_token(html), lb, currency="LBP", action="refresh")
    body = client.post(CHECKOUT, form, headers=HTMX).content.decode()
    assert _total(body, "subtotal") == "LBP 2,148,000"
    assert _total(body, "subtotal", "usd") == "$24.00"
    summary_total = _total(body, "total")

    response = client.post(CHECKOUT, {**form, "action": "place"})
    order = Order.objects.get()
    assert order.currency == "LBP" and order.exchange_rate == Decimal("89500")
    page = client.get(response["Location"]).content.decode()
    assert _total(page, "total") == summary_total == f"LBP {order.total:,.0f}"
    assert (
        _total(page, "total", "usd")
        == f"${(order.total / Decimal(89500)).quantize(Decimal('0.01'))}"
    )
    # A later rate never changes the placed order's page.
    exchange_rate_set(currency="LBP", rate="95000")
    assert _total(client.get(response["Location"]).content.decode(), "total") == summary_total


# --- Order pages ---------------------------------------------------------------------------------
def test_order_history_is_newest_first_and_paginated(client, lb):
    user = UserFactory()
    variant = _variant(stock=50)
    first = _place_directly(user, variant, lb)
    numbers = [first.number] + [_place_directly(user, variant, lb).number for _ in range(10)]
    _place_directly(UserFactory(), variant, lb)  # someone else's
    client.force_login(user, backend=LOGIN_BACKEND)
    page = client.get(HISTORY).content.decode()
    shown = re.findall(r'data-number="([^"]+)"', page)
    assert shown == list(reversed(numbers))[:10]
    second = client.get(HISTORY, {"page": 2}).content.decode()
    assert re.findall(r'data-number="([^"]+)"', second) == [first.number]


def test_order_history_query_count_does_not_grow(client, lb, django_assert_max_num_queries):
    user = UserFactory()
    variant = _variant(stock=50)
    _place_directly(user, variant, lb)
    client.force_login(user, backend=LOGIN_BACKEND)
    with CaptureQueriesContext(connection) as one:
        client.get(HISTORY)
    for _ in range(9):
        _place_directly(user, variant, lb)
    with django_assert_max_num_queries(len(one)):
        page = client.get(HISTORY).content.decode()
    assert page.count('class="order-row"') == 10


def test_order_detail_query_count_does_not_grow_with_items(
    client, lb, django_assert_max_num_queries
):
    user = UserFactory()
    small = _place_directly(user, _variant(), lb)
    line = None
    for n in range(4):
        line = cart_add(user=user, variant_id=_variant(name=f"Toy {n}").pk, quantity=1)
    big = order_place(cart=line.cart, user=user, data=_input(lb, email=user.email))[0]
    client.force_login(user, backend=LOGIN_BACKEND)
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("storefront:account_order_detail", args=[small.number]))
    with django_assert_max_num_queries(len(one)):
        page = client.get(reverse("storefront:account_order_detail", args=[big.number]))
    assert page.content.decode().count('class="order-item"') == 4


def test_account_order_detail_shows_both_currencies_and_cancels(client, lb):
    exchange_rate_set(currency="LBP", rate="89500")
    user = UserFactory()
    variant = _variant(stock=5)
    line = cart_add(user=user, variant_id=variant.pk, quantity=2)
    order = order_place(
        cart=line.cart, user=user, data=_input(lb, email=user.email, currency="LBP")
    )[0]
    client.force_login(user, backend=LOGIN_BACKEND)
    url = reverse("storefront:account_order_detail", args=[order.number])
    page = client.get(url).content.decode()
    assert _total(page, "total") == f"LBP {order.total:,.0f}"
    assert _total(page, "total", "usd").startswith("$")
    assert "Pending" in page and variant.sku in page and "12 Rue Gouraud" in page
    assert "Beirut courier" in page and "Cancel this order" in page

    cancel = reverse("storefront:account_order_cancel", args=[order.number])
    assert client.post(cancel)["Location"] == url
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert not Reservation.objects.filter(
        holder_id=order.number, state=ReservationState.ACTIVE
    ).exists()
    page = client.get(url).content.decode()
    assert "Cancelled" in page and "Cancel this order" not in page
    again = client.post(cancel)
    assert again.status_code == 409
    assert "only orders that have not shipped can be cancelled" in again.content.decode()


def test_someone_elses_order_is_404(client, lb):
    theirs = _place_directly(UserFactory(), _variant(), lb)
    client.force_login(UserFactory(), backend=LOGIN_BACKEND)
    detail = reverse("storefront:account_order_detail", args=[theirs.number])
    assert client.get(detail).status_code == 404
    assert client.get(reverse("storefront:order_detail", args=[theirs.number])).status_code == 404
    cancel = reverse("storefront:account_order_cancel", args=[theirs.number])
    assert client.post(cancel).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == OrderStatus.PENDING


def test_account_order_pages_need_sign_in(client):
    response = client.get(HISTORY)
    assert response.status_code == 302 and "signin" in response["Location"]


# --- Guests --------------------------------------------------------------------------------------
def _guest_order(lb):
    """A guest places an order in their own browser (session)."""
    guest = Client()
    _add(guest, _variant(), 1)
    html = _open_checkout(guest)
    guest.post(CHECKOUT, _guest_form(_token(html), lb))
    return guest, Order.objects.latest("id")


def test_a_guest_sees_only_the_orders_of_their_session(client, lb):
    guest, order = _guest_order(lb)
    url = reverse("storefront:order_detail", args=[order.number])
    assert guest.get(url).status_code == 200
    assert client.get(url).status_code == 404


def test_guest_lookup_by_number_and_email(client, lb):
    _, order = _guest_order(lb)
    url = reverse("storefront:order_detail", args=[order.number])
    wrong = client.post(LOOKUP, {"number": order.number, "email": "someone@example.com"})
    assert wrong.status_code == 422
    assert "No order matches that number and email." in wrong.content.decode()
    assert client.get(url).status_code == 404

    right = client.post(LOOKUP, {"number": order.number.lower(), "email": "GUEST@example.com"})
    assert right.status_code == 302 and right["Location"] == url
    page = client.get(url)
    assert page.status_code == 200 and order.number in page.content.decode()


def test_guest_lookup_is_rate_limited(client, lb, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "order_lookup": "2/h"}
    _, order = _guest_order(lb)
    for _ in range(2):
        response = client.post(LOOKUP, {"number": order.number, "email": "x@example.com"})
        assert response.status_code == 422
    throttled = client.post(LOOKUP, {"number": order.number, "email": "guest@example.com"})
    assert throttled.status_code == 429
    assert "Too many requests" in throttled.content.decode()
