"""Every change to an order after it is placed (placing is checkout's job).

Status changes are conditional updates (`UPDATE … WHERE status = <from>`) under
the order's row lock, so two staff members, a customer and the expiry job can
never both move the same order: the second one gets IllegalTransition (409).
"""

from datetime import timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from boutique.accounts.models import OtpPurpose
from boutique.accounts.services import otp_check, otp_request, phone_normalise
from boutique.audit.services import audit_record
from boutique.catalog.cache import catalog_changed
from boutique.core.errors import ValidationFailed, validation_errors_from_django
from boutique.core.money import BASE_CURRENCY, CURRENCY_CHOICES
from boutique.inventory.models import HolderType
from boutique.inventory.services import (
    reservations_consume_for,
    reservations_release_for,
    stock_return,
)
from boutique.notifications.services import notification_enqueue
from boutique.promotions.services import coupon_redemptions_return
from boutique.registry.services_checkout import registry_purchases_cancel

from . import domain
from .errors import IllegalTransition, OrderNotFound
from .locks import order_counter_for_update, order_for_update
from .models import ExchangeRate, Order, OrderNumberCounter, OrderStatus, PaymentStatus


# --- Numbers and deadlines ------------------------------------------------------------
def order_number_next(*, now=None) -> str:
    """BQ-2026-000123: a gap-free sequence per year. Call inside the placing
    transaction: the counter row lock serialises concurrent checkouts for the
    moment it takes."""
    year = (now or timezone.now()).year
    OrderNumberCounter.objects.get_or_create(year=year)
    counter = order_counter_for_update().get(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{settings.ORDER_NUMBER_PREFIX}-{year}-{counter.last:06d}"


def pay_by_for(payment_method: str, *, now=None) -> timezone.datetime:
    minutes = settings.ORDER_PAY_WITHIN_MINUTES.get(payment_method, 72 * 60)
    return (now or timezone.now()) + timedelta(minutes=minutes)


# --- Status changes ---------------------------------------------------------------------
def _locked(order: Order) -> Order:
    return order_for_update().get(pk=order.pk)


def _move(order: Order, target: str, *, actor, extra: dict | None = None, reason: str = ""):
    """Conditional update from the order's current status to `target`."""
    current = order.status
    if not domain.can_transition(current, target):
        raise IllegalTransition(f"Order {order.number} is {current}; it cannot become {target}.")
    if current == OrderStatus.PENDING and target == OrderStatus.PROCESSING:
        if not domain.pending_to_processing_allowed(order.payment_method):
            raise IllegalTransition(
                f"Order {order.number} is not paid yet; only cash on delivery is processed unpaid."
            )
        if order.cod_confirmed_at is None:
            raise IllegalTransition(
                f"The customer has not confirmed cash-on-delivery order {order.number} with "
                "the texted code yet; it cannot be dispatched."
            )
    fields = {"status": target, "updated_at": timezone.now(), **(extra or {})}
    changed = Order.objects.filter(pk=order.pk, status=current).update(**fields)
    if not changed:  # pragma: no cover - the row lock makes this unreachable
        raise IllegalTransition(f"Order {order.number} changed meanwhile.")
    old = {"status": current}
    new = {"status": target}
    if "payment_status" in (extra or {}):
        old["payment_status"] = order.payment_status
        new["payment_status"] = extra["payment_status"]
    if reason:
        new["reason"] = reason
    audit_record(entity=order, action=f"order.{target}", actor=actor, old=old, new=new)
    for key, value in fields.items():
        setattr(order, key, value)
    return order


def _commit_stock(order: Order, *, actor) -> None:
    """The order's reservations become OUT movements (stock leaves the shelf)."""
    reservations_consume_for(
        holder_type=HolderType.ORDER,
        holder_id=order.number,
        actor=actor,
        note=f"order {order.number}",
    )


def order_transition(*, order: Order, target: str, actor=None) -> Order:
    """Staff move an order along its lifecycle. Illegal moves are 409 and change
    nothing. Paid and processing take the stock off the shelf."""
    if target not in OrderStatus.values:
        raise ValidationFailed(f"Unknown status {target!r}.", field_errors={"status": [target]})
    if target == OrderStatus.CANCELLED:
        return order_cancel(order=order, actor=actor, reason="cancelled by staff")
    with transaction.atomic():
        order = _locked(order)
        extra = {}
        if target == OrderStatus.PAID:
            extra["payment_status"] = PaymentStatus.PAID
        _move(order, target, actor=actor, extra=extra)
        if target in (OrderStatus.PAID, OrderStatus.PROCESSING):
            _commit_stock(order, actor=actor)
        if target == OrderStatus.PAID:
            notification_enqueue(
                channel="email",
                recipient=order.email,
                template="payment_received",
                language=order.email_language,
                context={
                    "number": order.number,
                    "amount": str(order.total),
                    "total": str(order.total),
                    "currency": order.currency,
                },
                reference=("order", order.number),
            )
    return order


def order_mark_paid(*, order: Order, actor=None) -> Order:
    """Payment confirmed (the payments app calls this)."""
    return order_transition(order=order, target=OrderStatus.PAID, actor=actor)


def order_cancel(*, order: Order, actor=None, reason: str = "", by_customer=None) -> Order:
    """Cancel an order that has not shipped: held stock is released, stock that
    already left the shelf comes back with RETURN movements, and coupon uses are
    given back. `by_customer` checks the order is theirs."""
    with transaction.atomic():
        order = _locked(order)
        if by_customer is not None and order.user_id != by_customer.pk:
            raise OrderNotFound(gettext("No such order in your account."))
        if order.status not in domain.CANCELLABLE:
            raise IllegalTransition(
                f"Order {order.number} is {order.status}; only orders that have not shipped "
                "can be cancelled."
            )
        committed = order.status in domain.STOCK_COMMITTED
        now = timezone.now()
        _move(
            order,
            OrderStatus.CANCELLED,
            actor=actor,
            extra={"cancelled_at": now, "cancel_reason": reason[:200]},
            reason=reason,
        )
        reservations_release_for(
            holder_type=HolderType.ORDER, holder_id=order.number, actor=actor, reason=reason
        )
        if committed:
            for item in order.items.select_related("variant").order_by("variant_id"):
                if item.variant is not None:
                    stock_return(
                        variant=item.variant,
                        quantity=item.quantity,
                        actor=actor,
                        note=f"order {order.number} cancelled",
                        reference=("order", order.number),
                    )
        coupon_redemptions_return(order_number=order.number, actor=actor)
        registry_purchases_cancel(order=order, actor=actor, reason=reason)
        notification_enqueue(
            channel="email",
            recipient=order.email,
            template="order_cancelled",
            language=order.email_language,
            context={
                "number": order.number,
                "reason": reason,
                "total": str(order.total),
                "currency": order.currency,
                "was_paid": order.payment_status == PaymentStatus.PAID,
            },
            reference=("order", order.number),
        )
    return order


def orders_expire_unpaid(*, now=None) -> list[str]:
    """The periodic job: cancel pending orders past their payment deadline, which
    releases their stock and coupon uses. Returns the numbers it expired."""
    now = now or timezone.now()
    expired = []
    due = Order.objects.filter(status=OrderStatus.PENDING, pay_by__lte=now).values_list(
        "pk", flat=True
    )
    for pk in list(due[:500]):
        order = Order.objects.get(pk=pk)
        try:
            order_cancel(order=order, reason="not paid in time")
        except IllegalTransition:
            continue  # paid or cancelled meanwhile
        expired.append(order.number)
    return expired


# --- Exchange rates -------------------------------------------------------------------
def exchange_rate_set(*, currency: str, rate, effective_from=None, actor=None) -> ExchangeRate:
    """Staff record a new rate. Placed orders keep the rate they were placed at."""
    if currency == BASE_CURRENCY or currency not in dict(CURRENCY_CHOICES):
        raise ValidationFailed(
            gettext("Rates are for currencies other than US dollars."),
            field_errors={"currency": [str(currency)]},
        )
    try:
        value = Decimal(str(rate))
    except (InvalidOperation, ValueError):
        value = Decimal(0)
    if not value.is_finite() or value <= 0:
        raise ValidationFailed(
            gettext("A rate is a positive number."), field_errors={"rate": [str(rate)]}
        )
    with transaction.atomic():
        row = ExchangeRate(
            currency=currency,
            rate=value,
            effective_from=effective_from or timezone.now(),
            created_by=actor,
        )
        try:
            row.full_clean()
        except DjangoValidationError as exc:
            raise ValidationFailed(
                gettext("The rate is not valid."), field_errors=validation_errors_from_django(exc)
            ) from exc
        row.save()
        catalog_changed()  # the currency picker on cached pages lists it
        audit_record(
            entity=row,
            action="exchange_rate.set",
            actor=actor,
            new={"currency": currency, "rate": value, "effective_from": row.effective_from},
        )
    return row


def order_payment_failed(*, order: Order, actor=None, reason: str = "") -> None:
    """A payment attempt failed: the order stays payable (until it expires) and
    says so. Only a pending payment status changes."""
    with transaction.atomic():
        changed = Order.objects.filter(
            pk=order.pk, payment_status=PaymentStatus.PENDING, status=OrderStatus.PENDING
        ).update(payment_status=PaymentStatus.FAILED, updated_at=timezone.now())
        if changed:
            audit_record(
                entity=order,
                action="order.payment_failed",
                actor=actor,
                old={"payment_status": PaymentStatus.PENDING},
                new={"payment_status": PaymentStatus.FAILED, "reason": reason[:200]},
            )


def order_payment_status_set(*, order: Order, payment_status: str, actor=None) -> None:
    """Refunds move the payment status (partially_refunded, refunded)."""
    if payment_status not in PaymentStatus.values:
        raise ValidationFailed(f"Unknown payment status {payment_status!r}.")
    with transaction.atomic():
        order = _locked(order)
        if order.payment_status == payment_status:
            return
        old = order.payment_status
        Order.objects.filter(pk=order.pk).update(
            payment_status=payment_status, updated_at=timezone.now()
        )
        audit_record(
            entity=order,
            action="order.payment_status",
            actor=actor,
            old={"payment_status": old},
            new={"payment_status": payment_status},
        )


# --- Cash on delivery: the customer confirms with a texted code ---------------------
def _cod_pending(order: Order) -> Order:
    if order.payment_method != "cod" or order.status != OrderStatus.PENDING:
        raise IllegalTransition(f"Order {order.number} does not need a confirmation code.")
    if order.cod_confirmed_at is not None:
        raise IllegalTransition(f"Order {order.number} is already confirmed.")
    return order


def order_cod_send_code(*, order: Order, phone: str = "") -> str:
    """Text a code to confirm a cash-on-delivery order (to `phone`, which then
    becomes the order's, or to the order's phone). Returns the phone used."""
    _cod_pending(order)
    target = phone_normalise(phone or order.phone)
    if target != order.phone:
        with transaction.atomic():
            before = order.phone
            Order.objects.filter(pk=order.pk).update(phone=target, updated_at=timezone.now())
            audit_record(
                entity=order, action="order.phone", old={"phone": before}, new={"phone": target}
            )
            order.phone = target
    otp_request(phone=target, purpose=OtpPurpose.CONFIRM_ORDER)
    return target


def order_cod_confirm(*, order: Order, code: str, actor=None) -> Order:
    """The customer's code confirms the order: staff may now dispatch it, and it
    no longer expires (payment comes at the door)."""
    _cod_pending(order)
    if not order.phone:
        raise ValidationFailed(
            gettext("Ask for a code first."), field_errors={"code": [gettext("Ask for a code.")]}
        )
    otp_check(phone=order.phone, code=code, purpose=OtpPurpose.CONFIRM_ORDER)
    with transaction.atomic():
        now = timezone.now()
        changed = Order.objects.filter(
            pk=order.pk, status=OrderStatus.PENDING, cod_confirmed_at__isnull=True
        ).update(cod_confirmed_at=now, pay_by=None, updated_at=now)
        if changed:
            audit_record(
                entity=order,
                action="order.cod_confirmed",
                actor=actor,
                old={"cod_confirmed_at": None},
                new={"cod_confirmed_at": now, "phone": order.phone},
            )
    order.refresh_from_db()
    return order
