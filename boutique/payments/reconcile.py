"""Card payments left pending: a worker that dies between recording the attempt
(step 1 of `payment_card_pay`) and recording the gateway's answer (step 3)
leaves the payment and its attempt pending. Once a payment has been pending for
settings.PAYMENT_RECONCILE_AFTER_MINUTES (far longer than a gateway call may
take), the gateway is asked how the charge made with the attempt's idempotency
key stands, and the answer is recorded exactly as step 3 records it:

- succeeded: the payment succeeds and the order is paid (audit, stock,
  "payment received" message), through `payment_record_result`;
- requires_action: recorded as waiting for the bank (the webhook finishes it);
- failed, or no such charge (the request never reached the gateway): the
  payment and attempt fail and the order stays payable with a new key.

The gateway is asked outside any transaction; the answer is recorded under the
payment's row lock and only while it is still pending, and every update is
conditional, so jobs running at once, a late normal completion and a webhook
record one outcome, once. A gateway that cannot be reached leaves the payment
pending for the next run."""

import logging
from collections import Counter
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from boutique.orders.models import Order, PaymentMethod

from .gateways import CardResult, GatewayError, get_gateway
from .models import Payment, PaymentAttempt, PaymentState
from .services import payment_record_result

logger = logging.getLogger("boutique.payments")

RECONCILE_BATCH = 200
NOT_CHARGED = CardResult(
    status="failed",
    error_code="not_charged",
    error_message="The payment was interrupted before it reached the bank; you have not "
    "been charged. Please try again.",
)


def _cutoff(now=None):
    now = now or timezone.now()
    return now - timedelta(minutes=settings.PAYMENT_RECONCILE_AFTER_MINUTES)


def _stale(now=None):
    return Payment.objects.filter(
        method=PaymentMethod.CARD, status=PaymentState.PENDING, created_at__lte=_cutoff(now)
    )


def payment_reconcile(*, payment: Payment) -> str:
    """Ask the gateway about one pending card payment and record its answer.
    Returns what happened: succeeded, requires_action, failed, not_charged,
    unreachable (left pending) or settled (no longer pending: nothing to do).
    Calls the gateway holding no lock; then takes the payment's row lock."""
    attempt = (
        PaymentAttempt.objects.filter(payment_id=payment.pk).order_by("created_at", "pk").first()
    )
    if attempt is None or payment.status != PaymentState.PENDING:
        return "settled"
    try:
        # The gateway that took the charge, even if the shop has switched since.
        result = get_gateway(payment.provider).retrieve(
            idempotency_key=attempt.idempotency_key, transaction_ref=payment.transaction_ref
        )
    except GatewayError as exc:
        logger.warning("payment %s: the gateway could not be asked: %s", payment.pk, exc)
        return "unreachable"
    outcome = result.status if result is not None else "not_charged"
    with transaction.atomic():
        locked = (
            Payment.objects.select_for_update()
            .filter(pk=payment.pk, status=PaymentState.PENDING)
            .first()
        )
        if locked is None:  # a late normal completion or a webhook got there first
            return "settled"
        payment_record_result(payment=locked, attempt=attempt, result=result or NOT_CHARGED)
    logger.info("payment %s reconciled: %s", payment.pk, outcome)
    return outcome


def payments_reconcile_stale(*, now=None, limit: int = RECONCILE_BATCH) -> dict:
    """The periodic job: every card payment pending for longer than
    PAYMENT_RECONCILE_AFTER_MINUTES (at `now`), oldest first. Returns a count
    per outcome. Idempotent and safe to run concurrently with itself."""
    pending = _stale(now).order_by("created_at", "pk").values_list("pk", flat=True)
    outcomes: Counter = Counter()
    for pk in list(pending[:limit]):
        payment = Payment.objects.filter(pk=pk).first()
        if payment is not None:
            outcomes[payment_reconcile(payment=payment)] += 1
    return dict(outcomes)


def payments_reconcile_for_order(*, order: Order, now=None) -> dict:
    """Reconcile the order's stale pending card payments now (before a new
    payment of the order is taken). A payment pending for less than the
    threshold may still be in flight and is left alone."""
    outcomes: Counter = Counter()
    for payment in _stale(now).filter(order_id=order.pk).order_by("created_at", "pk"):
        outcomes[payment_reconcile(payment=payment)] += 1
    return dict(outcomes)
