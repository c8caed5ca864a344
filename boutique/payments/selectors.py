"""Every read of payments."""

from boutique.orders.errors import OrderNotFound
from boutique.orders.models import Order

from .models import Payment, PaymentAttempt


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
