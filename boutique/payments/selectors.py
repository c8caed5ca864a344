"""Every read of payments."""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings

from boutique.orders.errors import OrderNotFound
from boutique.orders.models import Order, OrderStatus, PaymentMethod, PaymentStatus

from .amounts import offline_amount
from .models import Payment, PaymentAttempt, Refund


def payments_for_order(*, order: Order) -> list[Payment]:
    """An order's payments and tries, newest first (one query)."""
    return list(Payment.objects.filter(order=order).order_by("-created_at", "-id"))


def payment_attempt_exists(*, idempotency_key: str) -> bool:
    """Whether a try with this key was already made (its answer is a replay)."""
    key = str(idempotency_key or "").strip()
    return bool(key) and PaymentAttempt.objects.filter(idempotency_key=key).exists()


def order_get_for_staff(*, number: str) -> Order:
    """Any order by its number, for the back office (the caller checked the
    permission); an unknown number is OrderNotFound."""
    number = str(number or "").strip().upper()
    order = None
    if number.isprintable() and len(number) <= 40:
        order = Order.objects.filter(number=number).first()
    if order is None:
        raise OrderNotFound("No order with that number.")
    return order


@dataclass(frozen=True)
class PaymentDue:
    method: str
    currency: str
    amount: Decimal
    rate: Decimal
    payable_online: bool  # a card form is offered
    bank_details: str = ""
    reference: str = ""


def payment_due(order: Order) -> PaymentDue | None:
    """What is left to pay on an order and how (None when nothing is due)."""
    if order.status != OrderStatus.PENDING or order.payment_status not in (
        PaymentStatus.PENDING,
        PaymentStatus.FAILED,
    ):
        return None
    if order.payment_method == PaymentMethod.CARD:
        return PaymentDue(
            method=order.payment_method,
            currency=order.currency,
            amount=order.total,
            rate=order.exchange_rate,
            payable_online=True,
        )
    currency, rate, amount = offline_amount(order, order.payment_method)
    is_transfer = order.payment_method == PaymentMethod.BANK_TRANSFER
    return PaymentDue(
        method=order.payment_method,
        currency=currency,
        amount=amount,
        rate=rate,
        payable_online=False,
        bank_details=settings.BANK_TRANSFER_DETAILS if is_transfer else "",
        reference=order.number,
    )


def refund_key_used(*, idempotency_key: str | None) -> bool:
    """Whether a refund was already asked for with this key (its answer is a replay)."""
    key = str(idempotency_key or "").strip()
    return bool(key) and Refund.objects.filter(idempotency_key=key).exists()
