"""The orders API's schemas. Money is a decimal string in the order's currency
(quantized to it: LBP in whole pounds), with the same totals in US dollars at the
rate the order was placed at."""

from datetime import date, datetime
from decimal import Decimal

from ninja import Schema
from pydantic import Field

from boutique.core.money import quantize
from boutique.registry.selectors import registry_shipping_label_for_order
from boutique.shipping.selectors import shipments_for_order

from .models import AddressKind
from .selectors import in_base_currency

MONEY_FIELDS = ("subtotal", "discount", "shipping", "tax", "total")


class OrderTotalsOut(Schema):
    subtotal: Decimal
    discount: Decimal
    shipping: Decimal
    tax: Decimal
    total: Decimal


class OrderItemOut(Schema):
    sku: str
    product_name: str
    options: str
    unit_price: Decimal
    quantity: int
    line_total: Decimal

    @staticmethod
    def resolve_unit_price(obj):
        return quantize(obj.unit_price, obj.order.currency)

    @staticmethod
    def resolve_line_total(obj):
        return quantize(obj.line_total, obj.order.currency)


class OrderAddressOut(Schema):
    full_name: str
    phone: str
    line1: str
    line2: str
    city: str
    state: str
    postal_code: str
    country: str


class ShipmentItemOut(Schema):
    sku: str
    product_name: str
    quantity: int

    @staticmethod
    def resolve_sku(obj):
        return obj.order_item.sku

    @staticmethod
    def resolve_product_name(obj):
        return obj.order_item.product_name


class TrackingEventOut(Schema):
    kind: str = Field(examples=["shipped", "in_transit", "out_for_delivery", "delivered"])
    location: str
    remarks: str
    at: datetime


class ShipmentOut(Schema):
    provider: str = Field(description="The carrier's name.", examples=["Aramex"])
    tracking_number: str
    tracking_url: str = Field(description="The carrier's tracking page, or empty.")
    status: str = Field(examples=["pending", "shipped", "in_transit", "delivered"])
    estimated_delivery: date | None
    shipped_at: datetime | None
    delivered_at: datetime | None
    items: list[ShipmentItemOut]
    events: list[TrackingEventOut] = Field(description="Tracking events, oldest first.")

    @staticmethod
    def resolve_provider(obj):
        return obj.provider.name

    @staticmethod
    def resolve_items(obj):
        return list(obj.items.all())

    @staticmethod
    def resolve_events(obj):
        return list(obj.events.all())


def _money(name: str):
    def resolve(obj):
        return quantize(getattr(obj, name), obj.currency)

    return staticmethod(resolve)


class OrderSummaryOut(Schema):
    number: str = Field(examples=["BQ-2026-000123"])
    status: str = Field(examples=["pending", "paid", "shipped", "cancelled"])
    payment_status: str = Field(examples=["pending", "paid", "refunded"])
    payment_method: str = Field(examples=["cod"])
    currency: str
    exchange_rate: Decimal = Field(description="Units of `currency` per US dollar when placed.")
    subtotal: Decimal
    discount: Decimal
    shipping: Decimal
    tax: Decimal
    total: Decimal
    totals_in_usd: OrderTotalsOut = Field(description="The same amounts at the order's rate.")
    coupon_code: str
    shipping_method_name: str
    placed_at: datetime
    pay_by: datetime | None = Field(description="Unpaid after this, the order expires.")
    shipments: list[ShipmentOut] = Field(
        description="The order's parcels, oldest first, with their tracking events."
    )

    resolve_subtotal = _money("subtotal")
    resolve_discount = _money("discount")
    resolve_shipping = _money("shipping")
    resolve_tax = _money("tax")
    resolve_total = _money("total")

    @staticmethod
    def resolve_shipments(obj):
        return shipments_for_order(obj)

    @staticmethod
    def resolve_totals_in_usd(obj):
        return {name: in_base_currency(getattr(obj, name), obj) for name in MONEY_FIELDS}


class OrderOut(OrderSummaryOut):
    items: list[OrderItemOut]
    shipping_address: OrderAddressOut | None
    billing_address: OrderAddressOut | None

    @staticmethod
    def resolve_items(obj):
        items = list(obj.items.all())
        for item in items:  # the prefetched rows know their order without a query
            item.order = obj
        return items

    @staticmethod
    def resolve_shipping_address(obj):
        # A gift shipping to a registrant: the buyer never sees the address.
        label = registry_shipping_label_for_order(obj)
        if label is not None:
            return dict.fromkeys(OrderAddressOut.model_fields, "") | {"full_name": label}
        return _address(obj, AddressKind.SHIPPING)

    @staticmethod
    def resolve_billing_address(obj):
        return _address(obj, AddressKind.BILLING)


class OrderPageOut(Schema):
    count: int
    page: int
    page_size: int
    num_pages: int
    next: int | None = Field(description="The next page number, or null on the last.")
    previous: int | None
    results: list[OrderSummaryOut]


def _address(order, kind: str):
    for address in order.addresses.all():
        if address.kind == kind:
            return address
    return None
