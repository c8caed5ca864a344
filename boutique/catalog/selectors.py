"""Every read of the catalog. Listing and product pages run a fixed number of
queries whatever the page size."""

import math
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import CharField, Count, F, Prefetch, Q, Value
from django.db.models.functions import Coalesce
from django.utils import translation
from django.utils.translation import gettext
from modeltranslation.utils import build_localized_fieldname
from modeltranslation.utils import get_language as mt_language

from boutique.core.errors import NotFound
from boutique.inventory.selectors import (
    available_expression,
    in_stock_for_product_annotation,
    in_stock_for_product_q,
)
from boutique.marketplace.models import Seller, SellerStatus

from .cache import cached
from .errors import ProductNotFound, UnknownFilterValue
from .filters import SORTS, ProductFilters
from .models import (
    AgeBand,
    Brand,
    Category,
    Certification,
    Material,
    Product,
    ProductImage,
    ProductStatus,
    Recall,
    Tag,
    Variant,
)
from .search import search_filter


# --- Category tree -------------------------------------------------------------
@dataclass
class CategoryNode:
    category: Category
    depth: int = 0
    parent: "CategoryNode | None" = None
    children: list["CategoryNode"] = field(default_factory=list)

    @property
    def ancestors(self) -> list["CategoryNode"]:
        chain, node = [], self.parent
        while node is not None:
            chain.append(node)
            node = node.parent
        return chain[::-1]

    def descendant_ids(self) -> set[int]:
        ids = {self.category.pk}
        for child in self.children:
            ids |= child.descendant_ids()
        return ids


@dataclass
class CategoryTree:
    roots: list[CategoryNode]
    by_slug: dict[str, CategoryNode]
    by_id: dict[int, CategoryNode]

    def flat(self) -> list[CategoryNode]:
        out: list[CategoryNode] = []

        def walk(nodes):
            for node in nodes:
                out.append(node)
                walk(node.children)

        walk(self.roots)
        return out


def category_tree() -> CategoryTree:
    """The whole tree in one query."""
    categories = list(Category.objects.order_by("position", "name"))
    by_id = {c.pk: CategoryNode(c) for c in categories}
    roots = []
    for node in by_id.values():
        parent = by_id.get(node.category.parent_id)
        if parent is None:
            roots.append(node)
        else:
            node.parent = parent
            parent.children.append(node)
    for node in by_id.values():
        node.depth = len(node.ancestors)
    return CategoryTree(roots, {n.category.slug: n for n in by_id.values()}, by_id)


# --- Listing -------------------------------------------------------------------
def storefront_products():
    """Products a customer may see: active, with something to sell (min_price is
    empty exactly when no variant is active), and the shop's own or an active
    seller's."""
    return Product.objects.filter(status=ProductStatus.ACTIVE, min_price__isnull=False).filter(
        Q(seller__isnull=True) | Q(seller__status=SellerStatus.ACTIVE)
    )


def _primary_image_prefetch():
    return Prefetch(
        "images",
        queryset=ProductImage.objects.filter(is_primary=True),
        to_attr="primary_images",
    )


@dataclass
class FacetOption:
    value: str
    label: str
    count: int
    selected: bool = False


@dataclass
class ProductPage:
    products: list
    total: int
    page: int
    page_size: int
    filters: ProductFilters
    facets: dict[str, list[FacetOption]]
    category: CategoryNode | None = None

    @property
    def num_pages(self) -> int:
        return max(1, math.ceil(self.total / self.page_size))

    @property
    def has_next(self) -> bool:
        return self.page < self.num_pages

    @property
    def has_previous(self) -> bool:
        return self.page > 1


def _check_slugs(model, slugs, name, *, extra=None) -> None:
    if not slugs:
        return
    qs = model.objects.filter(slug__in=slugs)
    if extra is not None:
        qs = qs.filter(extra)
    found = set(qs.values_list("slug", flat=True))
    unknown = [s for s in slugs if s not in found]
    if unknown:
        raise UnknownFilterValue(
            f"Unknown {name}: {', '.join(unknown)}.", field_errors={name: unknown}
        )


def _apply(qs, f: ProductFilters, tree: CategoryTree):
    if f.category:
        qs = qs.filter(category_id__in=tree.by_slug[f.category].descendant_ids())
    if f.brands:
        qs = qs.filter(brand__slug__in=f.brands)
    if f.tags:
        # A subquery, not a join: a product with two selected tags must stay one
        # row, or every count over this queryset doubles it.
        tagged = Product.tags.through.objects.filter(tag__slug__in=f.tags)
        qs = qs.filter(pk__in=tagged.values("product_id"))
    if f.sellers:
        qs = qs.filter(seller__slug__in=f.sellers)
    if f.materials:
        made_of = Product.materials.through.objects.filter(material__slug__in=f.materials)
        qs = qs.filter(pk__in=made_of.values("product_id"))
    if f.certifications:
        certified = Product.certifications.through.objects.filter(
            certification__slug__in=f.certifications
        )
        qs = qs.filter(pk__in=certified.values("product_id"))
    if f.safe_age_months is not None:
        qs = qs.filter(
            Q(min_safe_age_months__isnull=True) | Q(min_safe_age_months__lte=f.safe_age_months)
        )
    if f.sizes or f.colors:
        qs = qs.filter(pk__in=_variants_with_options(f).values("product_id"))
    if f.price_min is not None:
        qs = qs.filter(min_price__gte=f.price_min)
    if f.price_max is not None:
        qs = qs.filter(min_price__lte=f.price_max)
    if f.age_months is not None:
        qs = qs.filter(
            Q(age_min_months__isnull=True) | Q(age_min_months__lte=f.age_months),
            Q(age_max_months__isnull=True) | Q(age_max_months__gte=f.age_months),
        )
    if f.on_sale:
        qs = qs.filter(is_on_sale=True)
    if f.min_rating is not None:
        qs = qs.filter(rating_average__gte=f.min_rating)
    if f.in_stock:
        qs = qs.filter(in_stock_for_product_q())
    return qs


def _variants_with_options(f: ProductFilters):
    """Active variants of the chosen sizes and colours: size and colour must
    match on one variant (a red 0-3M, not a red 3-6M and a blue 0-3M)."""
    variant_q = Q(is_active=True)
    if f.sizes:
        variant_q &= Q(size__in=f.sizes)
    if f.colors:
        variant_q &= Q(color__in=f.colors)
    return Variant.objects.filter(variant_q)


def _filtered(f: ProductFilters, tree: CategoryTree):
    return _apply(search_filter(storefront_products(), f.q), f, tree)


def product_list_for_storefront(
    filters: ProductFilters, *, with_facets: bool = True
) -> ProductPage:
    """One page of products for the filters, with facet counts. Unknown category,
    brand, tag or seller slugs raise UnknownFilterValue (400)."""
    tree = category_tree()
    if filters.category and filters.category not in tree.by_slug:
        raise UnknownFilterValue(
            f"Unknown category: {filters.category}.", field_errors={"category": [filters.category]}
        )
    _check_slugs(Brand, filters.brands, "brand")
    _check_slugs(Tag, filters.tags, "tag")
    _check_slugs(Seller, filters.sellers, "seller", extra=Q(status=SellerStatus.ACTIVE))
    _check_slugs(Material, filters.materials, "material")
    _check_slugs(Certification, filters.certifications, "certification")

    qs = _filtered(filters, tree)
    total = qs.count()
    start = (filters.page - 1) * filters.page_size
    products = list(
        qs.select_related("brand", "category", "seller")
        .annotate(in_stock=in_stock_for_product_annotation())
        .prefetch_related(_primary_image_prefetch())
        .order_by(*_ordering(qs, filters.sort))[start : start + filters.page_size]
    )
    for product in products:
        product.primary_image = product.primary_images[0] if product.primary_images else None
    facets = facets_cached(filters, tree) if with_facets else {}
    node = tree.by_slug.get(filters.category) if filters.category else None
    return ProductPage(products, total, filters.page, filters.page_size, filters, facets, node)


def _ordering(qs, sort: str):
    # A query without words ("!!!") searches nothing, so there is no relevance.
    if sort == "relevance" and "relevance" not in qs.query.annotations:
        return SORTS["newest"]
    return SORTS[sort]


def facet_key(f: ProductFilters) -> tuple:
    """What the facet counts depend on: the filters (each list as a set), not
    the page, page size or sort."""
    return (
        f.q,
        f.category,
        *(tuple(sorted(values)) for values in (f.brands, f.tags, f.sizes, f.colors, f.sellers)),
        f.price_min,
        f.price_max,
        f.age_months,
        f.in_stock,
        f.on_sale,
        f.min_rating,
    )


def facets_cached(f: ProductFilters, tree: CategoryTree) -> dict[str, list[FacetOption]]:
    """_facets from the cache at the current catalogue version (see
    boutique/catalog/cache.py): every count is a scan of the catalogue."""
    parts = (translation.get_language(), *facet_key(f))
    return cached("facets", parts, lambda: _facets(f, tree))


def _facets(f: ProductFilters, tree: CategoryTree) -> dict[str, list[FacetOption]]:
    facets: dict[str, list[FacetOption]] = {}

    by_category = dict(
        _filtered(f.without("category"), tree).values_list("category_id").annotate(n=Count("id"))
    )
    current = tree.by_slug.get(f.category) if f.category else None
    shown = current.children if current else tree.roots
    facets["category"] = [
        FacetOption(
            n.category.slug, n.category.name, sum(by_category.get(i, 0) for i in n.descendant_ids())
        )
        for n in shown
    ]

    rows = (
        _filtered(f.without("brands"), tree)
        .exclude(brand__isnull=True)
        .values_list("brand__slug", "brand__name")
        .annotate(n=Count("id"))
        .order_by("brand__name")
    )
    facets["brand"] = [FacetOption(s, name, n, s in f.brands) for s, name, n in rows]

    facets.update(_many_to_many_facets(f, tree))

    # Sizes and colours are counted on variants: a size's count keeps the chosen
    # colours on the same variant, so it promises what choosing it would list.
    unoptioned = f.without("sizes").without("colors")
    for facet, key, selected in (("size", "sizes", f.sizes), ("color", "colors", f.colors)):
        rows = (
            _variants_with_options(f.without(key))
            .filter(product__in=_filtered(unoptioned, tree).values("pk"))
            .exclude(**{facet: ""})
            .values_list(facet)
            .annotate(n=Count("product", distinct=True))
            .order_by(facet)
        )
        options = [FacetOption(v, v, n, v in selected) for v, n in rows]
        if facet == "size":
            options.sort(key=lambda option: size_sort_key(option.value))
        facets[facet] = options

    rows = (
        _filtered(f.without("sellers"), tree)
        .exclude(seller__isnull=True)
        .values_list("seller__slug", "seller__store_name")
        .annotate(n=Count("id"))
        .order_by("seller__store_name")
    )
    facets["seller"] = [FacetOption(s, name, n, s in f.sellers) for s, name, n in rows]

    on_sale = _filtered(f.without("on_sale"), tree).filter(is_on_sale=True).count()
    in_stock = _filtered(f.without("in_stock"), tree).filter(in_stock_for_product_q()).count()
    facets["on_sale"] = [FacetOption("true", "On sale", on_sale, f.on_sale)]
    facets["in_stock"] = [FacetOption("true", "In stock", in_stock, f.in_stock)]
    return facets


# Facets over many-to-many links: (facet, model, ProductFilters field, label field).
# Tags, and the safety data of issue 13 (materials, certifications).
M2M_FACETS = (
    ("tag", Tag, "tags", "name"),
    ("material", Material, "materials", "name"),
    ("certification", Certification, "certifications", "code"),
)


def _localized(model, name: str):
    """The field in the active language, else English, for a model translated by
    django-modeltranslation (catalog/translation.py); the field itself otherwise."""
    fields = {field.name for field in model._meta.get_fields()}
    localized = [
        build_localized_fieldname(name, code) for code in (mt_language(), settings.LANGUAGE_CODE)
    ]
    if localized[0] not in fields:
        return F(name)
    return Coalesce(
        *(F(column) for column in dict.fromkeys(localized)), F(name), output_field=CharField()
    )


def _plain(qs):
    """The queryset without django-modeltranslation's rewriting of field names,
    whose values_list() does not keep the order of the columns."""
    return qs.rewrite(False) if hasattr(qs, "rewrite") else qs


def _many_to_many_facets(f: ProductFilters, tree: CategoryTree) -> dict[str, list[FacetOption]]:
    """The tag, material and certification facets in one query (a UNION of one
    grouped count per facet), ordered by label."""
    # Every column is an annotation, named alike in each part: a UNION matches
    # columns by position. The label is read in the active language by hand.
    parts = [
        _plain(model.objects.filter(products__in=_filtered(f.without(key), tree)))
        .order_by()
        .annotate(
            facet_name=Value(facet, output_field=CharField()),
            facet_slug=F("slug"),
            facet_label=_localized(model, label),
        )
        .values_list("facet_name", "facet_slug", "facet_label")
        .annotate(n=Count("products", distinct=True))
        for facet, model, key, label in M2M_FACETS
    ]
    facets: dict[str, list[FacetOption]] = {facet: [] for facet, *_ in M2M_FACETS}
    chosen = {facet: getattr(f, key) for facet, _, key, _ in M2M_FACETS}
    for facet, slug, label, n in parts[0].union(*parts[1:], all=True):
        facets[facet].append(FacetOption(slug, label, n, slug in chosen[facet]))
    for options in facets.values():
        options.sort(key=lambda option: (option.label.lower(), option.value))
    return facets


_AGE_SIZE = re.compile(r"^(\d+)(?:\s*[-–]\s*\d+)?\s*(M|MO|MONTHS?|Y|YRS?|YEARS?)$", re.I)
_LETTER_SIZES = ("XXS", "XS", "S", "M", "L", "XL", "XXL")


def size_sort_key(size: str) -> tuple:
    """Sizes in the order a parent reads them: ages first by months (0-3M,
    3-6M, 12-18M, 2Y, 10Y), then letter sizes (XS … XXL), then the rest by name."""
    text = size.strip()
    match = _AGE_SIZE.match(text)
    if match:
        months = int(match.group(1)) * (12 if match.group(2).upper().startswith("Y") else 1)
        return (0, months, text)
    if text.upper() in _LETTER_SIZES:
        return (1, _LETTER_SIZES.index(text.upper()), text)
    return (2, 0, text.lower())


def age_bands() -> list[AgeBand]:
    return list(AgeBand.objects.all())


# --- Product page --------------------------------------------------------------
def availability_label(*, available: int, one_of_a_kind: bool, low: int = 3) -> str:
    """What a customer reads about units they can buy now (not on-hand units)."""
    if available <= 0:
        return gettext("Sold") if one_of_a_kind else gettext("Out of stock")
    if available <= low and not one_of_a_kind:
        return gettext("Only %(available)s left") % {"available": available}
    return gettext("In stock")


def product_get_for_storefront(*, slug: str) -> Product:
    """A visible product with its variants (with stock), images, category path
    and related products. NotFound for unknown or hidden products."""
    product = (
        storefront_products()
        .select_related("brand", "category", "seller")
        .prefetch_related(
            Prefetch(
                "variants",
                queryset=Variant.objects.filter(is_active=True).annotate(
                    available_units=available_expression()
                ),
                to_attr="active_variants",
            ),
            "images",
            "tags",
        )
        .filter(slug=slug)
        .first()
    )
    if product is None:
        raise ProductNotFound("Product not found.")
    for variant in product.active_variants:
        variant.available = max(0, variant.available_units)
        variant.in_stock = variant.available > 0
        variant.availability = availability_label(
            available=variant.available, one_of_a_kind=product.is_one_of_a_kind
        )
    product.safety = product_safety(product)
    tree = category_tree()
    node = tree.by_id[product.category_id]
    product.breadcrumbs = [*node.ancestors, node]
    product.related = list(
        storefront_products()
        .filter(category_id=product.category_id)
        .exclude(pk=product.pk)
        .select_related("brand")
        .annotate(in_stock=in_stock_for_product_annotation())
        .prefetch_related(_primary_image_prefetch())
        .order_by("-published_at")[:4]
    )
    for related in product.related:
        related.primary_image = related.primary_images[0] if related.primary_images else None
    return product


@dataclass
class SafetyEntry:
    """A material or a certification as the product page and the API show it."""

    slug: str
    name: str
    code: str = ""
    description: str = ""


@dataclass
class ProductSafety:
    """What the product page's Safety section shows: the age grading and its
    warning, materials, certifications and any recall."""

    min_safe_age_months: int | None
    warning: str
    warning_label: str
    materials: list[SafetyEntry]
    certifications: list[SafetyEntry]
    recalls: list

    @property
    def is_empty(self) -> bool:
        return not (
            self.min_safe_age_months is not None
            or self.warning
            or self.materials
            or self.certifications
        )


def product_safety(product: Product) -> ProductSafety:
    """The product's safety data: materials and certifications in one query,
    and its recalls (a second query only for a recalled product)."""
    materials = (
        Material.objects.filter(products=product)
        .order_by()
        .values_list(
            Value("material", output_field=CharField()),
            "slug",
            "name",
            Value("", output_field=CharField()),
            Value("", output_field=CharField()),
        )
    )
    certifications = (
        Certification.objects.filter(products=product)
        .order_by()
        .values_list(
            Value("certification", output_field=CharField()), "slug", "name", "code", "description"
        )
    )
    found: dict[str, list[SafetyEntry]] = {"material": [], "certification": []}
    for kind, slug, name, code, description in materials.union(certifications, all=True):
        found[kind].append(SafetyEntry(slug, name, code, description))
    found["material"].sort(key=lambda entry: entry.name.lower())
    found["certification"].sort(key=lambda entry: entry.code.lower())
    recalls = []
    if product.recalled_at is not None:
        recalls = list(Recall.objects.filter(product=product).select_related("variant"))
    return ProductSafety(
        min_safe_age_months=product.min_safe_age_months,
        warning=product.safety_warning,
        warning_label=product.get_safety_warning_display() if product.safety_warning else "",
        materials=found["material"],
        certifications=found["certification"],
        recalls=recalls,
    )


def product_featured(*, limit: int = 8):
    return _cards(storefront_products().filter(is_featured=True).order_by("-published_at"), limit)


def product_new_arrivals(*, limit: int = 8):
    return _cards(storefront_products().order_by("-published_at", "-id"), limit)


def product_on_sale(*, limit: int = 8):
    return _cards(storefront_products().filter(is_on_sale=True).order_by("-published_at"), limit)


def _cards(qs, limit: int) -> list[Product]:
    products = list(
        qs.select_related("brand")
        .annotate(in_stock=in_stock_for_product_annotation())
        .prefetch_related(_primary_image_prefetch())[:limit]
    )
    for product in products:
        product.primary_image = product.primary_images[0] if product.primary_images else None
    return products


def category_featured() -> list[Category]:
    return list(Category.objects.filter(is_featured=True).order_by("position", "name"))


def brand_list():
    return Brand.objects.order_by("name")


def tag_list():
    return Tag.objects.order_by("name")


def sitemap_products():
    return storefront_products().only("slug", "updated_at").order_by("pk")


# --- Storefront pages -------------------------------------------------------------
# Reads shaped for the storefront's pages; each adds what its page shows to a read
# above in a fixed number of queries.
@dataclass
class CardPrice:
    """A product card's price line: the cheapest active variant's price, its
    regular price when on sale, and whether other variants cost more."""

    amount: Decimal | None
    currency: str
    compare_at: Decimal | None = None
    is_range: bool = False


def product_cards_price_attach(products: list[Product]) -> list[Product]:
    """Set `.card_price` (CardPrice) on each product, in one query."""
    if not products:
        return products
    rows = (
        Variant.objects.filter(product_id__in=[p.pk for p in products], is_active=True)
        .order_by("product_id", "price", "position", "id")
        .values_list("product_id", "price", "compare_at_price", "currency")
    )
    cheapest: dict[int, CardPrice] = {}
    for product_id, price, compare_at, currency in rows:
        card = cheapest.get(product_id)
        if card is None:
            cheapest[product_id] = CardPrice(price, currency, compare_at)
        elif price != card.amount:
            card.is_range = True
    default_currency = Variant._meta.get_field("currency").default
    for product in products:
        product.card_price = cheapest.get(product.pk) or CardPrice(
            product.min_price, default_currency
        )
    return products


@dataclass
class StorefrontListing:
    page: ProductPage
    age_bands: list[AgeBand]


def product_list_page_for_storefront(filters: ProductFilters) -> StorefrontListing:
    """product_list_for_storefront with each card's price line, and the age bands
    the age filter offers. Raises UnknownFilterValue like the listing does."""
    page = product_list_for_storefront(filters)
    product_cards_price_attach(page.products)
    return StorefrontListing(page, age_bands())


@dataclass
class ProductDetail:
    product: Product
    variant: Variant | None
    gallery: list[ProductImage]


def product_detail_for_storefront(*, slug: str, variant_id: int | None = None) -> ProductDetail:
    """The product page: product_get_for_storefront plus the chosen variant (the
    first in-stock one unless `variant_id` names one), each variant's own images
    as `.gallery_images`, the gallery led by the chosen variant's image, and the
    related products with their brand and price line. NotFound for a variant
    that is not one of the product's active variants."""
    product = product_get_for_storefront(slug=slug)
    variants = product.active_variants
    if variant_id is None:
        variant = next((v for v in variants if v.in_stock), variants[0] if variants else None)
    else:
        variant = next((v for v in variants if v.pk == variant_id), None)
        if variant is None:
            raise NotFound("This option of the product does not exist.")
    images = list(product.images.all())
    for each in variants:
        each.gallery_images = [image for image in images if image.variant_id == each.pk]
    lead = variant.gallery_images[:1] if variant is not None else []
    gallery = lead + [image for image in images if image not in lead]

    product_cards_price_attach(product.related)
    return ProductDetail(product, variant, gallery)


@dataclass
class HomeSections:
    categories: list[Category]
    featured: list[Product]
    new_arrivals: list[Product]
    on_sale: list[Product]
    age_bands: list[AgeBand]


def home_sections_for_storefront(*, limit: int = 8) -> HomeSections:
    """The home page's shelves. Categories are the featured ones, or the top
    level of the tree while none is featured."""
    categories = category_featured() or [node.category for node in category_tree().roots]
    featured = product_featured(limit=limit)
    new_arrivals = product_new_arrivals(limit=limit)
    on_sale = product_on_sale(limit=limit)
    product_cards_price_attach([*featured, *new_arrivals, *on_sale])
    return HomeSections(categories, featured, new_arrivals, on_sale, age_bands())


# --- API ---------------------------------------------------------------------------
def category_tree_with_counts() -> CategoryTree:
    """category_tree with `.product_count` on every node: the visible products in
    it and its subcategories. Two queries whatever the size of the tree."""
    tree = category_tree()
    direct = dict(
        storefront_products().order_by().values_list("category_id").annotate(n=Count("id"))
    )
    for node in tree.by_id.values():
        node.product_count = sum(direct.get(pk, 0) for pk in node.descendant_ids())
    return tree


# --- Buying ----------------------------------------------------------------------
def purchasable_variants():
    """Variants a customer may put in a cart: active, of a product the storefront
    shows."""
    return Variant.objects.filter(is_active=True, product__in=storefront_products())


def variant_find(*, variant_id: int | None = None, sku: str | None = None) -> Variant | None:
    """A variant by id or SKU (any status), with its product; None when unknown.
    `.purchasable` says whether a customer may buy it now."""
    if variant_id is None and not sku:
        return None
    qs = Variant.objects.select_related("product")
    qs = qs.filter(pk=variant_id) if variant_id is not None else qs.filter(sku=sku)
    variant = qs.first()
    if variant is not None:
        variant.purchasable = purchasable_variants().filter(pk=variant.pk).exists()
    return variant


def purchasable_ids(variant_ids) -> set[int]:
    """Which of these variants a customer may buy now (one query)."""
    return set(purchasable_variants().filter(pk__in=list(variant_ids)).values_list("pk", flat=True))


def product_find_visible(*, product_id) -> Product | None:
    """A product the storefront shows, by id; None otherwise."""
    return storefront_products().filter(pk=product_id).first()


def primary_images_for(product_ids) -> dict[int, ProductImage]:
    """{product_id: primary image} in one query."""
    images = ProductImage.objects.filter(product_id__in=list(product_ids), is_primary=True)
    return {image.product_id: image for image in images}


def active_variant_rows(product_ids) -> list[tuple[int, int, str]]:
    """(variant_id, product_id, currency) of the active variants of these products."""
    return list(
        Variant.objects.filter(product_id__in=list(product_ids), is_active=True).values_list(
            "pk", "product_id", "currency"
        )
    )
