import pytest
from django.db import IntegrityError, transaction
from django.db.models import Sum

from boutique.audit.models import AuditLog
from boutique.catalog.tests.factories import make_product
from boutique.core.errors import ValidationFailed
from boutique.inventory.models import Stock, StockMovement
from boutique.inventory.services import InsufficientStock, stock_adjust, stock_receive

pytestmark = pytest.mark.django_db


def _variant(stock=0):
    return make_product(stock=stock).variants.get()


def _ledger(variant) -> int:
    return StockMovement.objects.filter(variant=variant).aggregate(s=Sum("quantity"))["s"] or 0


def test_receive_adds_units_and_writes_one_movement():
    variant = _variant()
    stock = stock_receive(variant=variant, quantity=4, note="delivery 12")
    assert stock.on_hand == 4
    movement = StockMovement.objects.get(variant=variant)
    assert (movement.kind, movement.quantity, movement.note) == ("in", 4, "delivery 12")
    assert _ledger(variant) == Stock.objects.get(variant=variant).on_hand


def test_adjust_cannot_take_stock_below_zero_and_changes_nothing():
    variant = _variant(stock=2)
    with pytest.raises(InsufficientStock):
        stock_adjust(variant=variant, quantity=-3, reason="stocktake")
    assert Stock.objects.get(variant=variant).on_hand == 2
    assert _ledger(variant) == 2


def test_adjust_needs_a_reason_and_is_audited():
    variant = _variant(stock=5)
    with pytest.raises(ValidationFailed):
        stock_adjust(variant=variant, quantity=-1, reason=" ")
    stock_adjust(variant=variant, quantity=-2, reason="damaged in storage")
    log = AuditLog.objects.filter(action="stock.adjustment").get()
    assert log.old == {"on_hand": 5}
    assert log.new["on_hand"] == 3


def test_receive_refuses_zero_or_negative_quantities():
    variant = _variant()
    for quantity in (0, -1):
        with pytest.raises(ValidationFailed):
            stock_receive(variant=variant, quantity=quantity)
    assert not StockMovement.objects.filter(variant=variant).exists()


def test_database_refuses_negative_on_hand():
    variant = _variant()
    with pytest.raises(IntegrityError), transaction.atomic():
        Stock.objects.filter(variant=variant).update(on_hand=-1)


def test_staff_are_alerted_once_when_stock_falls_to_its_threshold(settings):
    from boutique.notifications.models import Notification

    settings.STAFF_NOTIFICATION_EMAIL = "stock@example.com"
    variant = _variant(stock=5)  # threshold 3
    stock_adjust(variant=variant, quantity=-1, reason="damaged")  # 4: above
    assert not Notification.objects.filter(template="low_stock").exists()
    stock_adjust(variant=variant, quantity=-2, reason="damaged")  # 2: crossed
    alert = Notification.objects.get(template="low_stock")
    assert alert.recipient == "stock@example.com"
    assert (alert.context["sku"], alert.context["on_hand"]) == (variant.sku, 2)
    stock_adjust(variant=variant, quantity=-1, reason="damaged")  # still low: no repeat
    assert Notification.objects.filter(template="low_stock").count() == 1
    stock_receive(variant=variant, quantity=10)
    stock_adjust(variant=variant, quantity=-10, reason="stocktake")  # crossed again
    assert Notification.objects.filter(template="low_stock").count() == 2
