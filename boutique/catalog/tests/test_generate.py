"""The benchmark catalogue generator: bulk-written data the selectors cannot
tell apart from service-created data."""

import io

import pytest
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count, Min, Sum
from django.http import QueryDict

from boutique.catalog.filters import parse_filters
from boutique.catalog.models import Category, Product, ProductStatus, Tag, Variant
from boutique.catalog.search import search_index_product
from boutique.catalog.selectors import product_list_for_storefront, storefront_products
from boutique.inventory.models import MovementKind, Stock, StockMovement

pytestmark = pytest.mark.django_db


def _generate(count: int, *extra: str) -> str:
    out = io.StringIO()
    call_command(
        "generate_catalog",
        "--products",
        str(count),
        "--batch-size",
        "70",
        "--seed",
        "7",
        "--no-progress",
        *extra,
        stdout=out,
    )
    return out.getvalue()


@pytest.fixture
def generated(media_root):
    _generate(300)
    return Product.objects.filter(variants__sku__startswith="GEN-").distinct()


def _list(**params) -> object:
    query = QueryDict(mutable=True)
    for key, value in params.items():
        query[key] = str(value)
    return product_list_for_storefront(parse_filters(query))


def _index_entry(product: Product):
    """What the database holds as the product's search entry."""
    if connection.vendor == "postgresql":
        return Product.objects.filter(pk=product.pk).values_list("search_vector", flat=True).get()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, keywords, description FROM catalog_product_fts WHERE rowid = %s",
            [product.pk],
        )
        return cursor.fetchall()


def _active_sized_product(generated) -> Product:
    return (
        generated.filter(status=ProductStatus.ACTIVE)
        .exclude(variants__size="")
        .select_related("brand", "category")
        .order_by("pk")
        .first()
    )


def test_generates_the_products_with_one_to_four_variants(generated):
    assert generated.count() == 300
    per_product = generated.annotate(n=Count("variants")).values_list("n", flat=True)
    assert set(per_product) <= {1, 2, 3, 4}
    assert max(per_product) > 1
    assert Variant.objects.filter(sku__startswith="GEN-").count() == sum(per_product)
    assert generated.filter(status=ProductStatus.ACTIVE).count() > 250


def test_every_variant_has_stock_equal_to_its_ledger(generated):
    variants = Variant.objects.filter(sku__startswith="GEN-")
    assert Stock.objects.filter(variant__in=variants).count() == variants.count()
    ledger = dict(
        StockMovement.objects.filter(variant__in=variants)
        .values_list("variant_id")
        .annotate(total=Sum("quantity"))
    )
    stocks = dict(Stock.objects.filter(variant__in=variants).values_list("variant_id", "on_hand"))
    assert {pk: on_hand for pk, on_hand in stocks.items() if on_hand} == ledger
    assert 0 in stocks.values()  # some are out of stock, with no movement
    assert set(
        StockMovement.objects.filter(variant__in=variants).values_list("kind", flat=True)
    ) == {MovementKind.IN}


def test_denormalised_listing_fields_match_the_variants(generated):
    for product in generated.annotate(cheapest=Min("variants__price")).prefetch_related("variants"):
        assert product.min_price == product.cheapest
        assert product.is_on_sale == any(v.is_on_sale for v in product.variants.all())
        assert (product.published_at is None) == (product.status == ProductStatus.DRAFT)
    assert generated.filter(is_on_sale=True).exists()


def test_search_entry_is_what_the_service_would_write(generated):
    for product in generated.select_related("brand", "category").order_by("pk")[:5]:
        written = _index_entry(product)
        search_index_product(product)
        assert written and _index_entry(product) == written


def test_search_finds_a_generated_product(generated):
    product = _active_sized_product(generated)
    page = _list(q=product.brand.name, brand=product.brand.slug, page_size=100)
    expected = storefront_products().filter(brand=product.brand).count()
    assert page.total == expected
    assert product.pk in [p.pk for p in page.products]


def test_size_colour_and_price_filters_list_it(generated):
    product = _active_sized_product(generated)
    variant = product.variants.order_by("pk").first()
    low, high = product.min_price, product.min_price + 50
    page = _list(
        size=variant.size,
        color=variant.color,
        price_min=low,
        price_max=high,
        category=product.category.slug,
        page_size=100,
    )
    expected = (
        storefront_products()
        .filter(category=product.category, min_price__gte=low, min_price__lte=high)
        .filter(variants__size=variant.size, variants__color=variant.color)
        .distinct()
    )
    assert page.total == expected.count() >= 1
    assert product.pk in [p.pk for p in page.products]


def test_facet_counts_match_the_data(generated):
    page = _list(page_size=1)
    visible = storefront_products()
    brands = dict(visible.values_list("brand__slug").annotate(n=Count("id")))
    assert {o.value: o.count for o in page.facets["brand"]} == brands
    clothing = Category.objects.get(slug="gen-clothing")
    in_clothing = visible.filter(category__parent=clothing).count()
    assert {o.value: o.count for o in page.facets["category"]}["gen-clothing"] == in_clothing
    tag = Tag.objects.get(name="Bestseller")
    tag_count = {o.value: o.count for o in page.facets["tag"]}[tag.slug]
    assert tag_count == visible.filter(tags=tag).count()


def test_listing_queries_do_not_grow_with_the_page_size(generated, django_assert_max_num_queries):
    with django_assert_max_num_queries(16):
        small = _list(page_size=5)
    with django_assert_max_num_queries(16):
        large = _list(page_size=100)
    assert len(small.products) == 5 and len(large.products) == 100


def test_every_product_shows_the_shared_image_with_thumbnails(generated):
    product = generated.first()
    image = product.images.get()
    assert image.is_primary
    assert generated.filter(images__is_primary=True).count() == 300
    for name in image.THUMBNAILS:
        assert default_storage.exists(getattr(image, name).name)


def test_a_rerun_appends_after_the_last_number(generated):
    categories = Category.objects.count()
    out = _generate(50)
    assert "Generated 50 products" in out and "GEN-00000301" in out
    assert Product.objects.filter(variants__sku__startswith="GEN-").distinct().count() == 350
    assert Variant.objects.filter(sku__startswith="GEN-00000350-").exists()
    assert Category.objects.count() == categories


def test_images_none_adds_no_images(media_root):
    _generate(20, "--images", "none")
    assert not Product.objects.filter(images__isnull=False).exists()
    assert Product.objects.count() == 20


def test_bad_counts_are_refused_and_change_nothing(media_root):
    with pytest.raises(CommandError):
        _generate(0)
    with pytest.raises(CommandError):
        call_command("generate_catalog", "--products", "5", "--batch-size", "0")
    assert not Product.objects.exists() and not Category.objects.exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="planner statistics of PostgreSQL")
def test_planner_statistics_are_fresh_after_generating(generated):
    # Stale estimates (a never-analysed table reads -1 or 0) made PostgreSQL
    # choose plans that took a minute per facet on 50 000 products.
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'catalog_product'")
        (estimated,) = cursor.fetchone()
    assert estimated >= Product.objects.count()
