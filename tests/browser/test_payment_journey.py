"""Paying in a real browser: a guest pays by test card (declined first, then
another card), and a staff member confirms a bank transfer in the back office."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from boutique.accounts.tests.factories import UserFactory
from boutique.catalog.tests.factories import CategoryFactory, make_product
from boutique.orders.models import Order, ShippingMethod
from boutique.payments.models import Payment

from .test_account_journeys import url, wait_for_htmx

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def shop(db):
    make_product("Wool hat", category=CategoryFactory(), price="15.00", stock=4)
    ShippingMethod.objects.create(name="Beirut courier", price=Decimal("5.00"), countries="LB")


def _checkout(page: Page, live_server, *, pay_with: str) -> str:
    page.goto(url(live_server, "/p/wool-hat/"))
    page.get_by_role("button", name="Add to cart").click()
    wait_for_htmx(page)
    page.goto(url(live_server, "/cart/"))
    page.get_by_role("button", name="Checkout").click()
    page.get_by_label("Email").fill("nour@example.com")
    page.locator("#id_ship_full_name").fill("Nour Saad")
    page.locator("#id_ship_line1").fill("Mar Mikhael 4")
    page.locator("#id_ship_city").fill("Beirut")
    page.get_by_label(pay_with, exact=True).check()
    page.get_by_role("button", name="Place order").click()
    expect(page).to_have_url(re.compile(r"/orders/BQ-\d{4}-\d{6}/$"))
    return page.url.rstrip("/").rsplit("/", 1)[1]


def _card(page: Page, number: str):
    page.get_by_label("Card number").fill(number)
    page.get_by_label("Expiry month").fill("12")
    page.get_by_label("Expiry year").fill("2030")
    page.get_by_label("Security code").fill("321")
    page.get_by_role("button", name=re.compile(r"^Pay ")).click()


def test_a_declined_card_then_a_good_one_pays_the_order(page: Page, live_server, shop):
    number = _checkout(page, live_server, pay_with="Card")
    _card(page, "4000 0000 0000 0002")
    expect(page.locator("#messages")).to_contain_text("Your card was declined.")
    expect(page.get_by_label("Card number")).to_have_value("")
    assert Order.objects.get(number=number).payment_status == "failed"

    _card(page, "4242 4242 4242 4242")
    expect(page.locator("#messages")).to_contain_text(f"Order {number} is paid.")
    expect(page.locator(".payment-list")).to_contain_text("Visa ending 4242")
    order = Order.objects.get(number=number)
    assert (order.status, order.payment_status) == ("paid", "paid")


def test_staff_confirm_a_bank_transfer_in_the_back_office(page: Page, live_server, shop):
    number = _checkout(page, live_server, pay_with="Bank transfer")
    expect(page.locator(".payment-reference")).to_have_text(number)

    UserFactory(email="staff@example.com", is_staff=True, is_superuser=True)
    page.context.clear_cookies()
    page.goto(url(live_server, "/admin/login/"))
    page.locator("#id_username").fill("staff@example.com")
    page.locator("#id_password").fill("Tulip-Garden-42")
    page.get_by_role("button", name="Log in").click()
    page.goto(url(live_server, "/admin/orders/order/"))
    page.get_by_role("link", name=number).click()
    page.get_by_label("Received as").select_option("bank_transfer")
    page.get_by_label("Bank reference (for transfers)").fill("BLOM-20261124-77")
    page.get_by_role("button", name="Confirm payment").click()
    expect(page.locator(".messagelist")).to_contain_text(f"order {number} is paid")
    payment = Payment.objects.get(order__number=number)
    assert (payment.method, payment.bank_reference, payment.status) == (
        "bank_transfer",
        "BLOM-20261124-77",
        "succeeded",
    )
