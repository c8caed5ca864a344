"""Refunds: by amount or by items, never more than was paid.

The amount is reserved on the payment row (a conditional `amount_refunded`
update under the payment's row lock) and committed before any gateway is
called, so concurrent refunds can never add up to more than the payment.
Card refunds then go to the gateway outside the transaction; a failure gives
the reserved amount back. Cash and bank refunds are recorded as done at once.
Success restocks the items when asked, moves the order's payment status,
queues the customer's notice and is audited.
"""

from collections import Counter
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone

from boutique.audit.services import audit_record
from boutique.core.errors import Conflict, DomainError, ValidationFailed
from boutique.core.money import minor_units, quantize
from boutique.inventory.services import stock_return
from boutique.notifications.services import notification_enqueue
from boutique.orders.models import Order, OrderItem, PaymentMethod, PaymentStatus
from boutique.orders.services import order_payment_status_set
from boutique.registry.services_checkout import registry_purchases_cancel

from .gateways import GatewayError, get_gateway
from .models import Payment, PaymentState, Refund, RefundNumberCounter, RefundState
from .services import _clean_key

# Refunds that hold part of the payment: done, or reserved while the gateway answers.
HOLDING = (RefundState.PENDING, RefundState.SUCCEEDED)


class RefundTooLarge(Conflict):
    code = "refund_exceeds_payment"
    title = "The refund is more than what can be refunded"


class NothingToRefund(Conflict):
    code = "nothing_to_refund"
    title = "This order has no payment to refund"


class RefundFailed(DomainError):
    """The gateway refused or could not be reached; nothing was refunded."""

    code = "refund_failed"
    status = 502
    title = "The payment provider did not carry out the refund"


def _payment_for_update():
    return Payment.objects.select_for_update().order_by("pk")


def _counter_for_update():
    return RefundNumberCounter.objects.select_for_update().order_by("pk")


def refund_number_next(*, now=None) -> str:
    """RF-2026-000001: a gap-free sequence per year. Call inside the refund's
    transaction: the counter row lock serialises concurrent refunds."""
    year = (now or timezone.now()).year
    RefundNumberCounter.objects.get_or_create(year=year)
    counter = _counter_for_update().get(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{settings.REFUND_NUMBER_PREFIX}-{year}-{counter.last:06d}"


# --- Input ---------------------------------------------------------------------------------
def _clean_reason(reason) -> str:
    reason = str(reason or "").strip()
    if not reason or len(reason) > 255 or not reason.isprintable():
        raise ValidationFailed(
            "Give a reason for the refund (up to 255 characters).",
            field_errors={"reason": ["Required."]},
        )
    return reason


def _clean_amount(amount, currency: str) -> Decimal:
    if isinstance(amount, float | bool):
        raise ValidationFailed("Give the amount as a decimal string.", field_errors={"amount": []})
    try:
        value = Decimal(str(amount).strip())
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or value <= 0:
        raise ValidationFailed(
            "The refund amount must be a positive number.",
            field_errors={"amount": ["Must be more than 0."]},
        )
    if value != quantize(value, currency):
        places = minor_units(currency)
        raise ValidationFailed(
            f"{currency} amounts have {places} decimal places at most.",
            field_errors={"amount": [f"At most {places} decimal places."]},
        )
    return quantize(value, currency)


def _clean_items(items) -> dict[int, int]:
    """[{order_item_id, quantity}, …] → {order_item_id: quantity}."""
    invalid = ValidationFailed(
        "Items are a non-empty list of {order_item_id, quantity} with positive whole numbers, "
        "each item once.",
        field_errors={"items": ["Invalid."]},
    )
    if not isinstance(items, list | tuple) or not items or len(items) > 500:
        raise invalid
    wanted: dict[int, int] = {}
    for entry in items:
        if not isinstance(entry, dict) or set(entry) != {"order_item_id", "quantity"}:
            raise invalid
        item_id, quantity = entry["order_item_id"], entry["quantity"]
        for value in (item_id, quantity):
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                raise invalid
        if item_id in wanted:
            raise invalid
        wanted[item_id] = quantity
    return wanted


# --- Amounts under the payment lock -----------------------------------------------------------
def _refunded_quantities(payment: Payment) -> Counter:
    done: Counter = Counter()
    for items in Refund.objects.filter(payment=payment, status__in=HOLDING).values_list(
        "items", flat=True
    ):
        for entry in items or []:
            done[entry["order_item_id"]] += entry["quantity"]
    return done


def _amount_for_items(order: Order, payment: Payment, wanted: dict[int, int]) -> Decimal:
    """Price the items at what was paid for them. Quantities may not exceed what
    was bought less what earlier refunds already gave back."""
    bought = {item.pk: item for item in OrderItem.objects.filter(order=order, pk__in=wanted)}
    unknown = sorted(set(wanted) - set(bought))
    if unknown:
        raise ValidationFailed(
            f"Order {order.number} has no item {unknown[0]}.",
            field_errors={"items": [f"Unknown item {unknown[0]}."]},
        )
    done = _refunded_quantities(payment)
    total = Decimal(0)
    for item_id, quantity in wanted.items():
        item = bought[item_id]
        left = item.quantity - done[item_id]
        if quantity > left:
            raise RefundTooLarge(
                f"{item.sku}: {quantity} asked, {left} of {item.quantity} left to refund.",
                field_errors={"items": [f"At most {left} of {item.sku}."]},
            )
        total += item.unit_price * quantity
    if payment.currency == order.currency:
        return quantize(total, payment.currency)
    # Paid in another currency (cash in LBP for a USD order): the same share of the payment.
    return quantize(total * payment.amount / order.total, payment.currency)


def _reserve(payment: Payment, amount: Decimal) -> None:
    """Hold `amount` of the payment for this refund. The conditional update is
    the last word even if a caller forgot the row lock."""
    if amount > payment.refundable:
        raise RefundTooLarge(
            f"At most {payment.refundable} {payment.currency} can still be refunded "
            f"on this payment; {amount} was asked.",
            field_errors={"amount": [f"At most {payment.refundable}."]},
        )
    reserved = Payment.objects.filter(
        pk=payment.pk, amount_refunded__lte=F("amount") - amount
    ).update(amount_refunded=F("amount_refunded") + amount, updated_at=timezone.now())
    if not reserved:
        raise RefundTooLarge("This payment has no more left to refund.")


# --- The use case --------------------------------------------------------------------------
def refund_create(
    *,
    order: Order,
    actor,
    reason: str,
    amount=None,
    items=None,
    restock: bool = False,
    idempotency_key=None,
) -> Refund:
    """Refund part or all of the order's successful payment, by `amount` (in
    the payment's currency) or by `items` ([{order_item_id, quantity}]), not
    both. Takes the payment's row lock and reserves the amount in a durable
    transaction; calls a card gateway only after that commits. Safe under
    concurrent refunds: their sum never exceeds what was paid. With an
    idempotency key, a repeated request answers with the first refund."""
    reason = _clean_reason(reason)
    if (amount is None) == (items is None):
        raise ValidationFailed(
            "Refund either an amount or a list of items.",
            field_errors={"amount": ["Give amount or items."], "items": ["Give amount or items."]},
        )
    wanted = _clean_items(items) if items is not None else None
    if restock and wanted is None:
        raise ValidationFailed(
            "Restocking needs the refunded items; an amount alone restocks nothing.",
            field_errors={"restock": ["Refund by items to restock."]},
        )
    key = _clean_key(idempotency_key) if idempotency_key is not None else ""
    if key:
        previous = Refund.objects.filter(idempotency_key=key).first()
        if previous is not None:
            return _replay(previous, order)
    try:
        refund = _record(
            order=order,
            actor=actor,
            reason=reason,
            amount=amount,
            wanted=wanted,
            restock=bool(restock),
            key=key,
        )
    except IntegrityError:  # the same key raced us
        if key and (previous := Refund.objects.filter(idempotency_key=key).first()):
            return _replay(previous, order)
        raise
    if refund.status == RefundState.SUCCEEDED:
        return refund
    return _refund_at_gateway(refund)


def _replay(refund: Refund, order: Order) -> Refund:
    if refund.order_id != order.pk:
        raise Conflict("This Idempotency-Key was used for another order.")
    if refund.status == RefundState.PENDING:
        raise Conflict("This refund is still being processed; try again in a moment.")
    if refund.status == RefundState.FAILED:
        raise RefundFailed(refund.error or "The refund did not go through.")
    return refund


def _record(*, order, actor, reason, amount, wanted, restock, key) -> Refund:
    """Transaction 1: lock the payment, check and reserve, write the refund.
    Offline refunds are complete here."""
    with transaction.atomic(durable=True):
        payment = _payment_for_update().filter(order=order, status=PaymentState.SUCCEEDED).first()
        if payment is None:
            raise NothingToRefund(f"Order {order.number} has no successful payment to refund.")
        if wanted is not None:
            value = _amount_for_items(order, payment, wanted)
            if value <= 0:
                raise ValidationFailed("These items cost nothing; there is nothing to refund.")
        else:
            value = _clean_amount(amount, payment.currency)
        _reserve(payment, value)
        refund = Refund(
            order=order,
            payment=payment,
            refund_number=refund_number_next(),
            amount=value,
            currency=payment.currency,
            reason=reason,
            items=[{"order_item_id": i, "quantity": q} for i, q in (wanted or {}).items()],
            restock=restock,
            idempotency_key=key,
            actor=actor,
        )
        refund.full_clean(validate_unique=False, validate_constraints=False)
        refund.save()
        audit_record(
            entity=refund,
            action="refund.requested",
            actor=actor,
            new={
                "number": refund.refund_number,
                "order": order.number,
                "amount": value,
                "currency": refund.currency,
                "reason": reason,
                "items": refund.items,
                "restock": restock,
            },
        )
        if payment.method != PaymentMethod.CARD:
            # Cash or bank transfer: staff hand the money back; it is done.
            _complete(refund, provider_ref="")
    return refund


def _refund_at_gateway(refund: Refund) -> Refund:
    """Transaction-free gateway call, then record the outcome."""
    payment = refund.payment
    gateway = get_gateway(payment.provider)
    try:
        result = gateway.refund(
            transaction_ref=payment.transaction_ref,
            amount=refund.amount,
            currency=refund.currency,
            idempotency_key=f"refund-{refund.refund_number}",
        )
    except GatewayError as exc:
        _fail(refund, f"The payment provider could not be reached: {exc}")
        raise RefundFailed(
            "The payment provider could not be reached; nothing was refunded. Try again."
        ) from exc
    if result.status == "failed":
        message = result.error_message or result.error_code or "The refund was refused."
        _fail(refund, message)
        raise RefundFailed(message)
    if result.status == "pending":  # the provider confirms later (webhook)
        Refund.objects.filter(pk=refund.pk, status=RefundState.PENDING).update(
            provider_ref=result.refund_ref[:100], updated_at=timezone.now()
        )
        refund.refresh_from_db()
        return refund
    return refund_succeeded(refund=refund, provider_ref=result.refund_ref)


def _fail(refund: Refund, message: str) -> None:
    """Give the reserved amount back and mark the refund failed (once)."""
    with transaction.atomic():
        changed = Refund.objects.filter(pk=refund.pk, status=RefundState.PENDING).update(
            status=RefundState.FAILED, error=message[:255], updated_at=timezone.now()
        )
        if changed:
            Payment.objects.filter(pk=refund.payment_id).update(
                amount_refunded=F("amount_refunded") - refund.amount, updated_at=timezone.now()
            )
            audit_record(
                entity=refund,
                action="refund.failed",
                actor=refund.actor,
                new={"number": refund.refund_number, "error": message[:255]},
            )
    refund.refresh_from_db()


def refund_succeeded(*, refund: Refund, provider_ref: str = "") -> Refund:
    """Record that the money went back (the gateway's answer or its webhook).
    Idempotent: a refund already succeeded is returned as it is."""
    with transaction.atomic():
        _payment_for_update().get(pk=refund.payment_id)
        if Refund.objects.filter(pk=refund.pk, status=RefundState.PENDING).exists():
            _complete(refund, provider_ref=provider_ref)
    refund.refresh_from_db()
    return refund


def _complete(refund: Refund, *, provider_ref: str) -> None:
    """Inside a transaction holding the payment's row lock: mark the refund
    succeeded, restock, move the payment status, notify and audit."""
    Refund.objects.filter(pk=refund.pk, status=RefundState.PENDING).update(
        status=RefundState.SUCCEEDED, provider_ref=provider_ref[:100], updated_at=timezone.now()
    )
    refund.refresh_from_db()
    order = Order.objects.get(pk=refund.order_id)
    if refund.restock and refund.items:
        _restock(refund)
    payment = Payment.objects.get(pk=refund.payment_id)
    # Only money actually given back counts: amounts still waiting for the gateway's
    # answer are reserved in amount_refunded but not yet refunded.
    waiting = Refund.objects.filter(payment=payment, status=RefundState.PENDING).aggregate(
        s=Sum("amount")
    )["s"] or Decimal(0)
    given_back = payment.amount_refunded - waiting
    status = (
        PaymentStatus.REFUNDED if given_back >= payment.amount else PaymentStatus.PARTIALLY_REFUNDED
    )
    order_payment_status_set(order=order, payment_status=status, actor=refund.actor)
    if status == PaymentStatus.REFUNDED:
        # Refunded in full: the gifts were not given after all (issue 13).
        registry_purchases_cancel(order=order, actor=refund.actor, reason="refunded in full")
    notification_enqueue(
        channel="email",
        recipient=order.email,
        template="refund_issued",
        language=order.email_language,
        context={
            "number": order.number,
            "refund_number": refund.refund_number,
            "amount": str(refund.amount),
            "currency": refund.currency,
            "reason": refund.reason,
        },
        reference=("refund", refund.refund_number),
    )
    audit_record(
        entity=refund,
        action="refund.succeeded",
        actor=refund.actor,
        old={"status": RefundState.PENDING},
        new={
            "status": RefundState.SUCCEEDED,
            "number": refund.refund_number,
            "order": order.number,
            "amount": refund.amount,
            "currency": refund.currency,
            "method": payment.method,
            "provider_ref": refund.provider_ref,
            "payment_status": status,
        },
    )


def _restock(refund: Refund) -> None:
    items = OrderItem.objects.select_related("variant").filter(
        pk__in=[entry["order_item_id"] for entry in refund.items]
    )
    by_id = {item.pk: item for item in items}
    # Variants in pk order, like every other stock lock.
    for entry in sorted(refund.items, key=lambda e: by_id[e["order_item_id"]].variant_id or 0):
        item = by_id[entry["order_item_id"]]
        if item.variant is None:  # the variant was deleted since; nothing to put back
            continue
        stock_return(
            variant=item.variant,
            quantity=entry["quantity"],
            actor=refund.actor,
            note=f"Refund {refund.refund_number}",
            reference=("refund", refund.refund_number),
        )
