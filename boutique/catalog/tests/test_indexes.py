"""Every listing filter and sort is backed by an index on both databases."""

import pytest
from django.db import connection

from boutique.catalog.models import Product, Variant


def _indexed_columns(model) -> set[str]:
    """Columns that lead some index (or unique constraint) of the model's table."""
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, model._meta.db_table)
    leading = set()
    for info in constraints.values():
        columns = [c for c in (info["columns"] or []) if c]
        if (info["index"] or info["unique"] or info["primary_key"]) and columns:
            leading.add(columns[0])
    return leading


def _index_names(model) -> set[str]:
    with connection.cursor() as cursor:
        return set(connection.introspection.get_constraints(cursor, model._meta.db_table))


@pytest.mark.django_db
def test_product_filters_and_sorts_have_indexes():
    leading = _indexed_columns(Product)
    # status leads the published (newest), price and name sorts.
    for column in ("status", "category_id", "brand_id", "seller_id", "age_min_months", "slug"):
        assert column in leading, column
    names = _index_names(Product)
    assert {"product_status_published", "product_status_price", "product_name_lower"} <= names
    assert "product_on_sale_published" in names


@pytest.mark.django_db
def test_variant_and_tag_filters_have_indexes():
    leading = _indexed_columns(Variant)
    for column in ("product_id", "size", "color", "sku"):
        assert column in leading, column
    through = Product.tags.through
    assert {"product_id", "tag_id"} <= _indexed_columns(through)
