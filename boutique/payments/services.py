"""Taking payments. Never call a gateway inside a transaction that holds locks:
record the attempt and commit, charge, then record the outcome in a second
transaction. The order moves to paid only through orders.services, and at most
one payment per order can succeed (a conditional update plus a partial unique
constraint), so a retried request, a webhook and a double click can never
capture twice.

A worker that dies between recording the attempt and recording the gateway's
answer leaves the payment pending; `reconcile.py` asks the gateway about it
later (by the attempt's idempotency key, which is also the key the gateway got)
and records the answer as step 3 would have. Meanwhile no new card payment of
that order is taken, so it cannot be charged twice."""

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from boutique.audit.services import audit_record
from boutique.core.errors import Conflict, DomainError, ValidationFailed
from boutique.orders.locks import order_for_update
from boutique.orders.models import Order, OrderStatus, PaymentMethod, PaymentStatus
from boutique.orders.services import (
    order_mark_paid,
    order_payment_failed,
    order_payment_status_set,
)

from .amounts import offline_amount
from .gateways import CardResult, GatewayError, get_gateway
from .models import AttemptOutcome, Payment, PaymentAttempt, PaymentState

OFFLINE_METHODS = {
    PaymentMethod.CASH_USD,
    PaymentMethod.CASH_LBP,
    PaymentMethod.COD,
    PaymentMethod.BANK_TRANSFER,
}


class PaymentRefused(DomainError):
    """The card was declined, or needs the customer's bank to confirm."""

    code = "payment_refused"
    status = 402
    title = "The payment did not go through"


class PaymentRequiresAction(PaymentRefused):
    """The customer's bank wants them to confirm (3-D Secure). The payment waits
    in requires_action; the bank's answer completes it (a webhook, or the test
    gateway's confirmation page)."""

    code = "payment_requires_action"
    title = "Your bank asks you to confirm this payment"

    def __init__(
        self,
        detail=None,
        *,
        payment_id: int | None = None,
        client_secret: str = "",
        next_action_url: str = "",
    ):
        super().__init__(detail)
        self.payment_id = payment_id
        self.client_secret = client_secret
        self.next_action_url = next_action_url


class PaymentBeingConfirmed(Conflict):
    """An earlier card payment of the order has not had the gateway's answer
    recorded yet: charging again could charge twice."""

    code = "payment_being_confirmed"
    title = "A payment for this order is still being confirmed"


class OrderNotPayable(Conflict):
    code = "order_not_payable"
    title = "This order cannot be paid now"


def _check_payable(order: Order) -> None:
    if order.status != OrderStatus.PENDING or order.payment_status not in (
        PaymentStatus.PENDING,
        PaymentStatus.FAILED,
    ):
        raise OrderNotPayable(f"Order {order.number} is {order.status}; it cannot be paid now.")
    if order.pay_by and order.pay_by <= timezone.now():
        raise OrderNotPayable(f"Order {order.number} was not paid in time and has expired.")


RESERVED_KEY_PREFIXES = ("refund-",)


def _clean_key(key) -> str:
    key = str(key or "").strip()
    if not key or len(key) > 100 or not key.isascii() or not key.isprintable():
        raise ValidationFailed(
            "An Idempotency-Key of 1 to 100 printable characters is required.",
            field_errors={"idempotency_key": ["Required."]},
        )
    if key.lower().startswith(RESERVED_KEY_PREFIXES):
        # The gateway shares one key space between charges and our refunds
        # ("refund-RF-…"): a customer's key must never name a future refund.
        raise ValidationFailed(
            "This Idempotency-Key is reserved; choose another.",
            field_errors={"idempotency_key": ["Reserved prefix."]},
        )
    return key


def _previous_attempt(key: str, order: Order) -> PaymentAttempt | None:
    attempt = PaymentAttempt.objects.select_related("payment").filter(idempotency_key=key).first()
    if attempt is not None and attempt.order_id != order.pk:
        raise Conflict("This Idempotency-Key was used for another order.")
    return attempt


def _replay(attempt: PaymentAttempt) -> Payment:
    if attempt.outcome == AttemptOutcome.PENDING:
        raise Conflict("This payment is still being processed; try again in a moment.")
    if attempt.outcome == AttemptOutcome.REQUIRES_ACTION and attempt.payment is not None:
        if attempt.payment.status == PaymentState.SUCCEEDED:
            return attempt.payment
        raise PaymentRequiresAction(attempt.error_message, payment_id=attempt.payment_id)
    if attempt.outcome in (
        AttemptOutcome.FAILED,
        AttemptOutcome.ERROR,
        AttemptOutcome.REQUIRES_ACTION,
    ):
        raise PaymentRefused(attempt.error_message or "The payment did not go through.")
    return attempt.payment


def payment_card_pay(*, order: Order, token: str, idempotency_key, actor=None) -> Payment:
    """Charge the order's total on a card token through the active gateway.
    Same key, same answer. A decline records the attempt, marks the order's
    payment as failed (it stays payable until it expires) and raises
    PaymentRefused with the bank's reason."""
    key = _clean_key(idempotency_key)
    if not str(token or "").strip():
        raise ValidationFailed("A card token is required.", field_errors={"token": ["Required."]})
    gateway = get_gateway()
    # Late import: reconcile.py records outcomes through this module.
    from .reconcile import payments_reconcile_for_order

    previous = _previous_attempt(key, order)
    if previous is not None:
        if previous.outcome == AttemptOutcome.PENDING:
            # Ask the gateway about it first, if its worker has died.
            payments_reconcile_for_order(order=order)
            previous.refresh_from_db()
        return _replay(previous)
    payments_reconcile_for_order(order=order)
    # 1. Record the attempt and a pending payment, and commit.
    try:
        with transaction.atomic():
            locked = order_for_update().get(pk=order.pk)
            _check_payable(locked)
            if Payment.objects.filter(order=locked, status=PaymentState.SUCCEEDED).exists():
                raise OrderNotPayable(f"Order {locked.number} is already paid.")
            if Payment.objects.filter(
                order=locked, method=PaymentMethod.CARD, status=PaymentState.PENDING
            ).exists():
                raise PaymentBeingConfirmed(
                    "A payment for this order is still being confirmed with the bank; "
                    "try again in a few minutes."
                )
            payment = Payment.objects.create(
                order=locked,
                method=PaymentMethod.CARD,
                provider=gateway.name,
                amount=locked.total,
                currency=locked.currency,
                exchange_rate=locked.exchange_rate,
            )
            attempt = PaymentAttempt.objects.create(
                order=locked, payment=payment, idempotency_key=key, method=PaymentMethod.CARD
            )
    except IntegrityError:  # the same key raced us: answer with its attempt
        return _replay(PaymentAttempt.objects.select_related("payment").get(idempotency_key=key))
    # 2. Charge, outside any transaction.
    try:
        result = gateway.charge(
            amount=payment.amount,
            currency=payment.currency,
            token=token,
            idempotency_key=key,
            description=f"Order {order.number}",
            # Names our payment even if its answer is never recorded (reconcile, webhooks).
            metadata={"order": order.number, "payment": payment.pk, "attempt_key": key},
        )
    except GatewayError as exc:
        _record_failure(payment, attempt, code="gateway_error", message=str(exc)[:255])
        raise PaymentRefused(
            "The payment service could not be reached; you have not been charged. Try again."
        ) from exc
    # 3. Record the outcome.
    payment = payment_record_result(payment=payment, attempt=attempt, result=result, actor=actor)
    if result.status == "succeeded":
        return payment
    if result.status == "requires_action":
        raise PaymentRequiresAction(
            result.error_message,
            payment_id=payment.pk,
            client_secret=result.client_secret,
            next_action_url=result.next_action_url,
        )
    raise PaymentRefused(result.error_message or "Your card was declined.")


def payment_record_result(
    *, payment: Payment, attempt: PaymentAttempt, result: CardResult, actor=None
) -> Payment:
    """Record a gateway's answer about a card payment (from the charge call or
    a later lookup): succeeded pays the order; requires_action waits for the
    bank; anything else fails the payment and keeps the order payable. Each
    change is conditional on the payment still waiting, so two recorders of
    the same answer record it once."""
    card = {
        "card_brand": result.brand[:20],
        "card_last4": result.last4[-4:],
        "card_exp_month": result.exp_month,
        "card_exp_year": result.exp_year,
        "card_token": result.token[:100],
        "transaction_ref": result.transaction_ref[:100],
    }
    if result.status == "succeeded":
        return payment_succeeded(payment=payment, attempt=attempt, actor=actor, **card)
    needs_action = result.status == "requires_action"
    _record_failure(
        payment,
        attempt,
        code=result.error_code,
        message=result.error_message,
        outcome=AttemptOutcome.REQUIRES_ACTION if needs_action else AttemptOutcome.FAILED,
        card=card,
    )
    payment.refresh_from_db()
    return payment


def _record_failure(payment, attempt, *, code, message, outcome=AttemptOutcome.ERROR, card=None):
    now = timezone.now()
    with transaction.atomic():
        state = (
            PaymentState.REQUIRES_ACTION
            if outcome == AttemptOutcome.REQUIRES_ACTION
            else PaymentState.FAILED
        )
        changed = Payment.objects.filter(pk=payment.pk, status=PaymentState.PENDING).update(
            status=state,
            error_code=code[:60],
            error_message=message[:255],
            updated_at=now,
            **(card or {}),
        )
        PaymentAttempt.objects.filter(pk=attempt.pk, outcome=AttemptOutcome.PENDING).update(
            outcome=outcome, error_code=code[:60], error_message=message[:255], finished_at=now
        )
        if not changed:  # already recorded (a reconcile or webhook got there first)
            return
        audit_record(
            entity=payment,
            action="payment.failed",
            new={"order": payment.order.number, "code": code, "message": message},
        )
        order_payment_failed(order=payment.order, reason=message)


def payment_succeeded(
    *, payment: Payment, attempt: PaymentAttempt | None = None, actor=None, **fields
) -> Payment:
    """Mark a payment succeeded (from the charge call or a webhook) and the order
    paid. Idempotent: a payment already succeeded is returned as it is; a
    second payment for an already-paid order is refused by the database."""
    now = timezone.now()
    with transaction.atomic():
        changed = Payment.objects.filter(
            pk=payment.pk,
            status__in=[PaymentState.PENDING, PaymentState.REQUIRES_ACTION, PaymentState.FAILED],
        ).update(status=PaymentState.SUCCEEDED, succeeded_at=now, updated_at=now, **fields)
        attempts = PaymentAttempt.objects.filter(payment=payment)
        # Without a named attempt (a webhook), the attempt still waiting is the one.
        attempts = (
            attempts.filter(pk=attempt.pk)
            if attempt is not None
            else attempts.filter(outcome=AttemptOutcome.PENDING)
        )
        attempts.update(outcome=AttemptOutcome.SUCCEEDED, finished_at=now)
        payment.refresh_from_db()
        if changed:
            audit_record(
                entity=payment,
                action="payment.succeeded",
                actor=actor,
                old={"status": "pending"},
                new={
                    "status": PaymentState.SUCCEEDED,
                    "order": payment.order.number,
                    "amount": payment.amount,
                    "currency": payment.currency,
                    "method": payment.method,
                    "ref": payment.transaction_ref or payment.bank_reference,
                },
            )
            order = Order.objects.get(pk=payment.order_id)
            if order.status == OrderStatus.PENDING:
                order_mark_paid(order=order, actor=actor)
    return payment


def payment_confirm_offline(
    *,
    order: Order,
    method: str,
    actor,
    reference: str = "",
    amount: Decimal | None = None,
) -> Payment:
    """Staff confirm money received outside the card gateway: cash in USD or LBP
    (LBP at the order's own rate), cash on delivery, or a bank transfer (with the
    bank's reference). Marks the order paid. Audited with the staff member."""
    if method not in OFFLINE_METHODS:
        raise ValidationFailed("Choose cash, cash on delivery or bank transfer.")
    reference = str(reference or "").strip()[:100]
    if method == PaymentMethod.BANK_TRANSFER and not reference:
        raise ValidationFailed(
            "Enter the bank's reference for the transfer.",
            field_errors={"reference": ["Required for a bank transfer."]},
        )
    with transaction.atomic():
        locked = order_for_update().get(pk=order.pk)
        # Cash on delivery is collected at the door: the order may be on its way
        # or delivered by then.
        collectable = (OrderStatus.PENDING, OrderStatus.PROCESSING) + (
            (OrderStatus.SHIPPED, OrderStatus.DELIVERED)
            if locked.payment_method == PaymentMethod.COD
            else ()
        )
        if locked.status not in collectable or locked.payment_status == PaymentStatus.PAID:
            raise OrderNotPayable(f"Order {locked.number} is {locked.status}; nothing to confirm.")
        currency, rate, due = offline_amount(locked, method)
        if amount is not None and Decimal(amount) != due:
            raise ValidationFailed(
                f"The amount due is {due} {currency}.", field_errors={"amount": [str(due)]}
            )
        payment = Payment.objects.create(
            order=locked,
            method=method,
            provider="offline",
            amount=due,
            currency=currency,
            exchange_rate=rate,
            bank_reference=reference if method == PaymentMethod.BANK_TRANSFER else "",
            transaction_ref="",
            confirmed_by=actor,
        )
        now = timezone.now()
        Payment.objects.filter(pk=payment.pk).update(
            status=PaymentState.SUCCEEDED, succeeded_at=now, updated_at=now
        )
        payment.refresh_from_db()
        audit_record(
            entity=payment,
            action="payment.confirmed",
            actor=actor,
            new={
                "order": locked.number,
                "method": method,
                "amount": due,
                "currency": currency,
                "reference": reference,
            },
        )
        if locked.status == OrderStatus.PENDING:
            order_mark_paid(order=locked, actor=actor)
        else:  # cash on delivery collected for an order already being processed
            order_payment_status_set(order=locked, payment_status=PaymentStatus.PAID, actor=actor)
    return payment


def payment_test_authorise(*, payment: Payment, approve: bool) -> Payment:
    """The offline test gateway's stand-in for the bank's 3-D Secure page: the
    customer approves (the payment succeeds, the order is paid) or refuses."""
    if payment.provider != "test" or payment.status != PaymentState.REQUIRES_ACTION:
        raise Conflict("This payment is not waiting for a confirmation.")
    attempt = payment.attempts.order_by("-created_at").first()
    if approve:
        return payment_succeeded(payment=payment, attempt=attempt)
    now = timezone.now()
    with transaction.atomic():
        Payment.objects.filter(pk=payment.pk, status=PaymentState.REQUIRES_ACTION).update(
            status=PaymentState.FAILED,
            error_code="authentication_failed",
            error_message="You did not confirm the payment with your bank.",
            updated_at=now,
        )
        if attempt is not None:
            PaymentAttempt.objects.filter(pk=attempt.pk).update(
                outcome=AttemptOutcome.FAILED,
                error_code="authentication_failed",
                error_message="You did not confirm the payment with your bank.",
                finished_at=now,
            )
    payment.refresh_from_db()
    return payment
