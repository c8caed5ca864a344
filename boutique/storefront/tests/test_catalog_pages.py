"""The browsing pages: shop, category, search, product, home and sitemap."""

import json
import re
from decimal import Decimal
from html import unescape

import pytest
from django.urls import reverse

from boutique.catalog import services
from boutique.catalog.tests.conftest import png_file
from boutique.catalog.tests.factories import CategoryFactory, make_product
from boutique.inventory.services import stock_adjust

from .conftest import HTMX

SHOP = reverse("storefront:product_list")
SEARCH = reverse("storefront:search")


def _names(response) -> list[str]:
    """Product card names in page order."""
    html = response.content.decode()
    return [unescape(n) for n in re.findall(r'class="product-card-name">([^<]+)<', html)]


def _category(slug):
    return reverse("storefront:category", args=[slug])


def _product(slug):
    return reverse("storefront:product", args=[slug])


# --- Listing -------------------------------------------------------------------
def test_shop_lists_visible_products_newest_first(client, catalog):
    response = client.get(SHOP)
    assert response.status_code == 200
    assert _names(response) == ["City stroller", "Wool hat", "Plain bodysuit", "Striped bodysuit"]
    assert "4 products" in response.content.decode()


def test_category_page_lists_its_descendants(client, catalog):
    response = client.get(_category("clothing"))
    assert response.status_code == 200
    assert set(_names(response)) == {"Wool hat", "Plain bodysuit", "Striped bodysuit"}
    body = response.content.decode()
    assert "<h1>Clothing</h1>" in body
    # Its subcategory is offered with its count.
    assert re.search(
        r'href="/shop/c/bodysuits/"[^>]*>Bodysuits</a> <span class="facet-count">\(2\)', body
    )


def test_leaf_category_page_has_breadcrumbs_and_canonical(client, catalog):
    body = client.get(_category("bodysuits")).content.decode()
    assert '<a href="/shop/c/clothing/">Clothing</a>' in body
    assert '<span aria-current="page">Bodysuits</span>' in body
    assert '<link rel="canonical" href="http://testserver.test/shop/c/bodysuits/">' in body


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = "http://testserver.test"


def test_unknown_category_is_404(client, catalog):
    assert client.get(_category("no-such-thing")).status_code == 404


def test_filters_combine_and_show_counts(client, catalog):
    response = client.get(SHOP, {"brand": "cosy", "size": "0-3M"})
    assert _names(response) == ["Striped bodysuit"]
    body = response.content.decode()
    # The chosen brand stays ticked; the other brand's count keeps the size filter.
    assert re.search(r'name="brand" value="cosy" checked>', body)
    assert re.search(
        r'value="tiny">\s*<span class="facet-label">Tiny</span> '
        r'<span class="facet-count">\(1\)',
        body,
    )


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"tag": "gift"}, ["Plain bodysuit"]),
        ({"color": "Grey"}, ["Wool hat"]),
        ({"seller": "little-wheels"}, ["City stroller"]),
        ({"in_stock": "true"}, ["City stroller", "Plain bodysuit", "Striped bodysuit"]),
        ({"on_sale": "true"}, ["Plain bodysuit"]),
        ({"price_min": "10", "price_max": "20"}, ["Wool hat", "Striped bodysuit"]),
        ({"age": "18"}, ["City stroller", "Wool hat"]),
    ],
)
def test_each_filter_narrows_the_page(client, catalog, params, expected):
    response = client.get(SHOP, params)
    assert response.status_code == 200
    assert _names(response) == expected


def test_sort_by_price(client, catalog):
    response = client.get(SHOP, {"sort": "price_asc"})
    assert _names(response) == ["Plain bodysuit", "Striped bodysuit", "Wool hat", "City stroller"]
    assert '<option value="price_asc" selected>' in response.content.decode()


@pytest.mark.parametrize(
    "params",
    [{"brand": "nope"}, {"sort": "cheapest"}, {"price_min": "abc"}, {"page": "0"}],
)
def test_unknown_filter_values_answer_400_with_an_explanation(client, catalog, params):
    response = client.get(SHOP, params)
    assert response.status_code == 400
    body = response.content.decode()
    assert "We couldn't use these filters" in body
    assert 'class="product-card"' not in body


def test_pages_link_to_each_other(client, catalog):
    first = client.get(SHOP, {"page_size": 3})
    body = first.content.decode()
    assert len(_names(first)) == 3
    assert "Page 1 of 2" in body
    assert 'rel="next" href="/shop/?page_size=3&amp;page=2"' in body
    second = client.get(SHOP, {"page_size": 3, "page": 2})
    assert _names(second) == ["Striped bodysuit"]
    assert 'rel="prev"' in second.content.decode()


def test_a_page_past_the_end_offers_the_first(client, catalog):
    response = client.get(SHOP, {"page": 9})
    assert response.status_code == 200
    assert "There is no page 9" in response.content.decode()


def test_htmx_gets_only_the_results_region(client, catalog):
    response = client.get(SHOP, {"brand": "tiny"}, headers=HTMX)
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert 'id="catalog"' in body
    assert _names(response) == ["City stroller", "Plain bodysuit"]
    assert "HX-Request" in response["Vary"]


def test_sold_one_of_a_kind_shows_sold_on_its_card(client, db):
    item = make_product("Hand-knitted cardigan", is_one_of_a_kind=True, stock=1)
    stock_adjust(variant=item.variants.get(), quantity=-1, reason="sold in the shop")
    body = client.get(SHOP).content.decode()
    assert "Hand-knitted cardigan" in body
    assert 'product-badge-out">Sold</span>' in body


# --- Search --------------------------------------------------------------------
def test_search_finds_by_name_and_keeps_the_query(client, catalog):
    response = client.get(SEARCH, {"q": "stroller"})
    assert response.status_code == 200
    assert _names(response) == ["City stroller"]
    body = response.content.decode()
    assert "Results for “stroller”" in body
    assert '<input type="hidden" name="q" value="stroller">' in body
    assert '<option value="relevance" selected>' in body


def test_search_combines_with_filters(client, catalog):
    assert _names(client.get(SEARCH, {"q": "bodysuit", "brand": "tiny"})) == ["Plain bodysuit"]


def test_search_without_matches_says_so(client, catalog):
    response = client.get(SEARCH, {"q": "trampoline"})
    assert response.status_code == 200
    assert "Nothing matches “trampoline”" in response.content.decode()


def test_search_never_shows_hidden_products(client, catalog):
    assert "Draft" not in " ".join(_names(client.get(SEARCH, {"q": "bodysuit"})))


# --- Product page ---------------------------------------------------------------
def test_product_page_shows_price_availability_and_options(client, catalog):
    response = client.get(_product(catalog.striped.slug))
    assert response.status_code == 200
    body = response.content.decode()
    assert '<h1 id="product-title">Striped bodysuit</h1>' in body
    assert '<strong class="price-now">$12.00</strong>' in body
    assert "Only 2 left" in body
    assert body.count('name="variant"') == 2
    assert '<a href="/shop/c/bodysuits/">Bodysuits</a>' in body
    assert '<link rel="canonical" href="http://testserver.test/p/striped-bodysuit/">' in body
    assert "Plain bodysuit" in body  # related: same category


def test_product_page_json_ld_describes_the_offer(client, catalog):
    body = client.get(_product(catalog.plain.slug)).content.decode()
    raw = re.search(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', body, re.S).group(1)
    data = json.loads(raw)
    assert data["@type"] == "Product"
    assert data["name"] == "Plain bodysuit"
    assert data["brand"] == {"@type": "Brand", "name": "Tiny"}
    assert data["offers"]["price"] == "8.00"
    assert data["offers"]["priceCurrency"] == "USD"
    assert data["offers"]["availability"] == "https://schema.org/InStock"
    assert data["url"] == "http://testserver.test/p/plain-bodysuit/"


def test_json_ld_cannot_close_its_script(client, db):
    product = make_product("Sneaky</script><script>alert(1)</script>")
    body = client.get(_product(product.slug)).content.decode()
    assert "</script><script>alert(1)" not in body


def test_a_sale_variant_shows_both_prices_and_the_saving(client, catalog):
    body = client.get(_product(catalog.plain.slug)).content.decode()
    assert '<strong class="price-now price-sale">$8.00</strong>' in body
    assert '<del class="price-was">$10.00</del>' in body
    assert "Save 20%" in body


def test_choosing_a_variant_without_javascript_reloads_the_page_with_it(client, catalog):
    red = catalog.striped.variants.get(size="3-6M")
    body = client.get(_product(catalog.striped.slug), {"variant": red.pk}).content.decode()
    assert f'value="{red.pk}" checked' in body
    assert "Out of stock" in body
    assert f"SKU {red.sku}" in body


def test_htmx_variant_swap_returns_the_panel_and_gallery(client, catalog, media_root):
    red = catalog.striped.variants.get(size="3-6M")
    services.image_add(product=catalog.striped, file=png_file("red.png"), variant=red)
    url = reverse("storefront:product_variant", args=[catalog.striped.slug])
    response = client.get(url, {"variant": red.pk}, headers=HTMX)
    assert response.status_code == 200
    body = response.content.decode()
    assert '<div id="variant-panel"' in body
    assert "Out of stock" in body
    assert '<div id="product-gallery" class="gallery" hx-swap-oob="true">' in body
    assert "<html" not in body
    assert response["HX-Replace-Url"] == f"/p/striped-bodysuit/?variant={red.pk}"


def test_variant_fragment_without_htmx_redirects_to_the_page(client, catalog):
    red = catalog.striped.variants.get(size="3-6M")
    url = reverse("storefront:product_variant", args=[catalog.striped.slug])
    response = client.get(url, {"variant": red.pk})
    assert response.status_code == 302
    assert response["Location"] == f"/p/striped-bodysuit/?variant={red.pk}"


@pytest.mark.parametrize("variant", ["abc", "-1", "99999999", "1" * 30])
def test_an_option_that_is_not_the_products_is_404(client, catalog, variant):
    assert client.get(_product(catalog.striped.slug), {"variant": variant}).status_code == 404


def test_another_products_variant_is_404(client, catalog):
    other = catalog.plain.variants.get()
    response = client.get(_product(catalog.striped.slug), {"variant": other.pk})
    assert response.status_code == 404


@pytest.mark.parametrize("slug", ["draft-bodysuit", "archived-bodysuit", "nothing-here"])
def test_hidden_or_unknown_product_is_404(client, catalog, slug):
    assert client.get(_product(slug)).status_code == 404


def test_sold_one_of_a_kind_product_page_says_sold(client, db):
    item = make_product("Vintage rocking horse", is_one_of_a_kind=True, stock=1)
    stock_adjust(variant=item.variants.get(), quantity=-1, reason="sold at a fair")
    body = client.get(_product(item.slug)).content.decode()
    assert '<p class="availability availability-out">Sold</p>' in body
    assert "One of a kind" in body


# --- Home and sitemap -------------------------------------------------------------
def test_home_shows_categories_new_arrivals_and_sale(client, catalog):
    body = client.get(reverse("storefront:home")).content.decode()
    assert 'href="/shop/c/clothing/"' in body
    assert 'href="/shop/c/gear/"' in body
    new = body[body.index('id="new-title"') : body.index('id="sale-title"')]
    assert "City stroller" in new
    sale = body[body.index('id="sale-title"') :]
    assert "Plain bodysuit" in sale
    assert "Wool hat" not in sale


def test_sitemap_lists_visible_products_and_categories(client, catalog):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    body = response.content.decode()
    assert "<loc>http://testserver.test/p/striped-bodysuit/</loc>" in body
    assert "<loc>http://testserver.test/shop/c/strollers/</loc>" in body
    assert "draft-bodysuit" not in body


# --- Query counts -----------------------------------------------------------------
def _shelf(n, media_root):
    category = CategoryFactory(slug="shelf")
    for i in range(n):
        product = make_product(
            f"Toy {i}",
            category=category,
            variants=[
                {"size": "S", "color": "Red", "price": Decimal("5"), "stock": 1},
                {"size": "M", "color": "Blue", "price": Decimal(6 + i), "stock": 0},
            ],
        )
        services.image_add(product=product, file=png_file(size=(8, 8)))


@pytest.mark.parametrize("n", [1, 25])
def test_listing_page_runs_a_fixed_number_of_queries(
    client, db, media_root, django_assert_max_num_queries, n
):
    _shelf(n, media_root)
    client.get(SHOP)  # warm the session and content types
    # Category tree, count, page, images, card prices, the facets and the
    # exchange rates (for the header's currency choice).
    with django_assert_max_num_queries(15):
        response = client.get(SHOP, {"page_size": 100, "size": "S"})
    assert len(_names(response)) == n


@pytest.mark.parametrize("n", [1, 8])
def test_product_page_runs_a_fixed_number_of_queries(
    client, db, media_root, django_assert_max_num_queries, n
):
    category = CategoryFactory(slug="many")
    variants = [
        {"size": f"{s}Y", "price": Decimal(10 + s), "stock": s % 2} for s in range(1, n + 1)
    ]
    product = make_product("Party dress", category=category, variants=variants)
    for i in range(n):
        services.image_add(product=product, file=png_file(f"p{i}.png", size=(8, 8)))
    for i in range(4):
        make_product(f"Sibling {i}", category=category)
    # Product, variants with stock, images, tags, tree, related, their images and
    # prices, the exchange rates (header currency choice) and the footer's social
    # links (cached after the first page; the cache starts empty in tests), and
    # the safety data (issue 13: materials and certifications in one query).
    # +1 on a cold cache: the next stock hold's expiry (catalog.cache.fresh_seconds).
    with django_assert_max_num_queries(12):
        response = client.get(_product(product.slug))
    assert response.content.decode().count('name="variant"') == (n if n > 1 else 0)


@pytest.mark.parametrize("param", ["brand", "size", "q"])
def test_a_nul_character_in_a_filter_is_400_not_500(client, catalog, param):
    page = SEARCH if param == "q" else SHOP
    assert client.get(f"{page}?{param}=a%00").status_code == 400
