"""Every place a customer or a client reads availability agrees with the
inventory: available = on_hand − active, unexpired reservations.

The readers are the storefront listing (its in-stock filter, the filter's count
and the card's badge), the product page (the variant panel and its JSON-LD) and
the catalog API (the list's in_stock filter, facet and field, and the detail's
variants). Each test runs once per reader, so a reader that still looks at
on_hand fails on its own name."""

import json
import re
from datetime import timedelta
from decimal import Decimal
from html import unescape

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from boutique.inventory.models import HolderType, Reservation, ReservationState
from boutique.inventory.services import reservation_release, stock_reserve

from .factories import CategoryFactory, make_product

pytestmark = pytest.mark.django_db

SHOP = reverse("storefront:product_list")
API_LIST = "/api/v1/products"


def _product_url(product) -> str:
    return reverse("storefront:product", args=[product.slug])


def _ok(response):
    assert response.status_code == 200, response.content[:500]
    return response


# --- Readers: does this product look available? ------------------------------------
def _card_names(html: str) -> list[str]:
    return [unescape(n) for n in re.findall(r'class="product-card-name">([^<]+)<', html)]


def shop_in_stock_filter(client, product) -> bool:
    html = _ok(client.get(SHOP, {"in_stock": "true"})).content.decode()
    return product.name in _card_names(html)


def shop_in_stock_count(client, product) -> bool:
    # The only visible product, so the "In stock only" count is 1 or 0.
    html = _ok(client.get(SHOP)).content.decode()
    count = re.search(r'In stock only</span> <span class="facet-count">\((\d+)\)', html)
    return int(count.group(1)) == 1


def _card(client, product) -> str:
    html = _ok(client.get(SHOP)).content.decode()
    [card] = [c for c in html.split('<li class="product-card">')[1:] if product.name in c]
    return card


def shop_card(client, product) -> bool:
    return "product-badge-out" not in _card(client, product)


def _panel(client, product) -> tuple[bool, str]:
    html = _ok(client.get(_product_url(product))).content.decode()
    state, label = re.search(
        r'<p class="availability availability-(in|out)">([^<]*)</p>', html
    ).groups()
    return state == "in", unescape(label)


def product_page(client, product) -> bool:
    return _panel(client, product)[0]


def product_page_json_ld(client, product) -> bool:
    html = _ok(client.get(_product_url(product))).content.decode()
    raw = re.search(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', html, re.S).group(1)
    availability = json.loads(raw)["offers"]["availability"]
    assert availability in ("https://schema.org/InStock", "https://schema.org/OutOfStock")
    return availability == "https://schema.org/InStock"


def api_list_in_stock_filter(client, product) -> bool:
    body = _ok(client.get(API_LIST, {"in_stock": "true"})).json()
    return product.slug in [p["slug"] for p in body["results"]]


def api_list_in_stock_count(client, product) -> bool:
    body = _ok(client.get(API_LIST)).json()
    [option] = body["facets"]["in_stock"]
    return option["count"] == 1


def api_list_field(client, product) -> bool:
    body = _ok(client.get(API_LIST)).json()
    [summary] = [p for p in body["results"] if p["slug"] == product.slug]
    return summary["in_stock"]


def _api_variants(client, product) -> dict[str, dict]:
    body = _ok(client.get(f"{API_LIST}/{product.slug}")).json()
    return {v["sku"]: v for v in body["variants"]}


def api_detail(client, product) -> bool:
    return any(v["in_stock"] for v in _api_variants(client, product).values())


AVAILABLE_READERS = [
    pytest.param(reader, id=reader.__name__)
    for reader in (
        shop_in_stock_filter,
        shop_in_stock_count,
        shop_card,
        product_page,
        product_page_json_ld,
        api_list_in_stock_filter,
        api_list_in_stock_count,
        api_list_field,
        api_detail,
    )
]


# --- Readers: what does this single-variant product say about its stock? -------------
def product_page_label(client, product) -> str:
    return _panel(client, product)[1]


def api_detail_label(client, product) -> str:
    [variant] = _api_variants(client, product).values()
    return variant["availability"]


LABEL_READERS = [
    pytest.param(reader, id=reader.__name__) for reader in (product_page_label, api_detail_label)
]


# --- Set-up ---------------------------------------------------------------------------
def _product(stock: int, **fields):
    return make_product("Knitted blanket", category=CategoryFactory(), stock=stock, **fields)


def _hold(variant, quantity: int, holder: str = "cart-1") -> Reservation:
    return stock_reserve(
        variant=variant, quantity=quantity, holder_type=HolderType.CART, holder_id=holder
    )


def _expire(reservation: Reservation) -> None:
    # Past its expiry but still "active": the clean-up job has not run.
    Reservation.objects.filter(pk=reservation.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    # Time moved on for the cached pages too: none outlives the hold's expiry
    # (catalog.cache.fresh_seconds; storefront test_page_cache checks it).
    cache.clear()


# --- Fully held stock ---------------------------------------------------------------------
@pytest.mark.parametrize("reader", AVAILABLE_READERS)
def test_stock_all_held_by_one_cart_is_unavailable(client, reader):
    product = _product(stock=4)
    assert reader(client, product) is True  # the reader sees stock at all
    _hold(product.variants.get(), 4)
    assert reader(client, product) is False


@pytest.mark.parametrize("reader", AVAILABLE_READERS)
def test_stock_held_by_several_carts_together_is_unavailable(client, reader):
    product = _product(stock=4)
    variant = product.variants.get()
    _hold(variant, 1, holder="cart-1")
    _hold(variant, 2, holder="cart-2")
    assert reader(client, product) is True  # one unit left
    _hold(variant, 1, holder="cart-3")
    assert reader(client, product) is False


@pytest.mark.parametrize("reader", LABEL_READERS)
def test_fully_held_stock_reads_out_of_stock(client, reader):
    product = _product(stock=4)
    _hold(product.variants.get(), 4)
    assert reader(client, product) == "Out of stock"


@pytest.mark.parametrize("reader", LABEL_READERS)
def test_a_held_one_of_a_kind_reads_sold(client, reader):
    product = _product(stock=1, is_one_of_a_kind=True)
    assert reader(client, product) == "In stock"
    _hold(product.variants.get(), 1)
    assert reader(client, product) == "Sold"


def test_a_held_one_of_a_kind_card_says_sold(client):
    product = _product(stock=1, is_one_of_a_kind=True)
    _hold(product.variants.get(), 1)
    assert 'product-badge-out">Sold</span>' in _card(client, product)


# --- Held stock coming back ---------------------------------------------------------------
def _release(reservation):
    assert reservation_release(reservation=reservation, reason="cart emptied") is True


@pytest.mark.parametrize("give_back", [_release, _expire], ids=["released", "expired"])
@pytest.mark.parametrize("reader", AVAILABLE_READERS)
def test_released_or_expired_hold_makes_the_stock_available_again(client, reader, give_back):
    product = _product(stock=3)
    reservation = _hold(product.variants.get(), 3)
    assert reader(client, product) is False
    give_back(reservation)
    assert reader(client, product) is True


@pytest.mark.parametrize("give_back", [_release, _expire], ids=["released", "expired"])
@pytest.mark.parametrize("reader", LABEL_READERS)
def test_released_or_expired_hold_gives_the_label_back(client, reader, give_back):
    product = _product(stock=3)
    reservation = _hold(product.variants.get(), 3)
    assert reader(client, product) == "Out of stock"
    give_back(reservation)
    assert reader(client, product) == "Only 3 left"


def test_an_expired_hold_counts_for_nothing_before_the_clean_up_job(client):
    product = _product(stock=2)
    reservation = _hold(product.variants.get(), 2)
    _expire(reservation)
    reservation.refresh_from_db()
    assert reservation.state == ReservationState.ACTIVE
    assert product_page_label(client, product) == "Only 2 left"
    assert api_list_in_stock_filter(client, product) is True


# --- Partly held stock -----------------------------------------------------------------------
@pytest.mark.parametrize("reader", LABEL_READERS)
def test_partly_held_stock_says_only_the_available_units_are_left(client, reader):
    # 10 on hand would read "In stock"; 2 available must read "Only 2 left".
    product = _product(stock=10)
    _hold(product.variants.get(), 8)
    assert reader(client, product) == "Only 2 left"


@pytest.mark.parametrize("reader", AVAILABLE_READERS)
def test_partly_held_stock_is_still_available(client, reader):
    product = _product(stock=10)
    _hold(product.variants.get(), 9)
    assert reader(client, product) is True


def test_the_add_to_cart_quantity_is_capped_at_the_available_units(client):
    product = _product(stock=10)
    _hold(product.variants.get(), 8)
    html = _ok(client.get(_product_url(product))).content.decode()
    assert 'max="2"' in html
    assert 'max="10"' not in html


# --- Variants held one by one ---------------------------------------------------------------
def _two_variants():
    product = make_product(
        "Romper",
        category=CategoryFactory(),
        variants=[
            {"size": "0-3M", "price": Decimal("9.00"), "stock": 3},
            {"size": "3-6M", "price": Decimal("9.00"), "stock": 2},
        ],
    )
    small, large = product.variants.order_by("position", "pk")
    return product, small, large


@pytest.mark.parametrize("reader", AVAILABLE_READERS)
def test_a_product_with_one_free_variant_stays_available(client, reader):
    product, small, large = _two_variants()
    _hold(small, 3)
    assert reader(client, product) is True
    _hold(large, 2)
    assert reader(client, product) is False


def test_the_page_and_the_api_agree_on_each_variant(client):
    product, small, large = _two_variants()
    _hold(small, 3)
    _hold(large, 1)
    variants = _api_variants(client, product)
    assert {sku: (v["in_stock"], v["availability"]) for sku, v in variants.items()} == {
        small.sku: (False, "Out of stock"),
        large.sku: (True, "Only 1 left"),
    }
    # The page opens on the option that can still be bought.
    html = _ok(client.get(_product_url(product))).content.decode()
    assert _panel(client, product) == (True, "Only 1 left")
    assert f"SKU {large.sku}" in html
    assert f'value="{large.pk}" checked>' in html
    assert f'value="{small.pk}">' in html
    assert "· Out of stock</span>" in html


# --- Query counts -----------------------------------------------------------------------------
def _held_products(n: int) -> None:
    category = CategoryFactory()
    for i in range(n):
        product = make_product(f"Toy {i}", category=category, stock=3)
        _hold(product.variants.get(), 3 if i % 2 else 1, holder=f"cart-{i}")


@pytest.mark.parametrize("n", [1, 12])
def test_the_in_stock_listing_runs_a_fixed_number_of_queries(
    client, db, n, django_assert_max_num_queries
):
    _held_products(n)
    client.get(SHOP)  # warm the session and content types
    # The page's 14 plus the exchange rates for the header's currency choice.
    with django_assert_max_num_queries(15):
        html = _ok(client.get(SHOP, {"in_stock": "true", "page_size": 100})).content.decode()
    assert len(_card_names(html)) == (n + 1) // 2
    with django_assert_max_num_queries(13):
        body = _ok(client.get(API_LIST, {"in_stock": "true", "page_size": 100})).json()
    assert body["count"] == (n + 1) // 2
