"""The marketplace end to end in a real browser (issue 9): a customer applies to
sell, staff approve the store in the back office, the seller lists a product in
their workspace, a guest buys it, and the seller ships it."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from boutique.accounts.tests.factories import UserFactory
from boutique.catalog.tests.factories import CategoryFactory
from boutique.marketplace.models import Seller
from boutique.orders.models import Order, ShippingMethod
from boutique.shipping.models import Shipment
from boutique.shipping.tests.factories import make_provider

from .test_account_journeys import sign_in, url, wait_for_htmx

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def shop(db):
    CategoryFactory(name="Knitwear", slug="knitwear")
    ShippingMethod.objects.create(name="Beirut courier", price=Decimal("5.00"), countries="LB")
    make_provider(name="Aramex")
    UserFactory(email="maya@example.com")
    UserFactory(email="staff@example.com", is_staff=True, is_superuser=True)


def _apply(page: Page, live_server):
    sign_in(page, live_server, login="maya@example.com")
    page.goto(url(live_server, "/sell/"))
    page.get_by_label("Store name").fill("Olive & Acorn")
    page.get_by_label("About your store").fill("Hand-knit bonnets and booties.")
    page.get_by_label("Account holder's name").fill("Maya Haddad")
    page.get_by_label("Account", exact=True).fill("LB62 0999 0000 0001 0019 0122 9114")
    page.get_by_role("button", name="Send my application").click()
    expect(page.locator("main")).to_contain_text(re.compile("pending|review", re.I))
    assert Seller.objects.get(store_name="Olive & Acorn").status == "pending"


def _approve(page: Page, live_server):
    page.context.clear_cookies()
    page.goto(url(live_server, "/admin/login/"))
    page.locator("#id_username").fill("staff@example.com")
    page.locator("#id_password").fill("Tulip-Garden-42")
    page.get_by_role("button", name="Log in").click()
    page.goto(url(live_server, "/admin/marketplace/seller/"))
    page.get_by_role("link", name="Olive & Acorn").click()
    page.get_by_role("link", name="Approve", exact=True).click()
    page.get_by_role("button", name="Approve").click()
    expect(page.locator(".messagelist")).to_contain_text("approved")
    assert Seller.objects.get(store_name="Olive & Acorn").status == "active"


def _list_product(page: Page, live_server):
    page.context.clear_cookies()
    sign_in(page, live_server, login="maya@example.com")
    page.goto(url(live_server, "/seller/products/new/"))
    page.get_by_label("Name").fill("Hand-knit bonnet")
    page.get_by_label("Category").select_option(label="Knitwear")
    page.get_by_label("Status").select_option("active")
    page.get_by_label("SKU").fill("OA-BONNET-1")
    page.get_by_label("Price (USD)").fill("24.00")
    page.get_by_label("Units in stock").fill("3")
    page.get_by_role("button", name="Create the product").click()
    expect(page.locator("main")).to_contain_text("Hand-knit bonnet")


def _buy(page: Page, live_server) -> str:
    page.context.clear_cookies()
    page.goto(url(live_server, "/s/olive-acorn/"))
    page.get_by_role("link", name=re.compile("Hand-knit bonnet")).first.click()
    expect(page.locator("main")).to_contain_text("Olive & Acorn")  # "Sold by"
    page.get_by_role("button", name="Add to cart").click()
    wait_for_htmx(page)
    page.goto(url(live_server, "/cart/"))
    page.get_by_role("button", name="Checkout").click()
    page.get_by_label("Email").fill("nour@example.com")
    page.locator("#id_ship_full_name").fill("Nour Saad")
    page.locator("#id_ship_line1").fill("Mar Mikhael 4")
    page.locator("#id_ship_city").fill("Beirut")
    page.get_by_label("Card", exact=True).check()
    page.get_by_role("button", name="Place order").click()
    expect(page).to_have_url(re.compile(r"/orders/BQ-\d{4}-\d{6}/$"))
    number = page.url.rstrip("/").rsplit("/", 1)[1]
    page.get_by_label("Card number").fill("4242 4242 4242 4242")
    page.get_by_label("Expiry month").fill("12")
    page.get_by_label("Expiry year").fill("2030")
    page.get_by_label("Security code").fill("321")
    page.get_by_role("button", name=re.compile(r"^Pay ")).click()
    expect(page.locator("#messages")).to_contain_text(f"Order {number} is paid.")
    return number


def _ship(page: Page, live_server, number: str):
    page.context.clear_cookies()
    sign_in(page, live_server, login="maya@example.com")
    page.goto(url(live_server, "/seller/orders/"))
    page.get_by_role("link", name=re.compile(number)).first.click()
    page.get_by_label("Carrier").select_option(label="Aramex")
    page.get_by_label("Tracking number").fill("AX123456789LB")
    page.get_by_role("button", name="Create the parcel").click()
    expect(page.locator(".seller-parcels")).to_contain_text("AX123456789LB")


def test_apply_approve_list_buy_and_ship(page: Page, live_server, shop):
    _apply(page, live_server)
    _approve(page, live_server)
    _list_product(page, live_server)
    number = _buy(page, live_server)
    order = Order.objects.get(number=number)
    item = order.items.get()
    assert item.seller.store_name == "Olive & Acorn" and item.line_total == Decimal("24.00")
    _ship(page, live_server, number)
    shipment = Shipment.objects.get(order=order)
    assert shipment.tracking_number == "AX123456789LB"
    assert list(shipment.items.values_list("order_item_id", "quantity")) == [(item.pk, 1)]
