"""Bulk synthetic order history for benchmarks (`manage.py generate_orders`).

Benchmark data only: orders placed over the last two years by generated
customers (and some guests) for generated products, with 1–4 items, a shipping
and a billing address, and a succeeded payment when paid; statuses follow the
age of the order (old ones delivered, some cancelled or returned, recent ones
paid, processing or shipped, the last day's card orders sometimes pending).
Bulk inserts bypass the checkout and payment services: no stock moves, no
ledger, no audit, no emails: it is history for the tables to be large, not a
record of what the shop sold. Numbers come from OrderNumberCounter (taken under
its row lock and moved on), so orders placed afterwards never collide.
Needs `generate_catalog` (and optionally `generate_customers`) first.
"""

import random
import time
from datetime import timedelta
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from boutique.accounts.models import User
from boutique.catalog.models import Variant
from boutique.orders.locks import order_counter_for_update
from boutique.orders.models import (
    AddressKind,
    Order,
    OrderAddress,
    OrderItem,
    OrderNumberCounter,
    OrderStatus,
    PaymentMethod,
    PaymentStatus,
    ShippingMethod,
)
from boutique.payments.models import Payment, PaymentState

KEY_PREFIX = "gen-order-"  # idempotency_key marks a generated order
CENT = Decimal("0.01")
TAX_RATE = Decimal("0.06")
CITIES = [("Beirut", "LB"), ("Jounieh", "LB"), ("Byblos", "LB"), ("Paris", "FR")]


def generated_order_count() -> int:
    return Order.objects.filter(idempotency_key__startswith=KEY_PREFIX).count()


def _shipping_method() -> ShippingMethod:
    method = ShippingMethod.objects.filter(is_active=True).order_by("position", "id").first()
    return method or ShippingMethod.objects.create(
        name="Courier", price=Decimal("4.00"), free_over=Decimal("100.00")
    )


def _status(rng: random.Random, age_days: float, method: str) -> tuple[str, str]:
    roll = rng.random()
    if roll < 0.05:
        return OrderStatus.CANCELLED, PaymentStatus.PENDING
    if age_days < 1 and method == PaymentMethod.CARD and roll < 0.15:
        return OrderStatus.PENDING, PaymentStatus.PENDING
    if age_days < 3:
        return rng.choice([OrderStatus.PAID, OrderStatus.PROCESSING]), PaymentStatus.PAID
    if age_days < 10:
        return OrderStatus.SHIPPED, PaymentStatus.PAID
    if roll < 0.08:
        return OrderStatus.RETURNED, PaymentStatus.REFUNDED
    return OrderStatus.DELIVERED, PaymentStatus.PAID


def _take_numbers(years: dict[int, int]) -> dict[int, int]:
    """Reserve `count` numbers per year; returns the first of each."""
    first = {}
    for year, count in sorted(years.items()):
        OrderNumberCounter.objects.get_or_create(year=year)
        counter = order_counter_for_update().get(year=year)
        first[year] = counter.last + 1
        OrderNumberCounter.objects.filter(pk=year).update(last=F("last") + count)
    return first


def orders_generate(*, orders: int, batch_size: int = 5000, seed: int = 0) -> None:
    variants = list(
        Variant.objects.filter(sku__startswith="GEN-", is_active=True).values_list(
            "id", "product_id", "product__name", "sku", "size", "color", "price"
        )
    )
    if not variants:
        raise CommandError("No generated products: run generate_catalog first.")
    customers = list(
        User.objects.filter(email__startswith="gen-customer-").values_list(
            "id", "email", "first_name", "last_name"
        )
    )
    method = _shipping_method()
    done = generated_order_count()
    rng = random.Random(f"{seed}:{done}")
    now = timezone.now()
    for start in range(0, orders, batch_size):
        count = min(batch_size, orders - start)
        placed = sorted(
            now - timedelta(seconds=rng.randint(60, 2 * 365 * 86400)) for _ in range(count)
        )
        years: dict[int, int] = {}
        for moment in placed:
            years[moment.year] = years.get(moment.year, 0) + 1
        with transaction.atomic():
            numbers = _take_numbers(years)
            _batch(rng, now, placed, numbers, variants, customers, method, done + start)


def _batch(rng, now, placed, numbers, variants, customers, method, offset) -> None:
    orders, lines, people = [], [], []
    for index, moment in enumerate(placed):
        customer = rng.choice(customers) if customers and rng.random() < 0.8 else None
        if customer:
            email, name = customer[1], f"{customer[2]} {customer[3]}"
        else:
            email, name = f"guest-{offset + index}@example.com", "Guest Shopper"
        payment_method = PaymentMethod.CARD if rng.random() < 0.7 else PaymentMethod.COD
        status, payment_status = _status(
            rng, (now - moment).total_seconds() / 86400, payment_method
        )
        items = []
        for variant in rng.sample(variants, rng.choice([1, 1, 2, 2, 3, 4])):
            quantity = rng.choice([1, 1, 1, 2, 3])
            items.append((variant, quantity, variant[6] * quantity))
        subtotal = sum((line for *_, line in items), Decimal(0))
        shipping = Decimal(0) if method.free_over and subtotal >= method.free_over else method.price
        tax = (subtotal * TAX_RATE).quantize(CENT)
        year = moment.year
        number = f"BQ-{year}-{numbers[year]:06d}"
        numbers[year] += 1
        orders.append(
            Order(
                number=number,
                user_id=customer[0] if customer else None,
                email=email,
                status=status,
                payment_status=payment_status,
                payment_method=payment_method,
                subtotal=subtotal,
                shipping=shipping,
                tax=tax,
                total=subtotal + shipping + tax,
                tax_rate=TAX_RATE,
                shipping_method=method,
                shipping_method_name=method.name,
                placed_at=moment,
                pay_by=moment + timedelta(hours=1) if status == OrderStatus.PENDING else None,
                cancelled_at=moment + timedelta(hours=2)
                if status == OrderStatus.CANCELLED
                else None,
                cancel_reason="Customer changed their mind"
                if status == OrderStatus.CANCELLED
                else "",
                idempotency_key=f"{KEY_PREFIX}{number}",
            )
        )
        lines.append(items)
        people.append(name)
    Order.objects.bulk_create(orders)
    items, addresses, payments = [], [], []
    for order, order_lines, name in zip(orders, lines, people, strict=True):
        for variant, quantity, line_total in order_lines:
            options = " / ".join(v for v in (variant[4], variant[5]) if v)
            items.append(
                OrderItem(
                    order=order, product_id=variant[1], variant_id=variant[0],
                    product_name=variant[2][:200], sku=variant[3], options=options,
                    unit_price=variant[6], quantity=quantity, line_total=line_total,
                )
            )  # fmt: skip
        city, country = rng.choice(CITIES)
        for kind in (AddressKind.SHIPPING, AddressKind.BILLING):
            addresses.append(
                OrderAddress(
                    order=order, kind=kind, full_name=name, line1=f"Main St {rng.randint(1, 99)}",
                    city=city, country=country, phone="+96171123456",
                )
            )  # fmt: skip
        if order.payment_status in (PaymentStatus.PAID, PaymentStatus.REFUNDED):
            card = order.payment_method == PaymentMethod.CARD
            payments.append(
                Payment(
                    order=order,
                    method=order.payment_method,
                    provider="test" if card else "offline",
                    amount=order.total,
                    currency=order.currency,
                    status=PaymentState.SUCCEEDED,
                    transaction_ref=f"gen_{order.number}" if card else "",
                    card_brand="visa" if card else "",
                    card_last4="4242" if card else "",
                    amount_refunded=order.total
                    if order.payment_status == PaymentStatus.REFUNDED
                    else Decimal(0),
                    succeeded_at=order.placed_at + timedelta(minutes=1),
                )
            )
    OrderItem.objects.bulk_create(items)
    OrderAddress.objects.bulk_create(addresses)
    Payment.objects.bulk_create(payments)
    # auto_now_add stamped the rows with today; history carries its own dates.
    ids = [order.pk for order in orders]
    Order.objects.filter(pk__in=ids).update(created_at=F("placed_at"), updated_at=F("placed_at"))
    Payment.objects.filter(order_id__in=ids).update(
        created_at=F("succeeded_at"), updated_at=F("succeeded_at")
    )


class Command(BaseCommand):
    help = "Append synthetic order history for benchmarks (bulk inserts; not real shop data)."

    def add_arguments(self, parser):
        how_many = parser.add_mutually_exclusive_group(required=True)
        how_many.add_argument("--orders", type=int, help="How many to add.")
        how_many.add_argument("--up-to", type=int, help="Add what is missing to reach this many.")
        parser.add_argument("--batch-size", type=int, default=5000)
        parser.add_argument("--seed", type=int, default=0)

    def handle(self, *args, **options):
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1.")
        count = options["orders"]
        if options["up_to"] is not None:
            count = options["up_to"] - generated_order_count()
            if count <= 0:
                self.stdout.write(f"Already {generated_order_count()} generated orders.")
                return
        if count < 1:
            raise CommandError("--orders must be at least 1.")
        started = time.monotonic()
        orders_generate(orders=count, batch_size=options["batch_size"], seed=options["seed"])
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self.stdout.write(
            self.style.SUCCESS(f"Generated {count} orders in {time.monotonic() - started:.1f} s.")
        )
