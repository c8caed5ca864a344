"""The sales report (a period, revenue by day drawn as server-side SVG, top
products, totals) and its CSV export. Amounts are in the base currency."""

import csv
from dataclasses import dataclass
from decimal import Decimal

from django.http import HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from boutique.core.money import BASE_CURRENCY, quantize
from boutique.marketplace import selectors

from ...forms.seller_workspace import PeriodForm
from . import seller_view

CHART_WIDTH, CHART_HEIGHT, CHART_GAP = 720, 200, 1
CSV_HEADER = [
    "date",
    "order number",
    "sku",
    "product",
    "quantity",
    "unit price",
    "line total",
    "currency",
    f"line total in {BASE_CURRENCY}",
    "paid out",
]
# A spreadsheet runs a cell starting with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    day: object
    revenue: Decimal
    units: int


def revenue_chart(days) -> list[Bar]:
    """One bar per day, scaled to the best day (a day without sales is 0 high)."""
    if not days:
        return []
    top = max(day.revenue for day in days) or Decimal(1)
    width = CHART_WIDTH / len(days)
    bars = []
    for index, day in enumerate(days):
        height = round(float(day.revenue / top) * CHART_HEIGHT, 2)
        bars.append(
            Bar(
                x=round(index * width, 2),
                y=round(CHART_HEIGHT - height, 2),
                width=round(max(width - CHART_GAP, 0.5), 2),
                height=height,
                day=day.day,
                revenue=day.revenue,
                units=day.units,
            )
        )
    return bars


@seller_view
def sales_report(request, seller):
    form = PeriodForm(request.GET or None)
    start, end = form.period()
    days = selectors.seller_sales_by_day(seller, start=start, end=end)
    context = {
        "seller": seller,
        "form": form,
        "start": start,
        "end": end,
        "bars": revenue_chart(days),
        "chart_width": CHART_WIDTH,
        "chart_height": CHART_HEIGHT,
        "top_products": selectors.seller_top_products(seller, start=start, end=end),
        "total_revenue": sum((day.revenue for day in days), Decimal(0)),
        "total_units": sum(day.units for day in days),
        "best_day": max(days, key=lambda day: day.revenue) if days else None,
        "currency": BASE_CURRENCY,
    }
    status = 200 if not form.is_bound or form.is_valid() else 400
    return render(request, "storefront/seller/sales.html", context, status=status)


def csv_safe(value) -> str:
    """A text cell a spreadsheet shows as text, never runs as a formula."""
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class _Echo:
    def write(self, value):
        return value


def sales_rows(seller, *, start, end):
    yield CSV_HEADER
    for item in selectors.seller_sales_rows(seller, start=start, end=end).iterator(chunk_size=500):
        order = item.order
        base_total = quantize(item.line_total / order.exchange_rate, BASE_CURRENCY)
        paid_out = getattr(item, "payout_item", None) is not None
        yield [
            timezone.localdate(order.placed_at).isoformat(),
            csv_safe(order.number),
            csv_safe(item.sku),
            csv_safe(item.product_name),
            item.quantity,
            item.unit_price,
            item.line_total,
            order.currency,
            base_total,
            "yes" if paid_out else "no",
        ]


@seller_view
def sales_csv(request, seller):
    form = PeriodForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        # Never a file of another period than the one asked for.
        errors = "; ".join(f"{name}: {' '.join(msgs)}" for name, msgs in form.errors.items())
        return HttpResponseBadRequest(
            f"The period is not valid ({errors}).", content_type="text/plain; charset=utf-8"
        )
    start, end = form.period()
    writer = csv.writer(_Echo())
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in sales_rows(seller, start=start, end=end)),
        content_type="text/csv; charset=utf-8",
    )
    filename = f"sales-{seller.slug}-{start:%Y%m%d}-{end:%Y%m%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
