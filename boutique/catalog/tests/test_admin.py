"""Catalog back office: pages load, saves go through the services (stock row,
audit), refusals are form errors, bulk actions, delete rules, CSV pages and a
fixed-query changelist."""

from decimal import Decimal

import pytest
from django.urls import reverse

from boutique.accounts.tests.factories import StaffFactory
from boutique.audit.models import AuditLog
from boutique.catalog.models import AgeBand, Brand, Category, Product, Tag, Variant
from boutique.catalog.services import age_band_create
from boutique.inventory.models import Stock

from .conftest import png_file
from .factories import BrandFactory, CategoryFactory, TagFactory, make_product

pytestmark = pytest.mark.django_db

INLINES = {
    "variants-TOTAL_FORMS": "1",
    "variants-INITIAL_FORMS": "0",
    "images-TOTAL_FORMS": "0",
    "images-INITIAL_FORMS": "0",
}


@pytest.fixture
def staff_client(client):
    staff = StaffFactory(email="owner@example.com")
    client.force_login(staff)
    client.staff = staff
    return client


def _product_post(category, **extra):
    data = {
        # The back office edits each language (django-modeltranslation).
        "name_en": "Sun hat",
        "slug": "sun-hat",
        "status": "draft",
        "description_en": "",
        "category": category.pk,
        "age_min_months": "",
        "age_max_months": "",
        **INLINES,
        "variants-0-sku": "SH-1",
        "variants-0-size": "M",
        "variants-0-color": "",
        "variants-0-price": "7.50",
        "variants-0-compare_at_price": "",
        "variants-0-currency": "USD",
        "variants-0-weight_grams": "",
        "variants-0-position": "0",
        "variants-0-is_active": "on",
    }
    data.update(extra)
    return data


def _action(client, model, action, objects):
    return client.post(
        reverse(f"admin:catalog_{model}_changelist"),
        {"action": action, "_selected_action": [o.pk for o in objects]},
        follow=True,
    )


def test_every_catalog_page_loads(staff_client, catalog, media_root):
    from boutique.catalog.services import image_add

    image_add(product=catalog.striped, file=png_file())
    band = age_band_create(label="0-3 months", min_months=0, max_months=3)
    objects = {
        "product": catalog.striped,
        "category": catalog.bodysuits,
        "brand": catalog.cosy,
        "tag": catalog.organic,
        "ageband": band,
    }
    for model, obj in objects.items():
        for url in (
            reverse(f"admin:catalog_{model}_changelist"),
            reverse(f"admin:catalog_{model}_add"),
            reverse(f"admin:catalog_{model}_change", args=[obj.pk]),
        ):
            assert staff_client.get(url).status_code == 200, url
    assert staff_client.get(reverse("admin:catalog_product_import")).status_code == 200


def test_adding_a_product_creates_its_variant_stock_and_audit(staff_client):
    category = CategoryFactory()
    tag = TagFactory()

    response = staff_client.post(
        reverse("admin:catalog_product_add"), _product_post(category, tags=[tag.pk])
    )

    assert response.status_code == 302, response.context and response.context["errors"]
    product = Product.objects.get(slug="sun-hat")
    variant = product.variants.get()
    assert (variant.sku, variant.size, variant.price) == ("SH-1", "M", Decimal("7.50"))
    assert Stock.objects.get(variant=variant).on_hand == 0
    assert product.min_price == Decimal("7.50")
    assert list(product.tags.all()) == [tag]
    assert product.created_by == staff_client.staff
    log = AuditLog.objects.get(action="product.created", entity_id=str(product.pk))
    assert log.actor == staff_client.staff


def test_adding_a_product_without_a_variant_is_refused(staff_client):
    category = CategoryFactory()
    # The untouched blank row a browser sends: defaults kept, nothing typed.
    data = _product_post(category, **{"variants-0-sku": "", "variants-0-size": ""})
    data["variants-0-price"] = ""

    response = staff_client.post(reverse("admin:catalog_product_add"), data)

    assert response.status_code == 200
    assert "Add at least one variant" in response.content.decode()
    assert not Product.objects.exists()


def test_variant_with_compare_at_not_above_price_is_a_form_error(staff_client):
    data = _product_post(CategoryFactory(), **{"variants-0-compare_at_price": "7.50"})
    response = staff_client.post(reverse("admin:catalog_product_add"), data)
    assert response.status_code == 200
    assert not Product.objects.exists()


def test_editing_a_product_and_its_variants_goes_through_services(staff_client):
    product = make_product("Wool hat", price="15.00")
    variant = product.variants.get()
    url = reverse("admin:catalog_product_change", args=[product.pk])
    data = _product_post(
        product.category,
        name_en="Warm wool hat",
        slug=product.slug,
        status="active",
        **{
            "variants-TOTAL_FORMS": "2",
            "variants-INITIAL_FORMS": "1",
            "variants-0-id": variant.pk,
            "variants-0-product": product.pk,
            "variants-0-sku": variant.sku,
            "variants-0-size": "",
            "variants-0-price": "12.00",
            "variants-0-compare_at_price": "15.00",
            "variants-1-product": product.pk,
            "variants-1-sku": "NEW-1",
            "variants-1-price": "20.00",
            "variants-1-currency": "USD",
            "variants-1-position": "1",
            "variants-1-is_active": "on",
        },
    )

    response = staff_client.post(url, data)

    assert response.status_code == 302
    product.refresh_from_db()
    assert (product.name, product.min_price, product.is_on_sale) == (
        "Warm wool hat",
        Decimal("12.00"),
        True,
    )
    assert Stock.objects.filter(variant__sku="NEW-1", on_hand=0).exists()
    assert AuditLog.objects.filter(action="variant.updated", entity_id=str(variant.pk)).exists()
    assert AuditLog.objects.filter(action="variant.created").exists()
    assert AuditLog.objects.get(action="product.updated").new == {
        "name_en": "Warm wool hat",
        "name": "Warm wool hat",
    }


def test_image_added_in_admin_becomes_primary_with_thumbnails(staff_client, media_root):
    product = make_product()
    variant = product.variants.get()
    data = _product_post(
        product.category,
        name=product.name,
        slug=product.slug,
        status="active",
        **{
            "variants-INITIAL_FORMS": "1",
            "variants-0-id": variant.pk,
            "variants-0-product": product.pk,
            "variants-0-sku": variant.sku,
            "variants-0-size": "",
            "variants-0-price": "10.00",
            "images-TOTAL_FORMS": "1",
            "images-0-product": product.pk,
            "images-0-image": png_file(),
            "images-0-alt_text": "Front",
            "images-0-position": "0",
        },
    )
    response = staff_client.post(reverse("admin:catalog_product_change", args=[product.pk]), data)
    assert response.status_code == 302
    image = product.images.get()
    assert (image.alt_text, image.is_primary) == ("Front", True)
    assert image.thumb_small.storage.exists(image.thumb_small.name)
    assert AuditLog.objects.filter(action="product.image_added").exists()


def test_bulk_status_actions_change_status_and_audit(staff_client):
    drafts = [make_product(f"P{n}", status="draft") for n in range(2)]
    active = make_product("Already", status="active")

    response = _action(staff_client, "product", "activate", [*drafts, active])

    assert "Activated 2 product(s) (1 already were)." in response.content.decode()
    assert set(Product.objects.values_list("status", flat=True)) == {"active"}
    logs = AuditLog.objects.filter(action="product.status_changed")
    assert logs.count() == 2 and {log.actor for log in logs} == {staff_client.staff}

    response = _action(staff_client, "product", "archive", drafts)
    assert "Archived 2 product(s)." in response.content.decode()
    assert Product.objects.filter(status="archived").count() == 2

    _action(staff_client, "product", "back_to_draft", drafts)
    assert Product.objects.filter(status="draft").count() == 2


def test_products_cannot_be_deleted(staff_client):
    product = make_product()
    url = reverse("admin:catalog_product_delete", args=[product.pk])
    assert staff_client.post(url, {"post": "yes"}).status_code == 403
    changelist = staff_client.get(reverse("admin:catalog_product_changelist"))
    assert "delete_selected" not in changelist.content.decode()
    assert Product.objects.filter(pk=product.pk).exists()


def test_changelist_query_count_does_not_grow(staff_client, django_assert_max_num_queries):
    category, brand = CategoryFactory(), BrandFactory()
    url = reverse("admin:catalog_product_changelist")

    def run():
        with django_assert_max_num_queries(20) as queries:
            assert staff_client.get(url).status_code == 200
        return len(queries)

    for n in range(2):
        make_product(f"Few {n}", category=category, brand=brand)
    few = run()
    for n in range(28):
        make_product(f"Many {n}", category=CategoryFactory(), brand=BrandFactory())
    assert run() == few


def test_category_changelist_is_a_depth_first_tree_with_counts(staff_client, catalog):
    response = staff_client.get(reverse("admin:catalog_category_changelist"))
    rows = [(c.tree_depth, c.name, c.product_count) for c in response.context["cl"].result_list]
    assert rows == [
        (0, "Clothing", 1),
        (1, "Bodysuits", 6),
        (0, "Gear", 0),
        (1, "Strollers", 1),
    ]
    assert "— Bodysuits" in response.content.decode()


def test_category_add_and_move_go_through_services(staff_client, catalog):
    add = staff_client.post(
        reverse("admin:catalog_category_add"),
        {"name_en": "Hats", "slug": "hats", "parent": catalog.clothing.pk, "position": "0"},
    )
    assert add.status_code == 302
    hats = Category.objects.get(slug="hats")
    assert hats.parent == catalog.clothing
    assert AuditLog.objects.filter(action="category.created", entity_id=str(hats.pk)).exists()

    move = staff_client.post(
        reverse("admin:catalog_category_change", args=[hats.pk]),
        {"name_en": "Hats", "slug": "hats", "parent": catalog.gear.pk, "position": "0"},
    )
    assert move.status_code == 302
    hats.refresh_from_db()
    assert hats.parent == catalog.gear
    assert AuditLog.objects.filter(action="category.moved", entity_id=str(hats.pk)).exists()


def test_category_cannot_move_into_its_own_descendant(staff_client, catalog):
    url = reverse("admin:catalog_category_change", args=[catalog.clothing.pk])
    response = staff_client.post(
        url,
        {
            "name_en": "Clothing",
            "slug": "clothing",
            "parent": catalog.bodysuits.pk,
            "position": "1",
        },
    )
    assert response.status_code == 200
    assert "cannot be moved inside itself" in response.content.decode()
    catalog.clothing.refresh_from_db()
    assert catalog.clothing.parent is None
    assert not AuditLog.objects.filter(action="category.moved").exists()


def test_used_entries_cannot_be_deleted_unused_ones_can(staff_client, catalog):
    url = reverse("admin:catalog_tag_delete", args=[catalog.organic.pk])
    response = staff_client.post(url, {"post": "yes"})
    assert response.status_code == 200
    assert "is used by 6 product(s)" in response.content.decode()
    assert Tag.objects.filter(pk=catalog.organic.pk).exists()

    response = _action(staff_client, "category", "delete_selected", [catalog.gear])
    assert "move them first" in response.content.decode()
    assert Category.objects.filter(pk=catalog.gear.pk).exists()

    unused = BrandFactory(name="Unused")
    response = staff_client.post(
        reverse("admin:catalog_brand_delete", args=[unused.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not Brand.objects.filter(pk=unused.pk).exists()
    assert AuditLog.objects.filter(action="brand.deleted", entity_id=str(unused.pk)).exists()


def test_brand_tag_and_age_band_saves_are_audited(staff_client):
    staff_client.post(reverse("admin:catalog_brand_add"), {"name_en": "Cosy", "slug": "cosy"})
    staff_client.post(reverse("admin:catalog_tag_add"), {"name_en": "Gift", "slug": "gift"})
    staff_client.post(
        reverse("admin:catalog_ageband_add"),
        {
            "label": "Newborn",
            "slug": "newborn",
            "min_months": "0",
            "max_months": "3",
            "position": "0",
        },
    )
    brand = Brand.objects.get(slug="cosy")
    staff_client.post(
        reverse("admin:catalog_brand_change", args=[brand.pk]),
        {"name_en": "Cosy Co", "slug": "cosy"},
    )
    assert Brand.objects.get(pk=brand.pk).name == "Cosy Co"
    assert Tag.objects.filter(slug="gift").exists() and AgeBand.objects.filter(slug="newborn")
    actions = set(AuditLog.objects.values_list("action", flat=True))
    assert {"brand.created", "brand.updated", "tag.created", "age_band.created"} <= actions

    bad = staff_client.post(
        reverse("admin:catalog_ageband_add"),
        {"label": "Odd", "slug": "odd", "min_months": "6", "max_months": "3", "position": "0"},
        follow=True,
    )
    assert "Nothing was saved" in bad.content.decode()
    assert not AgeBand.objects.filter(slug="odd").exists()


# --- CSV pages ------------------------------------------------------------------------
def test_export_pages_download_the_csv(staff_client):
    make_product("Wool hat", slug="wool-hat")
    make_product("Sun hat", slug="sun-hat")
    everything = staff_client.get(reverse("admin:catalog_product_export"))
    assert everything["Content-Type"].startswith("text/csv")
    assert everything.content.decode().count("\n") == 3

    hat = Product.objects.get(slug="sun-hat")
    selected = _action(staff_client, "product", "export_csv", [hat])
    lines = selected.content.decode().splitlines()
    assert len(lines) == 2 and lines[1].startswith("sun-hat,")


def test_import_page_imports_a_good_file_and_lists_errors_of_a_bad_one(staff_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    CategoryFactory(slug="clothing")
    url = reverse("admin:catalog_product_import")
    header = "product_slug,product_name,category_slug,sku,price,stock"

    def upload(body: str, **extra):
        file = SimpleUploadedFile("c.csv", body.encode(), content_type="text/csv")
        return staff_client.post(url, {"file": file, **extra}, follow=True)

    bad = upload(f"{header}\nsun-hat,Sun hat,clothing,SH-1,abc,1\nx,X,nope,X-1,1.00,\n")
    text = bad.content.decode()
    assert "2 problems found; nothing was imported." in text
    assert "price &#x27;abc&#x27; is not a number" in text and "<td>3</td>" in text
    assert not Product.objects.exists()

    dry = upload(f"{header}\nsun-hat,Sun hat,clothing,SH-1,7.50,2\n", dry_run="on")
    assert "Dry run" in dry.content.decode()
    assert not Product.objects.exists()

    good = upload(f"{header}\nsun-hat,Sun hat,clothing,SH-1,7.50,2\n")
    assert "1 product(s) created" in good.content.decode()
    variant = Variant.objects.get(sku="SH-1")
    assert variant.stock.on_hand == 2
    log = AuditLog.objects.get(action="product.created")
    assert log.actor == staff_client.staff
