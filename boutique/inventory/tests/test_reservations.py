from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Sum
from django.utils import timezone

from boutique.audit.models import AuditLog
from boutique.catalog.tests.factories import make_product
from boutique.core.errors import Conflict, ValidationFailed
from boutique.inventory.models import Reservation, Stock, StockMovement
from boutique.inventory.selectors import available, available_map
from boutique.inventory.services import (
    InsufficientStock,
    ReservationExpired,
    reservation_consume,
    reservation_release,
    reservations_release_expired,
    stock_adjust,
    stock_reserve,
    stock_return,
)

pytestmark = pytest.mark.django_db


def _variant(stock=5):
    return make_product(stock=stock).variants.get()


def _reserve(variant, quantity, holder="1", **kw):
    return stock_reserve(
        variant=variant, quantity=quantity, holder_type="order", holder_id=holder, **kw
    )


def _expire(reservation):
    Reservation.objects.filter(pk=reservation.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )


def test_reserving_lowers_available_but_not_on_hand():
    variant = _variant(stock=5)
    reservation = _reserve(variant, 3)
    assert reservation.state == "active"
    assert available(variant) == 2
    assert Stock.objects.get(variant=variant).on_hand == 5
    log = AuditLog.objects.get(action="reservation.created")
    assert log.new["quantity"] == 3 and log.new["holder"] == "order:1"


def test_reserving_more_than_available_is_refused_and_holds_nothing():
    variant = _variant(stock=5)
    _reserve(variant, 4)
    with pytest.raises(InsufficientStock, match="Only 1"):
        _reserve(variant, 2, holder="2")
    assert Reservation.objects.count() == 1
    assert available(variant) == 1


def test_reserve_validates_its_input():
    variant = _variant()
    for kwargs in ({"quantity": 0}, {"quantity": -2}, {"quantity": 1, "ttl": timedelta(0)}):
        with pytest.raises(ValidationFailed):
            _reserve(variant, **kwargs)
    with pytest.raises(ValidationFailed):
        stock_reserve(variant=variant, quantity=1, holder_type="wishlist", holder_id="1")
    assert not Reservation.objects.exists()


def test_an_expired_reservation_stops_counting_at_once():
    variant = _variant(stock=2)
    reservation = _reserve(variant, 2)
    assert available(variant) == 0
    _expire(reservation)
    # No clean-up job has run: the row is still "active", yet the units are free.
    assert Reservation.objects.get(pk=reservation.pk).state == "active"
    assert available(variant) == 2
    assert available_map([variant.pk]) == {variant.pk: 2}
    _reserve(variant, 2, holder="2")


def test_release_frees_units_once():
    variant = _variant(stock=3)
    reservation = _reserve(variant, 3)
    assert reservation_release(reservation=reservation, reason="checkout abandoned") is True
    assert reservation.state == "released"
    assert available(variant) == 3
    assert reservation_release(reservation=reservation) is False
    assert AuditLog.objects.filter(action="reservation.released").count() == 1


def test_consume_turns_the_hold_into_one_out_movement():
    variant = _variant(stock=4)
    reservation = _reserve(variant, 3, holder="ORD-7")
    stock = reservation_consume(reservation=reservation, note="order ORD-7")
    assert stock.on_hand == 1
    assert reservation.state == "consumed"
    assert available(variant) == 1
    out = StockMovement.objects.get(variant=variant, kind="out")
    assert (out.quantity, out.reference_type, out.reference_id) == (-3, "order", "ORD-7")


def test_consume_twice_is_refused_and_takes_stock_once():
    variant = _variant(stock=4)
    reservation = _reserve(variant, 3)
    reservation_consume(reservation=reservation)
    with pytest.raises(Conflict):
        reservation_consume(reservation=reservation)
    assert Stock.objects.get(variant=variant).on_hand == 1
    assert StockMovement.objects.filter(variant=variant, kind="out").count() == 1


def test_released_reservation_cannot_be_consumed():
    variant = _variant(stock=4)
    reservation = _reserve(variant, 1)
    reservation_release(reservation=reservation)
    with pytest.raises(Conflict):
        reservation_consume(reservation=reservation)
    assert Stock.objects.get(variant=variant).on_hand == 4


def test_expired_reservation_is_consumed_only_if_the_units_are_still_free():
    variant = _variant(stock=2)
    late = _reserve(variant, 2)
    _expire(late)
    reservation_consume(reservation=late)  # nobody took them meanwhile
    assert Stock.objects.get(variant=variant).on_hand == 0

    variant = _variant(stock=2)
    late = _reserve(variant, 2)
    _expire(late)
    _reserve(variant, 1, holder="someone-else")
    with pytest.raises(ReservationExpired):
        reservation_consume(reservation=late)
    assert Stock.objects.get(variant=variant).on_hand == 2
    assert Reservation.objects.get(pk=late.pk).state == "active"


def test_adjust_down_cannot_cut_into_held_units():
    variant = _variant(stock=5)
    _reserve(variant, 4)
    with pytest.raises(InsufficientStock, match="held"):
        stock_adjust(variant=variant, quantity=-2, reason="damaged")
    stock_adjust(variant=variant, quantity=-1, reason="damaged")
    assert Stock.objects.get(variant=variant).on_hand == 4
    assert available(variant) == 0


def test_return_adds_units_with_a_return_movement():
    variant = _variant(stock=0)
    stock_return(variant=variant, quantity=2, reference=("order", "ORD-1"))
    movement = StockMovement.objects.get(variant=variant, kind="return")
    assert movement.quantity == 2
    assert available(variant) == 2
    total = StockMovement.objects.filter(variant=variant).aggregate(s=Sum("quantity"))["s"]
    assert total == Stock.objects.get(variant=variant).on_hand


def test_periodic_job_releases_only_expired_reservations():
    variant = _variant(stock=5)
    old = _reserve(variant, 1, holder="a")
    fresh = _reserve(variant, 1, holder="b")
    _expire(old)
    call_command("release_expired_reservations", stdout=StringIO())
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert (old.state, fresh.state) == ("released", "active")
    assert reservations_release_expired() == 0
    log = AuditLog.objects.get(action="reservation.expired_released")
    assert log.old["ids"] == [old.pk]
