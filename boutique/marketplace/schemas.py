"""The seller API's schemas. Money is a decimal string, never a float: product
prices in the variant's currency, order items in their order's currency, payouts
in the base currency. Text input is stripped and may not hold NUL characters
(PostgreSQL refuses them); unknown fields are refused (422)."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Schema
from pydantic import AfterValidator, ConfigDict, Field

from boutique.catalog.models import ProductStatus
from boutique.core.money import quantize
from boutique.orders.models import AddressKind
from boutique.orders.schemas import OrderAddressOut

MAX_VARIANTS = 50
MAX_STOCK = 100_000
MAX_INT = 2**31 - 1
MAX_SHIPMENT_LINES = 100


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("NUL characters are not allowed.")
    return value


Text = Annotated[str, AfterValidator(_no_nul)]
Id = Annotated[int, Field(ge=1, le=MAX_INT)]
Months = Annotated[int, Field(ge=0, le=216)]
Price = Annotated[Decimal, Field(ge=0, max_digits=12, decimal_places=2)]
Status = Literal[tuple(ProductStatus.values)]


class SellerIn(Schema):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


# --- Products ---------------------------------------------------------------------------
class SellerVariantIn(SellerIn):
    sku: Text = Field(..., min_length=1, max_length=64, examples=["OA-BOOT-0-3M"])
    size: Text = Field("", max_length=40, examples=["0-3M"])
    color: Text = Field("", max_length=40)
    price: Price = Field(..., description="In US dollars.", examples=["18.00"])
    compare_at_price: Price | None = Field(None, description="The price before a sale.")
    weight_grams: Annotated[int, Field(ge=0, le=MAX_INT)] | None = None
    is_active: bool = True
    stock: int = Field(0, ge=0, le=MAX_STOCK, description="Units received now (initial stock).")


class _ProductFields(SellerIn):
    description: Text = Field("", max_length=20_000)
    status: Status = Field(ProductStatus.DRAFT, description="draft, active (on sale) or archived.")
    brand: Text | None = Field(None, max_length=140, description="A brand slug, or null.")
    tags: list[Annotated[Text, Field(max_length=100)]] = Field(
        default_factory=list, max_length=20, description="Tag slugs."
    )
    age_min_months: Months | None = None
    age_max_months: Months | None = None
    is_one_of_a_kind: bool = False


class SellerProductCreateIn(_ProductFields):
    name: Text = Field(..., min_length=1, max_length=200, examples=["Hand-knit booties"])
    category: Text = Field(..., min_length=1, max_length=140, description="A category slug.")
    variants: list[SellerVariantIn] = Field(..., min_length=1, max_length=MAX_VARIANTS)


class SellerProductUpdateIn(SellerIn):
    """Only the fields sent change; tags, when sent, replace the product's tags."""

    name: Text | None = Field(None, min_length=1, max_length=200)
    description: Text | None = Field(None, max_length=20_000)
    status: Status | None = None
    category: Text | None = Field(None, min_length=1, max_length=140)
    brand: Text | None = Field(None, max_length=140, description="A brand slug; null clears it.")
    tags: list[Annotated[Text, Field(max_length=100)]] | None = Field(None, max_length=20)
    age_min_months: Months | None = None
    age_max_months: Months | None = None
    is_one_of_a_kind: bool | None = None


class RefOut(Schema):
    slug: str
    name: str


class SellerVariantOut(Schema):
    id: int
    sku: str
    size: str
    color: str
    price: Decimal
    compare_at_price: Decimal | None
    currency: str
    weight_grams: int | None
    position: int
    is_active: bool
    on_hand: int = Field(description="Units in the shop's hands.")
    available: int = Field(description="On hand less what open checkouts hold.")

    @staticmethod
    def resolve_on_hand(obj):
        stock = getattr(obj, "stock", None)
        return stock.on_hand if stock is not None else 0

    @staticmethod
    def resolve_available(obj):
        return obj.available_units  # set by the API from inventory's available_map


class SellerProductOut(Schema):
    id: int
    name: str
    slug: str
    description: str
    status: str = Field(examples=list(ProductStatus.values))
    category: RefOut
    brand: RefOut | None
    tags: list[str] = Field(description="Tag slugs.")
    age_min_months: int | None
    age_max_months: int | None
    is_one_of_a_kind: bool
    min_price: Decimal | None = Field(description="The lowest active variant's price.")
    created_at: datetime
    updated_at: datetime
    variants: list[SellerVariantOut]

    @staticmethod
    def resolve_tags(obj):
        return [tag.slug for tag in obj.tags.all()]

    @staticmethod
    def resolve_variants(obj):
        return list(obj.variants.all())


class _Page(Schema):
    count: int
    page: int
    page_size: int
    num_pages: int
    next: int | None = Field(description="The next page number, or null on the last.")
    previous: int | None


class SellerProductPageOut(_Page):
    results: list[SellerProductOut]


# --- Order items and shipments ----------------------------------------------------------
class SellerOrderItemOut(Schema):
    id: int
    order_number: str
    placed_at: datetime
    status: str = Field(description="The order's status.", examples=["paid", "shipped"])
    product_name: str
    sku: str
    options: str
    quantity: int
    unit_price: Decimal
    line_total: Decimal
    currency: str
    shipped_quantity: int = Field(description="Units in parcels that are not failed or returned.")
    shipping_address: OrderAddressOut | None

    @staticmethod
    def resolve_order_number(obj):
        return obj.order.number

    @staticmethod
    def resolve_placed_at(obj):
        return obj.order.placed_at

    @staticmethod
    def resolve_status(obj):
        return obj.order.status

    @staticmethod
    def resolve_currency(obj):
        return obj.order.currency

    @staticmethod
    def resolve_unit_price(obj):
        return quantize(obj.unit_price, obj.order.currency)

    @staticmethod
    def resolve_line_total(obj):
        return quantize(obj.line_total, obj.order.currency)

    @staticmethod
    def resolve_shipping_address(obj):
        for address in obj.order.addresses.all():
            if address.kind == AddressKind.SHIPPING:
                return address
        return None


class SellerOrderItemPageOut(_Page):
    results: list[SellerOrderItemOut]


class ShipmentLineIn(SellerIn):
    order_item_id: Id
    quantity: int = Field(..., ge=1, le=MAX_STOCK)


class SellerShipmentCreateIn(SellerIn):
    items: list[ShipmentLineIn] = Field(..., min_length=1, max_length=MAX_SHIPMENT_LINES)
    provider_id: Id = Field(..., description="A carrier from /seller/carriers.")
    tracking_number: Text = Field("", max_length=100)
    estimated_delivery: date | None = None


class SellerShipmentItemOut(Schema):
    order_item_id: int
    sku: str
    product_name: str
    quantity: int

    @staticmethod
    def resolve_sku(obj):
        return obj.order_item.sku

    @staticmethod
    def resolve_product_name(obj):
        return obj.order_item.product_name


class SellerShipmentOut(Schema):
    id: int
    order_number: str
    provider_id: int
    provider: str = Field(description="The carrier's name.")
    tracking_number: str
    tracking_url: str
    status: str
    estimated_delivery: date | None
    shipped_at: datetime | None
    items: list[SellerShipmentItemOut]

    @staticmethod
    def resolve_order_number(obj):
        return obj.order.number

    @staticmethod
    def resolve_provider(obj):
        return obj.provider.name

    @staticmethod
    def resolve_items(obj):
        return list(obj.items.all())


class CarrierOut(Schema):
    id: int
    name: str


# --- The store and its payouts ----------------------------------------------------------
class SellerOut(Schema):
    store_name: str
    slug: str
    description: str
    status: str = Field(examples=["active", "suspended", "closed"])
    status_reason: str = Field(description="Why it was suspended or closed, if it was.")
    contact_email: str
    contact_phone: str
    payout_method: str
    payout_account_name: str
    commission_rate: Decimal = Field(description="The shop's share of each sale, 0–1.")
    approved_at: datetime | None

    @staticmethod
    def resolve_commission_rate(obj):
        return obj.effective_commission_rate


class PayoutOut(Schema):
    id: int
    period_start: date
    period_end: date
    currency: str
    gross_amount: Decimal = Field(description="Items delivered in the period.")
    commission_amount: Decimal
    refunds_amount: Decimal
    net_amount: Decimal = Field(description="Gross less commission less refunds.")
    status: str = Field(examples=["pending", "paid"])
    paid_at: datetime | None
    reference: str
    item_count: int
    created_at: datetime


class PayoutPageOut(_Page):
    results: list[PayoutOut]
