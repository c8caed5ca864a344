"""The demo shop's catalogue: realistic, deterministic, built through the
services, and loaded only once."""

import functools
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Count, Q
from PIL import Image

from boutique.accounts.demo import SELLER_EMAIL
from boutique.accounts.models import Role
from boutique.audit.models import AuditLog
from boutique.catalog import demo
from boutique.catalog.demo import demo_catalog_load, demo_product_specs
from boutique.catalog.filters import parse_filters
from boutique.catalog.models import AgeBand, Category, Product, ProductImage, Variant
from boutique.catalog.selectors import (
    category_tree,
    product_get_for_storefront,
    product_list_for_storefront,
)
from boutique.inventory.models import Stock
from boutique.marketplace.models import SellerStatus


# --- The plan, without a database ------------------------------------------------------
def test_specs_are_deterministic_for_a_seed():
    first, again = demo_product_specs(seed=3), demo_product_specs(seed=3)
    assert [(s.name, s.variants) for s in first] == [(s.name, s.variants) for s in again]
    assert [s.name for s in demo_product_specs(seed=4)] != [s.name for s in first]


def test_specs_describe_a_realistic_shop():
    specs = demo_product_specs()
    assert len(specs) == 150
    assert len({s.name for s in specs}) == 150
    skus = [v["sku"] for s in specs for v in s.variants]
    assert len(set(skus)) == len(skus)
    on_sale = [s for s in specs if "compare_at_price" in s.variants[0]]
    assert 0.1 < len(on_sale) / len(specs) < 0.3
    for spec in on_sale:
        assert all(v["compare_at_price"] > v["price"] for v in spec.variants)
    assert all(isinstance(v["price"], Decimal) for s in specs for v in s.variants)
    assert sum(s.for_seller for s in specs) == 20
    clothing = [s for s in specs if s.leaf.clothing]
    assert clothing and all(v["size"] and v["color"] for s in clothing for v in s.variants)
    assert any(len(s.variants) > 1 for s in clothing)
    gear = [s for s in specs if not s.leaf.clothing]
    assert gear and all(len(s.variants) == 1 for s in gear)
    assert any(all(v["stock"] == 0 for v in s.variants) for s in gear)


def test_one_of_a_kind_items_have_one_unit_and_one_is_sold():
    unique = [s for s in demo_product_specs() if s.is_one_of_a_kind]
    assert len(unique) >= 3
    assert all(s.for_seller and [v["stock"] for v in s.variants] == [1] for s in unique)
    assert sum(s.sold for s in unique) == 1


def test_demo_images_are_distinct_real_images():
    one = demo.demo_image("striped-bodysuit", "onesie", "Striped bodysuit")
    two = demo.demo_image("city-stroller", "stroller", "City stroller")
    assert one.read() != two.read()
    one.seek(0)
    with Image.open(one) as image:
        assert image.format == "JPEG" and image.size == (demo.IMAGE_SIZE, demo.IMAGE_SIZE)


# --- Loading -----------------------------------------------------------------------------
@pytest.fixture
def loaded(db, media_root):
    """The whole catalogue without pictures (the pictures cost most of the time)."""
    return demo_catalog_load(images=False)


def test_load_creates_the_catalogue_through_the_services(loaded):
    assert loaded.products == loaded.products_created == 150
    assert Product.objects.filter(status="active").count() == 150
    assert AuditLog.objects.filter(action="product.created").count() == 150
    assert not Product.objects.annotate(n=Count("variants")).filter(n=0).exists()
    assert Stock.objects.count() == Variant.objects.count()


def test_categories_form_a_tree_with_featured_ones(loaded):
    tree = category_tree()
    assert loaded.categories == Category.objects.count() > 20
    assert max(node.depth for node in tree.flat()) >= 2
    assert {n.category.slug for n in tree.roots} >= {"clothing", "feeding", "toys", "gifts"}
    newborn = tree.by_slug["newborn"]
    assert newborn.parent.category.slug == "clothing"
    assert Category.objects.filter(is_featured=True).count() >= 3
    assert not Product.objects.filter(category__children__isnull=False).exists()


def test_age_bands_cover_newborn_to_five_plus(loaded):
    bands = list(AgeBand.objects.values_list("label", "min_months", "max_months"))
    assert bands[0] == ("0–3 m", 0, 3) and bands[-1] == ("5 y+", 60, None)
    assert len(bands) == 7


def test_seller_owns_twenty_products(loaded):
    products = Product.objects.filter(seller__isnull=False)
    assert products.count() == 20
    seller = products.first().seller
    assert seller.status == SellerStatus.ACTIVE
    assert seller.owner.email == SELLER_EMAIL and seller.owner.role == Role.SELLER
    page = product_list_for_storefront(parse_filters({"seller": [seller.slug]}))
    assert page.total == 20


def test_some_products_are_on_sale_and_some_out_of_stock(loaded):
    page = product_list_for_storefront(parse_filters({}))
    on_sale = {o.value: o.count for o in page.facets["on_sale"]}["true"]
    in_stock = {o.value: o.count for o in page.facets["in_stock"]}["true"]
    assert 15 <= on_sale <= 45
    assert 100 < in_stock < 150


def test_sold_one_of_a_kind_shows_as_sold(loaded):
    sold = Product.objects.get(is_one_of_a_kind=True, variants__stock__on_hand=0)
    product = product_get_for_storefront(slug=sold.slug)
    assert [v.availability for v in product.active_variants] == ["Sold"]
    page = product_list_for_storefront(parse_filters({"in_stock": ["true"], "page_size": ["100"]}))
    assert sold.pk not in [p.pk for p in page.products]
    assert sold.variants.get().stock_movements.count() == 2  # received 1, sold 1


def test_a_second_load_creates_nothing(loaded, django_assert_max_num_queries):
    audits = AuditLog.objects.count()
    with django_assert_max_num_queries(12):
        again = demo_catalog_load(images=False)
    assert again.products_created == 0 and not again.created_now
    assert again.products == 150 and AuditLog.objects.count() == audits


def test_an_interrupted_load_finishes_the_rest(db, media_root):
    first = demo_catalog_load(images=False, limit=10)
    assert first.products == 10
    rest = demo_catalog_load(images=False)
    assert rest.products_created == 140 and rest.products == 150
    assert Category.objects.filter(slug="clothing").count() == 1


def test_demo_load_command_prints_the_catalogue_line(db, media_root, monkeypatch):
    from boutique.core.management.commands import demo_load

    fast = functools.partial(demo_catalog_load, images=False, limit=12)
    monkeypatch.setattr(demo_load, "demo_catalog_load", fast)
    out = io.StringIO()
    call_command("demo_load", stdout=out)
    call_command("demo_load", stdout=out)
    text = out.getvalue()
    assert "Demo catalogue: 12 products in" in text
    assert "(created now)" in text and "(already there)" in text
    assert SELLER_EMAIL in text


def test_full_load_with_images(db, media_root):
    """The real thing, pictures included, as `make run` does it."""
    summary = demo_catalog_load()
    assert summary.products == 150
    products = Product.objects.annotate(
        primaries=Count("images", filter=Q(images__is_primary=True))
    ).values_list("primaries", flat=True)
    assert set(products) == {1}
    images = ProductImage.objects.all()
    assert images.count() > 150
    assert images.filter(variant__isnull=False).exists()
    paths = set()
    for image in images.select_related("product"):
        with Image.open(image.image.path) as picture:
            picture.verify()
        assert image.alt_text.startswith(image.product.name)
        paths.add(image.image.name)
        assert (media_root / image.thumb_card.name).exists()
    assert len(paths) == images.count()
    assert demo_catalog_load().products_created == 0
