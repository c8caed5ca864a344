"""Seller payouts. A payout for a period holds the seller's items fully delivered
in that period and not paid out before (gross, at the price the customer paid
for the line, in the base currency at the order's own exchange rate), the
shop's commission on them at the seller's rate, and the refunds given on the
seller's paid-out items that no earlier payout deducted.

Coupons are the shop's: a seller's gross is the line total before the order's
discount. A refund by amount only (no items) is the shop's too.

An item is paid out at most once: generation holds the seller's row lock while
it picks items, and PayoutItem.order_item is unique, so two runs at once (two
staff, or a timed job and a click) can never both take an item."""

from datetime import date

from django.db import transaction
from django.db.models import F, Max, Q, Sum
from django.utils import timezone

from boutique.audit.services import audit_record, snapshot
from boutique.core.errors import ValidationFailed
from boutique.core.money import BASE_CURRENCY, format_money
from boutique.notifications.services import notification_enqueue
from boutique.orders.models import OrderItem
from boutique.payments.models import Refund, RefundState
from boutique.shipping.models import ShipmentStatus

from ..domain import commission_for, payout_totals, to_base
from ..errors import PayoutAlreadyPaid
from ..locks import payout_qs_for_update, seller_qs_for_update
from ..models import Payout, PayoutItem, PayoutRefund, PayoutStatus, Seller

DELIVERED = Q(shipment_items__shipment__status=ShipmentStatus.DELIVERED)


def _check_period(period_start: date, period_end: date) -> None:
    if period_end < period_start:
        raise ValidationFailed(
            "The period ends before it starts.", field_errors={"period_end": ["Before the start."]}
        )
    if period_end >= timezone.localdate():
        raise ValidationFailed(
            "A payout covers days that are over: end the period yesterday at the latest.",
            field_errors={"period_end": ["Not over yet."]},
        )


def items_due(seller: Seller, period_start: date, period_end: date):
    """The seller's order items whose every unit was delivered in the period and
    that no payout holds yet, with `delivered_at` (the last delivery)."""
    return (
        OrderItem.objects.filter(seller=seller, payout_item__isnull=True)
        .annotate(
            delivered_qty=Sum("shipment_items__quantity", filter=DELIVERED),
            delivered_at=Max("shipment_items__shipment__delivered_at", filter=DELIVERED),
        )
        .filter(
            delivered_qty__gte=F("quantity"),
            delivered_at__date__gte=period_start,
            delivered_at__date__lte=period_end,
        )
        .select_related("order")
        .order_by("pk")
    )


def _refunds_due(seller: Seller, paid_item_ids: set[int]) -> list[tuple[Refund, OrderItem, int]]:
    """(refund, item, quantity) for succeeded refunds of the seller's paid-out
    items that no payout has deducted yet."""
    refunds = (
        Refund.objects.filter(status=RefundState.SUCCEEDED, order__items__seller=seller)
        .distinct()
        .order_by("pk")
    )
    taken = set(
        PayoutRefund.objects.filter(payout__seller=seller).values_list("refund_id", "order_item_id")
    )
    wanted: list[tuple[int, int, int]] = []
    for refund in refunds:
        for entry in refund.items or []:
            key = (refund.pk, entry["order_item_id"])
            if entry["order_item_id"] in paid_item_ids and key not in taken:
                wanted.append((refund, entry["order_item_id"], entry["quantity"]))
    items = OrderItem.objects.select_related("order").in_bulk({i for _, i, _ in wanted})
    return [(refund, items[item_id], qty) for refund, item_id, qty in wanted]


def _paid_item_ids(seller: Seller) -> set[int]:
    return set(
        PayoutItem.objects.filter(payout__seller=seller).values_list("order_item_id", flat=True)
    )


def payout_generate(*, seller: Seller, period_start: date, period_end: date, actor=None):
    """One seller's payout for a finished period, or None when nothing is due.
    Takes the seller's row lock; safe when run twice at once."""
    _check_period(period_start, period_end)
    with transaction.atomic(durable=True):
        seller = seller_qs_for_update().select_related("owner").get(pk=seller.pk)
        rate = seller.effective_commission_rate
        lines = []
        for item in items_due(seller, period_start, period_end):
            order = item.order
            gross = to_base(
                item.line_total, currency=order.currency, exchange_rate=order.exchange_rate
            )
            lines.append((item, gross, commission_for(gross, rate)))
        paid_ids = _paid_item_ids(seller) | {item.pk for item, _, _ in lines}
        deductions = []
        for refund, item, quantity in _refunds_due(seller, paid_ids):
            order = item.order
            amount = to_base(
                item.unit_price * quantity,
                currency=order.currency,
                exchange_rate=order.exchange_rate,
            )
            deductions.append((refund, item, amount))
        if not lines and not deductions:
            return None
        totals = payout_totals([(g, c) for _, g, c in lines], [a for _, _, a in deductions])
        payout = Payout.objects.create(
            seller=seller,
            period_start=period_start,
            period_end=period_end,
            currency=BASE_CURRENCY,
            gross_amount=totals.gross,
            commission_amount=totals.commission,
            refunds_amount=totals.refunds,
            net_amount=totals.net,
        )
        PayoutItem.objects.bulk_create(
            PayoutItem(
                payout=payout,
                order_item=item,
                gross_amount=gross,
                commission_rate=rate,
                commission_amount=commission,
                delivered_at=item.delivered_at,
            )
            for item, gross, commission in lines
        )
        PayoutRefund.objects.bulk_create(
            PayoutRefund(payout=payout, refund=refund, order_item=item, amount=amount)
            for refund, item, amount in deductions
        )
        audit_record(
            entity=payout,
            action="payout.created",
            actor=actor,
            new={
                "seller": seller.slug,
                "period": f"{period_start.isoformat()}/{period_end.isoformat()}",
                "items": len(lines),
                "refunds": len(deductions),
                **snapshot(
                    payout, ("gross_amount", "commission_amount", "refunds_amount", "net_amount")
                ),
            },
        )
        _notify(seller, payout, "payout_created")
    return payout


def payouts_generate(*, period_start: date, period_end: date, actor=None) -> list[Payout]:
    """Payouts for every seller with something due in the period (one
    transaction per seller: one seller's failure does not hold up the others)."""
    _check_period(period_start, period_end)
    candidates = Seller.objects.filter(
        Q(pk__in=OrderItem.objects.filter(payout_item__isnull=True).values("seller"))
        | Q(
            pk__in=Refund.objects.filter(status=RefundState.SUCCEEDED).values(
                "order__items__seller"
            )
        )
    ).order_by("pk")
    payouts = []
    for seller in candidates:
        payout = payout_generate(
            seller=seller, period_start=period_start, period_end=period_end, actor=actor
        )
        if payout is not None:
            payouts.append(payout)
    return payouts


def payout_mark_paid(*, payout: Payout, reference: str, actor) -> Payout:
    """Staff record that the money left, with the transfer's reference; the
    seller is told. A payout is paid once (409 the second time)."""
    reference = str(reference or "").strip()
    if not reference:
        raise ValidationFailed(
            "Give the payment's reference.", field_errors={"reference": ["Required."]}
        )
    with transaction.atomic(durable=True):
        locked = payout_qs_for_update().select_related("seller__owner").get(pk=payout.pk)
        if locked.status != PayoutStatus.PENDING:
            raise PayoutAlreadyPaid(f"Payout {locked.pk} was already paid ({locked.reference}).")
        before = snapshot(locked, ("status", "reference", "paid_at"))
        locked.status = PayoutStatus.PAID
        locked.reference = reference[:100]
        locked.paid_at = timezone.now()
        locked.paid_by = actor
        locked.save(update_fields=["status", "reference", "paid_at", "paid_by", "updated_at"])
        audit_record(
            entity=locked,
            action="payout.paid",
            actor=actor,
            old=before,
            new=snapshot(locked, ("status", "reference", "paid_at")),
        )
        _notify(locked.seller, locked, "payout_paid")
    return locked


def _notify(seller: Seller, payout: Payout, template: str) -> None:
    recipient = seller.contact_email or seller.owner.email
    if not recipient:
        return
    # Amounts are written now, in the seller's language (the email is too).
    language = seller.owner.preferred_language

    def money(amount):
        return format_money(amount, payout.currency, language=language or "en")

    notification_enqueue(
        channel="email",
        recipient=recipient,
        template=template,
        language=language,
        context={
            "store_name": seller.store_name,
            "payout_id": payout.pk,
            "period": f"{payout.period_start.isoformat()} – {payout.period_end.isoformat()}",
            "gross": money(payout.gross_amount),
            "commission": money(payout.commission_amount),
            "refunds": money(payout.refunds_amount),
            "net": money(payout.net_amount),
            "reference": payout.reference,
        },
        reference=("payout", payout.pk),
    )
