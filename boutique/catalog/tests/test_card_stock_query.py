"""Product cards (home shelves, listing, search, related products, API list)
say whether a product is in stock with a scalar subquery evaluated for the
rows returned, never an EXISTS in the select list: on PostgreSQL that EXISTS
was planned as a hashed subplan over every variant's stock, about 110 ms a
query at 100 000 products however small the page (bench/README.md, issue 11).
The badge must still follow stock and reservations."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from boutique.catalog.selectors import (
    home_sections_for_storefront,
    product_get_for_storefront,
    product_new_arrivals,
)
from boutique.inventory.models import HolderType
from boutique.inventory.services import stock_reserve

from .factories import CategoryFactory, make_product

pytestmark = pytest.mark.django_db


@pytest.fixture
def shelf():
    category = CategoryFactory()
    stocked = make_product("Stocked bib", category=category, stock=3)
    held = make_product("Held bib", category=category, stock=2)
    stock_reserve(
        variant=held.variants.get(), quantity=2, holder_type=HolderType.CART, holder_id="c1"
    )
    empty = make_product("Empty bib", category=category, stock=0)
    return {"stocked": stocked, "held": held, "empty": empty}


def _card_queries(captured) -> list[str]:
    """Queries whose select list reads products (the cards)."""
    return [
        q["sql"]
        for q in captured
        if q["sql"].startswith('SELECT "catalog_product"."id"') and "in_stock" in q["sql"]
    ]


def test_card_badges_follow_stock_and_reservations(shelf):
    cards = {p.name: p.in_stock for p in product_new_arrivals(limit=10)}
    assert cards == {"Stocked bib": True, "Held bib": False, "Empty bib": False}
    related = product_get_for_storefront(slug=shelf["empty"].slug).related
    assert {p.name: p.in_stock for p in related} == {"Stocked bib": True, "Held bib": False}


@pytest.mark.parametrize(
    "path",
    [reverse("storefront:home"), reverse("storefront:product_list"), "/api/v1/products"],
)
def test_card_stock_is_not_an_exists_in_the_select_list(client, shelf, path):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    cards = _card_queries(ctx.captured_queries)
    assert cards, "no card query captured"
    for sql in cards:
        select_list = sql.split(' FROM "catalog_product"', 1)[0]
        assert "EXISTS" not in select_list.upper(), select_list[-400:]


def test_product_page_related_cards_are_not_an_exists(client, shelf):
    with CaptureQueriesContext(connection) as ctx:
        product_get_for_storefront(slug=shelf["stocked"].slug)
    [related] = _card_queries(ctx.captured_queries)
    assert "EXISTS" not in related.split(' FROM "catalog_product"', 1)[0].upper()


def test_home_reads_its_shelves_in_a_fixed_number_of_queries(shelf, django_assert_max_num_queries):
    for n in range(12):
        make_product(f"More bib {n}", stock=1, is_featured=True)
    with django_assert_max_num_queries(9):
        sections = home_sections_for_storefront()
    assert len(sections.new_arrivals) == 8
