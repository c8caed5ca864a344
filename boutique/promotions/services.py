"""Every write of coupons and their uses, and the checks checkout asks for.

Checkout calls `coupon_find_for_checkout` (a typed code) or
`coupon_automatic_for_checkout` (no code) to choose a coupon, the pricing engine
(boutique.checkout.domain) computes the discount, and `coupon_redeem` records
the use inside the order's transaction under the coupon's row lock.
"""

from dataclasses import replace
from decimal import Decimal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from boutique.audit.services import audit_record
from boutique.checkout.domain import CouponTerms, PriceLine, TaxTerms, convert, price_order
from boutique.core.errors import ValidationFailed, validation_errors_from_django
from boutique.core.money import quantize

from . import selectors
from .domain import CouponRules, coupon_refusal
from .errors import CouponRefused
from .locks import coupon_for_update
from .models import Coupon, CouponKind, CouponRedemption

__all__ = [
    "CouponRefused",
    "coupon_automatic_for_checkout",
    "coupon_create",
    "coupon_find_for_checkout",
    "coupon_redeem",
    "coupon_redemptions_return",
    "coupon_update",
]

COUPON_FIELDS = (
    "code",
    "description",
    "kind",
    "value",
    "currency",
    "min_order_amount",
    "max_uses",
    "max_uses_per_customer",
    "starts_at",
    "ends_at",
    "is_active",
    "first_order_only",
    "assigned_to",
    "is_automatic",
)
CONVERSION_ERRORS = (ValueError, TypeError, ArithmeticError)


# --- Eligibility ----------------------------------------------------------------------
def _customer_id(user) -> int | None:
    if user is not None and getattr(user, "is_authenticated", False):
        return user.pk
    return None


def _subtotal_in_coupon_currency(coupon: Coupon, subtotal, currency, rates) -> Decimal | None:
    """The checkout subtotal in the coupon's currency (None when nothing needs
    it). Raises CouponRefused when the coupon's currency has no exchange rate:
    neither its minimum nor its fixed value could be priced."""
    if subtotal is None:
        return None
    if currency is None or currency == coupon.currency:
        return quantize(subtotal, coupon.currency)
    try:
        converted = convert(subtotal, currency, coupon.currency, rates or {})
        if coupon.kind == CouponKind.FIXED:
            convert(coupon.value, coupon.currency, currency, rates or {})
    except CONVERSION_ERRORS as exc:
        raise CouponRefused(
            f"{coupon.code} cannot be used while {coupon.currency} prices are unavailable.",
            code="coupon_currency_unavailable",
        ) from exc
    return converted


def _refusal(coupon, *, user, email, subtotal, currency, rates, prior_orders, now, uses=None):
    in_coupon_currency = _subtotal_in_coupon_currency(coupon, subtotal, currency, rates)
    if uses is None:
        uses = selectors.coupon_uses_by_customer(coupon=coupon, user=user, email=email)
    rules = CouponRules.of(coupon)
    # Dates in the messages are the shop's local dates.
    rules = replace(
        rules,
        starts_at=rules.starts_at and timezone.localtime(rules.starts_at),
        ends_at=rules.ends_at and timezone.localtime(rules.ends_at),
    )
    return coupon_refusal(
        rules,
        now=now,
        subtotal_in_coupon_currency=in_coupon_currency,
        uses_total=coupon.times_used,
        uses_by_customer=uses,
        customer_id=_customer_id(user),
        prior_orders=prior_orders,
    )


def coupon_find_for_checkout(
    *,
    code,
    user,
    email,
    subtotal,
    currency: str | None = None,
    rates: dict | None = None,
    prior_orders: int = 0,
    now=None,
) -> Coupon:
    """The coupon a customer typed, if they may use it now on this subtotal.

    `subtotal` is in `currency` and is converted into the coupon's currency with
    `rates` for the minimum-amount check (currency None: the subtotal is
    already in the coupon's currency). Raises CouponRefused: `coupon_unknown`
    (400), or the exact reason (409) with a sentence for the customer. Reads
    without locks; `coupon_redeem` re-checks the limits under the row lock."""
    now = now or timezone.now()
    coupon = selectors.coupon_get_by_code(code)
    if coupon is None:
        shown = selectors.normalise_code(code)[:40]
        message = f"There is no coupon {shown}." if shown else "Enter a coupon code."
        raise CouponRefused(message, code="coupon_unknown")
    refusal = _refusal(
        coupon,
        user=user,
        email=email,
        subtotal=subtotal,
        currency=currency,
        rates=rates,
        prior_orders=prior_orders,
        now=now,
    )
    if refusal is not None:
        raise CouponRefused(refusal.message, code=refusal.code)
    return coupon


def _estimated_discount(coupon: Coupon, subtotal, currency: str, rates) -> Decimal:
    """What the pricing engine would take off this subtotal (for ranking)."""
    quote = price_order(
        [PriceLine(key=0, unit_price=Decimal(subtotal), currency=currency, quantity=1)],
        currency=currency,
        rates=rates or {},
        tax=TaxTerms(rate=Decimal(0)),
        coupon=CouponTerms(kind=coupon.kind, value=coupon.value, currency=coupon.currency),
    )
    return quote.discount


def coupon_automatic_for_checkout(
    *,
    user,
    email,
    subtotal,
    currency: str = "USD",
    rates: dict | None = None,
    prior_orders: int = 0,
    now=None,
) -> Coupon | None:
    """The automatic coupon (no code typed) that takes the most off this
    subtotal among those the customer may use now, or None. Ties go to the
    oldest coupon. Never raises for an ineligible or unpriceable coupon."""
    now = now or timezone.now()
    candidates = selectors.coupon_automatic_candidates(now=now)
    if not candidates:
        return None
    uses = selectors.coupon_uses_by_customer_map(coupons=candidates, user=user, email=email)
    best, best_discount = None, None
    for coupon in candidates:
        try:
            refusal = _refusal(
                coupon,
                user=user,
                email=email,
                subtotal=subtotal,
                currency=currency,
                rates=rates,
                prior_orders=prior_orders,
                now=now,
                uses=uses.get(coupon.pk, 0),
            )
            if refusal is not None:
                continue
            discount = _estimated_discount(coupon, subtotal, currency, rates)
        except (CouponRefused, *CONVERSION_ERRORS):
            continue
        if best is None or discount > best_discount:
            best, best_discount = coupon, discount
    return best


# --- Uses -------------------------------------------------------------------------
def coupon_redeem(
    *,
    coupon: Coupon,
    user,
    email: str,
    order_number: str,
    amount,
    currency: str,
    prior_orders: int,
    now=None,
) -> CouponRedemption:
    """Record one use of the coupon by an order. MUST run inside the caller's
    transaction (the order's): takes the coupon's row lock, re-checks the
    limits (disabled, window, not yours, first order, used up, already used by
    this customer) against the locked counts, then counts the use. Concurrent
    redemptions queue on the lock, so max_uses and max_uses_per_customer hold
    (on SQLite the IMMEDIATE transaction serialises writers instead)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("coupon_redeem must run inside the caller's transaction.")
    now = now or timezone.now()
    locked = coupon_for_update().filter(pk=coupon.pk).first()
    if locked is None:
        raise CouponRefused(f"There is no coupon {coupon.code}.", code="coupon_unknown")
    email = (email or "").strip().lower()
    refusal = _refusal(
        locked,
        user=user,
        email=email,
        subtotal=None,
        currency=None,
        rates=None,
        prior_orders=prior_orders,
        now=now,
    )
    if refusal is not None:
        raise CouponRefused(refusal.message, code=refusal.code)
    redemption = CouponRedemption(
        coupon=locked,
        user=user if _customer_id(user) is not None else None,
        email=email,
        order_id=str(order_number),
        amount=quantize(amount, currency),
        currency=currency,
        at=now,
    )
    try:
        redemption.full_clean()
    except DjangoValidationError as exc:
        raise ValidationFailed(
            "The coupon use cannot be recorded.", field_errors=validation_errors_from_django(exc)
        ) from exc
    redemption.save()
    Coupon.objects.filter(pk=locked.pk).update(times_used=F("times_used") + 1, updated_at=now)
    coupon.times_used = locked.times_used + 1
    audit_record(
        entity=locked,
        action="coupon.redeemed",
        actor=redemption.user,
        old={"times_used": locked.times_used},
        new={
            "times_used": locked.times_used + 1,
            "order": redemption.order_id,
            "email": email,
            "amount": redemption.amount,
            "currency": currency,
        },
    )
    return redemption


def coupon_redemptions_return(*, order_number: str, actor=None, now=None) -> int:
    """Give back the coupon uses of a cancelled or expired order: each use gets
    returned_at and its coupon's times_used goes down by one. Takes the coupons'
    row locks in pk order. Idempotent: a use is given back once; returns how
    many were given back by this call."""
    now = now or timezone.now()
    returned = 0
    with transaction.atomic():
        rows = list(selectors.redemptions_for_order(str(order_number)).filter(returned_at=None))
        if not rows:
            return 0
        list(coupon_for_update().filter(pk__in={row.coupon_id for row in rows}))
        for row in rows:
            given_back = CouponRedemption.objects.filter(
                pk=row.pk, returned_at__isnull=True
            ).update(returned_at=now)
            if not given_back:
                continue  # another call returned it first
            Coupon.objects.filter(pk=row.coupon_id, times_used__gt=0).update(
                times_used=F("times_used") - 1, updated_at=now
            )
            audit_record(
                entity=row.coupon,
                action="coupon.use_returned",
                actor=actor,
                new={"order": row.order_id, "email": row.email},
            )
            returned += 1
    return returned


# --- Staff ------------------------------------------------------------------------
def _normalise(fields: dict) -> dict:
    unknown = sorted(set(fields) - set(COUPON_FIELDS))
    if unknown:
        raise ValidationFailed(
            "Unknown coupon fields.", field_errors={name: ["Unknown field."] for name in unknown}
        )
    if "code" in fields:
        fields["code"] = selectors.normalise_code(fields["code"])
    if "description" in fields:
        fields["description"] = (fields["description"] or "").strip()
    if fields.get("kind") == CouponKind.FREE_SHIPPING and fields.get("value") in (None, ""):
        fields["value"] = Decimal(0)
    return fields


def _save(coupon: Coupon, *, changed: list[str] | None = None) -> None:
    """Validate and write. An update writes only the changed fields, never
    times_used (a redemption may be counting it at this moment)."""
    try:
        coupon.full_clean()
    except DjangoValidationError as exc:
        raise ValidationFailed(
            "Some coupon fields are not valid.", field_errors=validation_errors_from_django(exc)
        ) from exc
    try:
        with transaction.atomic():
            if changed is None:
                coupon.save(force_insert=True)
            else:
                coupon.save(update_fields=[*changed, "updated_at"])
    except IntegrityError as exc:  # a concurrent coupon took the code
        raise ValidationFailed(
            "A coupon with this code already exists.",
            field_errors={"code": ["A coupon with this code already exists."]},
        ) from exc


def _snapshot(coupon: Coupon, names) -> dict:
    return {name: getattr(coupon, name) for name in names}


def coupon_create(*, actor=None, **fields) -> Coupon:
    """Staff create a coupon: code stored in capitals, validated (value fits the
    kind, end after start, code unique in any case) and audited."""
    fields = _normalise(fields)
    with transaction.atomic():
        coupon = Coupon(**fields)
        _save(coupon)
        audit_record(
            entity=coupon,
            action="coupon.created",
            actor=actor,
            new=_snapshot(coupon, COUPON_FIELDS),
        )
    return coupon


def coupon_update(*, coupon: Coupon, actor=None, **fields) -> Coupon:
    """Staff change a coupon's terms (never its use counter); validated and
    audited with the old and new values of what changed."""
    fields = _normalise(fields)
    with transaction.atomic():
        current = Coupon.objects.get(pk=coupon.pk)
        changed = [name for name, value in fields.items() if getattr(current, name) != value]
        if not changed:
            return current
        old = _snapshot(current, changed)
        for name in changed:
            setattr(current, name, fields[name])
        _save(current, changed=changed)
        audit_record(
            entity=current,
            action="coupon.updated",
            actor=actor,
            old=old,
            new=_snapshot(current, changed),
        )
    return current
