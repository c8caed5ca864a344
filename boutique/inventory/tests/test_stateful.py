"""Random sequences of the inventory services keep the books straight.

After every step: on_hand equals the sum of the variant's movements, equals
what a plain model of the rules predicts, and on_hand − reservations that still
count is never negative.
"""

from datetime import timedelta

import pytest
from django.db.models import Sum
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from boutique.catalog.tests.factories import make_product
from boutique.core.errors import DomainError
from boutique.inventory.models import Reservation, Stock, StockMovement
from boutique.inventory.selectors import available, reserved_quantity
from boutique.inventory.services import (
    reservation_consume,
    reservation_release,
    reservations_release_expired,
    stock_adjust,
    stock_receive,
    stock_reserve,
    stock_return,
)


class InventoryMachine(RuleBasedStateMachine):
    @initialize(stock=st.integers(0, 8))
    def new_variant(self, stock):
        # A fresh variant per example: examples share the test's database.
        self.variant = make_product(stock=stock).variants.get()
        self.on_hand = stock
        self.holds: dict[int, int] = {}  # reservation pk -> quantity, while it counts
        self.reservations: list[int] = []

    def _held(self) -> int:
        return sum(self.holds.values())

    @rule(quantity=st.integers(1, 6))
    def receive(self, quantity):
        stock_receive(variant=self.variant, quantity=quantity)
        self.on_hand += quantity

    @rule(quantity=st.integers(1, 3))
    def give_back(self, quantity):
        stock_return(variant=self.variant, quantity=quantity)
        self.on_hand += quantity

    @rule(quantity=st.integers(-8, 8).filter(bool))
    def adjust(self, quantity):
        allowed = self.on_hand + quantity >= max(self._held(), 0)
        try:
            stock_adjust(variant=self.variant, quantity=quantity, reason="count")
        except DomainError:
            assert not allowed
        else:
            assert allowed
            self.on_hand += quantity

    @rule(quantity=st.integers(1, 5))
    def reserve(self, quantity):
        allowed = quantity <= self.on_hand - self._held()
        try:
            reservation = stock_reserve(
                variant=self.variant, quantity=quantity, holder_type="cart", holder_id="x"
            )
        except DomainError:
            assert not allowed
        else:
            assert allowed
            self.holds[reservation.pk] = quantity
            self.reservations.append(reservation.pk)

    @rule(data=st.data())
    def release(self, data):
        if not self.reservations:
            return
        pk = data.draw(st.sampled_from(self.reservations))
        reservation_release(reservation=Reservation.objects.get(pk=pk))
        self.holds.pop(pk, None)

    @rule(data=st.data())
    def consume(self, data):
        if not self.reservations:
            return
        pk = data.draw(st.sampled_from(self.reservations))
        reservation = Reservation.objects.get(pk=pk)
        was_active = reservation.state == "active"
        try:
            reservation_consume(reservation=reservation)
        except DomainError:
            assert not was_active or pk not in self.holds
        else:
            self.on_hand -= reservation.quantity
            self.holds.pop(pk, None)

    @rule(data=st.data())
    def time_passes_for_one(self, data):
        if not self.holds:
            return
        pk = data.draw(st.sampled_from(sorted(self.holds)))
        Reservation.objects.filter(pk=pk).update(expires_at=timezone.now() - timedelta(seconds=1))
        self.holds.pop(pk)

    @rule()
    def clean_up(self):
        reservations_release_expired()

    @invariant()
    def books_balance(self):
        if not hasattr(self, "variant"):
            return
        on_hand = Stock.objects.get(variant=self.variant).on_hand
        ledger = StockMovement.objects.filter(variant=self.variant).aggregate(s=Sum("quantity"))
        assert on_hand == (ledger["s"] or 0) == self.on_hand

    @invariant()
    def available_never_negative(self):
        if not hasattr(self, "variant"):
            return
        raw = self.on_hand - reserved_quantity(self.variant.pk)
        assert raw >= 0
        assert raw == self.on_hand - self._held()
        assert available(self.variant) == raw


@pytest.mark.django_db
def test_inventory_services_keep_the_ledger_and_availability_straight():
    run_state_machine_as_test(
        InventoryMachine,
        settings=settings(
            max_examples=40,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )
