"""The public catalog API: category tree, product listing (filters, sorts,
facets, pagination), product details, brands and tags."""

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from boutique.accounts.services import token_issue
from boutique.accounts.tests.factories import UserFactory
from boutique.catalog import services
from boutique.catalog.models import Product

from .conftest import png_file
from .factories import BrandFactory, CategoryFactory, TagFactory, make_product

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"
HIDDEN = {
    "Draft bodysuit",
    "Archived bodysuit",
    "Bodysuit from a pending seller",
    "Bodysuit from a suspended seller",
}


def _get(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def _names(client, **params) -> list[str]:
    return [p["name"] for p in _get(client, "/api/v1/products", **params)["results"]]


def _facet(body, name) -> dict:
    return {o["value"]: (o["count"], o["selected"]) for o in body["facets"][name]}


def _assert_problem(response, status, code):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert (body["status"], body["code"], body["type"]) == (status, code, f"/problems/{code}")
    assert body["detail"]
    return body


# --- Categories ------------------------------------------------------------------


def test_categories_are_a_tree_counting_visible_products_with_descendants(client, catalog):
    body = _get(client, "/api/v1/categories")

    def node(category, count, children=()):
        return {
            "id": category.pk,
            "name": category.name,
            "slug": category.slug,
            "description": "",
            "position": category.position,
            "image": None,
            "product_count": count,
            "children": list(children),
        }

    # Hidden bodysuits (draft, archived, inactive sellers) are not counted.
    assert body == [
        node(catalog.clothing, 3, [node(catalog.bodysuits, 2)]),
        node(catalog.gear, 1, [node(catalog.strollers, 1)]),
    ]


def test_category_image_is_an_absolute_url(client, db, media_root):
    CategoryFactory(name="Toys", slug="toys", image=png_file("toys.png"))
    [toys] = _get(client, "/api/v1/categories")
    assert toys["image"].startswith("http://testserver/media/categories/toys")


@pytest.mark.parametrize("size", [3, 30])
def test_categories_run_a_fixed_number_of_queries(client, db, size, django_assert_max_num_queries):
    parent = None
    for i in range(size):
        # Half top level, half nested three deep, each with a product.
        category = CategoryFactory(parent=parent if i % 2 else None)
        parent = category if i % 3 else None
        make_product(f"Product {i}", category=category)
    with django_assert_max_num_queries(2):
        body = _get(client, "/api/v1/categories")

    def total(nodes):
        return sum(1 + total(n["children"]) for n in nodes)

    assert total(body) == size


# --- Product listing -------------------------------------------------------------


def test_product_list_returns_visible_products_with_their_summary(client, catalog):
    body = _get(client, "/api/v1/products")
    assert (body["count"], body["page"], body["page_size"], body["num_pages"]) == (4, 1, 24, 1)
    assert (body["next"], body["previous"]) == (None, None)
    assert [p["name"] for p in body["results"]] == [
        "City stroller",
        "Wool hat",
        "Plain bodysuit",
        "Striped bodysuit",
    ]
    stroller, hat, plain, _ = body["results"]
    assert stroller == {
        "id": catalog.stroller.pk,
        "slug": "city-stroller",
        "name": "City stroller",
        "brand": {"slug": "tiny", "name": "Tiny"},
        "category": {"slug": "strollers", "name": "Strollers"},
        "seller": {"slug": "little-wheels", "store_name": "Little Wheels"},
        "min_price": "300.00",
        "currency": "USD",
        "is_on_sale": False,
        "in_stock": True,
        "rating": None,
        "review_count": 0,
        "age_range": {"min_months": None, "max_months": 48},
        "min_safe_age_months": None,
        "is_recalled": False,
        "primary_image": None,
        "url": "http://testserver/p/city-stroller/",
    }
    assert (hat["in_stock"], hat["seller"], hat["age_range"]) == (
        False,
        None,
        {"min_months": 12, "max_months": None},
    )
    assert (plain["min_price"], plain["is_on_sale"]) == ("8.00", True)


def test_product_list_shows_the_primary_image_with_thumbnails(client, catalog, media_root):
    services.image_add(product=catalog.hat, file=png_file("side.png"), alt_text="Side")
    services.image_add(
        product=catalog.hat, file=png_file("front.png"), alt_text="Front", is_primary=True
    )
    hat = next(p for p in _get(client, "/api/v1/products")["results"] if p["name"] == "Wool hat")
    image = hat["primary_image"]
    assert image["alt"] == "Front"
    assert image["url"].startswith("http://testserver/media/products/")
    assert "front" in image["url"]
    for size in ("small", "card", "large"):
        assert image[size].startswith("http://testserver/media/thumbs/")
        assert image[size].endswith(".webp")
    assert len({image["small"], image["card"], image["large"], image["url"]}) == 4


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"category": "clothing"}, ["Wool hat", "Plain bodysuit", "Striped bodysuit"]),
        ({"category": "bodysuits"}, ["Plain bodysuit", "Striped bodysuit"]),
        ({"brand": "cosy"}, ["Wool hat", "Striped bodysuit"]),
        (
            {"brand": "cosy,tiny"},
            ["City stroller", "Wool hat", "Plain bodysuit", "Striped bodysuit"],
        ),
        ({"tag": "gift"}, ["Plain bodysuit"]),
        ({"tag": ["gift", "organic"]}, ["Plain bodysuit", "Striped bodysuit"]),
        ({"size": "3-6M"}, ["Striped bodysuit"]),
        ({"color": "Red"}, ["Plain bodysuit", "Striped bodysuit"]),
        ({"size": "0-3M", "color": "Red"}, ["Plain bodysuit"]),
        ({"size": "3-6M", "color": "Blue"}, []),
        ({"seller": "little-wheels"}, ["City stroller"]),
        ({"price_min": "12"}, ["City stroller", "Wool hat", "Striped bodysuit"]),
        ({"price_max": "12.00"}, ["Plain bodysuit", "Striped bodysuit"]),
        ({"price_min": "10", "price_max": "20"}, ["Wool hat", "Striped bodysuit"]),
        ({"age": "12"}, ["City stroller", "Wool hat"]),
        ({"age": "5"}, ["City stroller", "Striped bodysuit"]),
        ({"in_stock": "true"}, ["City stroller", "Plain bodysuit", "Striped bodysuit"]),
        ({"on_sale": "true"}, ["Plain bodysuit"]),
        ({"on_sale": "false"}, ["City stroller", "Wool hat", "Plain bodysuit", "Striped bodysuit"]),
        ({"q": "stroller"}, ["City stroller"]),
        ({"q": "bodysuit", "brand": "tiny"}, ["Plain bodysuit"]),
        ({"category": "clothing", "in_stock": "1", "brand": "cosy"}, ["Striped bodysuit"]),
    ],
)
def test_each_filter_narrows_the_listing(client, catalog, params, expected):
    assert _names(client, **params) == expected


def test_facets_count_the_other_filters_and_mark_the_selection(client, catalog):
    body = _get(client, "/api/v1/products", brand="cosy")
    assert body["count"] == 2
    # Disjunctive: the brand facet ignores the brand filter, the others keep it.
    assert _facet(body, "brand") == {"cosy": (2, True), "tiny": (2, False)}
    assert _facet(body, "category") == {"clothing": (2, False), "gear": (0, False)}
    assert _facet(body, "tag") == {"organic": (1, False)}
    assert _facet(body, "size") == {"0-3M": (1, False), "3-6M": (1, False)}
    assert _facet(body, "color") == {"Blue": (1, False), "Grey": (1, False), "Red": (1, False)}
    assert _facet(body, "seller") == {}
    assert _facet(body, "on_sale") == {"true": (0, False)}
    assert _facet(body, "in_stock") == {"true": (1, False)}
    assert body["facets"]["brand"][0] == {
        "value": "cosy",
        "label": "Cosy",
        "count": 2,
        "selected": True,
    }


def test_facets_of_a_category_list_its_children(client, catalog):
    body = _get(client, "/api/v1/products", category="clothing", in_stock="true")
    assert _facet(body, "category") == {"bodysuits": (2, False)}
    assert _facet(body, "in_stock") == {"true": (2, True)}
    assert _facet(body, "seller") == {}
    everything = _get(client, "/api/v1/products")
    assert _facet(everything, "seller") == {"little-wheels": (1, False)}
    assert _facet(everything, "tag") == {"gift": (1, False), "organic": (2, False)}


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("newest", ["City stroller", "Wool hat", "Plain bodysuit", "Striped bodysuit"]),
        ("price_asc", ["Plain bodysuit", "Striped bodysuit", "Wool hat", "City stroller"]),
        ("price_desc", ["City stroller", "Wool hat", "Striped bodysuit", "Plain bodysuit"]),
        ("name", ["City stroller", "Plain bodysuit", "Striped bodysuit", "Wool hat"]),
    ],
)
def test_sort_orders(client, catalog, sort, expected):
    assert _names(client, sort=sort) == expected


def test_relevance_sort_with_a_search(client, catalog):
    names = _names(client, q="bodysuit", sort="relevance")
    assert sorted(names) == ["Plain bodysuit", "Striped bodysuit"]


def test_pagination_fields(client, catalog):
    first = _get(client, "/api/v1/products", page_size=3, sort="name")
    assert (first["count"], first["page"], first["page_size"], first["num_pages"]) == (4, 1, 3, 2)
    assert (first["next"], first["previous"]) == (2, None)
    second = _get(client, "/api/v1/products", page_size=3, page=2, sort="name")
    assert (second["next"], second["previous"]) == (None, 1)
    assert [p["name"] for p in second["results"]] == ["Wool hat"]
    middle = _get(client, "/api/v1/products", page_size=1, page=2, sort="name")
    assert (middle["num_pages"], middle["next"], middle["previous"]) == (4, 3, 1)
    assert [p["name"] for p in middle["results"]] == ["Plain bodysuit"]
    beyond = _get(client, "/api/v1/products", page=9)
    assert (beyond["count"], beyond["results"]) == (4, [])


def test_hidden_products_are_never_listed(client, catalog):
    for params in (
        {},
        {"brand": "cosy"},
        {"tag": "gift"},
        {"size": "0-3M", "color": "Blue"},
        {"on_sale": "true"},
        {"in_stock": "true", "price_max": "6"},
        {"q": "bodysuit"},
        {"category": "bodysuits", "page_size": "100"},
    ):
        body = _get(client, "/api/v1/products", **params)
        assert not HIDDEN & {p["name"] for p in body["results"]}, params
    assert _get(client, "/api/v1/products", price_max="6")["count"] == 0


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"brand": "nope"}, "brand"),
        ({"brand": "cosy,nope"}, "brand"),
        ({"category": "nope"}, "category"),
        ({"tag": "nope"}, "tag"),
        ({"seller": "nope"}, "seller"),
        ({"sort": "cheapest"}, "sort"),
        ({"sort": "relevance"}, "sort"),
        ({"page_size": "101"}, "page_size"),
        ({"page_size": "0"}, "page_size"),
        ({"page": "abc"}, "page"),
        ({"page": "0"}, "page"),
        ({"price_min": "-1"}, "price_min"),
        ({"price_max": "cheap"}, "price_max"),
        ({"price_max": "NaN"}, "price_max"),
        ({"price_min": "20", "price_max": "10"}, "price_min"),
        ({"age": "300"}, "age"),
        ({"in_stock": "maybe"}, "in_stock"),
        ({"on_sale": "2"}, "on_sale"),
    ],
)
def test_bad_filter_values_are_400_problems_naming_the_field(client, catalog, params, field):
    body = _assert_problem(client.get("/api/v1/products", params), 400, "unknown_filter_value")
    assert list(body["errors"]) == [field]
    assert body["instance"] == "/api/v1/products"


@pytest.mark.parametrize("field", ["q", "brand", "size", "color", "category", "sort"])
def test_a_nul_character_is_a_400_not_a_database_error(client, catalog, field):
    response = client.get("/api/v1/products", {field: "a\x00b"})
    body = _assert_problem(response, 400, "unknown_filter_value")
    assert list(body["errors"]) == [field]


def test_an_inactive_sellers_slug_is_an_unknown_filter_value(client, catalog):
    suspended = next(p for p in HIDDEN if "suspended" in p)
    slug = Product.objects.get(name=suspended).seller.slug
    body = _assert_problem(
        client.get("/api/v1/products", {"seller": slug}), 400, "unknown_filter_value"
    )
    assert body["errors"] == {"seller": [slug]}


def _many_products(count: int) -> None:
    category = CategoryFactory(name="All", slug="all")
    brand, tag = BrandFactory(slug="many"), TagFactory(slug="many")
    for i in range(count):
        product = make_product(
            f"Product {i}",
            category=category,
            brand=brand,
            tags=[tag],
            variants=[
                {"size": "S", "color": "Red", "price": Decimal("5"), "stock": 1},
                {"size": "M", "color": "Blue", "price": Decimal("6"), "stock": 0},
            ],
        )
        services.image_add(product=product, file=png_file(size=(8, 8)))


@pytest.mark.parametrize("page_size", [1, 50])
def test_product_list_runs_a_fixed_number_of_queries(
    client, db, media_root, page_size, django_assert_max_num_queries
):
    _many_products(50)
    # +1 on a cold cache: the next stock hold's expiry, once per catalogue version.
    with django_assert_max_num_queries(14):
        body = _get(client, "/api/v1/products", page_size=page_size, brand="")
    assert len(body["results"]) == page_size
    assert all(p["primary_image"] for p in body["results"])


def test_product_list_queries_do_not_grow_with_the_page(client, db, media_root):
    _many_products(20)
    counts = []
    for page_size in (1, 20):
        cache.clear()  # the facet counts of these filters would come from the cache
        with CaptureQueriesContext(connection) as queries:
            _get(client, "/api/v1/products", page_size=page_size, tag="many", brand="many")
        counts.append(len(queries))
    assert counts[0] == counts[1]


# --- Product detail --------------------------------------------------------------


def test_product_detail_exact_content(client, catalog, media_root):
    blue, red = catalog.striped.variants.order_by("position", "id")
    services.variant_update(variant=blue, weight_grams=120)
    services.image_add(product=catalog.striped, file=png_file("front.png"), alt_text="Front")
    back = services.image_add(
        product=catalog.striped, file=png_file("red.png"), alt_text="Red one", variant=red
    )
    body = _get(client, f"/api/v1/products/{catalog.striped.slug}")
    images = body.pop("images")
    assert body == {
        "id": catalog.striped.pk,
        "slug": "striped-bodysuit",
        "name": "Striped bodysuit",
        "description": "",
        "brand": {"slug": "cosy", "name": "Cosy"},
        "category": {"slug": "bodysuits", "name": "Bodysuits"},
        "breadcrumbs": [
            {"slug": "clothing", "name": "Clothing"},
            {"slug": "bodysuits", "name": "Bodysuits"},
        ],
        "seller": None,
        "tags": [{"slug": "organic", "name": "Organic"}],
        "min_price": "12.00",
        "is_on_sale": False,
        "is_one_of_a_kind": False,
        "rating": None,
        "review_count": 0,
        "age_range": {"min_months": 0, "max_months": 6},
        "safety": {
            "min_safe_age_months": None,
            "warning": "",
            "warning_text": "",
            "materials": [],
            "certifications": [],
            "recalls": [],
        },
        "is_recalled": False,
        "variants": [
            {
                "id": blue.pk,
                "sku": blue.sku,
                "size": "0-3M",
                "color": "Blue",
                "label": "0-3M / Blue",
                "price": "12.00",
                "compare_at_price": None,
                "currency": "USD",
                "is_on_sale": False,
                "in_stock": True,
                "availability": "Only 2 left",
                "weight_grams": 120,
            },
            {
                "id": red.pk,
                "sku": red.sku,
                "size": "3-6M",
                "color": "Red",
                "label": "3-6M / Red",
                "price": "12.00",
                "compare_at_price": None,
                "currency": "USD",
                "is_on_sale": False,
                "in_stock": False,
                "availability": "Out of stock",
                "weight_grams": None,
            },
        ],
        "url": "http://testserver/p/striped-bodysuit/",
    }
    assert [(i["alt"], i["is_primary"], i["variant_id"]) for i in images] == [
        ("Front", True, None),
        ("Red one", False, red.pk),
    ]
    assert images[1]["id"] == back.pk
    for image in images:
        assert image["url"].startswith("http://testserver/media/products/")
        for size in ("small", "card", "large"):
            assert image[size].startswith("http://testserver/media/thumbs/")


def test_product_detail_sale_prices_are_decimal_strings(client, catalog):
    [variant] = _get(client, f"/api/v1/products/{catalog.plain.slug}")["variants"]
    assert (variant["price"], variant["compare_at_price"], variant["is_on_sale"]) == (
        "8.00",
        "10.00",
        True,
    )
    assert variant["availability"] == "In stock"


def test_product_detail_hides_inactive_variants(client, catalog):
    blue, red = catalog.striped.variants.order_by("position", "id")
    services.variant_update(variant=red, is_active=False)
    body = _get(client, f"/api/v1/products/{catalog.striped.slug}")
    assert [v["id"] for v in body["variants"]] == [blue.pk]


@pytest.mark.parametrize(
    "name",
    ["Draft bodysuit", "Archived bodysuit", *sorted(n for n in HIDDEN if "seller" in n)],
)
def test_hidden_product_detail_is_404(client, catalog, name):
    slug = Product.objects.get(name=name).slug
    body = _assert_problem(client.get(f"/api/v1/products/{slug}"), 404, "product_not_found")
    assert body["instance"] == f"/api/v1/products/{slug}"


def test_unknown_product_is_404(client, catalog):
    _assert_problem(client.get("/api/v1/products/no-such-thing"), 404, "product_not_found")


@pytest.mark.parametrize("path", ["a%00b", "caf%C3%A9", "a.b", "striped-bodysuit/extra"])
def test_a_path_that_is_not_a_slug_is_404(client, catalog, path):
    response = client.get(f"/api/v1/products/{path}")
    assert (response.status_code, response["Content-Type"]) == (404, PROBLEM)
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize("count", [1, 10])
def test_product_detail_runs_a_fixed_number_of_queries(
    client, db, media_root, count, django_assert_max_num_queries
):
    category = CategoryFactory(parent=CategoryFactory())
    variants = [
        {"size": f"S{i}", "color": "Red", "price": Decimal("5"), "stock": i} for i in range(count)
    ]
    product = make_product("Many", category=category, variants=variants, tags=[TagFactory()])
    for variant in product.variants.all():
        services.image_add(product=product, file=png_file(size=(8, 8)), variant=variant)
    for i in range(3):
        make_product(f"Related {i}", category=category)
    # +1 on a cold cache: the next stock hold's expiry, once per catalogue version.
    # + 1: the safety data (materials and certifications in one query).
    with django_assert_max_num_queries(9):
        body = _get(client, f"/api/v1/products/{product.slug}")
    assert (len(body["variants"]), len(body["images"])) == (count, count)


# --- Brands and tags -------------------------------------------------------------


def test_brands_are_listed_by_name(client, db):
    BrandFactory(name="Zebra", slug="zebra", description="Stripes")
    BrandFactory(name="Acorn", slug="acorn")
    assert _get(client, "/api/v1/brands") == [
        {"slug": "acorn", "name": "Acorn", "description": ""},
        {"slug": "zebra", "name": "Zebra", "description": "Stripes"},
    ]


def test_tags_are_listed_by_name_with_their_image(client, db, media_root):
    TagFactory(name="Organic", slug="organic", description="Certified", image=png_file("o.png"))
    TagFactory(name="Gift idea", slug="gift")
    gift, organic = _get(client, "/api/v1/tags")
    assert gift == {"slug": "gift", "name": "Gift idea", "description": "", "image": None}
    assert (organic["slug"], organic["description"]) == ("organic", "Certified")
    assert organic["image"].startswith("http://testserver/media/tags/o")


def test_brand_and_tag_lists_run_one_query(client, db, django_assert_max_num_queries):
    for _ in range(5):
        BrandFactory()
        TagFactory()
    for url in ("/api/v1/brands", "/api/v1/tags"):
        with django_assert_max_num_queries(1):
            assert len(_get(client, url)) == 5


# --- Access and documentation ------------------------------------------------------


def test_endpoints_are_public_and_accept_a_token(client, catalog):
    secret, _ = token_issue(user=UserFactory())
    for headers in ({}, {"HTTP_AUTHORIZATION": f"Bearer {secret}"}):
        response = client.get("/api/v1/products", **headers)
        assert response.status_code == 200
        assert response.json()["count"] == 4


def test_openapi_lists_the_catalog_paths_and_filters(client):
    spec = _get(client, "/api/openapi.json")
    paths = spec["paths"]
    for path in (
        "/api/v1/categories",
        "/api/v1/products",
        "/api/v1/products/{slug}",
        "/api/v1/brands",
        "/api/v1/tags",
    ):
        assert "get" in paths[path], path
    listing = paths["/api/v1/products"]["get"]
    names = {p["name"] for p in listing["parameters"] if p["in"] == "query"}
    assert names == {
        "q",
        "category",
        "brand",
        "tag",
        "size",
        "color",
        "seller",
        "price_min",
        "price_max",
        "age",
        "child",
        "in_stock",
        "on_sale",
        "min_rating",
        "sort",
        "page",
        "page_size",
        "material",
        "certification",
        "safe_age",
    }
    # 400 for bad filters, 404 for a child that is not the caller's; 403 and 422
    # are documented for every operation that takes credentials or parameters
    # (config/openapi.py).
    assert set(listing["responses"]) == {"200", "400", "403", "404", "422"}
    assert set(paths["/api/v1/products/{slug}"]["get"]["responses"]) == {"200", "403", "404", "422"}
