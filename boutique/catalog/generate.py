"""A large synthetic catalogue for benchmarks (`manage.py generate_catalog`).

For benchmark data only. It bypasses the per-row catalog services for speed:
products, variants, tags, stock rows, stock movements, images and search entries
are written with bulk inserts, one transaction per batch, and no audit record
per row (one audit record per run). It writes exactly what the services would,
so the selectors cannot tell the difference: the denormalised listing fields
(min_price, is_on_sale, published_at) are computed here, every variant has a
Stock row whose on_hand equals the sum of its movements (one "in" movement per
row with units), and the search entry uses search.search_document's fields and
weights (PostgreSQL search_vector, SQLite catalog_product_fts).

Categories, brands and tags are created through the services when missing.
A rerun appends: numbering continues after the highest GEN- SKU.
"""

import random
import time
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify
from tqdm import tqdm

from boutique.audit.services import audit_record
from boutique.inventory.models import MovementKind, Stock, StockMovement

from . import services
from .models import Brand, Category, Product, ProductImage, ProductStatus, Tag, Variant

SKU_PREFIX = "GEN-"
SHARED_IMAGE = "products/generated/benchmark.jpg"
IMAGE_CHOICES = ("shared", "none")

ROOTS = {
    "Clothing": ["Bodysuits", "Sleepsuits", "Dresses", "Trousers", "Tops", "Knitwear"],
    "Feeding": ["Bottles", "Bibs", "Tableware", "Highchairs"],
    "Nursery": ["Cots", "Bedding", "Swaddles", "Night lights"],
    "Travel": ["Strollers", "Car seats", "Carriers", "Changing bags"],
    "Toys": ["Soft toys", "Wooden toys", "Books", "Puzzles"],
    "Bath": ["Towels", "Bath toys", "Skincare"],
}
CLOTHING_SIZES = ["0-3M", "3-6M", "6-12M", "12-18M", "18-24M", "2Y", "3Y", "4Y", "5Y", "6Y"]
COLORS = ["White", "Cream", "Sage", "Pink", "Navy", "Mustard", "Grey", "Blue", "Red", "Black"]
ADJECTIVES = ["Organic", "Striped", "Soft", "Classic", "Cosy", "Little", "Bright", "Natural",
              "Dotty", "Sunny", "Woolly", "Sleepy", "Happy", "Travel", "Mini"]  # fmt: skip
MATERIALS = ["cotton", "bamboo", "linen", "wool", "muslin", "beech", "silicone", "fleece"]
SYLLABLES = ["ka", "lo", "mi", "ra", "no", "be", "ti", "sa", "vu", "den", "mar", "lin"]
TAGS = ["Organic cotton", "Gift idea", "Handmade", "Eco-friendly", "New", "Bestseller",
        "Unisex", "Limited edition", "Made locally", "Travel friendly"]  # fmt: skip
AGE_RANGES = [(0, 3), (0, 6), (3, 12), (6, 24), (12, 36), (24, 60), (36, 96), (0, None)]


@dataclass
class GenerateSummary:
    products: int
    variants: int
    first_number: int
    seconds: float


@dataclass
class _Taxonomy:
    leaves: list[tuple[Category, bool]]  # (category, has sizes)
    brands: list[Brand]
    tags: list[Tag]


def catalog_generate(
    *,
    products: int,
    batch_size: int = 2000,
    seed: int = 0,
    images: str = "shared",
    progress: bool = True,
) -> GenerateSummary:
    """Append `products` generated products (1–4 variants each) in batches."""
    if products < 0 or batch_size < 1 or images not in IMAGE_CHOICES:
        raise ValueError("products >= 0, batch_size >= 1 and images in " + str(IMAGE_CHOICES))
    started = time.monotonic()
    taxonomy = _taxonomy()
    image_name = _shared_image() if images == "shared" else None
    first = _next_number()
    rng = random.Random(f"{seed}:{first}")
    variants = 0
    with tqdm(total=products, unit="product", disable=not progress) as bar:
        for start in range(0, products, batch_size):
            count = min(batch_size, products - start)
            variants += _batch(rng, first + start, count, taxonomy, image_name)
            bar.update(count)
    _refresh_planner_statistics()
    audit_record(
        entity="generate",
        entity_type="catalog.generated",
        action="catalog.generated",
        new={"products": products, "first_sku_number": first, "seed": seed},
    )
    return GenerateSummary(products, variants, first, time.monotonic() - started)


def _refresh_planner_statistics() -> None:
    """Bulk inserts leave the query planner's row estimates stale until
    autovacuum catches up; with them PostgreSQL picked nested loops that made a
    facet count take a minute on 50 000 products. Refresh them now."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def catalog_generated_count() -> int:
    """How many products earlier runs generated (numbering is gap-free)."""
    return _next_number() - 1


def _next_number() -> int:
    last = (
        Variant.objects.filter(sku__startswith=SKU_PREFIX)
        .order_by("-sku")
        .values_list("sku", flat=True)
        .first()
    )
    return int(last[len(SKU_PREFIX) :].split("-")[0]) + 1 if last else 1


def _taxonomy() -> _Taxonomy:
    """The generator's categories, brands and tags (slugs gen-…), created
    through the services the first time."""
    leaves = []
    existing = {c.slug: c for c in Category.objects.filter(slug__startswith="gen-")}
    for position, (root_name, children) in enumerate(ROOTS.items()):
        root = _ensure_category(existing, root_name, None, position)
        for child_position, name in enumerate(children):
            leaf = _ensure_category(existing, name, root, child_position)
            leaves.append((leaf, root_name == "Clothing"))
    brands = {b.slug: b for b in Brand.objects.filter(slug__startswith="gen-")}
    rng = random.Random("brands")
    for n in range(40):
        name = "".join(rng.sample(SYLLABLES, 2)).capitalize() + f" {rng.choice(['Kids', 'Baby'])}"
        slug = f"gen-brand-{n}"
        if slug not in brands:
            brands[slug] = services.brand_create(name=f"{name} {n}", slug=slug)
    tags = {t.name: t for t in Tag.objects.filter(name__in=TAGS)}
    for name in TAGS:
        if name not in tags:
            tags[name] = services.tag_create(name=name)
    return _Taxonomy(leaves, list(brands.values()), list(tags.values()))


def _ensure_category(existing: dict, name: str, parent, position: int) -> Category:
    slug = "gen-" + slugify(f"{parent.name} {name}" if parent else name)
    if slug not in existing:
        existing[slug] = services.category_create(
            name=name, slug=slug, parent=parent, position=position
        )
    return existing[slug]


def _shared_image() -> str:
    """One image file (and its thumbnails) that every generated product shows."""
    if not default_storage.exists(SHARED_IMAGE):
        from .demo import demo_image

        upload = demo_image("benchmark", "block", "Bench Mark")
        default_storage.save(SHARED_IMAGE, ContentFile(upload.read()))
    image = ProductImage(image=SHARED_IMAGE)
    for name in ProductImage.THUMBNAILS:
        getattr(image, name).generate()
    return SHARED_IMAGE


def _price(rng: random.Random) -> Decimal:
    return Decimal(rng.randint(300, 40000)) / 100


def _batch(rng: random.Random, first: int, count: int, tax: _Taxonomy, image_name) -> int:
    now = timezone.now()
    rows = []  # (product, variants, stock quantities, tags)
    for number in range(first, first + count):
        category, sized = rng.choice(tax.leaves)
        brand = rng.choice(tax.brands)
        tags = sorted(rng.sample(tax.tags, rng.randint(0, 3)), key=lambda t: t.name)
        noun = category.name.lower().removesuffix("s")
        name = f"{rng.choice(ADJECTIVES)} {rng.choice(MATERIALS)} {noun}"
        status = rng.choices(ProductStatus.values, weights=[3, 96, 1])[0]
        age = rng.choice(AGE_RANGES)
        product = Product(
            category=category,
            brand=brand,
            name=name,
            slug=f"{slugify(name)}-g{number}",
            description=f"{name} by {brand.name}. A {rng.choice(MATERIALS)} favourite "
            f"for {category.name.lower()}, number {number} of the benchmark catalogue.",
            status=status,
            age_min_months=age[0],
            age_max_months=age[1],
            is_featured=rng.random() < 0.02,
            published_at=None
            if status == ProductStatus.DRAFT
            else now - timedelta(minutes=rng.randint(0, 525_600)),
        )
        product_variants, stocks = _variants(rng, number, sized)
        prices = [v.price for v in product_variants]
        product.min_price = min(prices)
        product.is_on_sale = any(v.is_on_sale for v in product_variants)
        rows.append((product, product_variants, stocks, tags))

    with transaction.atomic():
        Product.objects.bulk_create([row[0] for row in rows])
        links, variants, quantities = [], [], []
        for product, product_variants, stocks, tags in rows:
            links += [Product.tags.through(product=product, tag=tag) for tag in tags]
            for variant in product_variants:
                variant.product = product
            variants += product_variants
            quantities += stocks
        Product.tags.through.objects.bulk_create(links)
        Variant.objects.bulk_create(variants)
        Stock.objects.bulk_create(
            [Stock(variant=v, on_hand=q) for v, q in zip(variants, quantities, strict=True)]
        )
        StockMovement.objects.bulk_create(
            StockMovement(variant=v, kind=MovementKind.IN, quantity=q, note="initial stock")
            for v, q in zip(variants, quantities, strict=True)
            if q > 0
        )
        if image_name:
            ProductImage.objects.bulk_create(
                ProductImage(
                    product=row[0], image=image_name, alt_text=row[0].name, is_primary=True
                )
                for row in rows
            )
        _search_index(rows)
    return len(variants)


def _variants(rng: random.Random, number: int, sized: bool) -> tuple[list[Variant], list[int]]:
    count = rng.choice([1, 1, 2, 3, 4]) if sized else rng.choice([1, 1, 1, 2])
    price = _price(rng)
    on_sale = rng.random() < 0.2
    start = rng.randrange(len(CLOTHING_SIZES) - count + 1)
    color = rng.choice(COLORS)
    variants, stocks = [], []
    for k in range(count):
        variant_price = price + Decimal(k) if rng.random() < 0.3 else price
        variants.append(
            Variant(
                sku=f"{SKU_PREFIX}{number:08d}-{k}",
                size=CLOTHING_SIZES[start + k] if sized else "",
                color=color if sized or k == 0 else rng.choice(COLORS),
                price=variant_price,
                compare_at_price=(variant_price * Decimal("1.25")).quantize(Decimal("0.01"))
                if on_sale
                else None,
                position=k,
            )
        )
        stocks.append(rng.choice([0, 0, 1, 3, 5, 10, 25]))
    return variants, stocks


# search.search_index_product's SearchVector sum, for many rows at once.
_PG_INDEX = (
    "UPDATE catalog_product AS p SET search_vector = "
    "setweight(to_tsvector('english'::regconfig, COALESCE(v.name, '')), 'A') || "
    "setweight(to_tsvector('english'::regconfig, COALESCE(v.keywords, '')), 'B') || "
    "setweight(to_tsvector('english'::regconfig, COALESCE(v.description, '')), 'C') "
    "FROM (VALUES {values}) AS v(id, name, keywords, description) WHERE p.id = v.id"
)


def _search_index(rows) -> None:
    """search.search_index_product for a whole batch, in one statement."""
    entries = []
    for product, _, _, tags in rows:
        keywords = [product.brand.name, product.category.name, *(t.name for t in tags)]
        keywords_text = " ".join(k for k in keywords if k)
        entries.append((product.pk, product.name, keywords_text, product.description or ""))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Only placeholders are formatted into the SQL; the values are parameters.
            values = ", ".join(["(%s::bigint, %s::text, %s::text, %s::text)"] * len(entries))
            cursor.execute(
                _PG_INDEX.replace("{values}", values),
                [value for entry in entries for value in entry],
            )
        elif connection.vendor == "sqlite":
            cursor.executemany(
                "INSERT INTO catalog_product_fts(rowid, name, keywords, description) "
                "VALUES (%s, %s, %s, %s)",
                entries,
            )
