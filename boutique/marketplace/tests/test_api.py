"""The seller API (issue 9): an approved seller's own products, order items,
shipments and payouts; everyone else refused (401/403/404) with nothing changed."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from boutique.accounts.services import token_issue
from boutique.accounts.tests.factories import StaffFactory, UserFactory
from boutique.catalog.models import Brand, Product, Tag, Variant
from boutique.catalog.tests.factories import CategoryFactory, make_product
from boutique.core.problems import PROBLEM_CONTENT_TYPE
from boutique.inventory.models import HolderType
from boutique.inventory.selectors import available
from boutique.inventory.services import stock_reserve
from boutique.marketplace import selectors
from boutique.marketplace.models import SellerStatus
from boutique.marketplace.services import payout_generate, seller_suspend
from boutique.shipping.models import Shipment
from boutique.shipping.tests.factories import make_provider

from .factories import SellerFactory, deliver, multi_seller_order, seller_product

pytestmark = pytest.mark.django_db

API = "/api/v1/seller"


@pytest.fixture(autouse=True)
def _no_tax(settings):
    settings.DEFAULT_TAX_RATE = "0"


def _auth(user) -> dict:
    secret, _ = token_issue(user=user, name="test")
    return {"Authorization": f"Bearer {secret}"}


def _send(client, method, path, body, user):
    return client.generic(
        method, f"{API}{path}", json.dumps(body), "application/json", headers=_auth(user)
    )


def _problem(response, status, code=None) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith(PROBLEM_CONTENT_TYPE)
    body = response.json()
    assert body["status"] == status
    if code:
        assert body["code"] == code, body
    return body


@pytest.fixture
def seller(db):
    return SellerFactory(store_name="Olive Atelier", slug="olive-atelier")


@pytest.fixture
def category(db):
    return CategoryFactory(name="Knitwear", slug="knitwear")


def _product_body(**overrides):
    return {
        "name": "Hand-knit booties",
        "category": "knitwear",
        "status": "active",
        "variants": [
            {"sku": "OA-BOOT-S", "size": "0-3M", "price": "18.00", "stock": 4},
            {"sku": "OA-BOOT-M", "size": "3-6M", "price": "19.50", "stock": 2},
        ],
        **overrides,
    }


def _state():
    """What a refused write must leave as it was."""
    return (
        list(Product.objects.order_by("pk").values_list("pk", "name", "status", "seller_id")),
        list(Variant.objects.order_by("pk").values_list("pk", "sku", "price")),
        Shipment.objects.count(),
    )


# --- The store -------------------------------------------------------------------------------
def test_a_seller_reads_their_store(client, seller):
    response = client.get(API, headers=_auth(seller.owner))
    assert response.status_code == 200
    body = response.json()
    assert (body["store_name"], body["status"]) == ("Olive Atelier", "active")
    assert Decimal(body["commission_rate"]) == seller.effective_commission_rate


@pytest.mark.parametrize(
    "path", ["", "/carriers", "/products", "/order-items", "/payouts", "/products/1"]
)
def test_anonymous_is_401_and_a_customer_staff_or_applicant_403(client, path):
    method = "PATCH" if path == "/products/1" else "GET"
    _problem(client.generic(method, f"{API}{path}", "{}", "application/json"), 401)
    pending = SellerFactory(status=SellerStatus.PENDING).owner
    for user in (UserFactory(), StaffFactory(), pending):
        response = client.generic(
            method, f"{API}{path}", "{}", "application/json", headers=_auth(user)
        )
        _problem(response, 403, "not_a_seller")


def test_the_session_works_as_well_as_a_token(client, seller):
    client.force_login(seller.owner)
    assert client.get(f"{API}/products").status_code == 200


# --- Products --------------------------------------------------------------------------------
def test_a_seller_lists_their_products_with_variants_and_available_stock(client, seller):
    mine = seller_product(seller, stock=6)
    seller_product(SellerFactory(), name="Not mine")
    make_product("Shop blanket")
    variant = mine.variants.get()
    stock_reserve(variant=variant, quantity=2, holder_type=HolderType.CART, holder_id="c1")

    response = client.get(f"{API}/products", headers=_auth(seller.owner))

    assert response.status_code == 200
    page = response.json()
    assert (page["count"], page["page"], page["num_pages"], page["next"]) == (1, 1, 1, None)
    [product] = page["results"]
    assert (product["id"], product["name"]) == (mine.pk, mine.name)
    [row] = product["variants"]
    assert (row["sku"], row["on_hand"], row["available"]) == (variant.sku, 6, 4)
    assert row["available"] == available(variant)


def test_the_product_list_takes_the_same_queries_whatever_the_page_size(
    client, seller, django_assert_max_num_queries
):
    seller_product(seller, name="First")
    headers = _auth(seller.owner)
    client.get(f"{API}/products", headers=headers)  # warm up the token's last-use write
    with CaptureQueriesContext(connection) as one:
        assert client.get(f"{API}/products", headers=headers).status_code == 200
    brand, tag = Brand.objects.create(name="Olive", slug="olive"), Tag.objects.create(name="Wool")
    for n in range(12):
        product = make_product(
            f"Bonnet {n}",
            seller=seller,
            brand=brand,
            tags=[tag],
            variants=[{"price": Decimal(p), "stock": 3} for p in (10, 11, 12)],
        )
        stock_reserve(
            variant=product.variants.first(), quantity=1, holder_type=HolderType.CART, holder_id=n
        )
    with django_assert_max_num_queries(len(one)):
        response = client.get(f"{API}/products?page_size=100", headers=headers)
    assert len(response.json()["results"]) == 13


def test_a_seller_creates_a_product_with_variants_and_initial_stock(client, seller, category):
    Tag.objects.create(name="Merino", slug="merino")
    response = _send(client, "POST", "/products", _product_body(tags=["merino"]), seller.owner)

    assert response.status_code == 201, response.content
    body = response.json()
    product = Product.objects.get(pk=body["id"])
    assert (product.seller, product.category, product.status) == (seller, category, "active")
    assert body["tags"] == ["merino"]
    assert [(v["sku"], v["on_hand"], v["available"]) for v in body["variants"]] == [
        ("OA-BOOT-S", 4, 4),
        ("OA-BOOT-M", 2, 2),
    ]
    assert available(Variant.objects.get(sku="OA-BOOT-S")) == 4


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"category": "no-such-category"}, "category"),
        ({"brand": "no-such-brand"}, "brand"),
        ({"tags": ["nope"]}, "tags"),
        ({"variants": []}, "variants"),
        ({"name": "Booties\x00"}, "name"),
        ({"is_featured": True}, "is_featured"),  # never the seller's to set
        ({"variants": [{"sku": "X-1", "price": "-1"}]}, "variants.0.price"),
        ({"age_min_months": 24, "age_max_months": 12}, None),
    ],
)
def test_a_product_that_is_not_valid_is_422_and_nothing_is_created(
    client, seller, category, overrides, field
):
    before = _state()
    response = _send(client, "POST", "/products", _product_body(**overrides), seller.owner)
    body = _problem(response, 422, "validation_error")
    if field:
        assert field in body["errors"], body
    assert _state() == before


def test_a_sku_already_used_is_409(client, seller, category):
    taken = make_product("Shop hat").variants.get().sku
    body = _product_body(variants=[{"sku": taken, "price": "5.00"}])
    before = _state()
    _problem(_send(client, "POST", "/products", body, seller.owner), 409, "duplicate_sku")
    assert _state() == before


def test_a_seller_changes_some_fields_of_their_product(client, seller, category):
    product = seller_product(seller)
    Brand.objects.create(name="Olive", slug="olive")
    body = {"name": "Renamed bonnet", "status": "archived", "brand": "olive"}

    response = _send(client, "PATCH", f"/products/{product.pk}", body, seller.owner)

    assert response.status_code == 200, response.content
    assert response.json()["brand"] == {"slug": "olive", "name": "Olive"}
    product.refresh_from_db()
    assert (product.name, product.status, product.brand.slug) == (
        "Renamed bonnet",
        "archived",
        "olive",
    )
    response = _send(client, "PATCH", f"/products/{product.pk}", {"brand": None}, seller.owner)
    product.refresh_from_db()
    assert response.json()["brand"] is None and product.brand is None
    assert product.name == "Renamed bonnet"  # fields not sent stay


@pytest.mark.parametrize("body", [{"name": None}, {"seller": 1}, {"slug": "mine"}, {"status": "x"}])
def test_a_change_that_is_not_valid_is_422_and_changes_nothing(client, seller, body):
    product = seller_product(seller)
    before = _state()
    _problem(_send(client, "PATCH", f"/products/{product.pk}", body, seller.owner), 422)
    assert _state() == before


def test_another_sellers_or_the_shops_product_is_404_and_unchanged(client, seller):
    others = [seller_product(SellerFactory(), name="Theirs"), make_product("Shop blanket")]
    before = _state()
    for product in others:
        response = _send(client, "PATCH", f"/products/{product.pk}", {"name": "Mine"}, seller.owner)
        _problem(response, 404, "not_found")
    assert _state() == before


# --- Order items and shipments ---------------------------------------------------------------
@pytest.fixture
def mixed_order(seller):
    """One order: 2 of the seller's bonnets, 1 of another seller's, 1 of the shop's."""
    mine = seller_product(seller, name="Bonnet", price="20.00")
    theirs = seller_product(SellerFactory(), name="Theirs")
    shop = make_product("Shop bib")
    return multi_seller_order([(mine, 2), (theirs, 1), (shop, 1)])


def _items(client, seller, query=""):
    response = client.get(f"{API}/order-items{query}", headers=_auth(seller.owner))
    assert response.status_code == 200, response.content
    return response.json()


def test_a_seller_sees_only_their_order_items_with_the_order_and_address(
    client, seller, mixed_order
):
    page = _items(client, seller)

    [item] = page["results"]
    mine = mixed_order.items.get(seller=seller)
    assert item["id"] == mine.pk
    assert (item["order_number"], item["status"], item["currency"]) == (
        mixed_order.number,
        "paid",
        "USD",
    )
    assert (item["sku"], item["quantity"], item["shipped_quantity"]) == (mine.sku, 2, 0)
    assert (item["unit_price"], item["line_total"]) == ("20.00", "40.00")
    assert item["shipping_address"]["city"] == mixed_order.addresses.get(kind="shipping").city
    assert item["placed_at"]


def test_a_seller_ships_their_items_and_they_leave_the_to_fulfil_list(client, seller, mixed_order):
    mine = mixed_order.items.get(seller=seller)
    carrier = make_provider(name="Aramex")
    assert client.get(f"{API}/carriers", headers=_auth(seller.owner)).json() == [
        {"id": carrier.pk, "name": "Aramex"}
    ]
    ship = {"items": [{"order_item_id": mine.pk, "quantity": 1}], "provider_id": carrier.pk}

    first = _send(client, "POST", "/shipments", {**ship, "tracking_number": "AR1"}, seller.owner)

    assert first.status_code == 201, first.content
    body = first.json()
    assert (body["order_number"], body["provider"], body["tracking_number"]) == (
        mixed_order.number,
        "Aramex",
        "AR1",
    )
    assert body["tracking_url"] == "https://track.example.com/AR1"
    assert body["items"] == [
        {
            "order_item_id": mine.pk,
            "sku": mine.sku,
            "product_name": mine.product_name,
            "quantity": 1,
        }
    ]
    [item] = _items(client, seller, "?to_fulfil=true")["results"]
    assert item["shipped_quantity"] == 1
    assert _send(client, "POST", "/shipments", ship, seller.owner).status_code == 201
    assert _items(client, seller, "?to_fulfil=true")["count"] == 0
    assert _items(client, seller, "?to_fulfil=false")["count"] == 1
    before = _state()
    _problem(
        _send(client, "POST", "/shipments", ship, seller.owner), 409, "quantity_exceeds_unshipped"
    )
    assert _state() == before


def test_shipping_someone_elses_item_is_404_and_ships_nothing(client, seller, mixed_order):
    carrier = make_provider()
    before = _state()
    for item in mixed_order.items.exclude(seller=seller):
        ship = {"items": [{"order_item_id": item.pk, "quantity": 1}], "provider_id": carrier.pk}
        _problem(_send(client, "POST", "/shipments", ship, seller.owner), 404, "not_found")
    assert _state() == before


@pytest.mark.parametrize("case", ["two_orders", "unknown_carrier", "no_items", "zero"])
def test_a_shipment_that_is_not_valid_is_422_and_ships_nothing(client, seller, mixed_order, case):
    mine = mixed_order.items.get(seller=seller)
    carrier = make_provider()
    lines = [{"order_item_id": mine.pk, "quantity": 1}]
    if case == "two_orders":
        other = multi_seller_order([(mine.product, 1)]).items.get()
        lines.append({"order_item_id": other.pk, "quantity": 1})
    elif case == "no_items":
        lines = []
    elif case == "zero":
        lines[0]["quantity"] = 0
    provider_id = carrier.pk + 1000 if case == "unknown_carrier" else carrier.pk
    before = _state()
    response = _send(
        client, "POST", "/shipments", {"items": lines, "provider_id": provider_id}, seller.owner
    )
    _problem(response, 422)
    assert _state() == before


# --- Payouts ---------------------------------------------------------------------------------
def test_a_seller_reads_their_payouts(client, seller):
    product = seller_product(seller, price="50.00")
    deliver(multi_seller_order([(product, 1)]), at=timezone.now() - timedelta(days=2))
    yesterday = timezone.localdate() - timedelta(days=1)
    payout = payout_generate(
        seller=seller, period_start=yesterday - timedelta(days=6), period_end=yesterday
    )
    other = SellerFactory()
    deliver(multi_seller_order([(seller_product(other), 1)]), at=timezone.now() - timedelta(days=2))
    payout_generate(seller=other, period_start=yesterday - timedelta(days=6), period_end=yesterday)

    response = client.get(f"{API}/payouts", headers=_auth(seller.owner))

    assert response.status_code == 200
    [row] = response.json()["results"]
    assert (row["id"], row["status"], row["item_count"], row["currency"]) == (
        payout.pk,
        "pending",
        1,
        "USD",
    )
    assert row["gross_amount"] == "50.00"
    assert Decimal(row["net_amount"]) == payout.net_amount


@pytest.mark.parametrize(
    "query", ["page=0", "page=x", "page_size=101", "page_size=-1", "to_fulfil=maybe"]
)
def test_a_bad_page_or_filter_is_400(client, seller, query):
    response = client.get(f"{API}/order-items?{query}", headers=_auth(seller.owner))
    _problem(response, 400, "invalid_query")


def test_pages_follow_each_other(client, seller):
    for n in range(3):
        seller_product(seller, name=f"Bonnet {n}")
    first = client.get(f"{API}/products?page_size=2", headers=_auth(seller.owner)).json()
    second = client.get(f"{API}/products?page_size=2&page=2", headers=_auth(seller.owner)).json()
    assert (first["num_pages"], first["next"], second["previous"]) == (2, 2, 1)
    ids = [p["id"] for p in first["results"] + second["results"]]
    assert sorted(ids) == sorted(p.pk for p in selectors.seller_products(seller))


# --- A suspended store -----------------------------------------------------------------------
def test_a_suspended_store_reads_but_every_write_is_403_and_changes_nothing(
    client, seller, category, mixed_order
):
    product = seller_product(seller, name="Kept")
    item = mixed_order.items.get(seller=seller)
    carrier = make_provider()
    seller_suspend(seller=seller, actor=StaffFactory(), reason="Late parcels")
    before = _state()

    for path in ("", "/products", "/order-items", "/payouts"):
        assert client.get(f"{API}{path}", headers=_auth(seller.owner)).status_code == 200
    writes = [
        ("POST", "/products", _product_body()),
        ("PATCH", f"/products/{product.pk}", {"name": "Changed"}),
        (
            "POST",
            "/shipments",
            {"items": [{"order_item_id": item.pk, "quantity": 1}], "provider_id": carrier.pk},
        ),
    ]
    for method, path, body in writes:
        _problem(_send(client, method, path, body, seller.owner), 403, "seller_not_active")
    assert _state() == before
    assert client.get(API, headers=_auth(seller.owner)).json()["status_reason"] == "Late parcels"


# --- The API and the workspace pages agree ---------------------------------------------------
def test_the_api_and_the_workspace_pages_show_the_same_products_and_items(
    client, seller, category, mixed_order
):
    _send(client, "POST", "/products", _product_body(), seller.owner)
    seller_product(seller, name="Older bonnet")
    client.force_login(seller.owner)

    api_products = client.get(f"{API}/products").json()["results"]
    page_products = client.get(reverse("storefront:seller:products")).context["page"].object_list
    assert [p.pk for p in page_products] == [p["id"] for p in api_products]
    assert [p.available_units for p in page_products] == [
        sum(v["available"] for v in p["variants"]) for p in api_products
    ]

    def page_items():
        return [
            i.pk
            for i in client.get(reverse("storefront:seller:orders")).context["page"].object_list
        ]

    item = mixed_order.items.get(seller=seller)
    assert page_items() == [i["id"] for i in _items(client, seller, "?to_fulfil=true")["results"]]
    ship = {"items": [{"order_item_id": item.pk, "quantity": 2}], "provider_id": make_provider().pk}
    assert _send(client, "POST", "/shipments", ship, seller.owner).status_code == 201
    assert page_items() == [] == _items(client, seller, "?to_fulfil=true")["results"]
