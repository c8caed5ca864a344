"""Catalogue CSV: one row per variant, product columns repeated on each row.

Export writes every variant. Import is all-or-nothing: the whole file is parsed
and checked first, every problem is reported with its CSV line number (the
header is line 1), and only a clean file is applied, in one transaction,
through the catalog services (audit, search index and listing fields stay
right). Products are keyed by `product_slug`, variants by `sku`.

- A column left out of the file leaves that field alone on existing rows.
- `stock` is exported as the current on-hand count; on import it is the
  initial stock of a NEW variant only (stock changes go through inventory).
- Variants missing from the file are left as they are (deactivate them in the
  back office); a SKU cannot move from one product to another.
- Re-importing an exported file changes nothing and writes no audit rows.
"""

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db import transaction

from boutique.core.errors import DomainError, ValidationFailed
from boutique.core.money import CURRENCY_CHOICES, minor_units
from boutique.marketplace.models import Seller

from . import services
from .models import Brand, Category, Product, ProductStatus, Tag, Variant

PRODUCT_COLUMNS = (
    "product_slug",
    "product_name",
    "category_slug",
    "brand_slug",
    "seller_slug",
    "tags",
    "status",
    "description",
    "age_min_months",
    "age_max_months",
    "is_featured",
    "is_one_of_a_kind",
)
VARIANT_COLUMNS = (
    "sku",
    "size",
    "color",
    "price",
    "compare_at_price",
    "currency",
    "weight_grams",
    "stock",
)
COLUMNS = PRODUCT_COLUMNS + VARIANT_COLUMNS
REQUIRED_COLUMNS = ("product_slug", "product_name", "category_slug", "sku", "price")
TRUE, FALSE = {"true", "1", "yes", "y"}, {"false", "0", "no", "n", ""}
CURRENCIES = {code for code, _ in CURRENCY_CHOICES}
DEFAULT_CURRENCY = Variant._meta.get_field("currency").default
MAX_PRICE = Decimal(10) ** 10  # Variant.price: 12 digits, 2 after the point
MAX_AGE_MONTHS = 32767

Progress = Callable[[Iterable], Iterable]


def _no_progress(rows: Iterable) -> Iterable:
    return rows


# --- Export -------------------------------------------------------------------
def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def export_variants():
    """Every variant with what its row needs, in a fixed number of queries."""
    return (
        Variant.objects.select_related(
            "product__category", "product__brand", "product__seller", "stock"
        )
        .prefetch_related("product__tags")
        .order_by("product__slug", "position", "id")
    )


def export_row(variant: Variant) -> list[str]:
    product = variant.product
    stock = getattr(variant, "stock", None)
    values = {
        "product_slug": product.slug,
        "product_name": product.name,
        "category_slug": product.category.slug,
        "brand_slug": product.brand.slug if product.brand else "",
        "seller_slug": product.seller.slug if product.seller else "",
        "tags": "|".join(sorted(t.slug for t in product.tags.all())),
        "status": product.status,
        "description": product.description,
        "age_min_months": product.age_min_months,
        "age_max_months": product.age_max_months,
        "is_featured": product.is_featured,
        "is_one_of_a_kind": product.is_one_of_a_kind,
        "sku": variant.sku,
        "size": variant.size,
        "color": variant.color,
        "price": variant.price,
        "compare_at_price": variant.compare_at_price,
        "currency": variant.currency,
        "weight_grams": variant.weight_grams,
        "stock": stock.on_hand if stock is not None else 0,
    }
    return [_text(values[column]) for column in COLUMNS]


def catalog_export(out, *, variants=None, progress: Progress = _no_progress) -> int:
    """Write the CSV (all variants, or the given queryset) to a text stream;
    returns how many rows were written."""
    variants = export_variants() if variants is None else variants
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    count = 0
    for variant in progress(variants):
        writer.writerow(export_row(variant))
        count += 1
    return count


# --- Import: parse and validate ------------------------------------------------
class ImportRejected(ValidationFailed):
    code = "import_rejected"
    title = "The file was not imported"

    def __init__(self, errors: list[tuple[int, str]]):
        self.errors = sorted(errors)
        lines = "; ".join(f"line {line}: {message}" for line, message in self.errors[:20])
        super().__init__(f"{len(self.errors)} problem(s), nothing imported. {lines}")


@dataclass
class Row:
    line: int
    product: dict
    variant: dict
    tags: list | None
    stock: int | None


@dataclass
class ImportResult:
    products_created: int = 0
    products_updated: int = 0
    variants_created: int = 0
    variants_updated: int = 0
    rows: int = 0
    dry_run: bool = False
    changes: list = field(default_factory=list)

    def summary(self) -> str:
        prefix = "Dry run, nothing saved: would have " if self.dry_run else ""
        return (
            f"{prefix}{self.rows} row(s): {self.products_created} product(s) created, "
            f"{self.products_updated} updated; {self.variants_created} variant(s) created, "
            f"{self.variants_updated} updated."
        )


class _RowErrors(Exception):
    pass


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ImportRejected([(line, "the file is not UTF-8 text; save it as CSV UTF-8")]) from exc


def _money(raw: str, currency: str, column: str, errors: list) -> Decimal | None:
    try:
        value = Decimal(raw)
    except InvalidOperation:
        errors.append(f"{column} {raw!r} is not a number")
        return None
    if not value.is_finite():
        errors.append(f"{column} {raw!r} is not a number")
        return None
    if value < 0:
        errors.append(f"{column} {raw} is negative")
        return None
    if value >= MAX_PRICE:
        errors.append(f"{column} {raw} is too large")
        return None
    places = minor_units(currency) if currency in CURRENCIES else 2
    exact = value.quantize(Decimal(1).scaleb(-places))
    if value != exact:
        errors.append(f"{column} {raw} has more than {places} decimal places")
        return None
    return exact


def _whole(raw: str, column: str, errors: list, *, maximum: int = 2**31 - 1) -> int | None:
    if raw == "":
        return None
    if not (raw.isascii() and raw.isdigit()):
        errors.append(f"{column} {raw!r} is not a whole number of 0 or more")
        return None
    if int(raw) > maximum:
        errors.append(f"{column} {raw} is too large (at most {maximum})")
        return None
    return int(raw)


def _flag(raw: str, column: str, errors: list) -> bool | None:
    value = raw.lower()
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    errors.append(f"{column} {raw!r} is not true or false")
    return None


class _Lookups:
    """Slugs to rows, loaded once per import (one query per table)."""

    def __init__(self):
        self.categories = {c.slug: c for c in Category.objects.all()}
        self.brands = {b.slug: b for b in Brand.objects.all()}
        self.sellers = {s.slug: s for s in Seller.objects.all()}
        self.tags = {t.slug: t for t in Tag.objects.all()}


def _parse_product(cells: dict, lookups: _Lookups, errors: list) -> tuple[dict, list | None]:
    product = {"slug": cells["product_slug"], "name": cells["product_name"]}
    if not product["slug"]:
        errors.append("product_slug is empty")
    else:
        try:
            validate_slug(product["slug"])
        except ValidationError:
            errors.append(f"product_slug {product['slug']!r} may use only letters, digits, - and _")
    if not product["name"]:
        errors.append("product_name is empty")
    refs = (
        ("category_slug", "category", lookups.categories),
        ("brand_slug", "brand", lookups.brands),
        ("seller_slug", "seller", lookups.sellers),
    )
    for column, key, known in refs:
        if column not in cells:
            continue
        slug = cells[column]
        if slug == "" and key != "category":
            product[key] = None
        elif slug in known:
            product[key] = known[slug]
        else:
            errors.append(f"unknown {key} {slug!r}" if slug else f"{column} is empty")
    tags = None
    if "tags" in cells:
        slugs = [s.strip() for s in cells["tags"].replace(",", "|").split("|") if s.strip()]
        unknown = [s for s in slugs if s not in lookups.tags]
        if unknown:
            errors.append(f"unknown tag(s) {', '.join(repr(s) for s in unknown)}")
        tags = sorted({lookups.tags[s] for s in slugs if s in lookups.tags}, key=lambda t: t.pk)
    if "status" in cells:
        status = cells["status"].lower() or ProductStatus.DRAFT
        if status in ProductStatus.values:
            product["status"] = status
        else:
            choices = ", ".join(ProductStatus.values)
            errors.append(f"status {cells['status']!r} is not one of {choices}")
    if "description" in cells:
        product["description"] = cells["description"]
    for column in ("age_min_months", "age_max_months"):
        if column in cells:
            product[column] = _whole(cells[column], column, errors, maximum=MAX_AGE_MONTHS)
    low, high = product.get("age_min_months"), product.get("age_max_months")
    if low is not None and high is not None and low > high:
        errors.append(f"age_min_months {low} is above age_max_months {high}")
    for column in ("is_featured", "is_one_of_a_kind"):
        if column in cells:
            product[column] = _flag(cells[column], column, errors)
    return product, tags


def _parse_variant(cells: dict, errors: list) -> tuple[dict, int | None]:
    variant = {"sku": cells["sku"]}
    if not variant["sku"]:
        errors.append("sku is empty")
    elif len(variant["sku"]) > Variant._meta.get_field("sku").max_length:
        errors.append(f"sku {variant['sku']!r} is too long")
    for column in ("size", "color"):
        if column in cells:
            variant[column] = cells[column]
            if len(cells[column]) > Variant._meta.get_field(column).max_length:
                errors.append(f"{column} {cells[column]!r} is too long")
    currency = cells.get("currency") or DEFAULT_CURRENCY
    if "currency" in cells:
        if currency in CURRENCIES:
            variant["currency"] = currency
        else:
            errors.append(f"currency {cells['currency']!r} is not one of {', '.join(CURRENCIES)}")
    if cells["price"] == "":
        errors.append("price is empty")
    else:
        variant["price"] = _money(cells["price"], currency, "price", errors)
    if "compare_at_price" in cells:
        raw = cells["compare_at_price"]
        compare = _money(raw, currency, "compare_at_price", errors) if raw else None
        variant["compare_at_price"] = compare
        price = variant.get("price")
        if compare is not None and price is not None and compare <= price:
            errors.append(f"compare_at_price {compare} must be above price {price}")
    if "weight_grams" in cells:
        variant["weight_grams"] = _whole(cells["weight_grams"], "weight_grams", errors)
    stock = _whole(cells["stock"], "stock", errors) if "stock" in cells else None
    return variant, stock


def _read_rows(text: str, errors: list) -> list[tuple[int, dict]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        errors.append((1, "the file is empty"))
        return []
    except csv.Error as exc:
        errors.append((1, f"the header cannot be read: {exc}"))
        return []
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        errors.append((1, f"missing required column(s): {', '.join(missing)}"))
    unknown = [c for c in header if c not in COLUMNS]
    if unknown:
        errors.append((1, f"unknown column(s): {', '.join(unknown)}"))
    dupes = sorted({c for c in header if header.count(c) > 1})
    if dupes:
        errors.append((1, f"repeated column(s): {', '.join(dupes)}"))
    if missing or unknown or dupes:
        return []
    rows = []
    try:
        # A quoted cell may span lines: a row's number is the line it starts on.
        line = reader.line_num + 1
        for cells in reader:
            if any(c.strip() for c in cells):
                if len(cells) != len(header):
                    errors.append((line, f"{len(cells)} cells where the header has {len(header)}"))
                else:
                    row = dict(zip(header, cells, strict=True))
                    rows.append((line, {h: _cell(h, c) for h, c in row.items()}))
            line = reader.line_num + 1
    except csv.Error as exc:
        errors.append((line, f"the row cannot be read: {exc}"))
    return rows


def _cell(column: str, value: str) -> str:
    # Descriptions keep their own spacing so an export re-imports unchanged.
    return value if column == "description" else value.strip()


def parse_catalog_csv(data: bytes) -> list[Row]:
    """Every row checked; raises ImportRejected listing every problem by line."""
    errors: list[tuple[int, str]] = []
    raw_rows = _read_rows(_decode(data), errors)
    lookups = _Lookups()
    rows, first_sku_line, products = [], {}, {}
    for line, cells in raw_rows:
        problems: list[str] = []
        product, tags = _parse_product(cells, lookups, problems)
        variant, stock = _parse_variant(cells, problems)
        sku = variant["sku"]
        if sku and sku in first_sku_line:
            problems.append(f"sku {sku!r} is repeated (first on line {first_sku_line[sku]})")
        first_sku_line.setdefault(sku, line)
        seen = products.get(product["slug"])
        if seen is not None and not problems:
            first_line, first_product, first_tags = seen
            differ = [k for k in product if first_product.get(k) != product[k]]
            if tags != first_tags:
                differ.append("tags")
            if differ:
                problems.append(
                    f"product {product['slug']!r} has other {', '.join(differ)} "
                    f"than on line {first_line}"
                )
        if not problems:
            products.setdefault(product["slug"], (line, product, tags))
        errors.extend((line, message) for message in problems)
        rows.append(Row(line, product, variant, tags, stock))
    if not errors:
        errors.extend(_check_against_database(rows))
    if errors:
        raise ImportRejected(errors)
    return rows


def _check_against_database(rows: list[Row]) -> list[tuple[int, str]]:
    owners = dict(
        Variant.objects.filter(sku__in=[r.variant["sku"] for r in rows]).values_list(
            "sku", "product__slug"
        )
    )
    errors = []
    for row in rows:
        owner = owners.get(row.variant["sku"])
        if owner is not None and owner != row.product["slug"]:
            errors.append((row.line, f"sku {row.variant['sku']!r} belongs to product {owner!r}"))
    return errors


# --- Import: apply -----------------------------------------------------------------
def _product_changes(product: Product, data: dict) -> dict:
    changes = {}
    for key, value in data.items():
        current = getattr(product, f"{key}_id" if key in ("category", "brand", "seller") else key)
        wanted = value.pk if key in ("category", "brand", "seller") and value else value
        if current != wanted:
            changes[key] = value
    return changes


def _apply_product(rows: list[Row], product: Product | None, actor, result: ImportResult):
    first = rows[0]
    data = dict(first.product)
    slug = data.pop("slug")
    if product is None:
        variants = [{**r.variant, **({"stock": r.stock} if r.stock else {})} for r in rows]
        services.product_create(
            slug=slug,
            variants=variants,
            actor=actor,
            tags=first.tags or (),
            **data,
        )
        result.products_created += 1
        result.variants_created += len(rows)
        result.changes.append(f"line {first.line}: product {slug} created")
        return
    changes = _product_changes(product, data)
    tags = first.tags
    tags_changed = tags is not None and {t.pk for t in tags} != {t.pk for t in product.tags.all()}
    if changes or tags_changed:
        services.product_update(
            product=product, actor=actor, tags=tags if tags_changed else None, **changes
        )
        result.products_updated += 1
        result.changes.append(f"line {first.line}: product {slug} updated")
    existing = {v.sku: v for v in product.variants.all()}
    next_position = len(existing)
    for row in rows:
        variant = existing.get(row.variant["sku"])
        if variant is None:
            extra = {"stock": row.stock} if row.stock else {}
            services.variant_create(
                product=product, actor=actor, position=next_position, **row.variant, **extra
            )
            next_position += 1
            result.variants_created += 1
            result.changes.append(f"line {row.line}: variant {row.variant['sku']} created")
            continue
        fields = {k: v for k, v in row.variant.items() if getattr(variant, k) != v}
        if fields:
            services.variant_update(variant=variant, actor=actor, **fields)
            result.variants_updated += 1
            result.changes.append(f"line {row.line}: variant {row.variant['sku']} updated")


def catalog_import(
    *, data: bytes, actor=None, dry_run: bool = False, progress: Progress = _no_progress
) -> ImportResult:
    """Check the whole file, then create or update its products and variants in
    one transaction. Raises ImportRejected (nothing saved) on any problem; a dry
    run applies the file and rolls it back, so it reports what would change."""
    rows = parse_catalog_csv(data)
    by_product: dict[str, list[Row]] = {}
    for row in rows:
        by_product.setdefault(row.product["slug"], []).append(row)
    result = ImportResult(rows=len(rows), dry_run=dry_run)
    errors = []
    with transaction.atomic():
        existing = Product.objects.prefetch_related("tags", "variants").in_bulk(
            list(by_product), field_name="slug"
        )
        for slug, product_rows in progress(list(by_product.items())):
            try:
                with transaction.atomic():
                    _apply_product(product_rows, existing.get(slug), actor, result)
            except DomainError as exc:
                details = "; ".join(
                    f"{key}: {' '.join(map(str, msgs))}" for key, msgs in exc.field_errors.items()
                )
                message = f"{exc.detail} {details}".strip()
                errors.append((product_rows[0].line, f"product {slug!r}: {message}"))
        if errors:
            transaction.set_rollback(True)
            raise ImportRejected(errors)
        if dry_run:
            transaction.set_rollback(True)
    return result
