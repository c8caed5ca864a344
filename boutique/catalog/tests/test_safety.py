"""Safety data (issue 13): age grading, warning, materials and certifications
on products; shown on the product page, filterable in the listing and the API
with a fixed number of queries; edited by staff."""

from decimal import Decimal

import pytest
from django.urls import reverse

from boutique.accounts.tests.factories import StaffFactory
from boutique.audit.models import AuditLog
from boutique.catalog import services
from boutique.catalog.filters import parse_filters
from boutique.catalog.models import Certification, Material
from boutique.catalog.safety import certification_create, material_create, safety_entry_delete
from boutique.catalog.selectors import product_list_for_storefront
from boutique.core.errors import Conflict, ValidationFailed
from boutique.storefront.templatetags.storefront_safety import safe_age_options, safe_age_text

from .factories import CategoryFactory, make_product

pytestmark = pytest.mark.django_db


@pytest.fixture
def safety():
    en71 = certification_create(code="EN71", name="EN 71 Safety of toys", description="EU toys")
    astm = certification_create(code="ASTM F963", name="ASTM F963", description="US toys")
    oeko = certification_create(code="OEKO-TEX", name="OEKO-TEX Standard 100")
    beech = material_create(name="Beech wood")
    cotton = material_create(name="Organic cotton")
    blocks = make_product(
        "Wooden blocks",
        min_safe_age_months=36,
        safety_warning="small_parts",
        materials=[beech],
        certifications=[en71, astm],
    )
    rattle = make_product(
        "Beech rattle", min_safe_age_months=0, materials=[beech], certifications=[en71]
    )
    bodysuit = make_product("Bodysuit", materials=[cotton], certifications=[oeko])
    plain = make_product("Plain bib")
    return {
        "en71": en71,
        "astm": astm,
        "oeko": oeko,
        "beech": beech,
        "cotton": cotton,
        "blocks": blocks,
        "rattle": rattle,
        "bodysuit": bodysuit,
        "plain": plain,
    }


def _names(query: str) -> list[str]:
    from django.http import QueryDict

    page = product_list_for_storefront(parse_filters(QueryDict(query)))
    return sorted(p.name for p in page.products)


# --- Data and services --------------------------------------------------------------
def test_safe_age_text_reads_as_a_parent_expects():
    assert safe_age_text(36) == "Not for children under 3 years"
    assert safe_age_text(18) == "Not for children under 18 months"
    assert safe_age_text(1) == "Not for children under 1 month"
    assert safe_age_text(None) == ""
    assert (36, "3 years") in safe_age_options()
    assert safe_age_options(chosen=40)[-1] == (40, "40 months")


def test_an_age_grading_beyond_14_years_is_refused():
    with pytest.raises(ValidationFailed) as refused:
        make_product("Too old", min_safe_age_months=400)
    assert "min_safe_age_months" in refused.value.field_errors


def test_an_unknown_warning_is_refused():
    with pytest.raises(ValidationFailed) as refused:
        make_product("Odd", safety_warning="sharp-ish")
    assert "safety_warning" in refused.value.field_errors


def test_editing_safety_data_is_audited(safety):
    services.product_update(
        product=safety["plain"],
        materials=[safety["cotton"]],
        certifications=[safety["oeko"]],
        min_safe_age_months=6,
    )
    entry = AuditLog.objects.filter(action="product.updated").latest("id")
    assert entry.new == {
        "min_safe_age_months": 6,
        "materials": ["Organic cotton"],
        "certifications": ["OEKO-TEX"],
    }
    assert entry.old["materials"] == []


def test_a_material_in_use_is_not_deleted(safety):
    with pytest.raises(Conflict):
        safety_entry_delete(entry=safety["beech"])
    unused = material_create(name="Cork")
    safety_entry_delete(entry=unused)
    assert not Material.objects.filter(name="Cork").exists()
    assert Certification.objects.filter(code="EN71").exists()


# --- Listing filters -----------------------------------------------------------------
def test_filter_by_material_and_certification(safety):
    assert _names("material=beech-wood") == ["Beech rattle", "Wooden blocks"]
    assert _names("certification=astm-f963") == ["Wooden blocks"]
    assert _names("certification=oeko-tex,astm-f963") == ["Bodysuit", "Wooden blocks"]
    assert _names("material=beech-wood&certification=astm-f963") == ["Wooden blocks"]


def test_filter_by_age_grading_keeps_what_is_safe_for_the_child(safety):
    everything = ["Beech rattle", "Bodysuit", "Plain bib", "Wooden blocks"]
    assert _names("safe_age=12") == ["Beech rattle", "Bodysuit", "Plain bib"]
    assert _names("safe_age=36") == everything


@pytest.mark.parametrize(
    "query", ["material=nope", "certification=nope", "safe_age=-1", "safe_age=old"]
)
def test_unknown_safety_filters_are_400(client, safety, query):
    assert client.get(f"/api/v1/products?{query}").status_code == 400
    assert client.get(f"/shop/?{query}").status_code == 400


def test_facets_count_materials_and_certifications(safety):
    from django.http import QueryDict

    page = product_list_for_storefront(parse_filters(QueryDict("material=beech-wood")))
    materials = {o.value: (o.count, o.selected) for o in page.facets["material"]}
    assert materials == {"beech-wood": (2, True), "organic-cotton": (1, False)}
    certified = {o.label: o.count for o in page.facets["certification"]}
    assert certified == {"ASTM F963": 1, "EN71": 2}


def test_api_filters_and_facets(client, safety):
    body = client.get("/api/v1/products", {"certification": "en71", "safe_age": "12"}).json()
    assert [p["name"] for p in body["results"]] == ["Beech rattle"]
    # Facets are disjunctive: other certifications stay offered, with their counts.
    facet = {o["value"]: (o["count"], o["selected"]) for o in body["facets"]["certification"]}
    assert facet == {"en71": (1, True), "oeko-tex": (1, False)}
    blocks = client.get("/api/v1/products", {"material": "beech-wood"}).json()["results"]
    assert {p["name"]: p["min_safe_age_months"] for p in blocks} == {
        "Wooden blocks": 36,
        "Beech rattle": 0,
    }


def _many(n: int, safety) -> None:
    category = CategoryFactory()
    for i in range(n):
        make_product(
            f"Toy {i}",
            category=category,
            min_safe_age_months=i % 40,
            materials=[safety["beech"], safety["cotton"]],
            certifications=[safety["en71"], safety["oeko"]],
            variants=[{"price": Decimal("5"), "stock": 1}],
        )


# The listing's queries (tree, count, page, images, facets) plus one slug check
# per kind of slug filter, and on a cold cache the next stock hold's expiry (once
# per catalogue version, catalog.cache.fresh_seconds): fixed whatever the number
# of products.
SAFETY_FILTERED_QUERIES = 15


@pytest.mark.parametrize("n", [1, 25])
def test_the_listing_with_safety_filters_runs_a_fixed_number_of_queries(
    safety, django_assert_max_num_queries, n
):
    from django.http import QueryDict

    _many(n, safety)
    query = QueryDict("page_size=100&material=beech-wood&certification=en71,oeko-tex&safe_age=60")
    with django_assert_max_num_queries(SAFETY_FILTERED_QUERIES):
        page = product_list_for_storefront(parse_filters(query))
    assert page.total == n + 2  # and the blocks and the rattle


@pytest.mark.parametrize("n", [1, 25])
def test_the_shop_page_with_safety_filters_runs_a_fixed_number_of_queries(
    client, safety, django_assert_max_num_queries, n
):
    _many(n, safety)
    client.get("/shop/")  # warm the session
    query = {"material": "beech-wood", "certification": "en71", "safe_age": "60", "page_size": 100}
    with django_assert_max_num_queries(SAFETY_FILTERED_QUERIES + 4):
        response = client.get("/shop/", query)
    assert response.status_code == 200
    assert response.content.decode().count('class="product-card"') == n + 2


# --- Product page ------------------------------------------------------------------------
def test_the_product_page_shows_the_safety_section(client, safety):
    html = client.get(reverse("storefront:product", args=[safety["blocks"].slug])).content.decode()
    assert 'aria-labelledby="safety-title"' in html
    assert "Not for children under 3 years" in html
    assert "Choking hazard: small parts" in html
    assert "Beech wood" in html
    assert "EN71" in html and "ASTM F963" in html
    assert "?certification=en71" in html


def test_a_product_without_safety_data_has_no_section(client, safety):
    html = client.get(reverse("storefront:product", args=[safety["plain"].slug])).content.decode()
    assert "safety-title" not in html


def test_the_api_detail_carries_the_safety_data(client, safety):
    body = client.get(f"/api/v1/products/{safety['blocks'].slug}").json()
    assert body["safety"] == {
        "min_safe_age_months": 36,
        "warning": "small_parts",
        "warning_text": "Choking hazard: small parts",
        "materials": [{"slug": "beech-wood", "name": "Beech wood"}],
        "certifications": [
            {
                "code": "ASTM F963",
                "slug": "astm-f963",
                "name": "ASTM F963",
                "description": "US toys",
            },
            {
                "code": "EN71",
                "slug": "en71",
                "name": "EN 71 Safety of toys",
                "description": "EU toys",
            },
        ],
        "recalls": [],
    }


def test_the_listing_page_offers_the_safety_filters(client, safety):
    html = client.get("/shop/").content.decode()
    assert 'name="safe_age"' in html
    assert 'name="material"' in html and 'name="certification"' in html


# --- Back office ------------------------------------------------------------------------
def test_staff_set_safety_data_in_the_product_admin(client, safety):
    client.force_login(StaffFactory(is_superuser=True))
    product = safety["plain"]
    url = reverse("admin:catalog_product_change", args=[product.pk])
    form = client.get(url).context["adminform"].form
    data = {
        key: value
        for key, value in form.initial.items()
        if value is not None and not isinstance(value, list)
    }
    data.update(
        {
            "name": product.name,
            "slug": product.slug,
            "status": "active",
            "category": product.category_id,
            "min_safe_age_months": "36",
            "safety_warning": "small_parts",
            "materials": [safety["beech"].pk],
            "certifications": [safety["en71"].pk],
        }
    )
    variant = product.variants.get()
    data.update(
        {
            "variants-TOTAL_FORMS": "1",
            "variants-INITIAL_FORMS": "1",
            "variants-0-id": variant.pk,
            "variants-0-product": product.pk,
            "variants-0-sku": variant.sku,
            "variants-0-price": str(variant.price),
            "variants-0-currency": variant.currency,
            "variants-0-position": "0",
            "variants-0-is_active": "on",
            "images-TOTAL_FORMS": "0",
            "images-INITIAL_FORMS": "0",
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    product.refresh_from_db()
    assert (product.min_safe_age_months, product.safety_warning) == (36, "small_parts")
    assert list(product.materials.all()) == [safety["beech"]]
    assert list(product.certifications.all()) == [safety["en71"]]


def test_staff_add_a_certification_in_the_admin(client, db):
    client.force_login(StaffFactory(is_superuser=True))
    response = client.post(
        reverse("admin:catalog_certification_add"),
        {"code": "CPSIA", "slug": "cpsia", "name": "CPSIA", "description": "US lead limits"},
    )
    assert response.status_code == 302
    assert Certification.objects.get().code == "CPSIA"
    assert AuditLog.objects.filter(action="certification.created").count() == 1


# --- Demo data ----------------------------------------------------------------------------
def test_the_demo_catalogue_gets_realistic_safety_data(db):
    from boutique.catalog.demo import demo_catalog_load
    from boutique.catalog.demo_safety import demo_safety_load
    from boutique.catalog.models import Product

    demo_catalog_load(limit=20, images=False)
    assert demo_safety_load() > 0
    assert demo_safety_load() == 0  # idempotent: edited or loaded products stay
    assert Certification.objects.filter(code__in=["EN71", "ASTM F963", "BIS IS 9873"]).count() == 3
    bottle = Product.objects.filter(category__slug="bottles").first()
    assert [c.code for c in bottle.certifications.all()] == ["EN 14350"]
    bodysuit = Product.objects.filter(category__slug="newborn-bodysuits").first()
    assert [c.code for c in bodysuit.certifications.all()] == ["OEKO-TEX"]
    assert bodysuit.materials.filter(slug="organic-cotton").exists()
