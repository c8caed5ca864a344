"""{% backoffice_dashboard %} on the admin index and the footer's social links.

The dashboard reads only the tiles the signed-in staff member may open: a tile
needs the view (or change) permission of the list it links to."""

from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlencode

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.safestring import mark_safe

from boutique.core.money import BASE_CURRENCY
from boutique.reviews.selectors import reviews_pending_count
from boutique.support.selectors import conversations_open_count

from .. import dashboard as d
from ..selectors import social_links_for_footer

register = template.Library()

CHART_WIDTH, CHART_HEIGHT, CHART_GAP = 600, 160, 2


def _can(user, app_label: str, model: str) -> bool:
    return user.has_perm(f"{app_label}.view_{model}") or user.has_perm(
        f"{app_label}.change_{model}"
    )


def _list_url(name: str, **params) -> str:
    """An admin list's address with its filters (None when the list does not exist)."""
    try:
        url = reverse(f"admin:{name}_changelist")
    except NoReverseMatch:
        return None
    params = {k: ",".join(v) if isinstance(v, list | tuple) else v for k, v in params.items()}
    return f"{url}?{urlencode(params)}" if params else url


def _orders_url(**params) -> str:
    return _list_url("orders_order", **params)


def _sold_url(**params) -> str:
    return _orders_url(status__in=[str(s) for s in d.SOLD], **params)


def _sales(now=None) -> list[dict]:
    return [
        {
            "period": period,
            "url": _sold_url(placed_at__gte=period.since.isoformat()),
            "currencies": [
                {
                    "total": total,
                    "url": _sold_url(
                        placed_at__gte=period.since.isoformat(), currency__exact=total.currency
                    ),
                }
                for total in period.by_currency
            ],
        }
        for period in d.dashboard_sales(now=now)
    ]


def _chart(now=None) -> dict:
    days = d.dashboard_revenue_by_day(now=now)
    top = max((day.revenue for day in days), default=Decimal(0)) or Decimal(1)
    slot = Decimal(CHART_WIDTH) / len(days)
    bars = []
    for n, day in enumerate(days):
        height = (day.revenue / top * (CHART_HEIGHT - 10)).quantize(Decimal("0.1"))
        if day.revenue and height < 1:
            height = Decimal(1)
        start = d.day_start(day.day)
        bars.append(
            {
                "day": day,
                "x": (slot * n + Decimal(CHART_GAP) / 2).quantize(Decimal("0.1")),
                "width": (slot - CHART_GAP).quantize(Decimal("0.1")),
                "y": CHART_HEIGHT - height,
                "height": height,
                "url": _sold_url(
                    placed_at__gte=start.isoformat(),
                    placed_at__lt=(start + timedelta(days=1)).isoformat(),
                ),
            }
        )
    return {
        "bars": bars,
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "best": max(days, key=lambda day: day.revenue) if days else None,
        "total": sum((day.revenue for day in days), Decimal(0)),
        "first": days[0].day,
        "last": days[-1].day,
    }


def _statuses() -> list[dict]:
    return [
        {"status": value, "label": label, "count": n, "url": _orders_url(status__exact=value)}
        for value, label, n in d.dashboard_orders_by_status()
    ]


def _top_products(user, now=None) -> list[dict]:
    can_open = _can(user, "catalog", "product")
    rows = d.dashboard_top_products(now=now)
    for row in rows:
        row["url"] = (
            reverse("admin:catalog_product_change", args=[row["product_id"]]) if can_open else None
        )
    return rows


def _payments_to_confirm() -> dict:
    counts = d.dashboard_payments_to_confirm()
    waiting = {"payment_status__exact": "pending", "status__in": [str(s) for s in d.CONFIRMABLE]}
    return {
        "total": sum(counts.values()),
        "url": _orders_url(payment_method__in=[str(m) for m in d.CONFIRM_BY_HAND], **waiting),
        "methods": [
            {
                "label": d.PaymentMethod(method).label,
                "count": n,
                "url": _orders_url(payment_method__exact=method, **waiting),
            }
            for method, n in counts.items()
        ],
    }


def _low_stock() -> dict:
    low = d.dashboard_low_stock()
    return {
        "count": low.count,
        "url": _list_url("inventory_stock", low="yes"),
        "rows": [
            {
                "stock": stock,
                "url": reverse("admin:inventory_stock_change", args=[stock.pk]),
            }
            for stock in low.rows
        ],
    }


def _count_tile(user, app_label, model, count, **params) -> dict | None:
    if not _can(user, app_label, model):
        return None
    return {"count": count(), "url": _list_url(f"{app_label}_{model}", **params)}


def dashboard_for(request, *, now=None) -> dict:
    """The tiles the staff member may see, each figure with the address of its list."""
    user = request.user
    tiles = {"base_currency": BASE_CURRENCY}
    if _can(user, "orders", "order"):
        tiles["sales"] = _sales(now)
        tiles["chart"] = _chart(now)
        tiles["statuses"] = _statuses()
        tiles["top_products"] = {"rows": _top_products(user, now)}
        tiles["payments"] = _payments_to_confirm()
    if _can(user, "inventory", "stock"):
        tiles["low_stock"] = _low_stock()
    if _can(user, "marketplace", "seller"):
        tiles["sellers"] = {
            "count": d.dashboard_sellers_pending(),
            "url": _list_url("marketplace_seller", status__exact="pending"),
        }
    tiles["reviews"] = _count_tile(
        user, "reviews", "review", reviews_pending_count, status__exact="pending"
    )
    tiles["conversations"] = _count_tile(
        user, "support", "conversation", conversations_open_count, status__exact="open"
    )
    return tiles


@register.inclusion_tag("backoffice/_dashboard.html", takes_context=True)
def backoffice_dashboard(context):
    request = context.get("request")
    if request is None or not getattr(request.user, "is_staff", False):
        return {"tiles": None}
    return {"tiles": dashboard_for(request)}


@register.simple_tag
def footer_social_links() -> list[dict]:
    """[{url, label, platform, icon}] for the footer, icon markup marked safe
    (it comes from boutique.backoffice.icons, never from input)."""
    return [{**row, "icon": mark_safe(row["icon"])} for row in social_links_for_footer()]  # noqa: S308
