"""The payments API's schemas. A payment answers with what we keep of a card:
brand, last four digits and expiry. The card number and security code of a test
card are read from the request, tokenised in memory and never answered,
stored or logged."""

from datetime import datetime
from decimal import Decimal

from ninja import Schema
from pydantic import Field, field_validator

from boutique.core.money import quantize


def _an_object(value):
    # ninja's Schema would read any value's attributes: a card must be an object.
    if value is not None and not isinstance(value, dict):
        raise ValueError("An object is expected here.")
    return value


class CardIn(Schema):
    """A test card (only with the offline test gateway)."""

    number: str | int | None = Field(None, examples=["4242 4242 4242 4242"])
    exp_month: str | int | None = Field(None, examples=[12])
    exp_year: str | int | None = Field(None, examples=[2030])
    cvc: str | int | None = Field(None, examples=["123"])


class PaymentIn(Schema):
    method: str | None = Field(
        "card",
        description="card. Cash, cash on delivery and bank transfer are confirmed by the shop.",
    )
    token: str | None = Field(
        None,
        description="The gateway's card token: a Stripe PaymentMethod id when Stripe is "
        "active (the card form sends the card to Stripe, never to us).",
    )
    card: CardIn | None = Field(
        None,
        description="Test gateway only: the card is tokenised in memory and dropped. "
        "Refused (400) when Stripe is active.",
    )

    @field_validator("card", mode="before")
    @classmethod
    def _card_object(cls, value):
        return _an_object(value)


class PaymentOut(Schema):
    id: int
    method: str
    provider: str
    status: str
    amount: Decimal
    currency: str
    amount_refunded: Decimal
    brand: str = Field(description="Card brand (visa, mastercard, …); empty for other methods.")
    last4: str = Field(description="The card's last four digits; never the number.")
    exp: str | None = Field(description="The card's expiry, MM/YYYY.")
    reference: str = Field(description="The bank's reference of a transfer.")
    error_code: str
    error_message: str = Field(description="Why a payment failed, as the bank said it.")
    created_at: datetime
    succeeded_at: datetime | None

    @staticmethod
    def resolve_amount(obj):
        return quantize(obj.amount, obj.currency)

    @staticmethod
    def resolve_amount_refunded(obj):
        return quantize(obj.amount_refunded, obj.currency)

    @staticmethod
    def resolve_brand(obj):
        return obj.card_brand

    @staticmethod
    def resolve_last4(obj):
        return obj.card_last4

    @staticmethod
    def resolve_exp(obj):
        if obj.card_exp_month and obj.card_exp_year:
            return f"{obj.card_exp_month:02d}/{obj.card_exp_year}"
        return None

    @staticmethod
    def resolve_reference(obj):
        return obj.bank_reference


class PaymentConfirmIn(Schema):
    method: str | None = Field(None, description="cash_usd, cash_lbp, cod or bank_transfer.")
    reference: str | None = Field("", description="The bank's reference (bank transfer).")
    amount: Decimal | None = Field(
        None, description="Optional check: the amount received must be the amount due."
    )


class RefundItemIn(Schema):
    order_item_id: int
    quantity: int


class RefundIn(Schema):
    amount: Decimal | None = Field(
        None, description="Refund this much (in the payment's currency); or give items."
    )
    items: list[RefundItemIn] | None = Field(
        None, description="Refund these items, priced at what was paid; or give an amount."
    )
    reason: str | None = Field("", description="Why (up to 255 characters). Required.")
    restock: bool = Field(False, description="Put the refunded items back in stock.")


class RefundOut(Schema):
    refund_number: str
    status: str
    amount: Decimal
    currency: str
    reason: str
    items: list[dict]
    restock: bool
    created_at: datetime

    @staticmethod
    def resolve_amount(obj):
        return quantize(obj.amount, obj.currency)
