"""The cart and wishlist API: whose cart (guest token header, guest session,
bearer token, session user), merging a guest cart once, refusals as
problem+json with the cart unchanged, the wishlist for signed-in customers."""

from decimal import Decimal

import pytest
from django.test import Client

from boutique.accounts.services import token_issue
from boutique.accounts.tests.factories import UserFactory
from boutique.cart.models import Cart, CartStatus, WishlistItem
from boutique.cart.services import cart_add_item, cart_obtain, wishlist_add
from boutique.catalog.services import image_add, product_update, variant_update
from boutique.catalog.tests.conftest import png_file
from boutique.catalog.tests.factories import make_product
from boutique.inventory.services import stock_adjust

pytestmark = pytest.mark.django_db

CART = "/api/v1/cart"
ITEMS = "/api/v1/cart/items"
WISHLIST = "/api/v1/wishlist"
PROBLEM = "application/problem+json"


def _variant(stock=5, price="10.00", **kw):
    return make_product(stock=stock, price=price, **kw).variants.get()


def _bearer(user) -> dict:
    secret, _ = token_issue(user=user)
    return {"Authorization": f"Bearer {secret}"}


def _token(token) -> dict:
    return {"X-Cart-Token": str(token)}


def _add(client, headers=None, **body):
    return client.post(ITEMS, body, content_type="application/json", headers=headers or {})


def _patch(client, item_id, headers=None, **body):
    return client.patch(
        f"{ITEMS}/{item_id}", body, content_type="application/json", headers=headers or {}
    )


def _cart(client, headers=None) -> dict:
    response = client.get(CART, headers=headers or {})
    assert response.status_code == 200, response.content
    return response.json()


def _lines(body) -> list[tuple[str, int]]:
    return sorted((line["sku"], line["quantity"]) for line in body["lines"])


def _ok(response, status=200) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def _assert_problem(response, status, code):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert (body["status"], body["code"]) == (status, code)
    assert body["detail"]
    return body


# --- Whose cart ----------------------------------------------------------------------


def test_guest_without_a_token_sees_an_empty_cart_and_none_is_created(client):
    body = _cart(client)
    assert body == {
        "token": None,
        "currency": "USD",
        "count": 0,
        "subtotal": "0.00",
        "can_check_out": False,
        "lines": [],
        "notes": [],
    }
    assert _cart(client, _token("not-a-token"))["token"] is None
    assert not Cart.objects.exists()


def test_guest_with_a_token_header_creates_then_reuses_the_cart():
    api = Client()  # an API client: no cookies are kept between calls
    variant = _variant(price="12.50", stock=5)
    first = _add(api, sku=variant.sku, quantity=2)
    body = _ok(first, 201)
    token = body["token"]
    assert token and first["X-Cart-Token"] == token
    line = body["lines"][0]
    assert line == {
        "id": line["id"],
        "sku": variant.sku,
        "variant_id": variant.pk,
        "variant_label": "Standard",
        "product": {
            "id": variant.product.pk,
            "slug": variant.product.slug,
            "name": variant.product.name,
        },
        "quantity": 2,
        "unit_price": "12.50",
        "snapshot_price": "12.50",
        "price_changed": False,
        "available": 5,
        "purchasable": True,
        "problem": None,
        "line_total": "25.00",
        "currency": "USD",
        "image": None,
    }
    assert (body["count"], body["subtotal"], body["can_check_out"]) == (2, "25.00", True)

    api = Client()
    again = _add(api, _token(token), variant_id=variant.pk, quantity=1)
    assert _ok(again, 201)["token"] == token and again["X-Cart-Token"] == token
    read = Client().get(CART, headers=_token(token))
    assert read["X-Cart-Token"] == token
    assert _lines(read.json()) == [(variant.sku, 3)]
    assert Cart.objects.count() == 1


def test_guest_with_an_unknown_token_gets_a_new_cart_on_add():
    variant = _variant()
    stale = "00000000-0000-4000-8000-000000000000"
    body = _ok(_add(Client(), _token(stale), sku=variant.sku, quantity=1), 201)
    assert body["token"] not in (None, stale)
    assert Cart.objects.get().token.hex == body["token"].replace("-", "")


def test_guest_session_keeps_the_cart_token(client):
    variant = _variant()
    body = _ok(_add(client, sku=variant.sku, quantity=1), 201)
    assert client.session["cart_token"] == body["token"]
    # The site reads and writes the same cart through the session.
    _ok(_add(client, sku=variant.sku, quantity=1), 201)
    assert _cart(client)["token"] == body["token"]
    assert _lines(_cart(client)) == [(variant.sku, 2)]
    assert Cart.objects.count() == 1


def test_storefront_session_token_is_used_by_the_api(client):
    variant = _variant()
    cart = cart_obtain()
    cart_add_item(cart=cart, sku=variant.sku, quantity=2)
    session = client.session
    session["cart_token"] = str(cart.token)
    session.save()
    assert _lines(_cart(client)) == [(variant.sku, 2)]


def test_guest_session_changes_need_the_csrf_token():
    browser = Client(enforce_csrf_checks=True)
    variant = _variant()
    _ok(_add(browser, sku=variant.sku, quantity=1), 201)  # no session yet: nothing to forge
    assert "sessionid" in browser.cookies
    refused = _add(browser, sku=variant.sku, quantity=1)
    assert (refused.status_code, refused["Content-Type"]) == (403, PROBLEM)
    browser.cookies["csrftoken"] = csrf = "a" * 32
    _ok(_add(browser, {"X-CSRFToken": csrf}, sku=variant.sku, quantity=1), 201)
    assert _lines(_cart(browser)) == [(variant.sku, 2)]


def test_bearer_user_has_one_open_cart_shared_with_their_session(client):
    user = UserFactory()
    auth = _bearer(user)
    first, second = _variant(), _variant()
    response = _add(Client(), auth, sku=first.sku, quantity=1)
    body = _ok(response, 201)
    assert body["token"] is None and "X-Cart-Token" not in response
    _ok(_add(Client(), auth, sku=second.sku, quantity=2), 201)
    assert Cart.objects.filter(user=user).count() == 1

    client.force_login(user)
    assert _lines(_cart(client)) == sorted([(first.sku, 1), (second.sku, 2)])
    _ok(_add(client, sku=first.sku, quantity=1), 201)
    assert _lines(_cart(Client(), auth)) == sorted([(first.sku, 2), (second.sku, 2)])
    assert Cart.objects.filter(user=user).count() == 1


def test_a_guest_token_never_opens_a_users_cart():
    user = UserFactory()
    variant = _variant()
    theirs = cart_obtain(user=user)
    cart_add_item(cart=theirs, sku=variant.sku, quantity=1)
    body = _cart(Client(), _token(theirs.token))
    assert body["lines"] == [] and body["token"] is None


@pytest.mark.parametrize("authorization", ["Bearer btq_not-a-real-token", "Basic Zm9vOmJhcg=="])
def test_refused_credentials_are_401_not_a_guest(authorization):
    variant = _variant()
    headers = {"Authorization": authorization}
    _assert_problem(Client().get(CART, headers=headers), 401, "not_authenticated")
    response = _add(Client(), headers, sku=variant.sku, quantity=1)
    _assert_problem(response, 401, "not_authenticated")
    assert not Cart.objects.exists()


# --- Merging a guest cart ----------------------------------------------------------------


def test_signed_in_caller_with_a_guest_token_merges_it_once_with_notes():
    user = UserFactory()
    shared, sold_out = _variant(stock=5), _variant(stock=1)
    mine = cart_obtain(user=user)
    cart_add_item(cart=mine, sku=shared.sku, quantity=3)
    guest = cart_obtain()
    cart_add_item(cart=guest, sku=shared.sku, quantity=4)
    cart_add_item(cart=guest, sku=sold_out.sku, quantity=1)
    stock_adjust(variant=sold_out, quantity=-1, reason="broken")
    headers = {**_bearer(user), **_token(guest.token)}

    body = _cart(Client(), headers)

    assert _lines(body) == [(shared.sku, 5)]
    assert any("capped" in note for note in body["notes"])
    assert any("out of stock" in note for note in body["notes"])
    assert body["token"] is None
    guest.refresh_from_db()
    assert (guest.status, guest.merged_into_id) == (CartStatus.MERGED, mine.pk)

    response = _add(Client(), headers, sku=shared.sku, quantity=1)
    _assert_problem(response, 409, "insufficient_stock")
    body = _cart(Client(), headers)
    assert (_lines(body), body["notes"]) == ([(shared.sku, 5)], [])


def test_guest_cart_becomes_the_users_when_they_have_none():
    user = UserFactory()
    variant = _variant()
    guest_body = _ok(_add(Client(), sku=variant.sku, quantity=2), 201)
    headers = {**_bearer(user), **_token(guest_body["token"])}
    body = _ok(_add(Client(), headers, sku=variant.sku, quantity=1), 201)
    assert _lines(body) == [(variant.sku, 3)] and body["notes"] == []
    assert Cart.objects.get(user=user, status=CartStatus.OPEN).items.count() == 1
    assert Cart.objects.count() == 1


# --- Changing lines ------------------------------------------------------------------------


def test_patch_sets_the_quantity_and_delete_removes_the_line():
    variant, other = _variant(stock=5), _variant()
    api = Client()
    body = _ok(_add(api, sku=variant.sku, quantity=1), 201)
    headers = _token(body["token"])
    body = _ok(_add(api, headers, sku=other.sku, quantity=1), 201)
    line_id = next(line["id"] for line in body["lines"] if line["sku"] == variant.sku)

    body = _ok(_patch(api, line_id, headers, quantity=4))
    assert _lines(body) == sorted([(variant.sku, 4), (other.sku, 1)])
    body = _ok(api.delete(f"{ITEMS}/{line_id}", headers=headers))
    assert _lines(body) == [(other.sku, 1)]
    assert _lines(_cart(api, headers)) == [(other.sku, 1)]


def test_another_customers_line_is_404_and_their_cart_is_untouched():
    variant = _variant()
    owner = UserFactory()
    theirs = cart_obtain(user=owner)
    line = cart_add_item(cart=theirs, sku=variant.sku, quantity=2)
    intruder = _bearer(UserFactory())
    guest = _token(_ok(_add(Client(), sku=variant.sku, quantity=1), 201)["token"])

    for headers in (intruder, guest, {}):
        _assert_problem(_patch(Client(), line.pk, headers, quantity=1), 404, "cart_item_not_found")
        response = Client().delete(f"{ITEMS}/{line.pk}", headers=headers)
        _assert_problem(response, 404, "cart_item_not_found")
    _assert_problem(_patch(Client(), 2**70, guest, quantity=1), 404, "cart_item_not_found")
    assert _lines(_cart(Client(), _bearer(owner))) == [(variant.sku, 2)]
    assert _lines(_cart(Client(), guest)) == [(variant.sku, 1)]


# --- Refusals: problem+json, cart unchanged ---------------------------------------------


@pytest.fixture
def guest_cart(db):
    """A guest cart holding 2 of a USD variant with 3 in stock."""
    variant = _variant(stock=3)
    body = _ok(_add(Client(), sku=variant.sku, quantity=2), 201)
    return variant, _token(body["token"]), _lines(body)


BAD_QUANTITIES = [0, -1, 1000, 1.5, "2", "many", None, True, [1], {"n": 1}]


@pytest.mark.parametrize("quantity", BAD_QUANTITIES)
def test_bad_quantities_on_add_are_400(guest_cart, quantity):
    variant, headers, before = guest_cart
    response = _add(Client(), headers, sku=variant.sku, quantity=quantity)
    body = _assert_problem(response, 400, "cart_request_invalid")
    assert "quantity" in body["errors"]
    assert _lines(_cart(Client(), headers)) == before


@pytest.mark.parametrize("quantity", BAD_QUANTITIES)
def test_bad_quantities_on_patch_are_400(guest_cart, quantity):
    _, headers, before = guest_cart
    line_id = _cart(Client(), headers)["lines"][0]["id"]
    response = _patch(Client(), line_id, headers, quantity=quantity)
    _assert_problem(response, 400, "cart_request_invalid")
    assert _lines(_cart(Client(), headers)) == before


def test_patch_without_a_quantity_is_400(guest_cart):
    _, headers, before = guest_cart
    line_id = _cart(Client(), headers)["lines"][0]["id"]
    _assert_problem(_patch(Client(), line_id, headers), 400, "cart_request_invalid")
    assert _lines(_cart(Client(), headers)) == before


@pytest.mark.parametrize(
    "body",
    [
        {"sku": "NO-SUCH-SKU", "quantity": 1},
        {"sku": "NUL\x00SKU", "quantity": 1},
        {"variant_id": 2**70, "quantity": 1},
        {"quantity": 1},
        {"sku": "   ", "quantity": 1},
        {"sku": None, "variant_id": None, "quantity": 1},
    ],
    ids=["unknown", "nul", "huge-id", "missing", "blank", "nulls"],
)
def test_unknown_or_missing_product_is_400(guest_cart, body):
    _, headers, before = guest_cart
    response = _add(Client(), headers, **body)
    _assert_problem(response, 400, "cart_request_invalid")
    assert _lines(_cart(Client(), headers)) == before


def test_products_not_sold_are_409(guest_cart):
    _, headers, before = guest_cart
    archived = _variant(status="archived")
    inactive = _variant()
    variant_update(variant=inactive, is_active=False)
    for sku in (archived.sku, inactive.sku):
        response = _add(Client(), headers, sku=sku, quantity=1)
        _assert_problem(response, 409, "product_unavailable")
        assert _lines(_cart(Client(), headers)) == before


def test_more_than_available_is_409_on_add_and_patch(guest_cart):
    variant, headers, before = guest_cart
    response = _add(Client(), headers, sku=variant.sku, quantity=2)
    body = _assert_problem(response, 409, "insufficient_stock")
    assert "2 already in your cart" in body["detail"]
    line_id = _cart(Client(), headers)["lines"][0]["id"]
    _assert_problem(_patch(Client(), line_id, headers, quantity=4), 409, "insufficient_stock")
    assert _lines(_cart(Client(), headers)) == before


def test_another_currency_is_409(guest_cart):
    _, headers, before = guest_cart
    lbp = make_product(
        variants=[{"price": Decimal("900000"), "currency": "LBP", "stock": 3}]
    ).variants.get()
    response = _add(Client(), headers, sku=lbp.sku, quantity=1)
    _assert_problem(response, 409, "currency_mismatch")
    body = _cart(Client(), headers)
    assert (_lines(body), body["currency"]) == (before, "USD")


def test_a_new_cart_takes_the_currency_of_its_first_line():
    lbp = make_product(
        variants=[{"price": Decimal("900000"), "currency": "LBP", "stock": 3}]
    ).variants.get()
    body = _ok(_add(Client(), sku=lbp.sku, quantity=2), 201)
    assert (body["currency"], body["subtotal"]) == ("LBP", "1800000")
    assert _cart(Client(), _token(body["token"]))["currency"] == "LBP"


def test_a_refused_first_add_leaves_no_cart_behind(client):
    archived = _variant(status="archived")
    _assert_problem(_add(client, sku=archived.sku, quantity=1), 409, "product_unavailable")
    _assert_problem(_add(client, sku="NOPE", quantity=1), 400, "cart_request_invalid")
    _assert_problem(_add(Client(), _bearer(UserFactory()), quantity=0), 400, "cart_request_invalid")
    assert not Cart.objects.exists()
    assert "cart_token" not in client.session


# --- What the cart shows -------------------------------------------------------------------


def test_price_changes_and_stock_problems_are_flagged():
    cheap, scarce, gone = _variant(price="12.00"), _variant(price="5.00", stock=3), _variant()
    headers = _bearer(UserFactory())
    for variant, quantity in ((cheap, 1), (scarce, 3), (gone, 1)):
        _ok(_add(Client(), headers, sku=variant.sku, quantity=quantity), 201)
    variant_update(variant=cheap, price=Decimal("14.50"))
    stock_adjust(variant=scarce, quantity=-3, reason="damaged")
    product_update(product=gone.product, status="archived")

    body = _cart(Client(), headers)

    lines = {line["sku"]: line for line in body["lines"]}
    assert {k: lines[cheap.sku][k] for k in ("unit_price", "snapshot_price", "price_changed")} == {
        "unit_price": "14.50",
        "snapshot_price": "12.00",
        "price_changed": True,
    }
    assert (lines[cheap.sku]["problem"], lines[cheap.sku]["line_total"]) == (None, "14.50")
    assert (lines[scarce.sku]["available"], lines[scarce.sku]["problem"]) == (0, "Out of stock")
    assert not lines[gone.sku]["purchasable"]
    assert lines[gone.sku]["problem"] == "No longer available"
    assert (body["subtotal"], body["can_check_out"]) == ("14.50", False)


def test_line_image_is_an_absolute_thumbnail_url(client, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    variant = _variant()
    image_add(product=variant.product, file=png_file())
    body = _ok(_add(client, sku=variant.sku, quantity=1), 201)
    assert body["lines"][0]["image"].startswith("http://testserver/media/")


@pytest.mark.parametrize("auth", ["guest", "bearer"])
def test_cart_reads_a_fixed_number_of_queries(django_assert_max_num_queries, auth):
    user = UserFactory()
    one, ten = cart_obtain(user=user), cart_obtain()
    cart_add_item(cart=one, sku=_variant().sku, quantity=1)
    for _ in range(10):
        cart_add_item(cart=ten, sku=_variant().sku, quantity=1)
    if auth == "bearer":
        ten.user = UserFactory()
        ten.save(update_fields=["user"])
        requests = [(1, _bearer(user)), (10, _bearer(ten.user))]
    else:
        one.user = None
        one.save(update_fields=["user"])
        requests = [(1, _token(one.token)), (10, _token(ten.token))]
    for count, headers in requests:
        with django_assert_max_num_queries(8):
            assert len(_cart(Client(), headers)["lines"]) == count


# --- Wishlist ------------------------------------------------------------------------------


def test_wishlist_is_401_for_guests():
    product = make_product()
    item, _ = wishlist_add(user=UserFactory(), product_id=product.pk)
    guest = Client()
    _assert_problem(guest.get(WISHLIST), 401, "not_authenticated")
    response = guest.post(WISHLIST, {"product_id": product.pk}, content_type="application/json")
    _assert_problem(response, 401, "not_authenticated")
    _assert_problem(guest.delete(f"{WISHLIST}/{item.pk}"), 401, "not_authenticated")
    _assert_problem(guest.post(f"{WISHLIST}/{item.pk}/move-to-cart"), 401, "not_authenticated")
    assert WishlistItem.objects.count() == 1
    assert not Cart.objects.exists()


def test_wishlist_add_list_and_remove():
    user = UserFactory()
    api, headers = Client(), _bearer(user)
    product = make_product(name="Knitted hat", price="8.00", stock=2)
    variant = _variant(price="11.00", stock=0)

    added = api.post(WISHLIST, {"product_id": product.pk}, "application/json", headers=headers)
    item = _ok(added, 201)
    assert item["product"] == {"id": product.pk, "slug": product.slug, "name": "Knitted hat"}
    assert (item["variant"], item["price"], item["in_stock"]) == (None, "8.00", True)
    again = api.post(WISHLIST, {"product_id": product.pk}, "application/json", headers=headers)
    assert _ok(again, 200)["id"] == item["id"]
    by_variant = api.post(WISHLIST, {"variant_id": variant.pk}, "application/json", headers=headers)
    by_variant = _ok(by_variant, 201)
    assert by_variant["variant"] == {"id": variant.pk, "sku": variant.sku, "label": "Standard"}
    assert (by_variant["price"], by_variant["in_stock"]) == ("11.00", False)

    listed = _ok(api.get(WISHLIST, headers=headers))
    assert [entry["id"] for entry in listed] == [by_variant["id"], item["id"]]

    assert api.delete(f"{WISHLIST}/{item['id']}", headers=headers).status_code == 204
    assert [entry["id"] for entry in _ok(api.get(WISHLIST, headers=headers))] == [by_variant["id"]]


def test_wishlist_refusals():
    user, other = UserFactory(), UserFactory()
    api, headers = Client(), _bearer(user)
    theirs, _ = wishlist_add(user=other, product_id=make_product().pk)
    for body, status, code in (
        ({}, 400, "cart_request_invalid"),
        ({"product_id": 2**70}, 400, "cart_request_invalid"),
        ({"variant_id": 999999}, 400, "cart_request_invalid"),
        ({"variant_id": _variant(status="archived").pk}, 409, "product_unavailable"),
    ):
        response = api.post(WISHLIST, body, "application/json", headers=headers)
        _assert_problem(response, status, code)
    response = api.delete(f"{WISHLIST}/{theirs.pk}", headers=headers)
    _assert_problem(response, 404, "wishlist_item_not_found")
    response = api.post(f"{WISHLIST}/{theirs.pk}/move-to-cart", headers=headers)
    _assert_problem(response, 404, "wishlist_item_not_found")
    assert _ok(api.get(WISHLIST, headers=headers)) == []
    assert WishlistItem.objects.filter(pk=theirs.pk).exists()
    assert not Cart.objects.exists()


def test_move_to_cart_puts_one_in_the_cart_and_takes_it_off_the_wishlist(client):
    user = UserFactory()
    client.force_login(user)
    variant = _variant(stock=2)
    item, _ = wishlist_add(user=user, product_id=variant.product.pk)
    response = client.post(f"{WISHLIST}/{item.pk}/move-to-cart")
    body = _ok(response)
    assert _lines(body) == [(variant.sku, 1)] and body["token"] is None
    assert _ok(client.get(WISHLIST)) == []
    assert _lines(_cart(client)) == [(variant.sku, 1)]


def test_move_to_cart_refusals_change_nothing():
    user = UserFactory()
    api, headers = Client(), _bearer(user)
    product = make_product(
        variants=[
            {"size": "0-3M", "price": Decimal("9.00"), "stock": 2},
            {"size": "3-6M", "price": Decimal("9.00"), "stock": 0},
        ]
    )
    any_size, _ = wishlist_add(user=user, product_id=product.pk)
    sold_out, _ = wishlist_add(user=user, variant_id=product.variants.get(size="3-6M").pk)
    url = f"{WISHLIST}/{{}}/move-to-cart"
    body = _assert_problem(
        api.post(url.format(any_size.pk), headers=headers), 400, "cart_request_invalid"
    )
    assert "Choose a size" in body["detail"]
    _assert_problem(api.post(url.format(sold_out.pk), headers=headers), 409, "insufficient_stock")
    assert len(_ok(api.get(WISHLIST, headers=headers))) == 2
    assert _cart(api, headers)["lines"] == []
    assert not Cart.objects.exists()


# --- OpenAPI ---------------------------------------------------------------------------------


def test_openapi_documents_the_cart_and_wishlist(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    paths = schema["paths"]
    assert set(paths["/api/v1/cart/items/{item_id}"]) == {"patch", "delete"}
    post = paths["/api/v1/cart/items"]["post"]
    assert post["responses"]["201"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/CartOut"
    }
    assert {"400", "409"} <= set(post["responses"])
    assert any(p["name"] == "X-Cart-Token" for p in post["parameters"])
    assert "401" in paths["/api/v1/wishlist"]["get"]["responses"]
    assert "/api/v1/wishlist/{item_id}/move-to-cart" in paths
    line = schema["components"]["schemas"]["CartLineOut"]["properties"]
    assert {"price_changed", "problem", "snapshot_price", "line_total"} <= set(line)
    assert client.get("/api/docs").status_code == 200
