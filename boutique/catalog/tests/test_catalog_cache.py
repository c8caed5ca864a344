"""The catalogue version and the facet counts cached at it
(boutique/catalog/cache.py): counts come from the cache while nothing changed,
and follow every change made through the services at once."""

from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from boutique.catalog import services
from boutique.catalog.cache import cached, catalog_changed, catalog_version
from boutique.catalog.filters import parse_filters
from boutique.catalog.selectors import facet_key, product_list_for_storefront
from boutique.inventory.services import stock_adjust

pytestmark = pytest.mark.django_db


def _list(query: str = ""):
    return product_list_for_storefront(parse_filters(QueryDict(query)))


def _counts(page, facet: str) -> dict:
    return {option.value: option.count for option in page.facets[facet]}


def _query_count(query: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        _list(query)
    return len(queries)


def test_facet_counts_come_from_the_cache_while_nothing_changes(catalog):
    query = "category=clothing&in_stock=true&price_max=20"
    first = _list(query)
    uncached = _query_count("category=bodysuits")  # another filter set: computed
    cached_count = _query_count(query)
    assert cached_count < uncached - 5  # the page's own queries only
    assert _list(query).facets == first.facets


def test_page_and_sort_share_the_facet_counts_of_their_filters(catalog):
    a = parse_filters(QueryDict("brand=cosy,tiny&sort=price_asc&page=2"))
    b = parse_filters(QueryDict("brand=tiny&brand=cosy&page_size=10"))
    assert facet_key(a) == facet_key(b)
    assert facet_key(a) != facet_key(parse_filters(QueryDict("brand=cosy")))


def test_a_stock_change_moves_the_in_stock_count_at_once(catalog):
    assert _counts(_list(), "in_stock") == {"true": 3}
    stock_adjust(variant=catalog.plain.variants.get(), quantity=-5, reason="damaged")
    assert _counts(_list(), "in_stock") == {"true": 2}


def test_a_price_or_sale_change_moves_the_counts_at_once(catalog):
    assert _counts(_list("price_max=10"), "brand") == {"tiny": 1}
    assert _counts(_list(), "on_sale") == {"true": 1}
    variant = catalog.striped.variants.order_by("pk").first()
    services.variant_update(
        variant=variant, price=Decimal("9.00"), compare_at_price=Decimal("12.00")
    )
    assert _counts(_list("price_max=10"), "brand") == {"cosy": 1, "tiny": 1}
    assert _counts(_list(), "on_sale") == {"true": 2}


def test_a_new_brand_on_a_product_moves_the_counts_at_once(catalog):
    assert _counts(_list(), "brand") == {"cosy": 2, "tiny": 2}
    services.product_update(product=catalog.hat, brand=catalog.tiny)
    assert _counts(_list(), "brand") == {"cosy": 1, "tiny": 3}


def test_every_change_bumps_the_version_and_a_rollback_keeps_it_safe(db):
    start = catalog_version()
    catalog_changed()
    assert catalog_version() == start + 1
    with pytest.raises(RuntimeError), transaction.atomic():
        catalog_changed()
        raise RuntimeError("rolled back")
    # The bump made inside a rolled-back transaction only costs a cache miss.
    assert catalog_version() == start + 2


def test_nothing_is_cached_when_the_catalog_cache_is_off(db, settings):
    settings.CATALOG_CACHE = False
    calls = []
    for _ in range(2):
        cached("test", ("a",), lambda: calls.append(1) or len(calls))
    assert len(calls) == 2


def test_a_cached_value_is_reused_until_the_version_moves(db):
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    assert [cached("test", ("a",), compute) for _ in range(2)] == [1, 1]
    catalog_changed()
    assert cached("test", ("a",), compute) == 2
