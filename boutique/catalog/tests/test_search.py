"""Product search: the same behaviour on SQLite (FTS5) and PostgreSQL (weighted
tsvector), plus typo tolerance and weight checks that only PostgreSQL offers."""

import pytest
from django.db import connection
from django.http import QueryDict

from boutique.catalog import services
from boutique.catalog.filters import parse_filters
from boutique.catalog.selectors import product_list_for_storefront

from .factories import BrandFactory, CategoryFactory, TagFactory, make_product

pytestmark = pytest.mark.django_db

# The database is chosen by settings before collection, so this is known at import.
postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="typo matching (pg_trgm) and ts_rank weights exist only on PostgreSQL",
)


def _search(q: str, extra: str = "") -> list[str]:
    query = QueryDict(mutable=True)
    query["q"] = q
    page = product_list_for_storefront(parse_filters(QueryDict(f"{query.urlencode()}{extra}")))
    return [p.name for p in page.products]


@pytest.fixture
def shelf(db):
    gear = CategoryFactory(name="Gear", slug="gear")
    clothing = CategoryFactory(name="Clothing", slug="clothing")
    make_product("City Stroller", category=gear, description="A light pushchair for walks in town.")
    make_product("Organic cotton Bodysuit", category=clothing, description="Soft and snug.")
    make_product("Changing bag", category=gear, description="Clips onto any stroller handle.")
    make_product("Wool hat", category=clothing, description="Keeps little ears warm.")
    return {"gear": gear, "clothing": clothing}


def test_a_name_word_finds_the_product(shelf):
    assert _search("bodysuit") == ["Organic cotton Bodysuit"]


def test_a_description_word_finds_the_product(shelf):
    assert _search("pushchair") == ["City Stroller"]


def test_plural_finds_singular(shelf):
    assert "City Stroller" in _search("strollers")


def test_singular_finds_plural(shelf):
    make_product("Bath toys", category=shelf["gear"])
    assert _search("toy") == ["Bath toys"]


def test_every_word_must_match(shelf):
    assert _search("city stroller") == ["City Stroller"]


def test_a_name_match_ranks_above_a_description_match(shelf):
    assert _search("stroller") == ["City Stroller", "Changing bag"]


def test_relevance_is_the_default_sort_of_a_search(shelf):
    # Newest first would put the changing bag (created later) on top.
    assert _search("stroller", "&sort=relevance") == _search("stroller")
    assert _search("stroller", "&sort=newest") == ["Changing bag", "City Stroller"]


def test_a_brand_name_finds_its_products(shelf):
    brand = BrandFactory(name="Nordic Nest", slug="nordic-nest")
    make_product("Crib sheet", category=shelf["gear"], brand=brand)
    assert _search("nordic") == ["Crib sheet"]


def test_a_tag_name_finds_its_products(shelf):
    tag = TagFactory(name="Montessori", slug="montessori")
    make_product("Wooden stacker", category=shelf["gear"], tags=[tag])
    assert _search("montessori") == ["Wooden stacker"]


def test_a_category_name_finds_its_products(shelf):
    assert set(_search("clothing")) == {"Organic cotton Bodysuit", "Wool hat"}


def test_no_match_is_an_empty_listing(shelf):
    assert _search("trampoline") == []


def test_hidden_products_are_never_found(shelf):
    make_product("Draft stroller", category=shelf["gear"], status="draft")
    assert "Draft stroller" not in _search("stroller")


def test_search_combines_with_filters(shelf):
    assert _search("stroller", "&category=clothing") == []
    assert _search("stroller", "&category=gear&price_max=10") == ["City Stroller", "Changing bag"]


def test_search_sees_a_renamed_product(shelf):
    product = make_product("Sun hat", category=shelf["clothing"])
    services.product_update(product=product, name="Sun visor")
    assert _search("visor") == ["Sun visor"]
    assert "Sun visor" not in _search("hat")


def test_punctuation_and_operators_are_not_syntax(shelf):
    assert _search('stroller" * ^ :') == _search("stroller")
    assert _search("-(bodysuit)") == ["Organic cotton Bodysuit"]


def test_a_typo_still_finds_the_name(db):
    make_product("City Stroller")
    assert _search("stroler") == ["City Stroller"]


def test_a_swapped_letter_typo_finds_the_name(shelf):
    assert _search("bodysiut") == ["Organic cotton Bodysuit"]


@postgres_only
def test_an_exact_match_ranks_above_a_typo_match(shelf):
    make_product("Strollo ride-on", category=shelf["gear"])
    assert _search("stroller")[:2] == ["City Stroller", "Changing bag"]


@postgres_only
def test_name_outweighs_brand_and_tags_which_outweigh_description(db):
    category = CategoryFactory(name="Feeding", slug="feeding")
    make_product("Soft bib", category=category, description="Made from bamboo fibre.")
    make_product("Snack cup", category=category, tags=[TagFactory(name="Bamboo")])
    make_product("Bamboo bowl", category=category)
    make_product(
        "Spoon set", category=category, brand=BrandFactory(name="Bamboo Kids", slug="bamboo-kids")
    )
    names = _search("bamboo")
    assert names[0] == "Bamboo bowl"
    assert set(names[1:3]) == {"Snack cup", "Spoon set"}
    assert names[3] == "Soft bib"


def test_a_typo_in_one_of_two_words_still_finds_the_product(shelf):
    assert _search("organic bodysiut") == ["Organic cotton Bodysuit"]


def test_a_word_unlike_anything_is_not_corrected_into_a_match(shelf):
    assert _search("xylophone") == []
