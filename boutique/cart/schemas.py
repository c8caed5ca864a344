"""The cart and wishlist API's schemas. Money is a decimal string, never a float;
image URLs are absolute (built from the request in the context).

Quantities are taken as they come (any JSON value) so that the cart services,
not the schema, judge them: 0, -1, 1000, 1.5 or "2" is a 400 problem+json with
the cart unchanged, as the storefront's forms answer, never a 422."""

from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from ninja import Schema
from pydantic import Field

from .models import MAX_LINE_QUANTITY

_QUANTITY_SCHEMA = {"type": "integer", "minimum": 1, "maximum": MAX_LINE_QUANTITY}


def _absolute(context, url: str) -> str:
    request = (context or {}).get("request")
    return request.build_absolute_uri(url) if request is not None else url


def _image_url(context, image) -> str | None:
    return _absolute(context, image.thumb_small.url) if image is not None else None


# --- In ----------------------------------------------------------------------------
class CartLineAddIn(Schema):
    sku: str | None = Field(None, description="The variant's SKU; or give variant_id.")
    variant_id: int | None = Field(None, description="The variant's id; or give sku.")
    quantity: Any = Field(
        1,
        description=f"Units to add, 1–{MAX_LINE_QUANTITY} (default 1); added to the "
        "line when the variant is already in the cart.",
        json_schema_extra=_QUANTITY_SCHEMA,
    )


class CartLineQuantityIn(Schema):
    quantity: Any = Field(
        None,
        description=f"The line's new quantity, 1–{MAX_LINE_QUANTITY}.",
        json_schema_extra=_QUANTITY_SCHEMA,
    )


class WishlistAddIn(Schema):
    product_id: int | None = Field(None, description="A product; or give variant_id.")
    variant_id: int | None = Field(None, description="One size or colour of a product.")


# --- Out ---------------------------------------------------------------------------
class ProductRefOut(Schema):
    id: int
    slug: str
    name: str


class CartLineOut(Schema):
    id: int
    sku: str
    variant_id: int
    variant_label: str = Field(examples=["0-3M / White", "Standard"])
    product: ProductRefOut
    quantity: int
    unit_price: Decimal = Field(description="Today's price of one unit.")
    snapshot_price: Decimal = Field(description="The unit price when it was put in the cart.")
    price_changed: bool
    available: int = Field(description="Units that can be bought now.")
    purchasable: bool = Field(description="False when the product is no longer sold.")
    problem: str | None = Field(
        description="Why this line cannot be checked out as it is; null when it can.",
        examples=["Out of stock", "Only 2 available: lower the quantity", "No longer available"],
    )
    line_total: Decimal = Field(description="quantity × today's unit price.")
    currency: str
    image: str | None = Field(description="A 160×160 thumbnail of the product, or null.")

    @staticmethod
    def resolve_id(obj):
        return obj.item.pk

    @staticmethod
    def resolve_sku(obj):
        return obj.variant.sku

    @staticmethod
    def resolve_variant_id(obj):
        return obj.variant.pk

    @staticmethod
    def resolve_variant_label(obj):
        return obj.variant.label

    @staticmethod
    def resolve_unit_price(obj):
        return obj.price

    @staticmethod
    def resolve_snapshot_price(obj):
        return obj.item.unit_price

    @staticmethod
    def resolve_problem(obj):
        return obj.problem or None

    @staticmethod
    def resolve_currency(obj):
        return obj.item.currency

    @staticmethod
    def resolve_image(obj, context):
        return _image_url(context, obj.image)


class CartOut(Schema):
    token: UUID | None = Field(
        description="A guest cart's token: send it back as X-Cart-Token. Null for a "
        "signed-in customer's cart and when there is no cart yet."
    )
    currency: str
    count: int = Field(description="Units in the cart.")
    subtotal: Decimal = Field(description="Lines that can be bought now, at today's prices.")
    can_check_out: bool
    lines: list[CartLineOut]
    notes: list[str] = Field(
        description="What happened when a guest cart (X-Cart-Token) was merged into "
        "the signed-in customer's cart: quantities capped, items left out."
    )


class VariantRefOut(Schema):
    id: int
    sku: str
    label: str


class WishlistItemOut(Schema):
    id: int
    product: ProductRefOut
    variant: VariantRefOut | None = Field(description="Null: the product in any size.")
    price: Decimal | None = Field(description="The variant's price, or the product's lowest.")
    in_stock: bool
    purchasable: bool
    image: str | None
    created_at: datetime

    @staticmethod
    def resolve_id(obj):
        return obj.item.pk

    @staticmethod
    def resolve_created_at(obj):
        return obj.item.created_at

    @staticmethod
    def resolve_image(obj, context):
        return _image_url(context, obj.image)
