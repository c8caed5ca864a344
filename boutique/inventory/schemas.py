"""Schemas of the back-in-stock alerts API (issue 13)."""

from datetime import datetime

from ninja import Schema
from pydantic import Field

# Primary keys are 64-bit: a larger id names nothing and never reaches a query.
MAX_ID = 2**63 - 1


class StockAlertIn(Schema):
    variant_id: int = Field(ge=1, le=MAX_ID, description="The sold-out option.")
    email: str | None = Field(
        None,
        max_length=254,
        description="Where to write; a signed-in caller may leave it out (their account's).",
    )


class StockAlertOut(Schema):
    id: int
    variant_id: int
    sku: str
    product: str
    product_slug: str
    email: str
    status: str = Field(examples=["active", "notified", "cancelled"])
    created_at: datetime
    notified_at: datetime | None

    @staticmethod
    def resolve_sku(obj):
        return obj.variant.sku

    @staticmethod
    def resolve_product(obj):
        return obj.variant.product.name

    @staticmethod
    def resolve_product_slug(obj):
        return obj.variant.product.slug


class StockAlertPageOut(Schema):
    count: int
    page: int
    page_size: int
    num_pages: int
    next: int | None = Field(description="The next page number, or null on the last.")
    previous: int | None
    results: list[StockAlertOut]
