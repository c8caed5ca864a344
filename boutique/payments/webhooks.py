"""Gateway webhooks: verified, stored once, processed once.

`webhook_receive` checks the signature, stores the event under its
(provider, event id) and commits, then processes it in a second transaction
under the event's row lock. Processing ends with a conditional update
(`processed_at IS NULL`), so ten deliveries of one event, at once or one after
another, capture once. An event that cannot be applied yet (a refund notice
before the capture notice, a payment we do not know yet) stays stored with
`processed_at` empty and the reason in `error`; `webhook_events_retry` applies
pending events later in the order they were received.

A payment event is matched by the gateway's reference, or, when the shop never
recorded that reference (its worker died before the charge's answer was
stored), by the charge's metadata: our payment id together with the attempt's
key (or the order number), both of which must agree."""

import logging
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from boutique.audit.services import audit_record
from boutique.core.errors import DomainError, NotFound
from boutique.core.money import quantize
from boutique.orders.models import Order, OrderStatus
from boutique.orders.services import order_payment_failed

from .gateways import GatewayError, InvalidSignature, WebhookMessage, get_gateway
from .models import (
    AttemptOutcome,
    Payment,
    PaymentAttempt,
    PaymentState,
    Refund,
    RefundState,
    WebhookEvent,
)
from .refunds import refund_number_next, refund_succeeded
from .services import payment_succeeded

logger = logging.getLogger("boutique.payments")

PAYMENT_SUCCEEDED = "payment.succeeded"
PAYMENT_FAILED = "payment.failed"
REFUND_SUCCEEDED = "refund.succeeded"
UNKNOWN_PAYMENT = "unknown payment"
RETRY_BATCH = 500


class WebhookSignatureInvalid(DomainError):
    code = "invalid_signature"
    status = 400
    title = "The webhook signature does not verify"


class WebhookInvalid(DomainError):
    code = "invalid_webhook"
    status = 400
    title = "The webhook cannot be read"


class _NotYet(Exception):
    """The event cannot be applied now; it stays pending for a retry."""


# --- Receiving ---------------------------------------------------------------------------
def _gateway_for(provider: str):
    """Only the active gateway's webhooks are accepted: a test gateway's shared
    secret must never be able to pay orders in a shop that takes real cards."""
    provider = str(provider or "")
    if provider != settings.PAYMENT_GATEWAY:
        raise NotFound(f"No webhooks are received for {provider[:40]!r}.")
    try:
        return get_gateway(provider)
    except (GatewayError, ImportError) as exc:
        raise NotFound(f"No webhooks are received for {provider[:40]!r}.") from exc


def _amount_text(amount) -> str | None:
    return None if amount is None else str(amount)


def _stored_payload(message: WebhookMessage) -> dict:
    """The gateway's payload as sent, beside the normalised fields processing
    reads (so a retry needs neither the signature nor the gateway)."""
    return {
        "event": message.payload,
        "normalised": {
            "type": message.type,
            "transaction_ref": message.transaction_ref,
            "amount": _amount_text(message.amount),
            "currency": message.currency,
            "refund_ref": message.refund_ref,
            "metadata": dict(message.metadata or {}),
        },
    }


def _store(provider: str, message: WebhookMessage) -> tuple[WebhookEvent, bool]:
    """Store the event once. A concurrent twin hits the unique constraint and
    reads the row the winner committed."""
    event_id = str(message.event_id or "").strip()
    if not event_id or len(event_id) > 100:
        raise WebhookInvalid("The webhook has no usable event id.")
    defaults = {"type": str(message.type or "")[:80], "payload": _stored_payload(message)}
    with transaction.atomic(durable=True):
        try:
            with transaction.atomic():
                return WebhookEvent.objects.get_or_create(
                    provider=provider, event_id=event_id, defaults=defaults
                )
        except IntegrityError:
            pass
    return WebhookEvent.objects.get(provider=provider, event_id=event_id), False


def webhook_receive(*, provider: str, payload: bytes, headers) -> WebhookEvent:
    """Verify, store once and process a gateway's notification. A duplicate
    delivery returns the stored event without processing it again. Raises
    NotFound for a provider we take no webhooks from and WebhookSignatureInvalid
    (nothing stored) when the signature does not verify."""
    gateway = _gateway_for(provider)
    try:
        message = gateway.parse_webhook(payload=bytes(payload or b""), headers=headers)
    except InvalidSignature as exc:
        raise WebhookSignatureInvalid(str(exc) or None) from exc
    event, created = _store(provider, message)
    if not created:
        return event
    return webhook_event_process(event=event)


# --- Processing --------------------------------------------------------------------------
def webhook_event_process(*, event: WebhookEvent) -> WebhookEvent:
    """Apply a stored event at most once. Takes the event's row lock, then the
    payment's and the order's (through the services it calls); marks it
    processed with a conditional update so concurrent runs apply it once. An
    event that cannot be applied yet keeps processed_at empty and says why."""
    with transaction.atomic(durable=True):
        locked = WebhookEvent.objects.select_for_update().filter(pk=event.pk).first()
        if locked is None or locked.processed_at is not None:
            return locked or event
        try:
            with transaction.atomic():
                note = _apply(locked)
        except (_NotYet, DomainError) as exc:
            reason = str(getattr(exc, "detail", "") or exc)[:255]
            WebhookEvent.objects.filter(pk=locked.pk, processed_at__isnull=True).update(
                error=reason
            )
            logger.info("webhook %s %s left pending: %s", locked.provider, locked.pk, reason)
        else:
            WebhookEvent.objects.filter(pk=locked.pk, processed_at__isnull=True).update(
                processed_at=timezone.now(), error=note[:255]
            )
    locked.refresh_from_db()
    return locked


def webhook_events_retry(*, limit: int = RETRY_BATCH) -> int:
    """Apply events still pending, oldest first (received order), each in its
    own transaction. Returns how many were applied now. Safe to run while
    webhooks arrive: each event is applied once."""
    pending = WebhookEvent.objects.filter(processed_at__isnull=True).order_by("received_at", "pk")
    applied = 0
    for pk in list(pending.values_list("pk", flat=True)[:limit]):
        event = webhook_event_process(event=WebhookEvent(pk=pk))
        if event.processed_at is not None:
            applied += 1
    return applied


def _normalised(event: WebhookEvent) -> dict:
    data = (event.payload or {}).get("normalised") if isinstance(event.payload, dict) else None
    return data if isinstance(data, dict) else {}


def _amount(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite():
        raise _NotYet(f"unreadable amount {str(value)[:40]!r}")
    return amount


def _apply(event: WebhookEvent) -> str:
    handler = HANDLERS.get(event.type)
    if handler is None:
        return f"ignored: {event.type[:60]}"
    data = _normalised(event)
    ref = str(data.get("transaction_ref") or "")
    payment = (
        Payment.objects.select_for_update()
        .filter(provider=event.provider, transaction_ref=ref)
        .order_by("pk")
        .first()
        if ref
        else None
    )
    if payment is None and event.type in (PAYMENT_SUCCEEDED, PAYMENT_FAILED):
        payment = _payment_named_by_metadata(event, data)
    if payment is None:
        raise _NotYet(UNKNOWN_PAYMENT)
    return handler(event, payment, data)


def _payment_named_by_metadata(event: WebhookEvent, data: dict) -> Payment | None:
    """The payment a charge's metadata names, if it has no gateway reference
    yet and the attempt key (or, for older charges, the order number) agrees."""
    metadata = data.get("metadata")
    metadata = metadata if isinstance(metadata, dict) else {}
    pk = str(metadata.get("payment") or "")
    if not pk.isdigit() or len(pk) > 18:
        return None
    payment = (
        Payment.objects.select_for_update()
        .filter(pk=int(pk), provider=event.provider, transaction_ref="")
        .select_related("order")
        .first()
    )
    if payment is None:
        return None
    key = str(metadata.get("attempt_key") or "")
    if key:
        agrees = payment.attempts.filter(idempotency_key=key).exists()
    else:
        agrees = str(metadata.get("order") or "") == payment.order.number
    return payment if agrees else None


def _reference(payment: Payment, data: dict) -> dict:
    """The gateway's reference, for a payment found by its metadata."""
    ref = str(data.get("transaction_ref") or "")[:100]
    return {"transaction_ref": ref} if ref and not payment.transaction_ref else {}


def _on_payment_succeeded(event: WebhookEvent, payment: Payment, data: dict) -> str:
    amount = _amount(data.get("amount"))
    currency = str(data.get("currency") or "").upper()
    if (amount is not None and amount != payment.amount) or (
        currency and currency != payment.currency
    ):
        raise _NotYet(
            f"amount mismatch: notified {amount} {currency}, "
            f"expected {payment.amount} {payment.currency}"
        )
    if payment.status == PaymentState.SUCCEEDED:
        return ""
    try:
        payment = payment_succeeded(payment=payment, **_reference(payment, data))
    except IntegrityError as exc:  # another payment of this order already succeeded
        raise _NotYet("the order is already paid by another payment") from exc
    order = Order.objects.only("status", "number").get(pk=payment.order_id)
    if order.status == OrderStatus.CANCELLED:
        return f"captured for cancelled order {order.number}: refund it"
    return ""


def _on_payment_failed(event: WebhookEvent, payment: Payment, data: dict) -> str:
    """Only a payment still waiting can fail; a late failure notice never
    undoes a success."""
    sent = (event.payload or {}).get("event")
    sent = sent if isinstance(sent, dict) else {}
    # The test gateway says it at the top; Stripe in the PaymentIntent's last error.
    intent = (sent.get("data") or {}).get("object") if isinstance(sent.get("data"), dict) else {}
    last_error = (intent or {}).get("last_payment_error") if isinstance(intent, dict) else None
    reason = str(
        sent.get("error_message")
        or (last_error.get("message") if isinstance(last_error, dict) else "")
        or ""
    )
    reason = reason or "The payment did not go through."
    changed = Payment.objects.filter(
        pk=payment.pk, status__in=[PaymentState.PENDING, PaymentState.REQUIRES_ACTION]
    ).update(
        status=PaymentState.FAILED,
        error_code="webhook_failed",
        error_message=reason[:255],
        updated_at=timezone.now(),
        **_reference(payment, data),
    )
    if not changed:
        return f"payment already {payment.status}"
    PaymentAttempt.objects.filter(payment=payment, outcome=AttemptOutcome.PENDING).update(
        outcome=AttemptOutcome.FAILED,
        error_code="webhook_failed",
        error_message=reason[:255],
        finished_at=timezone.now(),
    )
    audit_record(
        entity=payment,
        action="payment.failed",
        old={"status": payment.status},
        new={"status": PaymentState.FAILED, "event": event.event_id, "message": reason},
    )
    order_payment_failed(order=Order.objects.get(pk=payment.order_id), reason=reason)
    return ""


def _on_refund_succeeded(event: WebhookEvent, payment: Payment, data: dict) -> str:
    """A refund notice counts only once the capture is known: before that it
    waits (stored, unprocessed), so it is never applied to a payment that has
    not succeeded. A refund we made ourselves is completed through
    refunds.refund_succeeded (once); one made at the provider (its dashboard)
    is recorded as a Refund of its own, within what is left to refund."""
    if payment.status != PaymentState.SUCCEEDED:
        raise _NotYet("the payment's capture is not known yet")
    refund_ref = str(data.get("refund_ref") or "")[:100]
    ours = Refund.objects.filter(payment=payment)
    known = ours.filter(provider_ref=refund_ref).order_by("pk").first() if refund_ref else None
    if known is not None:
        if known.status == RefundState.PENDING:
            refund_succeeded(refund=known, provider_ref=refund_ref)
            return ""
        if known.status == RefundState.SUCCEEDED:
            return f"duplicate: refund {known.refund_number} already recorded"
        raise _NotYet(f"refund {known.refund_number} is recorded as failed; check the provider")
    if ours.filter(status=RefundState.PENDING, provider_ref="").exists():
        raise _NotYet("a refund of this payment is waiting for the provider's answer")
    amount = _amount(data.get("amount"))
    amount = payment.refundable if amount is None else amount
    if amount != quantize(amount, payment.currency) or amount <= 0:
        raise _NotYet(f"unusable refund amount {amount}")
    if amount > payment.refundable:
        raise _NotYet(f"refund of {amount} exceeds the {payment.refundable} still refundable")
    reserved = Payment.objects.filter(
        pk=payment.pk, amount_refunded__lte=F("amount") - amount
    ).update(amount_refunded=F("amount_refunded") + amount, updated_at=timezone.now())
    if not reserved:  # pragma: no cover - the payment row lock makes this unreachable
        raise _NotYet("the payment changed meanwhile")
    refund = Refund(
        order_id=payment.order_id,
        payment=payment,
        refund_number=refund_number_next(),
        amount=amount,
        currency=payment.currency,
        reason=f"Refunded at {payment.provider} (webhook {event.event_id})"[:255],
        provider_ref=refund_ref,
    )
    refund.full_clean(validate_unique=False, validate_constraints=False)
    refund.save()
    refund_succeeded(refund=refund, provider_ref=refund_ref)
    return ""


HANDLERS = {
    PAYMENT_SUCCEEDED: _on_payment_succeeded,
    PAYMENT_FAILED: _on_payment_failed,
    REFUND_SUCCEEDED: _on_refund_succeeded,
}
