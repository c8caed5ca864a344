import pytest

from boutique.orders import domain

ALL = [
    domain.PENDING,
    domain.PAID,
    domain.PROCESSING,
    domain.SHIPPED,
    domain.DELIVERED,
    domain.CANCELLED,
    domain.RETURNED,
]
ALLOWED = {
    ("pending", "paid"),
    ("pending", "processing"),
    ("pending", "cancelled"),
    ("paid", "processing"),
    ("paid", "cancelled"),
    ("processing", "shipped"),
    ("processing", "cancelled"),
    ("shipped", "delivered"),
    ("shipped", "returned"),
    ("delivered", "returned"),
}


@pytest.mark.parametrize("current", ALL)
@pytest.mark.parametrize("target", ALL)
def test_transition_table(current, target):
    assert domain.can_transition(current, target) == ((current, target) in ALLOWED)


def test_final_states_go_nowhere_and_unknown_states_are_refused():
    assert domain.next_statuses("cancelled") == []
    assert domain.next_statuses("returned") == []
    assert not domain.can_transition("lost", "paid")
    assert domain.next_statuses("pending") == ["paid", "processing", "cancelled"]


def test_only_cash_on_delivery_is_processed_before_payment():
    assert domain.pending_to_processing_allowed("cod")
    assert not domain.pending_to_processing_allowed("card")
    assert not domain.pending_to_processing_allowed("bank_transfer")


def test_shipped_orders_cannot_be_cancelled():
    assert {"pending", "paid", "processing"} == domain.CANCELLABLE
