"""Every change of on-hand stock: one movement per change, same transaction."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone

from boutique.audit.services import audit_record
from boutique.catalog.cache import catalog_changed
from boutique.core.errors import Conflict, DomainError, ValidationFailed
from boutique.notifications.services import notification_enqueue

from .alerts import stock_alerts_after_commit
from .locks import stock_for_update
from .models import (
    HolderType,
    MovementKind,
    Reservation,
    ReservationState,
    Stock,
    StockMovement,
)
from .selectors import holding_q


class InsufficientStock(DomainError):
    code = "insufficient_stock"
    status = 409
    title = "Not enough stock"


def _locked_stock(variant) -> Stock:
    stock, _ = Stock.objects.get_or_create(variant=variant)
    return stock_for_update().get(pk=stock.pk)


def _holding_elsewhere(variant_id: int, *, now=None) -> int:
    """Units held by reservations that count now."""
    qs = Reservation.objects.filter(holding_q(now), variant_id=variant_id)
    return qs.aggregate(total=Sum("quantity"))["total"] or 0


def _move(*, variant, quantity: int, kind: str, actor=None, note="", reference=None) -> Stock:
    """Apply a signed change under the stock row lock. Never below zero, and
    never below the units held by reservations that still count: those were
    promised to a checkout or an order (release them first)."""
    if quantity == 0:
        raise ValidationFailed("A stock movement cannot be zero.")
    stock = _locked_stock(variant)
    before = stock.on_hand
    if before + quantity < 0:
        raise InsufficientStock(
            f"Only {before} in stock for {variant.sku}.",
            field_errors={"quantity": [f"At least {-before}."]},
        )
    if quantity < 0:
        held = _holding_elsewhere(variant.pk)
        if before + quantity < held:
            raise InsufficientStock(
                f"{held} of the {before} units of {variant.sku} are held by checkouts or "
                "orders; release those reservations first.",
                field_errors={"quantity": [f"At least {held - before}."]},
            )
    Stock.objects.filter(pk=stock.pk).update(on_hand=F("on_hand") + quantity)
    catalog_changed()
    ref_type, ref_id = reference or ("", "")
    StockMovement.objects.create(
        variant=variant,
        kind=kind,
        quantity=quantity,
        note=note[:255],
        actor=actor,
        reference_type=ref_type,
        reference_id=str(ref_id),
    )
    stock.refresh_from_db(fields=["on_hand"])
    audit_record(
        entity=stock,
        entity_type="inventory.stock",
        action=f"stock.{kind}",
        actor=actor,
        old={"on_hand": before},
        new={"on_hand": stock.on_hand, "sku": variant.sku},
    )
    if before > stock.low_stock_threshold >= stock.on_hand:
        _alert_low_stock(variant, stock)
    if quantity > 0:
        held = _holding_elsewhere(variant.pk)
        if before - held <= 0 < stock.on_hand - held:
            # Back in stock: tell whoever waits for it, once this commits.
            stock_alerts_after_commit(variant.pk)
    return stock


def _alert_low_stock(variant, stock: Stock) -> None:
    """Tell the staff once, when a variant's stock falls to its threshold."""
    notification_enqueue(
        channel="email",
        recipient=settings.STAFF_NOTIFICATION_EMAIL,
        template="low_stock",
        context={
            "sku": variant.sku,
            "product": str(variant),
            "on_hand": stock.on_hand,
            "available": max(0, stock.on_hand - _holding_elsewhere(variant.pk)),
            "threshold": stock.low_stock_threshold,
        },
        reference=("stock", variant.sku),
    )


def stock_receive(*, variant, quantity: int, actor=None, note: str = "", reference=None) -> Stock:
    """Add received units. Takes the variant's stock row lock."""
    if quantity <= 0:
        raise ValidationFailed("Receive a positive quantity.", field_errors={"quantity": [">0"]})
    with transaction.atomic():
        return _move(
            variant=variant,
            quantity=quantity,
            kind=MovementKind.IN,
            actor=actor,
            note=note,
            reference=reference,
        )


def stock_return(*, variant, quantity: int, actor=None, note: str = "", reference=None) -> Stock:
    """Put returned units back on the shelf."""
    if quantity <= 0:
        raise ValidationFailed("Return a positive quantity.", field_errors={"quantity": [">0"]})
    with transaction.atomic():
        return _move(
            variant=variant,
            quantity=quantity,
            kind=MovementKind.RETURN,
            actor=actor,
            note=note,
            reference=reference,
        )


def stock_adjust(*, variant, quantity: int, reason: str, actor=None) -> Stock:
    """Correct the count by a signed quantity, with a reason (stocktake, damage)."""
    if not reason.strip():
        raise ValidationFailed("Give a reason.", field_errors={"reason": ["Required."]})
    with transaction.atomic():
        return _move(
            variant=variant,
            quantity=quantity,
            kind=MovementKind.ADJUSTMENT,
            actor=actor,
            note=reason,
        )


# --- Reservations --------------------------------------------------------------
#
# A reservation holds units of a variant for a checkout or an order until it
# expires. Reserve checks availability under the variant's stock row lock, so
# concurrent reservations for the last units are serialised (PostgreSQL: row
# lock; SQLite: IMMEDIATE transactions take the write lock at BEGIN).

DEFAULT_RESERVATION_TTL = timedelta(minutes=15)


class ReservationExpired(DomainError):
    code = "reservation_expired"
    status = 409
    title = "The reservation has expired"


def stock_reserve(
    *,
    variant,
    quantity: int,
    holder_type: str,
    holder_id,
    ttl: timedelta = DEFAULT_RESERVATION_TTL,
    actor=None,
) -> Reservation:
    """Hold `quantity` units for a cart or order until now + ttl, or refuse with
    InsufficientStock when fewer are available. Never oversells: the check and
    the insert happen under the stock row lock."""
    if quantity <= 0:
        raise ValidationFailed("Reserve a positive quantity.", field_errors={"quantity": [">0"]})
    if holder_type not in HolderType.values:
        raise ValidationFailed("Unknown holder.", field_errors={"holder_type": [holder_type]})
    if ttl <= timedelta(0):
        raise ValidationFailed("A reservation must last a while.", field_errors={"ttl": [">0"]})
    with transaction.atomic():
        stock = _locked_stock(variant)
        now = timezone.now()
        free = stock.on_hand - _holding_elsewhere(variant.pk, now=now)
        if quantity > free:
            raise InsufficientStock(
                f"Only {max(free, 0)} of {variant.sku} available.",
                field_errors={"quantity": [f"At most {max(free, 0)}."]},
            )
        reservation = Reservation.objects.create(
            variant=variant,
            quantity=quantity,
            holder_type=holder_type,
            holder_id=str(holder_id),
            expires_at=now + ttl,
            actor=actor,
        )
        catalog_changed()
        audit_record(
            entity=reservation,
            entity_type="inventory.reservation",
            action="reservation.created",
            actor=actor,
            new={
                "sku": variant.sku,
                "quantity": quantity,
                "holder": f"{holder_type}:{holder_id}",
                "expires_at": reservation.expires_at,
            },
        )
        return reservation


def reservation_release(*, reservation: Reservation, actor=None, reason: str = "") -> bool:
    """Give the units back. Idempotent: False when it was no longer active."""
    with transaction.atomic():
        changed = Reservation.objects.filter(
            pk=reservation.pk, state=ReservationState.ACTIVE
        ).update(state=ReservationState.RELEASED, updated_at=timezone.now())
        if changed:
            catalog_changed()
            audit_record(
                entity=reservation,
                entity_type="inventory.reservation",
                action="reservation.released",
                actor=actor,
                old={"state": ReservationState.ACTIVE},
                new={"state": ReservationState.RELEASED, "reason": reason},
            )
    reservation.refresh_from_db(fields=["state", "updated_at"])
    return bool(changed)


def reservation_consume(*, reservation: Reservation, actor=None, note: str = "") -> Stock:
    """Turn held units into a sale: the reservation becomes consumed and on_hand
    drops by its quantity (one OUT movement), in one transaction. A reservation
    consumed once cannot be consumed again. An expired one is honoured only if
    its units are still free."""
    with transaction.atomic():
        stock = _locked_stock(reservation.variant)
        current = Reservation.objects.select_for_update().get(pk=reservation.pk)
        if current.state != ReservationState.ACTIVE:
            raise Conflict(f"This reservation is already {current.state}.")
        now = timezone.now()
        if current.expires_at <= now:
            free = stock.on_hand - _holding_elsewhere(current.variant_id, now=now)
            if current.quantity > free:
                raise ReservationExpired(
                    f"The hold on {reservation.variant.sku} expired and only "
                    f"{max(free, 0)} are left."
                )
        updated = Reservation.objects.filter(pk=current.pk, state=ReservationState.ACTIVE).update(
            state=ReservationState.CONSUMED, updated_at=now
        )
        if not updated:  # pragma: no cover - the row lock above makes this unreachable
            raise Conflict("This reservation changed while it was being consumed.")
        audit_record(
            entity=current,
            entity_type="inventory.reservation",
            action="reservation.consumed",
            actor=actor,
            old={"state": ReservationState.ACTIVE},
            new={"state": ReservationState.CONSUMED},
        )
        stock = _move(
            variant=reservation.variant,
            quantity=-current.quantity,
            kind=MovementKind.OUT,
            actor=actor,
            note=note,
            reference=(current.holder_type, current.holder_id),
        )
    reservation.refresh_from_db(fields=["state", "updated_at"])
    return stock


def reservations_release_expired(*, now=None, batch_size: int = 500) -> int:
    """The periodic clean-up: mark active reservations past their expiry as
    released. Availability already ignores them; this keeps the table honest."""
    now = now or timezone.now()
    released = 0
    while True:
        with transaction.atomic():
            ids = list(
                Reservation.objects.filter(state=ReservationState.ACTIVE, expires_at__lte=now)
                .order_by("pk")
                .values_list("pk", flat=True)[:batch_size]
            )
            if not ids:
                return released
            changed = Reservation.objects.filter(
                pk__in=ids, state=ReservationState.ACTIVE, expires_at__lte=now
            ).update(state=ReservationState.RELEASED, updated_at=timezone.now())
            catalog_changed()
            audit_record(
                entity="expired",
                entity_type="inventory.reservation",
                action="reservation.expired_released",
                old={"state": ReservationState.ACTIVE, "ids": ids},
                new={"state": ReservationState.RELEASED, "count": changed},
            )
            released += changed


def stock_set_threshold(*, stock: Stock, threshold: int, actor=None) -> Stock:
    """Set the level at or below which a variant counts as low on stock. Leaves
    on_hand alone (no movement). Takes the variant's stock row lock."""
    if isinstance(threshold, bool) or not isinstance(threshold, int) or not 0 <= threshold < 2**31:
        raise ValidationFailed(
            "The low-stock threshold is a whole number, 0 or more.",
            field_errors={"low_stock_threshold": ["0 to 2147483647."]},
        )
    with transaction.atomic():
        locked = stock_for_update().get(pk=stock.pk)
        before = locked.low_stock_threshold
        if before != threshold:
            Stock.objects.filter(pk=locked.pk).update(
                low_stock_threshold=threshold, updated_at=timezone.now()
            )
            audit_record(
                entity=locked,
                entity_type="inventory.stock",
                action="stock.threshold_set",
                actor=actor,
                old={"low_stock_threshold": before},
                new={"low_stock_threshold": threshold, "sku": locked.variant.sku},
            )
    stock.refresh_from_db(fields=["on_hand", "low_stock_threshold", "updated_at"])
    return stock


def _holder_reservations(holder_type: str, holder_id) -> list[Reservation]:
    # Variant order: several holders working at once lock stock rows in one order.
    return list(
        Reservation.objects.filter(
            holder_type=holder_type, holder_id=str(holder_id), state=ReservationState.ACTIVE
        )
        .select_related("variant")
        .order_by("variant_id", "pk")
    )


def reservations_release_for(*, holder_type: str, holder_id, actor=None, reason: str = "") -> int:
    """Release every active reservation of a cart or an order. Returns how many."""
    released = 0
    with transaction.atomic():
        for reservation in _holder_reservations(holder_type, holder_id):
            released += reservation_release(reservation=reservation, actor=actor, reason=reason)
    return released


def reservations_consume_for(*, holder_type: str, holder_id, actor=None, note: str = "") -> int:
    """Consume every active reservation of an order (stock leaves the shelf).
    All or nothing. Returns how many."""
    with transaction.atomic():
        held = _holder_reservations(holder_type, holder_id)
        for reservation in held:
            reservation_consume(reservation=reservation, actor=actor, note=note)
    return len(held)
