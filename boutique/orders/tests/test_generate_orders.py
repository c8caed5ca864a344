"""The benchmark data generators for customers and order history
(`generate_customers`, `generate_orders`, issue 11): bulk rows that keep the
models' rules (totals add up, numbers unique and ahead of the counter, one
succeeded payment per paid order) and top up instead of duplicating."""

import io
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, F, Sum
from django.utils import timezone

from boutique.accounts.models import Address, User
from boutique.orders.models import Order, OrderAddress, OrderItem, OrderStatus, PaymentStatus
from boutique.orders.services import order_number_next
from boutique.payments.models import Payment, PaymentState

pytestmark = pytest.mark.django_db


def _call(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.fixture
def history():
    _call("generate_catalog", "--products", "40", "--images", "none", "--no-progress")
    _call("generate_customers", "--up-to", "30", "--batch-size", "7")
    _call("generate_orders", "--up-to", "300", "--batch-size", "70")


def test_customers_have_a_default_address_and_top_up(history):
    customers = User.objects.filter(email__startswith="gen-customer-")
    assert customers.count() == 30
    assert Address.objects.filter(user__in=customers, is_default=True).count() == 30
    assert "Already 30" in _call("generate_customers", "--up-to", "30")
    _call("generate_customers", "--customers", "5")
    assert customers.count() == 35


def test_orders_keep_the_models_rules(history):
    orders = Order.objects.all()
    assert orders.count() == 300
    for order in orders.annotate(items_total=Sum("items__line_total")):
        assert order.subtotal == order.items_total
        assert order.total == order.subtotal - order.discount + order.shipping + order.tax
    assert not OrderItem.objects.filter(variant__isnull=True).exists()
    assert set(OrderAddress.objects.values_list("order_id").annotate(n=Count("id")).values_list(
        "n", flat=True
    )) == {2}  # fmt: skip
    paid = orders.filter(payment_status__in=[PaymentStatus.PAID, PaymentStatus.REFUNDED])
    assert Payment.objects.filter(status=PaymentState.SUCCEEDED).count() == paid.count()
    assert not Payment.objects.exclude(order__in=paid).exists()


def test_history_spreads_over_two_years_with_realistic_statuses(history):
    now = timezone.now()
    oldest = Order.objects.order_by("placed_at").first().placed_at
    assert now - timedelta(days=731) < oldest < now - timedelta(days=365)
    statuses = set(Order.objects.values_list("status", flat=True))
    assert {OrderStatus.DELIVERED, OrderStatus.CANCELLED} <= statuses
    old = Order.objects.filter(placed_at__lt=now - timedelta(days=30))
    assert not old.filter(status__in=[OrderStatus.PENDING, OrderStatus.PAID]).exists()
    assert not Order.objects.exclude(created_at=F("placed_at")).exists()


def test_numbers_are_unique_and_new_orders_never_collide(history):
    numbers = list(Order.objects.values_list("number", flat=True))
    assert len(set(numbers)) == len(numbers)
    with transaction.atomic():
        assert order_number_next() not in numbers


def test_orders_top_up_to_the_size_asked(history):
    assert "Already 300" in _call("generate_orders", "--up-to", "300")
    _call("generate_orders", "--up-to", "320")
    assert Order.objects.count() == 320


def test_orders_need_a_generated_catalogue():
    with pytest.raises(CommandError, match="generate_catalog"):
        _call("generate_orders", "--orders", "5")
