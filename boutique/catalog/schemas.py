"""The public catalog API's schemas. Prices are decimal strings, never floats;
image and page URLs are absolute (built from the request in the context)."""

from datetime import datetime
from decimal import Decimal

from django.urls import reverse
from ninja import Schema
from pydantic import Field

from .filters import MAX_PAGE_SIZE, SORTS


def _absolute(context, url: str) -> str:
    request = (context or {}).get("request")
    return request.build_absolute_uri(url) if request is not None else url


def _file_url(context, file) -> str | None:
    return _absolute(context, file.url) if file else None


# --- Query ------------------------------------------------------------------------
def _text(description: str, **extra):
    # Declared as text so that ninja never rejects a value itself: parse_filters
    # checks every value and answers 400 problem+json, as the storefront does.
    return Field(None, description=description, json_schema_extra=extra or None)


class ProductListQuery(Schema):
    """Documents the listing's query parameters; the endpoint parses request.GET
    with boutique.catalog.filters.parse_filters, like the storefront."""

    q: str = _text("Search words (name, description, brand, tags).")
    category: str = _text("A category slug; includes its subcategories.")
    brand: list[str] = _text("Brand slugs (repeat or comma-separate; any of them).")
    tag: list[str] = _text("Tag slugs (any of them).")
    size: list[str] = _text("Variant sizes (any of them).")
    color: list[str] = _text("Variant colours; with size, on the same variant.")
    seller: list[str] = _text("Seller store slugs (any of them).")
    material: list[str] = _text("Material slugs (any of them).")
    certification: list[str] = _text("Safety certification slugs, e.g. en71 (any of them).")
    safe_age: str = _text(
        "A child's age in months (0–216): only products not graded for older children"
        " (e.g. 'not for children under 3 years' is left out below 36).",
        format="int32",
    )
    price_min: str = _text("Lowest price, a decimal ≥ 0.", format="decimal")
    price_max: str = _text("Highest price, a decimal ≥ 0.", format="decimal")
    age: str = _text("A child's age in months (0–216).", format="int32")
    child: str = _text(
        "One of the caller's children (id): the age filter for that child's age now; it"
        " wins over age. Someone else's child, or a guest, is 404.",
        format="int32",
    )
    in_stock: str = _text("true: only products with stock.", enum=["true", "false"])
    on_sale: str = _text("true: only products on sale.", enum=["true", "false"])
    min_rating: str = _text(
        "Only products whose average rating is at least this (1–5).", format="int32"
    )
    sort: str = _text(
        "Order; relevance needs q; rating is best first, unrated last. Default: relevance"
        " with q, else newest.",
        enum=list(SORTS),
    )
    page: str = _text("Page number, from 1.", format="int32")
    page_size: str = _text(f"Products per page, 1–{MAX_PAGE_SIZE} (default 24).", format="int32")


# --- Shared pieces -------------------------------------------------------------------
class BrandRefOut(Schema):
    slug: str
    name: str


class CategoryRefOut(Schema):
    slug: str
    name: str


class SellerRefOut(Schema):
    slug: str
    store_name: str


class AgeRangeOut(Schema):
    min_months: int | None = Field(description="Empty: from birth.")
    max_months: int | None = Field(description="Empty: no upper limit.")


class MaterialOut(Schema):
    slug: str
    name: str


class CertificationOut(Schema):
    code: str = Field(examples=["EN71", "ASTM F963"])
    slug: str
    name: str
    description: str


class RecallOut(Schema):
    title: str
    description: str
    remedy: str
    sku: str | None = Field(description="The recalled option; null: every option.")
    issued_at: datetime

    @staticmethod
    def resolve_sku(obj):
        return obj.variant.sku if obj.variant is not None else None


class SafetyOut(Schema):
    min_safe_age_months: int | None = Field(
        description="Not for children under this age (36: 'not for children under 3 years'); "
        "null: no age grading."
    )
    warning: str = Field(description="A SafetyWarning code, or empty.", examples=["small_parts"])
    warning_text: str = Field(examples=["Choking hazard: small parts"])
    materials: list[MaterialOut]
    certifications: list[CertificationOut]
    recalls: list[RecallOut]

    @staticmethod
    def resolve_warning_text(obj):
        return obj.warning_label


class ImageOut(Schema):
    url: str = Field(description="The original upload.")
    small: str = Field(description="160×160 WebP")
    card: str = Field(description="480×480 WebP")
    large: str = Field(description="Fits 1200×1200, WebP")
    alt: str

    @staticmethod
    def resolve_url(obj, context):
        return _absolute(context, obj.image.url)

    @staticmethod
    def resolve_small(obj, context):
        return _absolute(context, obj.thumb_small.url)

    @staticmethod
    def resolve_card(obj, context):
        return _absolute(context, obj.thumb_card.url)

    @staticmethod
    def resolve_large(obj, context):
        return _absolute(context, obj.thumb_large.url)

    @staticmethod
    def resolve_alt(obj):
        return obj.alt_text


def _age_range(product) -> dict:
    return {"min_months": product.age_min_months, "max_months": product.age_max_months}


def _rating(product) -> float | None:
    return None if product.rating_average is None else float(product.rating_average)


def _product_url(context, product) -> str:
    return _absolute(context, reverse("storefront:product", args=[product.slug]))


# --- Listing ---------------------------------------------------------------------
class ProductSummaryOut(Schema):
    id: int
    slug: str
    name: str
    brand: BrandRefOut | None
    category: CategoryRefOut
    seller: SellerRefOut | None
    min_price: Decimal = Field(description="The cheapest active variant's price.")
    currency: str
    is_on_sale: bool
    in_stock: bool
    rating: float | None = Field(
        description="The average of the approved reviews' ratings (1–5, two decimals); "
        "null while there are none."
    )
    review_count: int = Field(description="How many approved reviews.")
    age_range: AgeRangeOut
    min_safe_age_months: int | None = Field(
        description="Not for children under this age in months; null: no age grading."
    )
    is_recalled: bool = Field(description="The product or one of its options is recalled.")
    primary_image: ImageOut | None
    url: str = Field(description="The storefront page.")

    @staticmethod
    def resolve_is_recalled(obj):
        return obj.recalled_at is not None

    @staticmethod
    def resolve_rating(obj):
        return _rating(obj)

    @staticmethod
    def resolve_currency(obj):
        return obj.card_price.currency

    @staticmethod
    def resolve_age_range(obj):
        return _age_range(obj)

    @staticmethod
    def resolve_url(obj, context):
        return _product_url(context, obj)


class FacetOptionOut(Schema):
    value: str
    label: str
    count: int
    selected: bool


class FacetsOut(Schema):
    category: list[FacetOptionOut] = Field(description="Children of the chosen category.")
    brand: list[FacetOptionOut]
    tag: list[FacetOptionOut]
    size: list[FacetOptionOut]
    color: list[FacetOptionOut]
    seller: list[FacetOptionOut]
    material: list[FacetOptionOut]
    certification: list[FacetOptionOut]
    on_sale: list[FacetOptionOut]
    in_stock: list[FacetOptionOut]


class ProductPageOut(Schema):
    count: int
    page: int
    page_size: int
    num_pages: int
    next: int | None = Field(description="The next page number, or null on the last.")
    previous: int | None
    results: list[ProductSummaryOut]
    facets: FacetsOut


# --- Product -----------------------------------------------------------------------
class VariantOut(Schema):
    id: int
    sku: str
    size: str
    color: str
    label: str
    price: Decimal
    compare_at_price: Decimal | None
    currency: str
    is_on_sale: bool
    in_stock: bool
    availability: str = Field(examples=["In stock", "Only 2 left", "Out of stock", "Sold"])
    weight_grams: int | None


class ProductImageOut(ImageOut):
    id: int
    is_primary: bool
    variant_id: int | None = Field(description="The option this photo shows, if any.")


class TagRefOut(Schema):
    slug: str
    name: str


class ProductDetailOut(Schema):
    id: int
    slug: str
    name: str
    description: str
    brand: BrandRefOut | None
    category: CategoryRefOut
    breadcrumbs: list[CategoryRefOut] = Field(description="The category path, top level first.")
    seller: SellerRefOut | None
    tags: list[TagRefOut]
    min_price: Decimal
    is_on_sale: bool
    is_one_of_a_kind: bool
    rating: float | None = Field(
        description="The average of the approved reviews' ratings (1–5, two decimals); "
        "null while there are none."
    )
    review_count: int = Field(description="How many approved reviews.")
    age_range: AgeRangeOut
    safety: SafetyOut
    is_recalled: bool = Field(description="The product or one of its options is recalled.")
    variants: list[VariantOut]
    images: list[ProductImageOut]
    url: str

    @staticmethod
    def resolve_is_recalled(obj):
        return obj.recalled_at is not None

    @staticmethod
    def resolve_rating(obj):
        return _rating(obj)

    @staticmethod
    def resolve_breadcrumbs(obj):
        return [node.category for node in obj.breadcrumbs]

    @staticmethod
    def resolve_tags(obj):
        return list(obj.tags.all())

    @staticmethod
    def resolve_age_range(obj):
        return _age_range(obj)

    @staticmethod
    def resolve_variants(obj):
        return obj.active_variants

    @staticmethod
    def resolve_images(obj):
        return list(obj.images.all())

    @staticmethod
    def resolve_url(obj, context):
        return _product_url(context, obj)


# --- Categories, brands, tags ----------------------------------------------------------
class CategoryOut(Schema):
    id: int
    name: str
    slug: str
    description: str
    position: int
    image: str | None
    product_count: int = Field(description="Visible products here and in subcategories.")
    children: list["CategoryOut"]


CategoryOut.model_rebuild()


class BrandOut(Schema):
    slug: str
    name: str
    description: str


class TagOut(Schema):
    slug: str
    name: str
    description: str
    image: str | None

    @staticmethod
    def resolve_image(obj, context):
        return _file_url(context, obj.image)
