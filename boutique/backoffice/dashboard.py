"""Reads for the dashboard on the admin index. Each function is one query (low
stock two), whatever the number of orders; figures the staff member may not see
are not read at all (see `dashboard_for`).

Sales count orders from paid on (paid, processing, shipped, delivered; never
pending, cancelled or returned) by the moment they were placed, in each
currency's own amounts and combined in US dollars at each order's own rate."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Count, DecimalField, ExpressionWrapper, F, Max, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from boutique.core.money import BASE_CURRENCY, CURRENCY_CHOICES, quantize
from boutique.inventory.selectors import stock_levels
from boutique.marketplace.models import Seller, SellerStatus
from boutique.orders.models import Order, OrderItem, OrderStatus, PaymentMethod, PaymentStatus

SOLD = (OrderStatus.PAID, OrderStatus.PROCESSING, OrderStatus.SHIPPED, OrderStatus.DELIVERED)
# Money staff must see arrive before the order moves on: cash at the shop and transfers.
CONFIRM_BY_HAND = (PaymentMethod.CASH_USD, PaymentMethod.CASH_LBP, PaymentMethod.BANK_TRANSFER)
CONFIRMABLE = (OrderStatus.PENDING, OrderStatus.PROCESSING)
PERIODS = (("today", "Today", 1), ("7d", "Last 7 days", 7), ("30d", "Last 30 days", 30))
CHART_DAYS = 30
MONEY = DecimalField(max_digits=24, decimal_places=6)


def day_start(day: date) -> datetime:
    """Midnight of `day` in the shop's time zone (aware)."""
    return timezone.make_aware(datetime.combine(day, time.min))


def _in_base(total="total", rate="exchange_rate"):
    return ExpressionWrapper(F(total) / F(rate), output_field=MONEY)


# --- Sales ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class CurrencyTotal:
    currency: str
    amount: Decimal
    orders: int


@dataclass(frozen=True)
class SalesPeriod:
    key: str
    label: str
    since: datetime
    by_currency: list[CurrencyTotal]
    combined: Decimal  # in BASE_CURRENCY, each order at its own rate
    orders: int


def dashboard_sales(*, now=None) -> list[SalesPeriod]:
    """Today, the last 7 and the last 30 days, per currency and combined (one query)."""
    today = timezone.localdate(now)
    since = {key: day_start(today - timedelta(days=days - 1)) for key, _, days in PERIODS}
    aggregates = {}
    for key, _, _ in PERIODS:
        in_period = Q(placed_at__gte=since[key])
        aggregates[f"amount_{key}"] = Sum("total", filter=in_period)
        aggregates[f"base_{key}"] = Sum(_in_base(), filter=in_period)
        aggregates[f"orders_{key}"] = Count("pk", filter=in_period)
    rows = {
        row["currency"]: row
        for row in Order.objects.filter(status__in=SOLD, placed_at__gte=since["30d"])
        .order_by()
        .values("currency")
        .annotate(**aggregates)
    }
    periods = []
    for key, label, _ in PERIODS:
        totals, combined = [], Decimal(0)
        for currency, _ in CURRENCY_CHOICES:
            row = rows.get(currency, {})
            amount = row.get(f"amount_{key}") or Decimal(0)
            combined += Decimal(row.get(f"base_{key}") or 0)
            totals.append(
                CurrencyTotal(
                    currency=currency,
                    amount=quantize(amount, currency),
                    orders=row.get(f"orders_{key}") or 0,
                )
            )
        periods.append(
            SalesPeriod(
                key=key,
                label=label,
                since=since[key],
                by_currency=totals,
                combined=quantize(combined, BASE_CURRENCY),
                orders=sum(t.orders for t in totals),
            )
        )
    return periods


def dashboard_orders_by_status() -> list[tuple[str, str, int]]:
    """(status, label, count) for every status, in the order's life order (one query)."""
    counts = dict(
        Order.objects.order_by().values("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    return [(value, label, counts.get(value, 0)) for value, label in OrderStatus.choices]


@dataclass(frozen=True)
class DayRevenue:
    day: date
    revenue: Decimal  # BASE_CURRENCY
    orders: int


def dashboard_revenue_by_day(*, now=None, days: int = CHART_DAYS) -> list[DayRevenue]:
    """One row per day of the last `days` days (today included, empty days too), one query."""
    today = timezone.localdate(now)
    start = today - timedelta(days=days - 1)
    rows = (
        Order.objects.filter(status__in=SOLD, placed_at__gte=day_start(start))
        .annotate(day=TruncDate("placed_at"))
        .order_by()
        .values("day")
        .annotate(revenue=Sum(_in_base()), orders=Count("pk"))
    )
    by_day = {row["day"]: row for row in rows}
    return [
        DayRevenue(
            day=day,
            revenue=quantize(Decimal(by_day.get(day, {}).get("revenue") or 0), BASE_CURRENCY),
            orders=by_day.get(day, {}).get("orders") or 0,
        )
        for day in (start + timedelta(days=n) for n in range(days))
    ]


def dashboard_top_products(*, now=None, days: int = 30, limit: int = 5) -> list[dict]:
    """Best sellers of the last `days` days by revenue in the base currency:
    dicts of product_id, product_name, units, revenue (one query)."""
    since = day_start(timezone.localdate(now) - timedelta(days=days - 1))
    rows = (
        OrderItem.objects.filter(order__status__in=SOLD, order__placed_at__gte=since)
        .exclude(product_id=None)
        .order_by()
        .values("product_id")
        .annotate(
            product_name=Max("product_name"),
            units=Sum("quantity"),
            revenue=Sum(_in_base("line_total", "order__exchange_rate")),
        )
        .order_by("-revenue", "product_id")[:limit]
    )
    return [
        {**row, "revenue": quantize(Decimal(row["revenue"] or 0), BASE_CURRENCY)} for row in rows
    ]


# --- Things waiting for someone ---------------------------------------------------------------
@dataclass
class LowStock:
    count: int
    rows: list = field(default_factory=list)


def dashboard_low_stock(*, limit: int = 5) -> LowStock:
    """Stock rows at or under their threshold (the stock admin's 'low' filter):
    the count and the `limit` emptiest, with their variant and product (two queries)."""
    low = stock_levels().filter(low=True)
    emptiest = low.select_related("variant__product").order_by("available", "variant__sku")
    rows = list(emptiest[:limit])
    count = len(rows) if len(rows) < limit else low.count()
    return LowStock(count=count, rows=rows)


def dashboard_payments_to_confirm() -> dict[str, int]:
    """{payment method: orders} paid in cash or by transfer and still waiting
    for staff to confirm the money (one query)."""
    counts = dict(
        Order.objects.filter(
            payment_method__in=CONFIRM_BY_HAND,
            payment_status=PaymentStatus.PENDING,
            status__in=CONFIRMABLE,
        )
        .order_by()
        .values("payment_method")
        .annotate(n=Count("pk"))
        .values_list("payment_method", "n")
    )
    return {method: counts.get(method, 0) for method in CONFIRM_BY_HAND}


def dashboard_sellers_pending() -> int:
    return Seller.objects.filter(status=SellerStatus.PENDING).count()
