"""Many buyers, few units: real threads on real connections race for the last
units. Runs on whichever database the suite uses (SQLite and PostgreSQL)."""

import pytest
from django.db.models import Sum

from boutique.catalog.tests.factories import make_product
from boutique.core.errors import Conflict
from boutique.inventory.models import Reservation, Stock, StockMovement
from boutique.inventory.selectors import available
from boutique.inventory.services import (
    InsufficientStock,
    reservation_consume,
    stock_adjust,
    stock_reserve,
)

from .helpers import run_concurrently

pytestmark = pytest.mark.django_db(transaction=True)


def test_fifty_workers_race_for_the_last_five_units_and_exactly_five_win():
    variant = make_product(stock=5).variants.get()

    def reserve(i):
        return stock_reserve(variant=variant, quantity=1, holder_type="cart", holder_id=str(i))

    results = run_concurrently(reserve, workers=50, timeout=120)

    won = [r for r in results if isinstance(r, Reservation)]
    refused = [r for r in results if isinstance(r, InsufficientStock)]
    assert len(won) == 5, [r for r in results if not isinstance(r, Reservation)][:3]
    assert len(refused) == 45, [r for r in results if not isinstance(r, InsufficientStock)][:3]
    assert Reservation.objects.filter(variant=variant, state="active").count() == 5
    assert available(variant) == 0


def test_racing_multi_unit_reservations_never_oversell():
    variant = make_product(stock=7).variants.get()

    def reserve(i):
        quantity = 1 + i % 3
        return stock_reserve(
            variant=variant, quantity=quantity, holder_type="order", holder_id=str(i)
        )

    results = run_concurrently(reserve, workers=20, timeout=120)

    assert all(isinstance(r, Reservation | InsufficientStock) for r in results), results
    held = Reservation.objects.filter(variant=variant).aggregate(s=Sum("quantity"))["s"]
    assert held <= 7
    # Nobody was refused while units enough for them were left.
    smallest_refused = min(
        (1 + i % 3 for i, r in enumerate(results) if not isinstance(r, Reservation)), default=None
    )
    if smallest_refused is not None:
        assert 7 - held < smallest_refused


def test_a_reservation_consumed_concurrently_takes_stock_once():
    variant = make_product(stock=3).variants.get()
    reservation = stock_reserve(variant=variant, quantity=2, holder_type="order", holder_id="1")

    results = run_concurrently(
        lambda i: reservation_consume(reservation=Reservation.objects.get(pk=reservation.pk)),
        workers=8,
    )

    assert sum(isinstance(r, Stock) for r in results) == 1, results
    assert sum(isinstance(r, Conflict) for r in results) == 7, results
    assert Stock.objects.get(variant=variant).on_hand == 1
    assert StockMovement.objects.filter(variant=variant, kind="out").count() == 1


def test_adjustments_racing_reservations_keep_on_hand_at_or_above_what_is_held():
    variant = make_product(stock=6).variants.get()

    def act(i):
        if i % 2:
            return stock_adjust(variant=variant, quantity=-1, reason="damaged")
        return stock_reserve(variant=variant, quantity=1, holder_type="cart", holder_id=str(i))

    results = run_concurrently(act, workers=16, timeout=120)

    assert all(isinstance(r, Stock | Reservation | InsufficientStock) for r in results), results
    on_hand = Stock.objects.get(variant=variant).on_hand
    held = Reservation.objects.filter(variant=variant).aggregate(s=Sum("quantity"))["s"] or 0
    assert on_hand >= held
    ledger = StockMovement.objects.filter(variant=variant).aggregate(s=Sum("quantity"))["s"]
    assert ledger == on_hand
