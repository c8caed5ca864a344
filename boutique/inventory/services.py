"""Every change of on-hand stock: one movement per change, same transaction."""

from django.db import transaction
from django.db.models import F

from boutique.audit.services import audit_record
from boutique.core.errors import DomainError, ValidationFailed

from .models import MovementKind, Stock, StockMovement


class InsufficientStock(DomainError):
    code = "insufficient_stock"
    status = 409
    title = "Not enough stock"


def stock_qs_for_update():
    return Stock.objects.select_for_update().order_by("pk")


def _move(*, variant, quantity: int, kind: str, actor=None, note="", reference=None) -> Stock:
    """Apply a signed change under the stock row lock. Never below zero."""
    if quantity == 0:
        raise ValidationFailed("A stock movement cannot be zero.")
    stock, _ = Stock.objects.get_or_create(variant=variant)
    stock = stock_qs_for_update().get(pk=stock.pk)
    before = stock.on_hand
    if before + quantity < 0:
        raise InsufficientStock(f"Only {before} in stock for {variant.sku}.")
    Stock.objects.filter(pk=stock.pk).update(on_hand=F("on_hand") + quantity)
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
    return stock


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
