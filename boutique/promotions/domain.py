"""Coupon eligibility: pure rules, no Django, no database.

`coupon_refusal` answers "may this customer use this coupon now?" with None or
the first reason against it, in a fixed order, with a sentence the customer can
act on. Discounts themselves are computed by the pricing engine
(boutique.checkout.domain), never here.
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from boutique.core.money import format_money


@dataclass(frozen=True)
class Refusal:
    code: str
    message: str


@dataclass(frozen=True)
class CouponRules:
    """What eligibility needs to know about a coupon."""

    code: str
    is_active: bool = True
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    assigned_to_id: int | None = None
    first_order_only: bool = False
    max_uses: int | None = None
    max_uses_per_customer: int | None = None
    min_order_amount: Decimal | None = None
    currency: str = "USD"

    @classmethod
    def of(cls, coupon) -> "CouponRules":
        return cls(
            code=coupon.code,
            is_active=coupon.is_active,
            starts_at=coupon.starts_at,
            ends_at=coupon.ends_at,
            assigned_to_id=coupon.assigned_to_id,
            first_order_only=coupon.first_order_only,
            max_uses=coupon.max_uses,
            max_uses_per_customer=coupon.max_uses_per_customer,
            min_order_amount=coupon.min_order_amount,
            currency=coupon.currency,
        )


def _day(moment: datetime) -> str:
    return f"{moment.day} {moment:%B %Y}"


def _times(count: int) -> str:
    return "once" if count == 1 else "twice" if count == 2 else f"{count} times"


def coupon_refusal(
    terms: CouponRules,
    *,
    now: datetime,
    subtotal_in_coupon_currency: Decimal | None,
    uses_total: int,
    uses_by_customer: int,
    customer_id: int | None,
    prior_orders: int,
) -> Refusal | None:
    """The first reason this coupon cannot be used, or None. Checked in order:
    disabled, not started, expired, not yours, first order only, used up,
    already used by you, below minimum. A subtotal of None skips the minimum
    (the redemption re-check, which has no subtotal to hand)."""
    code = terms.code
    if not terms.is_active:
        return Refusal("coupon_disabled", f"{code} is no longer available.")
    if terms.starts_at is not None and now < terms.starts_at:
        return Refusal("coupon_not_started", f"{code} can be used from {_day(terms.starts_at)}.")
    if terms.ends_at is not None and now >= terms.ends_at:
        return Refusal("coupon_expired", f"{code} expired on {_day(terms.ends_at)}.")
    if terms.assigned_to_id is not None:
        if customer_id is None:
            return Refusal(
                "coupon_not_yours",
                f"{code} belongs to a customer account: sign in to the account it was given to.",
            )
        if customer_id != terms.assigned_to_id:
            return Refusal("coupon_not_yours", f"{code} was given to another customer.")
    if terms.first_order_only and prior_orders > 0:
        return Refusal("coupon_first_order_only", f"{code} is only for a first order.")
    if terms.max_uses is not None and uses_total >= terms.max_uses:
        return Refusal("coupon_used_up", f"{code} has been used up.")
    limit = terms.max_uses_per_customer
    if limit is not None and uses_by_customer >= limit:
        return Refusal(
            "coupon_already_used",
            f"You have already used {code}"
            + (" (once per customer)." if limit == 1 else f" {_times(limit)}, the most allowed."),
        )
    minimum = terms.min_order_amount
    if (
        minimum is not None
        and subtotal_in_coupon_currency is not None
        and subtotal_in_coupon_currency < minimum
    ):
        short = format_money(minimum - subtotal_in_coupon_currency, terms.currency)
        least = format_money(minimum, terms.currency)
        return Refusal("coupon_below_minimum", f"Add {short} more to use {code} (minimum {least}).")
    return None
