"""Reads for the seller workspace, the seller API and the public store page.
Every query is scoped to one seller; sales are in the base currency at each
order's own rate, counted from paid orders on (never pending or cancelled)."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import (
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from boutique.catalog.models import Product
from boutique.catalog.selectors import storefront_products
from boutique.core.errors import NotFound
from boutique.core.money import BASE_CURRENCY, quantize
from boutique.inventory.selectors import stock_levels
from boutique.orders.models import OrderItem, OrderStatus
from boutique.shipping.models import Shipment, ShipmentItem, ShipmentStatus

from .errors import NotASeller
from .models import Payout, Seller, SellerStatus

SOLD = (
    OrderStatus.PAID,
    OrderStatus.PROCESSING,
    OrderStatus.SHIPPED,
    OrderStatus.DELIVERED,
)
TO_FULFIL = (OrderStatus.PAID, OrderStatus.PROCESSING, OrderStatus.SHIPPED)
MONEY = DecimalField(max_digits=14, decimal_places=4)


def seller_for_user(user) -> Seller | None:
    if user is None or not user.is_authenticated:
        return None
    return Seller.objects.filter(owner=user).first()


def seller_for_workspace(user) -> Seller:
    """The signed-in user's store once staff approved it (active, suspended or
    closed: a suspended seller still sees orders and payouts). NotASeller (403)
    otherwise."""
    seller = seller_for_user(user)
    if seller is None or seller.status in (SellerStatus.PENDING, SellerStatus.REJECTED):
        raise NotASeller("This is for approved sellers: apply to sell first.")
    return seller


def seller_public_get(*, slug: str) -> Seller:
    seller = Seller.objects.filter(slug=slug, status=SellerStatus.ACTIVE).first()
    if seller is None:
        raise NotFound("No such store.")
    return seller


def seller_public_products(seller: Seller):
    return storefront_products().filter(seller=seller)


# --- Products -------------------------------------------------------------------------------
def seller_products(seller: Seller):
    """All the seller's products (any status) with variant count and units available."""
    return (
        Product.objects.filter(seller=seller)
        .select_related("category")
        .prefetch_related("variants__stock")
        .annotate(variant_count=Count("variants", distinct=True))
        .order_by("-created_at", "-pk")
    )


def seller_low_stock(seller: Seller):
    """The seller's active variants whose available units are at or under their threshold."""
    return (
        stock_levels()
        .filter(variant__product__seller=seller, variant__is_active=True, low=True)
        .select_related("variant__product")
        .order_by("available", "variant__sku")
    )


# --- Order items ----------------------------------------------------------------------------
def _shipped_quantity():
    live = ShipmentItem.objects.filter(order_item=OuterRef("pk")).exclude(
        shipment__status__in=(ShipmentStatus.RETURNED, ShipmentStatus.FAILED)
    )
    return Coalesce(
        Subquery(
            live.values("order_item").annotate(n=Sum("quantity")).values("n")[:1],
        ),
        Value(0),
    )


def seller_order_items(seller: Seller, *, to_fulfil: bool | None = None):
    """The seller's order items (from paid orders on), newest first, with the
    order and its shipping address, and `shipped_quantity`."""
    qs = (
        OrderItem.objects.filter(seller=seller, order__status__in=(*SOLD, OrderStatus.RETURNED))
        .select_related("order")
        .prefetch_related("order__addresses")
        .annotate(shipped_quantity=_shipped_quantity())
        .order_by("-order__placed_at", "-pk")
    )
    if to_fulfil:
        qs = qs.filter(order__status__in=TO_FULFIL, shipped_quantity__lt=F("quantity"))
    return qs


def seller_order_item_get(seller: Seller, item_id) -> OrderItem:
    item = seller_order_items(seller).filter(pk=item_id).first()
    if item is None:
        raise NotFound("No such order item of yours.")
    return item


def seller_order_shipments(seller: Seller, order):
    """The parcels of `order` that hold the seller's items, oldest first, each
    with `own_items`: the seller's shipment items only (a parcel staff packed
    with other sellers' items shows none of theirs)."""
    own = ShipmentItem.objects.filter(order_item__seller=seller).select_related("order_item")
    return (
        Shipment.objects.filter(order=order, items__order_item__seller=seller)
        .distinct()
        .select_related("provider")
        .prefetch_related(Prefetch("items", queryset=own.order_by("pk"), to_attr="own_items"))
        .order_by("created_at", "pk")
    )


# --- Sales ----------------------------------------------------------------------------------
def _base_amount():
    """line_total in the base currency (the order's rate is units per base unit)."""
    return ExpressionWrapper(F("line_total") / F("order__exchange_rate"), output_field=MONEY)


def _sold(seller: Seller):
    return OrderItem.objects.filter(seller=seller, order__status__in=SOLD)


@dataclass(frozen=True)
class SalesFigure:
    label: str
    revenue: Decimal
    orders: int
    units: int


def seller_sales_summary(seller: Seller, *, now=None) -> list[SalesFigure]:
    """Today, the last 7 and the last 30 days (by the day the order was placed)."""
    today = timezone.localdate(now)
    figures = []
    for label, days in (("Today", 1), ("Last 7 days", 7), ("Last 30 days", 30)):
        since = today - timedelta(days=days - 1)
        row = (
            _sold(seller)
            .filter(order__placed_at__date__gte=since)
            .aggregate(
                revenue=Sum(_base_amount()),
                orders=Count("order", distinct=True),
                units=Sum("quantity"),
            )
        )
        figures.append(
            SalesFigure(
                label=label,
                revenue=quantize(row["revenue"] or Decimal(0), BASE_CURRENCY),
                orders=row["orders"] or 0,
                units=row["units"] or 0,
            )
        )
    return figures


@dataclass(frozen=True)
class DaySales:
    day: date
    revenue: Decimal
    units: int


def seller_sales_by_day(seller: Seller, *, start: date, end: date) -> list[DaySales]:
    """One row per day of [start, end], days without sales included (for a chart)."""
    rows = (
        _sold(seller)
        .filter(order__placed_at__date__gte=start, order__placed_at__date__lte=end)
        .annotate(day=TruncDate("order__placed_at"))
        .values("day")
        .annotate(revenue=Sum(_base_amount()), units=Sum("quantity"))
    )
    by_day = {row["day"]: row for row in rows}
    days = []
    day = start
    while day <= end:
        row = by_day.get(day, {})
        days.append(
            DaySales(
                day=day,
                revenue=quantize(row.get("revenue") or Decimal(0), BASE_CURRENCY),
                units=row.get("units") or 0,
            )
        )
        day += timedelta(days=1)
    return days


def seller_top_products(seller: Seller, *, start: date, end: date, limit: int = 5):
    """Best sellers of the period by revenue: dicts of product_name, units, revenue."""
    rows = (
        _sold(seller)
        .filter(order__placed_at__date__gte=start, order__placed_at__date__lte=end)
        .values("product_id", "product_name")
        .annotate(units=Sum("quantity"), revenue=Sum(_base_amount()))
        .order_by("-revenue", "product_name")[:limit]
    )
    return [{**row, "revenue": quantize(row["revenue"], BASE_CURRENCY)} for row in rows]


def seller_sales_rows(seller: Seller, *, start: date, end: date):
    """Every sold line of the period, for the CSV export (oldest first)."""
    return (
        _sold(seller)
        .filter(order__placed_at__date__gte=start, order__placed_at__date__lte=end)
        .select_related("order", "payout_item")
        .order_by("order__placed_at", "pk")
    )


# --- Payouts --------------------------------------------------------------------------------
def seller_payouts(seller: Seller):
    """Newest period first (set here: the item count's GROUP BY drops Meta.ordering)."""
    return (
        Payout.objects.filter(seller=seller)
        .annotate(item_count=Count("items", distinct=True))
        .order_by("-period_end", "-id")
    )


def seller_payout_get(seller: Seller, payout_id) -> Payout:
    payout = seller_payouts(seller).filter(pk=payout_id).first()
    if payout is None:
        raise NotFound("No such payout of yours.")
    return payout
