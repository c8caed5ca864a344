"""Listing filters, facets, sorts, pagination and the product page, read through
the selectors the storefront and the API share."""

from decimal import Decimal

import pytest
from django.http import QueryDict

from boutique.catalog import services
from boutique.catalog.errors import ProductNotFound, UnknownFilterValue
from boutique.catalog.filters import parse_filters
from boutique.catalog.selectors import (
    availability_label,
    category_tree,
    product_get_for_storefront,
    product_list_for_storefront,
    size_sort_key,
)
from boutique.core.errors import NotFound
from boutique.inventory.services import stock_adjust
from boutique.marketplace.models import SellerStatus

from .conftest import png_file
from .factories import CategoryFactory, SellerFactory, TagFactory, make_product

pytestmark = pytest.mark.django_db


def _list(query: str = ""):
    return product_list_for_storefront(parse_filters(QueryDict(query)))


def _names(query: str = "") -> set[str]:
    return {p.name for p in _list(query).products}


def _ordered(query: str = "") -> list[str]:
    return [p.name for p in _list(query).products]


def _counts(page, facet: str) -> dict[str, int]:
    return {option.value: option.count for option in page.facets[facet]}


VISIBLE = {"Striped bodysuit", "Plain bodysuit", "Wool hat", "City stroller"}


# --- visibility ------------------------------------------------------------------


def test_only_visible_products_are_listed(catalog):
    page = _list()
    assert {p.name for p in page.products} == VISIBLE
    assert page.total == 4


def test_a_product_without_active_variants_is_not_listed(catalog):
    (variant,) = catalog.hat.variants.all()
    services.variant_update(variant=variant, is_active=False)
    assert "Wool hat" not in _names()


def test_hidden_products_count_in_no_facet(catalog):
    page = _list()
    assert _counts(page, "category") == {"clothing": 3, "gear": 1}
    assert _counts(page, "brand") == {"cosy": 2, "tiny": 2}
    assert _counts(page, "tag") == {"gift": 1, "organic": 2}
    assert _counts(page, "on_sale") == {"true": 1}
    assert _counts(page, "in_stock") == {"true": 3}
    assert _counts(page, "seller") == {"little-wheels": 1}


def test_products_of_a_seller_that_is_no_longer_active_disappear(catalog):
    catalog.seller.status = SellerStatus.SUSPENDED
    catalog.seller.save()
    assert "City stroller" not in _names()


# --- filters, alone ----------------------------------------------------------------


def test_category_filter_includes_descendants(catalog):
    assert _names("category=clothing") == {"Striped bodysuit", "Plain bodysuit", "Wool hat"}


def test_category_filter_on_a_leaf(catalog):
    assert _names("category=strollers") == {"City stroller"}


def test_brand_filter_matches_any_selected_brand(catalog):
    assert _names("brand=cosy") == {"Striped bodysuit", "Wool hat"}
    assert _names("brand=cosy,tiny") == VISIBLE


def test_tag_filter_matches_any_selected_tag(catalog):
    assert _names("tag=gift") == {"Plain bodysuit"}
    assert _names("tag=organic&tag=gift") == {"Striped bodysuit", "Plain bodysuit"}


def test_a_product_with_several_selected_tags_is_listed_once(catalog):
    page = _list("tag=organic,gift")
    assert sorted(p.name for p in page.products) == ["Plain bodysuit", "Striped bodysuit"]
    assert page.total == 2


def test_size_filter(catalog):
    assert _names("size=3-6M") == {"Striped bodysuit"}
    assert _names("size=0-3M") == {"Striped bodysuit", "Plain bodysuit"}


def test_color_filter(catalog):
    assert _names("color=Red") == {"Striped bodysuit", "Plain bodysuit"}
    assert _names("color=Black,Grey") == {"City stroller", "Wool hat"}


def test_size_and_color_must_be_the_same_variant(catalog):
    assert _names("size=0-3M&color=Red") == {"Plain bodysuit"}


def test_inactive_variants_do_not_match_options(catalog):
    variant = catalog.striped.variants.get(size="3-6M")
    services.variant_update(variant=variant, is_active=False)
    assert _names("size=3-6M") == set()


def test_price_min_filter(catalog):
    assert _names("price_min=12") == {"Striped bodysuit", "Wool hat", "City stroller"}


def test_price_max_filter(catalog):
    assert _names("price_max=12") == {"Striped bodysuit", "Plain bodysuit"}


def test_price_range_filter(catalog):
    assert _names("price_min=9&price_max=15") == {"Striped bodysuit", "Wool hat"}


@pytest.mark.parametrize(
    ("age", "expected"),
    [
        (0, {"Striped bodysuit", "Plain bodysuit", "City stroller"}),
        (5, {"Striped bodysuit", "City stroller"}),
        (12, {"Wool hat", "City stroller"}),
        (60, {"Wool hat"}),
    ],
)
def test_age_filter_matches_ranges_that_contain_the_age(catalog, age, expected):
    assert _names(f"age={age}") == expected


def test_a_product_without_an_age_range_suits_every_age(catalog):
    make_product("Blanket", category=catalog.gear)
    assert "Blanket" in _names("age=0")
    assert "Blanket" in _names("age=200")


def test_seller_filter(catalog):
    assert _names("seller=little-wheels") == {"City stroller"}


def test_in_stock_filter(catalog):
    assert _names("in_stock=1") == {"Striped bodysuit", "Plain bodysuit", "City stroller"}


def test_in_stock_ignores_stock_of_inactive_variants(catalog):
    variant = catalog.striped.variants.get(size="0-3M")
    services.variant_update(variant=variant, is_active=False)
    assert "Striped bodysuit" not in _names("in_stock=1")


def test_in_stock_follows_stock_changes(catalog):
    (variant,) = catalog.stroller.variants.all()
    stock_adjust(variant=variant, quantity=-1, reason="damaged")
    assert "City stroller" not in _names("in_stock=1")


def test_on_sale_filter(catalog):
    assert _names("on_sale=true") == {"Plain bodysuit"}


# --- filters, combined ---------------------------------------------------------------


def test_filters_combine_with_and(catalog):
    assert _names("category=clothing&brand=cosy&in_stock=1") == {"Striped bodysuit"}
    assert _names("brand=tiny&price_max=100&age=2") == {"Plain bodysuit"}
    assert _names("tag=organic&color=Blue&on_sale=1") == set()


def test_every_filter_at_once(catalog):
    query = (
        "category=clothing&brand=tiny&tag=gift&size=0-3M&color=Red&price_min=1&price_max=9"
        "&age=1&in_stock=1&on_sale=1"
    )
    assert _names(query) == {"Plain bodysuit"}
    assert _names(query + "&seller=little-wheels") == set()


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("category=toys", "category"),
        ("brand=cosy,nope", "brand"),
        ("tag=nope", "tag"),
        ("seller=nope", "seller"),
    ],
)
def test_unknown_slugs_are_refused(catalog, query, field):
    with pytest.raises(UnknownFilterValue) as info:
        _list(query)
    assert field in info.value.field_errors


def test_a_seller_that_is_not_active_is_an_unknown_filter_value(catalog):
    SellerFactory(slug="closed-shop", status=SellerStatus.CLOSED)
    with pytest.raises(UnknownFilterValue):
        _list("seller=closed-shop")


# --- facets ------------------------------------------------------------------------


def test_category_facet_counts_descendants_of_the_top_level(catalog):
    assert _counts(_list(), "category") == {"clothing": 3, "gear": 1}


def test_category_facet_shows_the_children_of_the_selected_category(catalog):
    page = _list("category=clothing")
    assert _counts(page, "category") == {"bodysuits": 2}
    assert page.category.category == catalog.clothing


def test_brand_selection_does_not_shrink_the_brand_facet(catalog):
    page = _list("brand=cosy")
    assert page.total == 2
    assert _counts(page, "brand") == {"cosy": 2, "tiny": 2}
    assert [(o.value, o.selected) for o in page.facets["brand"]] == [
        ("cosy", True),
        ("tiny", False),
    ]


def test_other_filters_shrink_the_brand_facet(catalog):
    page = _list("brand=cosy&in_stock=1")
    assert _counts(page, "brand") == {"cosy": 1, "tiny": 2}


def test_tag_selection_does_not_shrink_the_tag_facet(catalog):
    page = _list("tag=gift")
    assert _counts(page, "tag") == {"gift": 1, "organic": 2}
    assert {o.value for o in page.facets["tag"] if o.selected} == {"gift"}


def test_other_filters_shrink_the_tag_facet(catalog):
    assert _counts(_list("brand=cosy"), "tag") == {"organic": 1}


def test_several_selected_tags_count_each_product_once_in_other_facets(catalog):
    page = _list("tag=organic,gift")
    assert _counts(page, "category") == {"clothing": 2, "gear": 0}
    assert _counts(page, "brand") == {"cosy": 1, "tiny": 1}
    assert _counts(page, "size") == {"0-3M": 2, "3-6M": 1}
    assert _counts(page, "on_sale") == {"true": 1}
    assert _counts(page, "in_stock") == {"true": 2}


def test_size_selection_does_not_shrink_the_size_facet(catalog):
    page = _list("size=3-6M")
    assert _counts(page, "size") == {"0-3M": 2, "3-6M": 1}
    assert {o.value for o in page.facets["size"] if o.selected} == {"3-6M"}


def test_colour_facet_counts_variants_of_the_selected_size(catalog):
    # The striped bodysuit comes in Red only in 3-6M: choosing Red with 0-3M
    # would not list it, so the count must not promise it.
    page = _list("size=0-3M")
    assert _counts(page, "color") == {"Blue": 1, "Red": 1}
    assert _list("size=0-3M&color=Red").total == _counts(page, "color")["Red"]


def test_size_facet_counts_variants_of_the_selected_colour(catalog):
    page = _list("color=Blue")
    assert _counts(page, "size") == {"0-3M": 1}
    assert _counts(page, "color") == {"Black": 1, "Blue": 1, "Grey": 1, "Red": 2}


def test_seller_facet(catalog):
    assert _counts(_list("seller=little-wheels"), "seller") == {"little-wheels": 1}
    assert _counts(_list("brand=cosy"), "seller") == {}


def test_on_sale_facet_ignores_its_own_flag_but_not_others(catalog):
    assert _counts(_list("on_sale=1"), "on_sale") == {"true": 1}
    assert _counts(_list("brand=cosy"), "on_sale") == {"true": 0}


def test_in_stock_facet_ignores_its_own_flag_but_not_others(catalog):
    page = _list("in_stock=1")
    assert _counts(page, "in_stock") == {"true": 3}
    assert page.facets["in_stock"][0].selected
    assert _counts(_list("category=clothing"), "in_stock") == {"true": 2}


def test_facet_counts_follow_the_search_query(catalog):
    page = _list("q=bodysuit")
    assert _counts(page, "brand") == {"cosy": 1, "tiny": 1}
    assert _counts(page, "category") == {"clothing": 2, "gear": 0}


def test_listing_without_facets(catalog):
    page = product_list_for_storefront(parse_filters(QueryDict("")), with_facets=False)
    assert page.facets == {}
    assert page.total == 4


# --- sorts -------------------------------------------------------------------------


def test_newest_first_is_the_default_sort(catalog):
    assert _ordered() == ["City stroller", "Wool hat", "Plain bodysuit", "Striped bodysuit"]


def test_sort_by_price_ascending(catalog):
    assert _ordered("sort=price_asc") == [
        "Plain bodysuit",
        "Striped bodysuit",
        "Wool hat",
        "City stroller",
    ]


def test_sort_by_price_descending(catalog):
    assert _ordered("sort=price_desc") == [
        "City stroller",
        "Wool hat",
        "Striped bodysuit",
        "Plain bodysuit",
    ]


def test_equal_prices_keep_a_stable_order(db):
    category = CategoryFactory()
    names = [f"Sock {n}" for n in range(5)]
    for name in names:
        make_product(name, category=category, price="4.00")
    assert _ordered("sort=price_asc") == names
    assert _ordered("sort=price_desc") == names[::-1]


def test_sort_by_name_ignores_case(db):
    category = CategoryFactory()
    for name in ("banana bib", "Apple rattle", "cherry cup"):
        make_product(name, category=category)
    assert _ordered("sort=name") == ["Apple rattle", "banana bib", "cherry cup"]


def test_a_search_sorts_by_relevance(catalog):
    make_product("Stroller rain cover", category=catalog.gear, description="Fits any stroller.")
    make_product("Changing bag", category=catalog.gear, description="Hangs on a stroller.")
    assert _ordered("q=stroller")[-1] == "Changing bag"


def test_a_search_can_be_sorted_by_price(catalog):
    make_product("Stroller rain cover", category=catalog.gear, price="20")
    assert _ordered("q=stroller&sort=price_asc") == ["Stroller rain cover", "City stroller"]


def test_a_query_without_words_lists_everything(catalog):
    page = _list("q=%21%3F")
    assert {p.name for p in page.products} == VISIBLE


# --- pagination --------------------------------------------------------------------


def test_pages_split_the_listing(catalog):
    first, second, third = (_list(f"page={n}&page_size=2&sort=price_asc") for n in (1, 2, 3))
    assert [p.name for p in first.products] == ["Plain bodysuit", "Striped bodysuit"]
    assert [p.name for p in second.products] == ["Wool hat", "City stroller"]
    assert third.products == []
    assert (first.total, first.num_pages, first.has_next, first.has_previous) == (4, 2, True, False)
    assert (second.has_next, second.has_previous) == (False, True)


def test_an_empty_listing_has_one_page(db):
    page = _list()
    assert (page.total, page.num_pages, page.products) == (0, 1, [])


# --- cards ---------------------------------------------------------------------------


def test_cards_carry_stock_price_and_primary_image(catalog, media_root):
    services.image_add(product=catalog.hat, file=png_file("a.png"))
    services.image_add(product=catalog.hat, file=png_file("b.png"), is_primary=True)
    cards = {p.name: p for p in _list().products}
    hat, plain = cards["Wool hat"], cards["Plain bodysuit"]
    assert (hat.in_stock, plain.in_stock) == (False, True)
    assert (plain.min_price, plain.is_on_sale) == (Decimal("8.00"), True)
    assert hat.primary_image.image.name.endswith("b.png")
    assert plain.primary_image is None


# --- product page ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("available", "one_of_a_kind", "label"),
    [
        (10, False, "In stock"),
        (4, False, "In stock"),
        (3, False, "Only 3 left"),
        (1, False, "Only 1 left"),
        (0, False, "Out of stock"),
        (1, True, "In stock"),
        (0, True, "Sold"),
    ],
)
def test_availability_label(available, one_of_a_kind, label):
    assert availability_label(available=available, one_of_a_kind=one_of_a_kind) == label


def test_product_page_labels_each_variant(catalog):
    product = product_get_for_storefront(slug=catalog.striped.slug)
    labels = {(v.size, v.availability, v.in_stock) for v in product.active_variants}
    assert labels == {("0-3M", "Only 2 left", True), ("3-6M", "Out of stock", False)}


def test_a_one_of_a_kind_item_reads_sold_once_gone(db):
    product = make_product("Hand-knitted cardigan", stock=1, is_one_of_a_kind=True)
    (variant,) = product.variants.all()
    assert product_get_for_storefront(slug=product.slug).active_variants[0].availability == (
        "In stock"
    )
    stock_adjust(variant=variant, quantity=-1, reason="sold at the market")
    assert product_get_for_storefront(slug=product.slug).active_variants[0].availability == "Sold"


def test_product_page_hides_inactive_variants(catalog):
    variant = catalog.striped.variants.get(size="3-6M")
    services.variant_update(variant=variant, is_active=False)
    product = product_get_for_storefront(slug=catalog.striped.slug)
    assert [v.size for v in product.active_variants] == ["0-3M"]


def test_product_page_has_the_category_path_and_tags(catalog):
    product = product_get_for_storefront(slug=catalog.striped.slug)
    assert [n.category.slug for n in product.breadcrumbs] == ["clothing", "bodysuits"]
    assert [t.slug for t in product.tags.all()] == ["organic"]


def test_related_products_are_visible_products_of_the_same_category(catalog):
    product = product_get_for_storefront(slug=catalog.striped.slug)
    assert [p.name for p in product.related] == ["Plain bodysuit"]


@pytest.mark.parametrize("slug", ["no-such-product", "draft-bodysuit", "archived-bodysuit"])
def test_unknown_or_hidden_product_is_not_found(catalog, slug):
    with pytest.raises(ProductNotFound) as info:
        product_get_for_storefront(slug=slug)
    assert isinstance(info.value, NotFound)
    assert info.value.status == 404


def test_a_product_of_an_inactive_seller_is_not_found(catalog):
    catalog.seller.status = SellerStatus.PENDING
    catalog.seller.save()
    with pytest.raises(ProductNotFound):
        product_get_for_storefront(slug=catalog.stroller.slug)


# --- category tree -------------------------------------------------------------------


def test_category_tree_nests_children_in_position_order(catalog):
    CategoryFactory(name="Accessories", slug="accessories", parent=catalog.clothing, position=0)
    tree = category_tree()
    assert [n.category.slug for n in tree.roots] == ["clothing", "gear"]
    clothing = tree.by_slug["clothing"]
    assert [n.category.slug for n in clothing.children] == ["accessories", "bodysuits"]
    assert tree.by_slug["bodysuits"].depth == 1
    assert clothing.descendant_ids() == {
        catalog.clothing.pk,
        catalog.bodysuits.pk,
        tree.by_slug["accessories"].category.pk,
    }


# --- query counts --------------------------------------------------------------------

# tree, count, page, images prefetch, 8 facets, and on a cold cache the next stock
# hold's expiry (once per catalogue version, catalog.cache.fresh_seconds)
LISTING_QUERIES = 13
FILTERED_QUERIES = LISTING_QUERIES + 1  # + the tag slug check
# product, variants, images, tags, safety data (issue 13), tree, related, related images
PRODUCT_PAGE_QUERIES = 8


def _many_products(n: int, media_root) -> None:
    parent = CategoryFactory(slug="parent")
    category = CategoryFactory(slug="things", parent=parent)
    tags = [TagFactory(slug="soft"), TagFactory(slug="warm")]
    seller = SellerFactory()
    for i in range(n):
        product = make_product(
            f"Thing {i}",
            category=category,
            tags=tags,
            seller=seller if i % 2 else None,
            variants=[
                {"size": "S", "color": "Red", "price": Decimal("5"), "stock": 1},
                {"size": "M", "color": "Blue", "price": Decimal("6"), "stock": 0},
            ],
        )
        services.image_add(product=product, file=png_file(size=(8, 8)))


@pytest.mark.parametrize("n", [1, 30])
def test_listing_runs_a_fixed_number_of_queries(db, media_root, django_assert_max_num_queries, n):
    _many_products(n, media_root)
    with django_assert_max_num_queries(LISTING_QUERIES):
        page = _list("page_size=100")
        seen = [(p.primary_image.image.url, p.brand, p.category, p.seller) for p in page.products]
    assert len(seen) == n


@pytest.mark.parametrize("n", [1, 30])
def test_filtered_listing_runs_a_fixed_number_of_queries(
    db, media_root, django_assert_max_num_queries, n
):
    _many_products(n, media_root)
    with django_assert_max_num_queries(FILTERED_QUERIES):
        page = _list("page_size=100&category=parent&tag=soft,warm&size=S&in_stock=1")
    assert page.total == n


@pytest.mark.parametrize("n", [1, 30])
def test_product_page_runs_a_fixed_number_of_queries(
    db, media_root, django_assert_max_num_queries, n
):
    category = CategoryFactory()
    variants = [
        {"size": f"S{i}", "price": Decimal("5"), "stock": i % 3, "sku": f"V-{i}"} for i in range(n)
    ]
    product = make_product("Many sizes", category=category, variants=variants)
    for _ in range(min(n, 5)):
        services.image_add(product=product, file=png_file(size=(8, 8)))
    for i in range(4):
        make_product(f"Neighbour {i}", category=category)
    with django_assert_max_num_queries(PRODUCT_PAGE_QUERIES):
        page = product_get_for_storefront(slug=product.slug)
        labels = [v.availability for v in page.active_variants]
        urls = [image.image.url for image in page.images.all()]
        related = [(p.name, p.in_stock, p.primary_image) for p in page.related]
    assert (len(labels), len(related)) == (n, 4)
    assert len(urls) == min(n, 5)


def test_size_sort_key_orders_sizes_as_a_parent_reads_them():
    sizes = ["S", "2Y", "12-18M", "One size", "3-6M", "XL", "0-3M", "10Y", "6 months", "M"]
    ordered = sorted(sizes, key=size_sort_key)
    assert ordered == [
        "0-3M",
        "3-6M",
        "6 months",
        "12-18M",
        "2Y",
        "10Y",
        "S",
        "M",
        "XL",
        "One size",
    ]


def test_size_facet_lists_sizes_by_age(db):
    category = CategoryFactory()
    sizes = ["2Y", "12-18M", "0-3M", "3-6M"]
    make_product(
        "Romper",
        category=category,
        variants=[{"size": size, "price": Decimal("9"), "stock": 1} for size in sizes],
    )
    assert [o.value for o in _list("").facets["size"]] == ["0-3M", "3-6M", "12-18M", "2Y"]
