"""The anonymous page cache (boutique/storefront/pagecache.py): who is served
from it, that a cached page carries the visitor's own CSRF token and CSP nonce,
and that a change made through the services or the admin shows on the very
next anonymous request."""

import re
import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from boutique.accounts.tests.factories import StaffFactory
from boutique.backoffice.services import social_link_create
from boutique.catalog.cache import VERSION_KEY, catalog_version, fresh_seconds
from boutique.catalog.services import product_update, variant_update
from boutique.catalog.tests.factories import make_product
from boutique.inventory.services import stock_adjust, stock_reserve
from boutique.marketplace.services.onboarding import seller_suspend
from boutique.orders.services import exchange_rate_set
from boutique.storefront.pagecache import HEADER, csrf_placeholder, nonce_placeholder

pytestmark = pytest.mark.django_db

HOT_PAGES = ("/", "/shop/", "/search/?q=bunny", "/api/v1/products")
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
HX_HEADERS = re.compile(r"X-CSRFToken&quot;: &quot;([^&]+)&quot;|\"X-CSRFToken\": \"([^\"]+)\"")
JSON_LD_NONCE = re.compile(r'<script type="application/ld\+json" nonce="([^"]+)">')


@pytest.fixture
def bunny(db):
    return make_product("Knitted bunny", price="20.00", stock=10)


def _paths(product):
    return [
        reverse("storefront:product", args=[product.slug]),
        reverse("storefront:category", args=[product.category.slug]),
        "/api/v1/products",
        f"/api/v1/products/{product.slug}",
    ]


def _get(path, **headers):
    """A first-time visitor: a new client, no cookies."""
    return Client().get(path, headers=headers)


def _normalised(content: bytes) -> str:
    """The page without what differs per response: the CSRF token and nonce."""
    text = content.decode()
    text = re.sub(r'csrfmiddlewaretoken" value="[^"]+"', 'csrfmiddlewaretoken" value=""', text)
    text = re.sub(r"X-CSRFToken&quot;: &quot;[^&]+&quot;", "X-CSRFToken", text)
    text = re.sub(r"X-CSRFToken\": \"[^\"]+\"", "X-CSRFToken", text)
    return re.sub(r'nonce="[^"]+"', 'nonce=""', text)


# --- Who is served from the cache ---------------------------------------------------
def test_anonymous_visitors_get_the_hot_pages_from_the_cache(bunny):
    for path in dict.fromkeys([*HOT_PAGES, *_paths(bunny)]):
        first, second = _get(path), _get(path)
        assert (first.status_code, second.status_code) == (200, 200), path
        assert (first[HEADER], second[HEADER]) == ("miss", "hit"), path
        assert _normalised(first.content) == _normalised(second.content), path


def test_cached_pages_have_the_same_bytes_as_uncached_ones(bunny, settings):
    paths = list(dict.fromkeys([*HOT_PAGES, *_paths(bunny)]))
    for path in paths:
        _get(path)
    cached = {path: _get(path) for path in paths}
    settings.CATALOG_CACHE = False
    for path in paths:
        fresh = _get(path)
        assert HEADER not in fresh
        assert cached[path][HEADER] == "hit"
        assert _normalised(cached[path].content) == _normalised(fresh.content), path
        for header in ("Content-Type", "Vary", "Content-Security-Policy", "X-Frame-Options"):
            same = [re.sub(r"'nonce-[^']+'", "", r.get(header, "")) for r in (cached[path], fresh)]
            assert same[0] == same[1], (path, header)


def test_a_visitor_with_a_session_is_never_served_from_the_cache(bunny, client):
    path = reverse("storefront:product", args=[bunny.slug])
    _get(path)
    client.post(reverse("storefront:cart_add"), {"variant_id": bunny.variants.get().pk})
    assert "sessionid" in client.cookies
    response = client.get(path)
    assert HEADER not in response
    assert "Add to cart" in response.content.decode()


def test_signed_in_customers_and_api_tokens_bypass_the_cache(bunny, client):
    path = reverse("storefront:product", args=[bunny.slug])
    _get(path)
    client.force_login(StaffFactory())
    assert HEADER not in client.get(path)
    assert HEADER not in _get("/api/v1/products", Authorization="Bearer nonsense")


def test_htmx_requests_and_errors_are_not_cached(bunny):
    listing = reverse("storefront:category", args=[bunny.category.slug])
    assert HEADER not in _get(listing, **{"HX-Request": "true"})
    assert HEADER not in _get(listing, **{"HX-Request": "true"})
    for path in ("/p/no-such-thing/", "/shop/?price_min=abc", "/api/v1/products?sort=nope"):
        first, second = _get(path), _get(path)
        assert first.status_code >= 400 and second.status_code == first.status_code
        assert HEADER not in first and HEADER not in second


def test_posts_and_other_pages_are_not_cached(bunny):
    assert HEADER not in _get(reverse("storefront:cart"))
    assert HEADER not in Client().post("/api/v1/products")


def test_the_dummy_cache_serves_every_page_fresh(bunny, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    path = reverse("storefront:product", args=[bunny.slug])
    assert [_get(path)[HEADER] for _ in range(2)] == ["miss", "miss"]
    variant_update(variant=bunny.variants.get(), price=Decimal("21.00"))
    assert "$21.00" in _get(path).content.decode()


# --- Per-visitor parts: CSRF token and CSP nonce -------------------------------------
def test_a_cached_page_carries_the_nonce_of_its_own_csp_header(bunny):
    path = reverse("storefront:product", args=[bunny.slug])
    nonces = []
    for state in ("miss", "hit", "hit"):
        response = _get(path)
        assert response[HEADER] == state
        page_nonce = JSON_LD_NONCE.search(response.content.decode()).group(1)
        assert f"'nonce-{page_nonce}'" in response["Content-Security-Policy"]
        nonces.append(page_nonce)
    assert len(set(nonces)) == 3
    assert nonce_placeholder() not in _get(path).content.decode()


def test_a_cached_page_never_holds_another_visitors_csrf_token(bunny):
    path = reverse("storefront:product", args=[bunny.slug])
    tokens = set()
    for _ in range(3):
        html = _get(path).content.decode()
        assert csrf_placeholder() not in html
        found = {match.group(1) for match in CSRF_INPUT.finditer(html)}
        found |= {a or b for a, b in HX_HEADERS.findall(html)}
        assert len(found) == 1
        tokens |= found
    assert len(tokens) == 3


def test_add_to_cart_from_a_cached_product_page_passes_csrf(bunny):
    path = reverse("storefront:product", args=[bunny.slug])
    Client(enforce_csrf_checks=True).get(path)  # someone else filled the cache
    visitor = Client(enforce_csrf_checks=True)
    page = visitor.get(path)
    assert page[HEADER] == "hit"
    assert "csrftoken" in page.cookies
    token = CSRF_INPUT.search(page.content.decode()).group(1)

    response = visitor.post(
        reverse("storefront:cart_add"),
        {"csrfmiddlewaretoken": token, "variant_id": bunny.variants.get().pk, "quantity": 1},
    )

    assert response.status_code == 302
    assert visitor.get(reverse("storefront:cart")).context["cart_count"] == 1


def test_htmx_add_to_cart_with_the_header_token_of_a_cached_page_passes_csrf(bunny):
    path = reverse("storefront:product", args=[bunny.slug])
    Client().get(path)
    visitor = Client(enforce_csrf_checks=True)
    match = HX_HEADERS.search(visitor.get(path).content.decode())
    token = match.group(1) or match.group(2)

    response = visitor.post(
        reverse("storefront:cart_add"),
        {"variant_id": bunny.variants.get().pk},
        headers={"X-CSRFToken": token, "HX-Request": "true"},
    )

    assert response.status_code == 200


# --- Changes show on the very next request ---------------------------------------
def _prices_everywhere(product) -> list[str]:
    return [_get(path).content.decode() for path in _paths(product)]


def test_a_price_change_through_the_service_shows_at_once(bunny):
    assert all("20.00" in page for page in _prices_everywhere(bunny))
    assert all(_get(path)[HEADER] == "hit" for path in _paths(bunny))

    variant_update(variant=bunny.variants.get(), price=Decimal("17.50"))

    pages = _prices_everywhere(bunny)
    assert all("17.50" in page for page in pages)
    assert not any("20.00" in page for page in pages)


def test_a_price_change_through_the_admin_shows_at_once(bunny, client):
    _prices_everywhere(bunny)
    client.force_login(StaffFactory())
    variant = bunny.variants.get()
    data = {
        # The back office edits each language (django-modeltranslation).
        "name_en": bunny.name,
        "slug": bunny.slug,
        "status": "active",
        "description_en": bunny.description,
        "category": bunny.category_id,
        "age_min_months": "",
        "age_max_months": "",
        "variants-TOTAL_FORMS": "1",
        "variants-INITIAL_FORMS": "1",
        "images-TOTAL_FORMS": "0",
        "images-INITIAL_FORMS": "0",
        "variants-0-id": variant.pk,
        "variants-0-product": bunny.pk,
        "variants-0-sku": variant.sku,
        "variants-0-size": "",
        "variants-0-color": "",
        "variants-0-price": "14.25",
        "variants-0-compare_at_price": "",
        "variants-0-currency": "USD",
        "variants-0-weight_grams": "",
        "variants-0-position": "0",
        "variants-0-is_active": "on",
    }
    response = client.post(reverse("admin:catalog_product_change", args=[bunny.pk]), data)
    assert response.status_code == 302

    pages = _prices_everywhere(bunny)
    assert all("14.25" in page for page in pages)
    assert not any("20.00" in page for page in pages)


def test_a_sale_price_shows_at_once(bunny):
    path = reverse("storefront:product", args=[bunny.slug])
    _get(path)
    variant_update(variant=bunny.variants.get(), compare_at_price=Decimal("25.00"))
    assert "25.00" in _get(path).content.decode()


def test_stock_down_to_zero_shows_sold_out_at_once(bunny):
    path = reverse("storefront:product", args=[bunny.slug])
    listing = reverse("storefront:category", args=[bunny.category.slug]) + "?in_stock=true"
    assert "Add to cart" in _get(path).content.decode()
    assert bunny.name in _get(listing).content.decode()

    stock_adjust(variant=bunny.variants.get(), quantity=-10, reason="damaged")

    html = _get(path).content.decode()
    assert "Out of stock" in html and "Add to cart" not in html
    assert bunny.name not in _get(listing).content.decode()
    assert _get(f"/api/v1/products/{bunny.slug}").json()["variants"][0]["in_stock"] is False


def test_a_reservation_of_the_last_units_shows_at_once(bunny):
    path = reverse("storefront:product", args=[bunny.slug])
    assert 'max="10"' in _get(path).content.decode()
    stock_reserve(variant=bunny.variants.get(), quantity=8, holder_type="cart", holder_id="c1")
    assert "Only 2 left" in _get(path).content.decode()


def test_a_cached_page_does_not_outlive_the_next_hold_expiry(bunny, settings):
    # A hold that expires gives its units back without any write (no bump):
    # the page cached while it held them must be gone when it expires.
    settings.CATALOG_CACHE_SECONDS = 300
    path = reverse("storefront:product", args=[bunny.slug])
    variant = bunny.variants.get()
    stock_reserve(
        variant=variant, quantity=10, holder_type="cart", holder_id="c1", ttl=timedelta(seconds=2)
    )
    assert fresh_seconds(catalog_version()) <= 2
    assert "Out of stock" in _get(path).content.decode()
    assert _get(path)[HEADER] == "hit"
    time.sleep(2.2)
    response = _get(path)
    assert response[HEADER] == "miss"
    assert "In stock" in response.content.decode()
    assert fresh_seconds(catalog_version()) == 300  # no hold left to wait for


def test_a_renamed_or_hidden_product_shows_at_once(bunny):
    path = reverse("storefront:product", args=[bunny.slug])
    _get(path), _get("/")
    product_update(product=bunny, name="Crocheted bunny")
    assert "Crocheted bunny" in _get(path).content.decode()
    product_update(product=bunny, status="draft")
    assert _get(path).status_code == 404


def test_a_suspended_sellers_products_leave_at_once(catalog):
    path = reverse("storefront:product", args=[catalog.stroller.slug])
    assert _get(path).status_code == 200
    seller_suspend(seller=catalog.stroller.seller, actor=StaffFactory(), reason="Checks")
    assert _get(path).status_code == 404


def test_footer_links_and_currencies_show_at_once(bunny):
    _get("/")
    social_link_create(platform="instagram", url="https://instagram.com/boutique")
    assert "instagram.com/boutique" in _get("/").content.decode()
    exchange_rate_set(currency="LBP", rate="89500")
    assert 'id="currency-choice"' in _get("/").content.decode()


def test_a_lost_version_counter_restarts_above_the_old_one(bunny):
    from django.core.cache import cache

    before = catalog_version()
    cache.delete(VERSION_KEY)
    assert catalog_version() > before


def test_a_recall_shows_on_cached_pages_at_once(bunny):
    from boutique.catalog.safety import recall_issue

    path = reverse("storefront:product", args=[bunny.slug])
    api = f"/api/v1/products/{bunny.slug}"
    _get(path), _get(api)
    assert _get(path)[HEADER] == "hit" and "recall-banner" not in _get(path).content.decode()

    recall_issue(
        product=bunny,
        actor=StaffFactory(),
        title="Loose eyes",
        description="Eyes come off.",
        remedy="Return it.",
    )

    assert "recall-banner" in _get(path).content.decode()
    assert _get(api).json()["is_recalled"] is True
