from decimal import Decimal

import pytest
from django.http import QueryDict

from boutique.catalog.filters import parse_filters
from boutique.catalog.selectors import product_get_for_storefront, product_list_for_storefront

from .factories import BrandFactory, CategoryFactory, make_product

pytestmark = pytest.mark.django_db


def _list(query=""):
    return product_list_for_storefront(parse_filters(QueryDict(query)))


def test_listing_filters_search_and_facets_work_together():
    clothing = CategoryFactory(name="Clothing", slug="clothing")
    bodysuits = CategoryFactory(name="Bodysuits", slug="bodysuits", parent=clothing)
    strollers = CategoryFactory(name="Strollers", slug="strollers")
    brand = BrandFactory(name="Cosy", slug="cosy")
    make_product(
        "Striped bodysuit",
        category=bodysuits,
        brand=brand,
        variants=[{"price": Decimal("12"), "size": "0-3M", "color": "Blue", "stock": 2}],
    )
    make_product(
        "City stroller",
        category=strollers,
        price="300",
        stock=0,
        description="A light stroller for city walks",
    )

    page = _list("category=clothing")
    assert [p.name for p in page.products] == ["Striped bodysuit"]
    assert {o.value: o.count for o in page.facets["category"]} == {"bodysuits": 1}
    assert {o.value: o.count for o in page.facets["size"]} == {"0-3M": 1}

    assert [p.name for p in _list("q=stroller").products] == ["City stroller"]
    assert _list("in_stock=true").total == 1
    product = product_get_for_storefront(slug=page.products[0].slug)
    assert [v.availability for v in product.active_variants] == ["Only 2 left"]
