from datetime import date, datetime
from decimal import Decimal

from ninja import Schema
from pydantic import Field

from boutique.core.money import quantize


class RegistryIn(Schema):
    title: str = Field(description="1–120 characters.", examples=["Maya's baby shower"])
    event_date: str = Field(description="YYYY-MM-DD, today or later.", examples=["2026-12-24"])
    address_id: int = Field(description="One of the caller's addresses (/me/addresses).")
    message: str = Field("", description="For friends, at most 1000 characters.")
    visibility: str = Field("link_only", description="public (findable) or link_only.")
    reveal_buyers: str = Field(
        "after_event",
        description="When the owner sees who bought what: after_event, always, never.",
    )


class RegistryPatchIn(Schema):
    title: str | None = None
    event_date: str | None = Field(None, description="YYYY-MM-DD.")
    address_id: int | None = Field(None, description="Takes a new copy of that address.")
    message: str | None = None
    visibility: str | None = None
    reveal_buyers: str | None = None


class RegistryItemIn(Schema):
    variant_id: int
    quantity: int = Field(1, description="How many more are wanted (1–99).")
    note: str = Field("", description="At most 200 characters.")


class RegistryItemPatchIn(Schema):
    wanted_quantity: int | None = Field(None, description="Never below purchased_quantity.")
    note: str | None = None


class GiftIn(Schema):
    quantity: int = Field(1, description="At most what is still needed.")


class RegistryItemOut(Schema):
    id: int
    variant_id: int
    sku: str
    product_name: str
    product_slug: str
    options: str
    price: Decimal
    currency: str
    wanted_quantity: int
    purchased_quantity: int
    still_needed: int
    note: str

    @staticmethod
    def resolve_sku(obj):
        return obj.variant.sku

    @staticmethod
    def resolve_product_name(obj):
        return obj.variant.product.name

    @staticmethod
    def resolve_product_slug(obj):
        return obj.variant.product.slug

    @staticmethod
    def resolve_options(obj):
        return " / ".join(v for v in (obj.variant.size, obj.variant.color) if v)

    @staticmethod
    def resolve_price(obj):
        return quantize(obj.variant.price, obj.variant.currency)

    @staticmethod
    def resolve_currency(obj):
        return obj.variant.currency


class RegistryAddressOut(Schema):
    full_name: str
    phone: str
    line1: str
    line2: str
    city: str
    state: str
    postal_code: str
    country: str


class RegistryOut(Schema):
    """The owner's view: everything, the address included."""

    id: int
    title: str
    event_date: date
    message: str
    visibility: str
    reveal_buyers: str
    status: str
    share_token: str
    share_url: str = Field(description="The page friends open.")
    buyers_visible: bool = Field(description="Whether /purchases shows who bought what now.")
    shipping_address: RegistryAddressOut
    items: list[RegistryItemOut]


class RegistryPageOut(Schema):
    count: int
    page: int
    page_size: int
    num_pages: int
    next: int | None
    previous: int | None
    results: list[RegistryOut]


class RegistryPublicOut(Schema):
    """A friend's view: no address, no buyers."""

    title: str
    owner_name: str = Field(examples=["Maya H."])
    event_date: date
    message: str
    items: list[RegistryItemOut]


class RegistrySummaryOut(Schema):
    title: str
    owner_name: str
    event_date: date
    share_token: str


class RegistrySearchOut(Schema):
    count: int
    page: int
    page_size: int
    num_pages: int
    next: int | None
    previous: int | None
    results: list[RegistrySummaryOut]


class RegistryPurchaseOut(Schema):
    item_id: int
    product_name: str
    quantity: int
    buyer_name: str
    gift_message: str
    bought_at: datetime


class RegistryPurchasesOut(Schema):
    buyers_visible: bool = Field(
        description="False until the reveal rule allows (after the event date by default): "
        "then results is empty."
    )
    results: list[RegistryPurchaseOut]
