import html
import re
from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from boutique.accounts.tests.factories import StaffFactory, UserFactory
from boutique.backoffice import dashboard as d
from boutique.backoffice.templatetags.backoffice import dashboard_for
from boutique.catalog.tests.factories import SellerFactory, make_product
from boutique.marketplace.models import SellerStatus
from boutique.orders.models import OrderItem
from boutique.orders.tests.factories import order_factory

pytestmark = pytest.mark.django_db

LBP_RATE = Decimal(90000)


def _order(days_ago=0, *, now=None, currency="USD", price="10.00", qty=2, product=None, **fields):
    now = now or timezone.now()
    rate = LBP_RATE if currency == "LBP" else Decimal(1)
    order = order_factory(
        items=(("Cardigan", "CARD-01", Decimal(price), qty),),
        currency=currency,
        exchange_rate=rate,
        placed_at=now - timedelta(days=days_ago),
        **{"status": "paid", "payment_status": "paid", **fields},
    )
    if product is not None:
        OrderItem.objects.filter(order=order).update(product=product)
    return order


@pytest.fixture
def shop():
    """Sales in both currencies over 30 days and things waiting for staff."""
    now = timezone.now()
    bodysuit, bonnet = make_product("Bodysuit", stock=1), make_product("Bonnet", stock=10)
    _order(now=now, product=bodysuit)  # $20 today
    _order(now=now, currency="LBP", price="900000", product=bonnet)  # LBP 1,800,000 = $20 today
    _order(5, now=now, price="15.00", status="delivered", product=bonnet)  # $30
    _order(20, now=now, currency="LBP", price="450000", status="processing")  # LBP 900,000 = $10
    _order(40, now=now)  # too old
    _order(now=now, status="pending", payment_status="pending")  # not paid: not a sale
    _order(now=now, status="cancelled")
    # Cash and transfers waiting for staff; paid or card ones are not.
    _order(now=now, status="pending", payment_status="pending", payment_method="cash_usd")
    _order(now=now, status="pending", payment_status="pending", payment_method="bank_transfer")
    _order(now=now, status="processing", payment_status="pending", payment_method="cash_lbp")
    _order(now=now, status="pending", payment_status="paid", payment_method="bank_transfer")
    _order(now=now, status="cancelled", payment_status="pending", payment_method="cash_usd")
    _order(now=now, status="pending", payment_status="pending", payment_method="card")
    SellerFactory(status=SellerStatus.PENDING)
    SellerFactory(status=SellerStatus.ACTIVE)
    return {"now": now, "bodysuit": bodysuit, "bonnet": bonnet}


def test_sales_per_currency_and_combined_at_each_orders_rate(shop):
    today, week, month = d.dashboard_sales(now=shop["now"])
    amounts = {
        p.key: {t.currency: (t.amount, t.orders) for t in p.by_currency}
        for p in (today, week, month)
    }
    # Today in USD: the paid order and the processing one waiting for its cash.
    assert amounts["today"] == {"USD": (Decimal("40.00"), 2), "LBP": (Decimal(1800000), 1)}
    assert amounts["7d"] == {"USD": (Decimal("70.00"), 3), "LBP": (Decimal(1800000), 1)}
    assert amounts["30d"] == {"USD": (Decimal("70.00"), 3), "LBP": (Decimal(2700000), 2)}
    assert [p.combined for p in (today, week, month)] == [
        Decimal("60.00"),
        Decimal("90.00"),
        Decimal("100.00"),
    ]
    assert [p.orders for p in (today, week, month)] == [3, 4, 5]


def test_orders_by_status_counts_every_status(shop):
    counts = {status: n for status, _, n in d.dashboard_orders_by_status()}
    assert counts == {
        "pending": 5,
        "paid": 3,
        "processing": 2,
        "shipped": 0,
        "delivered": 1,
        "cancelled": 2,
        "returned": 0,
    }


def test_revenue_by_day_has_thirty_days_in_base_currency(shop):
    days = d.dashboard_revenue_by_day(now=shop["now"])
    assert len(days) == 30
    assert days[-1].day == timezone.localdate(shop["now"])
    assert days[-1].revenue == Decimal("60.00") and days[-1].orders == 3
    assert days[-6].revenue == Decimal("30.00")
    assert days[-21].revenue == Decimal("10.00")
    assert sum(day.revenue for day in days) == Decimal("100.00")


def test_top_products_rank_by_revenue_in_base_currency(shop):
    rows = d.dashboard_top_products(now=shop["now"])
    assert [(r["product_name"], r["units"], r["revenue"]) for r in rows] == [
        ("Cardigan", 4, Decimal("50.00")),  # the bonnet's lines: $20 + $30
        ("Cardigan", 2, Decimal("20.00")),
    ]
    assert [r["product_id"] for r in rows] == [shop["bonnet"].pk, shop["bodysuit"].pk]


def test_waiting_payments_low_stock_and_applications(shop):
    assert d.dashboard_payments_to_confirm() == {"cash_usd": 1, "cash_lbp": 1, "bank_transfer": 1}
    low = d.dashboard_low_stock()
    assert low.count == 1 and low.rows[0].variant.product == shop["bodysuit"]
    assert d.dashboard_sellers_pending() == 1


def test_reviews_and_conversations_tiles_count_what_waits_for_staff(rf):
    from boutique.support.services import conversation_start

    request = rf.get("/admin/")
    request.user = StaffFactory()
    assert (
        dashboard_for(request)["reviews"]["count"],
        dashboard_for(request)["conversations"]["count"],
    ) == (0, 0)
    conversation_start(name="Nour", email="nour@example.com", subject="Sizes", body="Which size?")
    tiles = dashboard_for(request)
    assert tiles["conversations"]["count"] == 1
    assert tiles["conversations"]["url"].endswith("?status__exact=open")


# --- the admin index ----------------------------------------------------------------------
def _links(page: str) -> dict[str, str]:
    """{tile: [hrefs]} of the dashboard section."""
    section = page.split('data-testid="dashboard"', 1)[1].split("</section>", 1)[0]
    return [html.unescape(href) for href in re.findall(r'href="([^"]+)"', section)]


def _result_count(client, url) -> int:
    response = client.get(url)
    assert response.status_code == 200, url
    assert "?e=1" not in response.get("Location", "")
    return response.context["cl"].result_count


def test_index_shows_the_dashboard_above_the_app_list(client, shop):
    client.force_login(StaffFactory())
    page = client.get(reverse("admin:index")).content.decode()
    assert page.index('data-testid="dashboard"') < page.index('id="content-main"')
    assert "app-orders" in page  # the app list stays
    for tile in ("sales", "chart", "statuses", "payments", "sellers", "top-products", "low-stock"):
        assert f'data-tile="{tile}"' in page
    assert "$100.00" in page and "LBP 2,700,000" in page
    assert page.count('class="bo-chart-bar"') == 30
    assert "<script" not in page.split('data-testid="dashboard"', 1)[1].split("</section>")[0]


def test_each_figure_links_to_its_filtered_list(client, shop):
    client.force_login(StaffFactory())
    page = client.get(reverse("admin:index")).content.decode()
    links = _links(page)
    orders = [u for u in links if urlsplit(u).path == reverse("admin:orders_order_changelist")]
    counts = {u: _result_count(client, u) for u in orders}
    sold_today_usd = next(u for u in orders if "currency__exact=USD" in u)
    assert counts[sold_today_usd] == 2
    waiting = next(u for u in orders if "payment_method__in=" in u)
    assert counts[waiting] == 3
    pending = next(u for u in orders if u.endswith("status__exact=pending"))
    assert counts[pending] == 5
    day_bars = [u for u in orders if "placed_at__lt=" in u]
    assert len(day_bars) == 30 and counts[day_bars[-1]] == 3
    low = next(u for u in links if urlsplit(u).path == reverse("admin:inventory_stock_changelist"))
    assert _result_count(client, low) == 1
    sellers = next(u for u in links if "marketplace/seller/?" in u)
    assert _result_count(client, sellers) == 1
    product = reverse("admin:catalog_product_change", args=[shop["bonnet"].pk])
    assert product in links


def test_dashboard_runs_a_bounded_number_of_queries(client, shop, django_assert_max_num_queries):
    for n in range(6):  # more low-stock rows than the tile lists: it counts them
        make_product(f"Sold out {n}", stock=0)
    client.force_login(StaffFactory())
    url = reverse("admin:index")
    client.get(url)  # warm the session and content types
    with CaptureQueriesContext(connection) as first:
        assert client.get(url).status_code == 200
    for days_ago in range(12):
        _order(days_ago, currency="LBP" if days_ago % 2 else "USD", product=make_product(stock=0))
    SellerFactory(status=SellerStatus.PENDING)
    with django_assert_max_num_queries(len(first)):
        assert client.get(url).status_code == 200
    assert len(first) <= 25


def test_tiles_follow_the_staff_members_permissions(client, shop):
    clerk = UserFactory(is_staff=True)
    clerk.user_permissions.add(Permission.objects.get(codename="view_order"))
    client.force_login(clerk)
    page = client.get(reverse("admin:index")).content.decode()
    assert 'data-tile="sales"' in page and 'data-tile="payments"' in page
    for hidden in ("sellers", "low-stock", "reviews", "conversations"):
        assert f'data-tile="{hidden}"' not in page
    # No catalog permission: products are named, not linked.
    assert reverse("admin:catalog_product_change", args=[shop["bonnet"].pk]) not in page


def test_staff_without_permissions_see_no_figures(client, shop):
    client.force_login(UserFactory(is_staff=True))
    page = client.get(reverse("admin:index")).content.decode()
    assert "data-tile=" not in page
    assert "$100.00" not in page


def test_customers_are_sent_to_sign_in(client, shop):
    client.force_login(UserFactory())
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
