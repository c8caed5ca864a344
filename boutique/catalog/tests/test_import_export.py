"""Catalogue CSV: exact export, all-or-nothing import by line number, the
commands' exit codes, and export → import changing nothing."""

import csv
import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from boutique.audit.models import AuditLog
from boutique.catalog.importing import (
    COLUMNS,
    ImportRejected,
    catalog_export,
    catalog_import,
)
from boutique.catalog.models import Product, Variant
from boutique.inventory.models import Stock, StockMovement

from .factories import BrandFactory, CategoryFactory, SellerFactory, TagFactory, make_product

pytestmark = pytest.mark.django_db

HEADER = ",".join(COLUMNS)


@pytest.fixture
def shop(db):
    """A small catalogue whose export is known exactly."""
    clothing = CategoryFactory(name="Clothing", slug="clothing")
    cosy = BrandFactory(name="Cosy", slug="cosy")
    organic = TagFactory(name="Organic", slug="organic")
    gift = TagFactory(name="Gift", slug="gift")
    seller = SellerFactory(slug="little-wheels")
    make_product(
        "Striped bodysuit",
        slug="striped-bodysuit",
        category=clothing,
        brand=cosy,
        tags=[organic, gift],
        description='Soft, "organic"\ncotton',
        age_min_months=0,
        age_max_months=6,
        is_featured=True,
        variants=[
            {"sku": "SB-1", "size": "0-3M", "color": "Blue", "price": Decimal("12.00"), "stock": 2},
            {
                "sku": "SB-2",
                "size": "3-6M",
                "color": "Red",
                "price": Decimal("9.50"),
                "compare_at_price": Decimal("12.00"),
                "weight_grams": 120,
            },
        ],
    )
    make_product(
        "Wool hat",
        slug="wool-hat",
        category=clothing,
        seller=seller,
        status="draft",
        variants=[{"sku": "WH-1", "price": Decimal("15.00"), "stock": 1}],
    )
    return {"clothing": clothing, "cosy": cosy, "organic": organic, "gift": gift}


def _export() -> str:
    out = io.StringIO()
    catalog_export(out)
    return out.getvalue()


def _csv(*rows: str, header: str = HEADER) -> bytes:
    return "\n".join([header, *rows]).encode()


def _counts():
    return (
        Product.objects.count(),
        Variant.objects.count(),
        Stock.objects.count(),
        AuditLog.objects.count(),
    )


def _row(**cells) -> str:
    values = {
        "product_slug": "sun-hat",
        "product_name": "Sun hat",
        "category_slug": "clothing",
        "status": "active",
        "sku": "SH-1",
        "price": "7.50",
        "currency": "USD",
        **cells,
    }
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow([values.get(c, "") for c in COLUMNS])
    return out.getvalue().removesuffix("\n")


def test_export_writes_one_exact_row_per_variant(shop):
    assert _export() == (
        f"{HEADER}\n"
        'striped-bodysuit,Striped bodysuit,clothing,cosy,,gift|organic,active,"Soft, ""organic""\n'
        'cotton",0,6,true,false,SB-1,0-3M,Blue,12.00,,USD,,2\n'
        'striped-bodysuit,Striped bodysuit,clothing,cosy,,gift|organic,active,"Soft, ""organic""\n'
        'cotton",0,6,true,false,SB-2,3-6M,Red,9.50,12.00,USD,120,0\n'
        "wool-hat,Wool hat,clothing,,little-wheels,,draft,,,,false,false,WH-1,,,15.00,,USD,,1\n"
    )


def test_export_query_count_does_not_grow_with_the_catalogue(shop, django_assert_max_num_queries):
    for n in range(20):
        make_product(f"Extra {n}", category=shop["clothing"], tags=[shop["gift"]])
    with django_assert_max_num_queries(3):
        text = _export()
    assert len(list(csv.reader(io.StringIO(text)))) == 1 + 3 + 20


def test_export_then_import_changes_nothing(shop):
    before = _counts()
    result = catalog_import(data=_export().encode())
    assert (result.products_created, result.products_updated) == (0, 0)
    assert (result.variants_created, result.variants_updated) == (0, 0)
    assert _counts() == before


def test_good_file_creates_products_variants_tags_and_stock(shop):
    data = _csv(
        _row(tags="organic, gift", stock="4", compare_at_price="9.00", weight_grams="80"),
        _row(sku="SH-2", size="L", price="8", tags="gift|organic"),
    )

    result = catalog_import(data=data)

    assert (result.products_created, result.variants_created) == (1, 2)
    product = Product.objects.get(slug="sun-hat")
    assert (product.name, product.status, product.category) == (
        "Sun hat",
        "active",
        shop["clothing"],
    )
    assert set(product.tags.values_list("slug", flat=True)) == {"organic", "gift"}
    first, second = product.variants.order_by("position")
    assert (first.price, first.compare_at_price, first.weight_grams) == (
        Decimal("7.50"),
        Decimal("9.00"),
        80,
    )
    assert isinstance(second.price, Decimal) and second.price == Decimal("8.00")
    assert (first.stock.on_hand, second.stock.on_hand) == (4, 0)
    assert StockMovement.objects.filter(variant=first, quantity=4).exists()
    assert (product.min_price, product.is_on_sale) == (Decimal("7.50"), True)
    assert AuditLog.objects.filter(action="product.created", entity_id=str(product.pk)).exists()

    again = catalog_import(data=data)
    assert (again.products_created, again.variants_created, again.variants_updated) == (0, 0, 0)


def test_import_updates_existing_product_and_variant_through_services(shop):
    text = _export().replace("Wool hat", "Warm wool hat").replace(",15.00,", ",14.00,")
    text += (
        _row(
            product_slug="wool-hat",
            product_name="Warm wool hat",
            seller_slug="little-wheels",
            status="draft",
            sku="WH-2",
            price="16.00",
            stock="3",
        )
        + "\n"
    )

    result = catalog_import(data=text.encode())

    assert (result.products_updated, result.variants_updated, result.variants_created) == (1, 1, 1)
    hat = Product.objects.get(slug="wool-hat")
    assert hat.name == "Warm wool hat"
    assert hat.min_price == Decimal("14.00")
    assert Variant.objects.get(sku="WH-2").stock.on_hand == 3
    assert Variant.objects.get(sku="WH-1").stock.on_hand == 1  # stock is not edited on update
    assert AuditLog.objects.filter(action="product.updated", entity_id=str(hat.pk)).count() == 1
    assert AuditLog.objects.filter(action="variant.updated").count() == 1


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        ({"category_slug": "nope"}, "unknown category 'nope'"),
        ({"brand_slug": "nope"}, "unknown brand 'nope'"),
        ({"tags": "organic|nope"}, "unknown tag(s) 'nope'"),
        ({"price": "abc"}, "price 'abc' is not a number"),
        ({"price": "-1.00"}, "price -1.00 is negative"),
        ({"price": "1.234"}, "more than 2 decimal places"),
        ({"price": ""}, "price is empty"),
        ({"price": "1e30"}, "price 1e30 is too large"),
        ({"weight_grams": "99999999999"}, "weight_grams 99999999999 is too large"),
        ({"age_max_months": "\u00b2"}, "age_max_months '\u00b2' is not a whole number"),
        ({"product_name": "x" * 201}, "product 'sun-hat': Some fields are not valid."),
        ({"compare_at_price": "7.50"}, "compare_at_price 7.50 must be above price 7.50"),
        ({"status": "published"}, "status 'published' is not one of"),
        ({"currency": "EUR"}, "currency 'EUR' is not one of"),
        ({"is_featured": "maybe"}, "is_featured 'maybe' is not true or false"),
        ({"age_min_months": "12", "age_max_months": "6"}, "age_min_months 12 is above"),
        ({"weight_grams": "1.5"}, "weight_grams '1.5' is not a whole number"),
        ({"stock": "-3"}, "stock '-3' is not a whole number"),
        ({"sku": ""}, "sku is empty"),
        ({"product_slug": "sun hat"}, "product_slug 'sun hat' may use only"),
        ({"sku": "WH-1"}, "sku 'WH-1' belongs to product 'wool-hat'"),
    ],
)
def test_bad_row_reports_its_line_and_imports_nothing(shop, cells, message):
    before = _counts()
    data = _csv(_row(sku="OK-1", product_slug="fine", product_name="Fine"), _row(**cells))

    with pytest.raises(ImportRejected) as rejected:
        catalog_import(data=data)

    assert [line for line, _ in rejected.value.errors] == [3]
    assert message in rejected.value.errors[0][1]
    assert _counts() == before


def test_every_bad_row_is_reported_at_once(shop):
    data = _csv(_row(price="abc"), _row(sku="SH-2"), _row(sku="SH-1"), _row(sku="X", status="x"))
    with pytest.raises(ImportRejected) as rejected:
        catalog_import(data=data)
    errors = rejected.value.errors
    assert errors[0] == (2, "price 'abc' is not a number")
    assert (4, "sku 'SH-1' is repeated (first on line 2)") in errors
    assert [line for line, _ in errors] == [2, 4, 5]
    assert not Product.objects.filter(slug="sun-hat").exists()


def test_rows_of_one_product_must_agree(shop):
    data = _csv(_row(), _row(sku="SH-2", product_name="Other name"))
    with pytest.raises(ImportRejected) as rejected:
        catalog_import(data=data)
    assert rejected.value.errors == [(3, "product 'sun-hat' has other name than on line 2")]


def test_line_numbers_count_multiline_cells(shop):
    data = _csv(
        _row(description="two\nlines"), _row(sku="SH-2", price="x", description="two\nlines")
    )
    with pytest.raises(ImportRejected) as rejected:
        catalog_import(data=data)
    assert [line for line, _ in rejected.value.errors] == [4]


def test_missing_required_column_is_a_header_error(shop):
    header = HEADER.replace("price,compare_at_price", "cost,compare_at_price")
    with pytest.raises(ImportRejected) as rejected:
        catalog_import(data=_csv(_row(), header=header))
    assert rejected.value.errors == [
        (1, "missing required column(s): price"),
        (1, "unknown column(s): cost"),
    ]


def test_non_utf8_file_names_the_line(shop):
    data = _csv(_row(), _row(sku="SH-2", product_name="Caf\xe9")).decode().encode("latin-1")
    before = _counts()
    with pytest.raises(ImportRejected) as rejected:
        catalog_import(data=data)
    assert rejected.value.errors == [(3, "the file is not UTF-8 text; save it as CSV UTF-8")]
    assert _counts() == before


def test_a_service_refusal_rolls_back_the_whole_file(shop, monkeypatch):
    from boutique.catalog import importing
    from boutique.core.errors import ValidationFailed

    calls = []

    def refuse_second(**kwargs):
        calls.append(kwargs["slug"])
        if len(calls) == 2:
            raise ValidationFailed("Refused.", field_errors={"name": ["Too silly."]})
        return original(**kwargs)

    original = importing.services.product_create
    monkeypatch.setattr(importing.services, "product_create", refuse_second)
    before = _counts()
    with pytest.raises(ImportRejected) as rejected:
        catalog_import(data=_csv(_row(), _row(product_slug="b", product_name="B", sku="B-1")))
    assert rejected.value.errors == [(3, "product 'b': Refused. name: Too silly.")]
    assert _counts() == before


def test_dry_run_reports_and_saves_nothing(shop):
    before = _counts()
    result = catalog_import(data=_csv(_row()), dry_run=True)
    assert (result.products_created, result.variants_created) == (1, 1)
    assert "Dry run" in result.summary()
    assert _counts() == before


# --- Commands -------------------------------------------------------------------------
def test_export_command_writes_stdout_or_a_file(shop, tmp_path):
    out, err = io.StringIO(), io.StringIO()
    call_command("catalog_export", stdout=out, stderr=err)
    assert out.getvalue() == _export()

    target = tmp_path / "catalog.csv"
    call_command("catalog_export", output=str(target), stdout=io.StringIO(), stderr=err)
    assert target.read_text(encoding="utf-8") == _export()
    assert f"Wrote 3 row(s) to {target}" in err.getvalue()


def test_import_command_imports_a_good_file(shop, tmp_path):
    path = tmp_path / "in.csv"
    path.write_bytes(_csv(_row(stock="2")))
    out = io.StringIO()
    call_command("catalog_import", str(path), stdout=out, stderr=io.StringIO())
    assert "1 product(s) created" in out.getvalue()
    assert Variant.objects.get(sku="SH-1").stock.on_hand == 2


def test_import_command_fails_with_lines_and_imports_nothing(shop, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(_csv(_row(), _row(sku="SH-2", price="abc")))
    err = io.StringIO()
    before = _counts()
    with pytest.raises(CommandError, match="1 problem"):
        call_command("catalog_import", str(path), stdout=io.StringIO(), stderr=err)
    assert "line 3: price 'abc' is not a number" in err.getvalue()
    assert _counts() == before


def test_import_command_dry_run_and_missing_file(shop, tmp_path):
    path = tmp_path / "in.csv"
    path.write_bytes(_csv(_row()))
    out = io.StringIO()
    call_command("catalog_import", str(path), "--dry-run", stdout=out, stderr=io.StringIO())
    assert "Dry run" in out.getvalue()
    assert not Product.objects.filter(slug="sun-hat").exists()
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("catalog_import", str(tmp_path / "missing.csv"))
