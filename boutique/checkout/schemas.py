"""The checkout API's schemas. The quote and the order take the same body
(CheckoutIn); the checkout services judge its values (a missing address field,
an unknown method or currency is a 400 with field errors, never a 422). Money
is a decimal string quantized to its currency (LBP in whole pounds)."""

from datetime import datetime
from decimal import Decimal

from ninja import Schema
from pydantic import Field, field_validator

from boutique.core.money import BASE_CURRENCY
from boutique.orders.models import PaymentMethod

from .domain import convert
from .services import CheckoutInput

MONEY_FIELDS = ("subtotal", "discount", "shipping", "tax", "total")


# --- In ----------------------------------------------------------------------------
class AddressIn(Schema):
    full_name: str | None = Field("", examples=["Rania Haddad"])
    phone: str | None = ""
    line1: str | None = Field("", examples=["Hamra St 12"])
    line2: str | None = ""
    city: str | None = Field("", examples=["Beirut"])
    state: str | None = ""
    postal_code: str | None = ""
    country: str | None = Field("", description="Two-letter code.", examples=["LB"])


class CheckoutIn(Schema):
    email: str | None = Field(
        "",
        description="Where the confirmation goes. Required for guests; a signed-in "
        "customer's account email by default.",
    )
    shipping_address: AddressIn | None = Field(
        None, description="full_name, line1, city and country are required."
    )
    billing_address: AddressIn | None = Field(
        None, description="Omit to bill the shipping address."
    )
    shipping_method: int | None = Field(
        None,
        description="A method id from /shipping-methods serving the address's country. "
        "Optional for a quote (shipping 0), required to place an order.",
    )
    coupon: str | None = Field("", description="A coupon code; case does not matter.")
    currency: str | None = Field(
        BASE_CURRENCY, description="USD or LBP (the currencies with a rate)."
    )
    payment_method: str | None = Field(PaymentMethod.COD.value, examples=["cod"])
    note: str | None = Field("", description="For the shop, at most 500 characters.")
    ship_to_registry: bool | None = Field(
        False,
        description="With registry gifts in the cart: ship the order to the registrant's "
        "address (never shown to the buyer); shipping_address is then the buyer's own, "
        "billed.",
    )
    gift_message: str | None = Field(
        "", description="For the registrant, with registry gifts; at most 500 characters."
    )

    @field_validator("shipping_address", "billing_address", mode="before")
    @classmethod
    def _an_object(cls, value):
        # ninja's Schema would read any value's attributes (a string becomes an
        # empty address): an address must be a JSON object.
        if value is not None and not isinstance(value, dict):
            raise ValueError("An address is an object of address fields.")
        return value

    def to_input(self) -> CheckoutInput:
        return CheckoutInput(
            email=self.email or "",
            shipping_address=self.shipping_address.dict() if self.shipping_address else None,
            billing_address=self.billing_address.dict() if self.billing_address else None,
            shipping_method_id=self.shipping_method,
            coupon_code=self.coupon or "",
            currency=self.currency or "",
            payment_method=self.payment_method or "",
            note=self.note or "",
            ship_to_registry=bool(self.ship_to_registry),
            gift_message=self.gift_message or "",
        )


# --- Out ---------------------------------------------------------------------------
class ShippingMethodOut(Schema):
    id: int
    name: str
    provider: str
    price: Decimal
    currency: str
    free_over: Decimal | None = Field(
        description="Free when the discounted subtotal reaches this (in `currency`)."
    )
    countries: list[str] = Field(description="Countries served; empty means every country.")
    eta_min_days: int
    eta_max_days: int

    @staticmethod
    def resolve_countries(obj):
        return obj.country_list


class MethodRefOut(Schema):
    id: int
    name: str
    eta: str = Field(examples=["1–3 days"])

    @staticmethod
    def resolve_eta(obj):
        if obj.eta_min_days == obj.eta_max_days:
            return f"{obj.eta_min_days} day{'s' if obj.eta_min_days != 1 else ''}"
        return f"{obj.eta_min_days}–{obj.eta_max_days} days"


class CouponRefOut(Schema):
    code: str
    kind: str = Field(examples=["percentage", "fixed", "free_shipping"])


class TotalsOut(Schema):
    subtotal: Decimal
    discount: Decimal
    shipping: Decimal
    tax: Decimal
    total: Decimal


class QuoteLineOut(Schema):
    sku: str
    name: str
    options: str = Field(description="The variant's size/colour; empty for a single variant.")
    quantity: int
    unit_price: Decimal
    line_total: Decimal


class QuoteOut(Schema):
    currency: str
    rate: Decimal = Field(description="Units of `currency` per US dollar for this quote.")
    lines: list[QuoteLineOut]
    subtotal: Decimal
    discount: Decimal
    shipping: Decimal
    tax: Decimal
    total: Decimal
    coupon: CouponRefOut | None
    shipping_method: MethodRefOut | None
    tax_rate: Decimal = Field(description="A fraction: 0.06 is 6 %.")
    totals_in_usd: TotalsOut = Field(description="Each amount at the quote's rate (informative).")
    problems: list[str] = Field(description="Lines that cannot be ordered as they are.")
    held_until: datetime | None = Field(
        description="The items are held for this customer until then; null when none could be."
    )


def options_label(variant) -> str:
    return variant.label if variant.label != "Standard" else ""


def quote_out(result, *, problems: list[str], held_until) -> dict:
    """The QuoteOut body of a checkout_quote result."""
    quote = result.quote
    currency = quote.currency
    items = {item.variant_id: item for item in result.items}
    rates = {BASE_CURRENCY: Decimal(1), currency: quote.rate}
    amounts = {name: getattr(quote, name) for name in MONEY_FIELDS}
    lines = []
    for line in quote.lines:
        variant = items[line.key].variant
        lines.append(
            {
                "sku": variant.sku,
                "name": variant.product.name,
                "options": options_label(variant),
                "quantity": line.quantity,
                "unit_price": line.unit_price,
                "line_total": line.line_total,
            }
        )
    return {
        "currency": currency,
        "rate": quote.rate,
        "lines": lines,
        **amounts,
        "coupon": result.coupon,
        "shipping_method": result.shipping_method,
        "tax_rate": result.tax_rate,
        "totals_in_usd": {
            name: convert(value, currency, BASE_CURRENCY, rates) for name, value in amounts.items()
        },
        "problems": problems,
        "held_until": held_until,
    }
