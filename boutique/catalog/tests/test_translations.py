"""Catalogue content per language (django-modeltranslation): the back office
edits name/description per language; the storefront, search and API show the
active language's text and fall back to English."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from boutique.accounts.tests.factories import StaffFactory
from boutique.catalog import services
from boutique.catalog.demo import demo_catalog_load
from boutique.catalog.demo_translations import demo_product_translation
from boutique.catalog.models import Category, Product, Tag

from .factories import BrandFactory, CategoryFactory, TagFactory, make_product

pytestmark = pytest.mark.django_db
FR = {"Accept-Language": "fr"}
AR = {"Accept-Language": "ar"}


@pytest.fixture
def bunny():
    category = CategoryFactory(name="Soft toys", slug="soft-toys")
    product = make_product("Knitted bunny", category=category, description="Soft and warm.")
    return services.product_update(
        product=product, name_fr="Lapin tricoté", description_fr="Doux et chaud."
    )


def test_text_written_in_english_is_the_english_translation(bunny):
    row = Product.objects.filter(pk=bunny.pk).values("name_en", "name_ar", "name_fr").get()
    assert row == {"name_en": "Knitted bunny", "name_ar": None, "name_fr": "Lapin tricoté"}


def test_reading_gives_the_active_language_or_english(bunny):
    with translation.override("fr"):
        assert (bunny.name, bunny.description) == ("Lapin tricoté", "Doux et chaud.")
    with translation.override("ar"):
        assert (bunny.name, bunny.description) == ("Knitted bunny", "Soft and warm.")


def test_the_product_page_speaks_the_visitors_language(client, bunny):
    url = reverse("storefront:product", args=[bunny.slug])
    assert "Lapin tricoté" in client.get(url, headers=FR).content.decode()
    arabic = client.get(url, headers=AR).content.decode()
    assert "Knitted bunny" in arabic and "Lapin" not in arabic


def test_the_api_returns_the_active_language_with_english_fallback(client, bunny):
    detail = client.get(f"/api/v1/products/{bunny.slug}", headers=FR).json()
    assert detail["name"] == "Lapin tricoté"
    listing = client.get("/api/v1/products", headers=AR).json()
    assert [p["name"] for p in listing["results"]] == ["Knitted bunny"]
    services.category_update(category=bunny.category, name_ar="ألعاب محشوة")
    categories = client.get("/api/v1/categories", headers=AR).json()
    assert categories[0]["name"] == "ألعاب محشوة"


def test_search_finds_a_product_by_any_of_its_translations(client, bunny):
    for q in ("lapin", "bunny"):
        found = client.get("/api/v1/products", {"q": q}, headers=FR).json()["results"]
        assert [p["slug"] for p in found] == [bunny.slug], q
    services.category_update(category=bunny.category, name_fr="Peluches")
    found = client.get("/api/v1/products", {"q": "peluches"}).json()["results"]
    assert [p["slug"] for p in found] == [bunny.slug]


def test_listing_query_count_does_not_grow_in_another_language(
    client, media_root, django_assert_max_num_queries
):
    category = CategoryFactory(name="All", slug="all")
    brand, tag = BrandFactory(slug="many"), TagFactory(slug="many")
    for i in range(20):
        product = make_product(f"Product {i}", category=category, brand=brand, tags=[tag])
        services.product_update(product=product, name_ar=f"منتج {i}")
    # 13, and on a cold cache the next stock hold's expiry (catalog.cache.fresh_seconds)
    with django_assert_max_num_queries(14):
        body = client.get("/api/v1/products", {"page_size": 20}, headers=AR).json()
    assert {p["name"] for p in body["results"]} == {f"منتج {i}" for i in range(20)}
    with django_assert_max_num_queries(40):
        page = client.get("/shop/", headers=AR)
    assert page.status_code == 200 and "منتج 3" in page.content.decode()


def test_facets_and_name_sort_still_work_in_arabic(client):
    category = CategoryFactory(name="All", slug="all")
    for name, price in (("Bravo", "5"), ("Alpha", "6")):
        make_product(name, category=category, price=Decimal(price))
    body = client.get("/api/v1/products", {"sort": "name"}, headers=AR).json()
    assert [p["name"] for p in body["results"]] == ["Alpha", "Bravo"]
    counts = {f["value"]: f["count"] for f in body["facets"]["category"]}
    assert counts == {"all": 2}


def test_the_back_office_edits_every_language(client):
    client.force_login(StaffFactory())
    page = client.get(reverse("admin:catalog_product_add")).content.decode()
    for field in ("name_en", "name_ar", "name_fr", "description_ar", "description_fr"):
        assert f'name="{field}"' in page
    response = client.post(
        reverse("admin:catalog_brand_add"),
        {"name_en": "Cosy", "name_ar": "دافئ", "name_fr": "", "slug": "cosy"},
    )
    assert response.status_code == 302
    brand_row = BrandFactory._meta.model.objects.filter(slug="cosy")
    assert brand_row.values_list("name_en", "name_ar", "name_fr").get() == ("Cosy", "دافئ", None)
    # A second brand without French does not collide with the first's empty French name.
    client.post(reverse("admin:catalog_brand_add"), {"name_en": "Nido", "slug": "nido"})
    assert brand_row.model.objects.filter(slug="nido").exists()


def test_a_renamed_translation_refreshes_the_products_search_entries(client, bunny):
    tag = TagFactory(name="Gift idea", slug="gift-idea")
    services.product_update(product=bunny, tags=[tag])
    services.tag_update(tag=tag, name_fr="Idée cadeau")
    found = client.get("/api/v1/products", {"q": "cadeau"}).json()["results"]
    assert [p["slug"] for p in found] == [bunny.slug]


def test_demo_product_names_translate_noun_and_adjective():
    assert demo_product_translation("Classic teddy bear") == (
        "دبدوب بتصميم كلاسيكي",
        "Ours en peluche classique",
    )
    assert demo_product_translation("Sleepy teddy bear") is None


def test_the_demo_catalogue_has_arabic_and_french_names(media_root):
    demo_catalog_load(images=False, limit=40)
    assert not Category.objects.filter(name_ar__isnull=True).exists()
    assert not Category.objects.filter(name_fr__isnull=True).exists()
    assert not Tag.objects.filter(name_ar__isnull=True).exists()
    assert Product.objects.filter(name_ar__isnull=False).count() >= 3
    with translation.override("fr"):
        assert Category.objects.get(slug="toys").name == "Jouets"
    assert demo_catalog_load(images=False, limit=40).products_created == 0
