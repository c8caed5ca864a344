"""A guest checks out in Lebanese pounds with a coupon in a real browser: the
summary the page shows before placing is exactly what the confirmation shows
(whole pounds, plus the US-dollar equivalent at the order's rate)."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from boutique.accounts.tests.factories import AddressFactory, UserFactory
from boutique.cart.services import cart_add_item, cart_obtain
from boutique.catalog.models import Variant
from boutique.catalog.tests.factories import CategoryFactory, make_product
from boutique.orders.models import Order, ShippingMethod
from boutique.orders.services import exchange_rate_set
from boutique.promotions.services import coupon_create

from .test_account_journeys import (
    is_same_document,
    mark_document,
    sign_in,
    url,
    wait_for_htmx,
)

pytestmark = pytest.mark.django_db(transaction=True)

TOTALS = ("subtotal", "discount", "shipping", "tax", "total")
WHOLE_POUNDS = re.compile(r"^−?LBP \d{1,3}(,\d{3})*$")


@pytest.fixture
def shop(db):
    clothing = CategoryFactory(name="Clothing", slug="clothing")
    make_product("Striped bodysuit", category=clothing, price="12.00", stock=5)
    exchange_rate_set(currency="LBP", rate="89500")
    ShippingMethod.objects.create(
        name="Beirut courier", price=Decimal("5.00"), countries="LB", eta_min_days=1
    )
    ShippingMethod.objects.create(name="La Poste", price=Decimal("9.00"), countries="FR")
    coupon_create(code="SPRING10", kind="percentage", value=Decimal("10"))


def _totals(page: Page, scope: str) -> dict[str, tuple[str, str]]:
    """{row: (amount in the order currency, amount in US dollars)} of a totals table."""
    read = {}
    for key in TOTALS:
        row = page.locator(f'{scope} [data-total="{key}"]')
        read[key] = (
            row.locator("td.amount").inner_text().strip(),
            row.locator("td.amount-usd").inner_text().strip(),
        )
    return read


def test_guest_checks_out_in_pounds_with_a_coupon(page: Page, live_server, shop):
    page.goto(url(live_server, "/p/striped-bodysuit/"))
    page.get_by_role("button", name="Add to cart").click()
    wait_for_htmx(page)
    expect(page.locator(".mini-cart-count")).to_have_text("1")
    page.goto(url(live_server, "/cart/"))
    page.get_by_role("button", name="Checkout").click()
    expect(page).to_have_url(url(live_server, "/checkout/"))
    expect(page.get_by_role("heading", name="Checkout", level=1)).to_be_visible()

    mark_document(page)
    page.get_by_label("Email").fill("rana@example.com")
    page.locator("#id_ship_full_name").fill("Rana Khoury")
    page.locator("#id_ship_line1").fill("12 Rue Gouraud")
    page.locator("#id_ship_city").fill("Beirut")
    # The country decides the methods offered: France's, then back to Lebanon's.
    methods = page.locator("#checkout-methods")
    page.locator("#id_ship_country").fill("FR")
    page.locator("#id_ship_country").dispatch_event("change")
    wait_for_htmx(page)
    expect(methods).to_contain_text("La Poste")
    expect(methods).not_to_contain_text("Beirut courier")
    page.locator("#id_ship_country").fill("LB")
    page.locator("#id_ship_country").dispatch_event("change")
    wait_for_htmx(page)
    expect(methods).to_contain_text("Beirut courier")
    expect(page.get_by_label(re.compile("Beirut courier"))).to_be_checked()

    page.get_by_label("Pay in").select_option("LBP")
    wait_for_htmx(page)
    summary = page.locator("#checkout-summary")
    expect(summary.locator('[data-total="subtotal"] td.amount')).to_have_text("LBP 1,074,000")

    page.get_by_label("Coupon code").fill("spring10")
    page.get_by_role("button", name="Apply").click()
    wait_for_htmx(page)
    expect(page.locator("#coupon-feedback")).to_contain_text("SPRING10 applied")
    expect(summary.locator('[data-total="discount"]')).to_be_visible()
    assert is_same_document(page)

    quoted = _totals(page, "#checkout-summary")
    for amount, _usd in quoted.values():
        assert WHOLE_POUNDS.match(amount), amount
    # 12 USD at 89,500, 10 % off, 5 USD shipping, 6 % tax on the discounted goods.
    assert quoted["subtotal"][0] == "LBP 1,074,000"
    assert quoted["discount"][0] == "−LBP 107,400"
    assert quoted["shipping"][0] == "LBP 447,500"
    assert quoted["tax"][0] == "LBP 57,996"
    assert quoted["total"] == ("LBP 1,472,096", "$16.45")

    page.get_by_role("button", name="Place order").click()
    expect(page).to_have_url(re.compile(r"/orders/BQ-\d{4}-\d{6}/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Order BQ-")
    expect(page.locator("#messages")).to_contain_text("Thank you! We received your order")
    assert _totals(page, ".order-totals") == quoted
    expect(page.locator(".order-totals")).to_contain_text("1 USD = 89,500 LBP")

    order = Order.objects.get()
    assert (order.currency, order.total, order.email) == (
        "LBP",
        Decimal("1472096"),
        "rana@example.com",
    )
    assert order.coupon_code == "SPRING10"


def test_signed_in_checkout_with_a_saved_address_works_without_javascript(
    browser, live_server, shop
):
    customer = UserFactory(email="nour@example.com")
    AddressFactory(user=customer, full_name="Nour Saad", line1="Hamra St 4", is_default=True)
    variant = Variant.objects.get(product__name="Striped bodysuit")
    cart_add_item(cart=cart_obtain(user=customer), variant_id=variant.pk, quantity=2)
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        sign_in(page, live_server, login="nour@example.com")
        page.goto(url(live_server, "/cart/"))
        page.get_by_role("button", name="Checkout").click()
        expect(page).to_have_url(url(live_server, "/checkout/"))
        expect(page.get_by_label("Email")).to_have_value("nour@example.com")
        saved = page.get_by_label(re.compile("Nour Saad, Hamra St 4"))
        expect(saved).to_be_checked()
        # The new-address fields show only when "A new address" is picked (CSS, no script).
        expect(page.locator("#id_ship_full_name")).to_be_hidden()
        page.get_by_label("A new address").check()
        expect(page.locator("#id_ship_full_name")).to_be_visible()
        saved.check()
        expect(page.locator("#id_ship_full_name")).to_be_hidden()
        expect(page.get_by_label(re.compile("Beirut courier"))).to_be_checked()
        quoted = page.locator("#checkout-summary [data-total='total'] td.amount").inner_text()
        assert quoted == "$30.44"  # 24.00 + 5.00 shipping + 6 % of 24.00

        page.get_by_role("button", name="Place order").click()
        expect(page).to_have_url(re.compile(r"/orders/BQ-\d{4}-\d{6}/$"))
        expect(page.locator(".order-totals [data-total='total'] td.amount")).to_have_text(quoted)
        expect(page.locator(".order-address").first).to_contain_text("Hamra St 4")
        page.get_by_role("link", name="Your orders").click()
        expect(page.locator("tr.order-row")).to_have_count(1)
        expect(page.locator("tr.order-row")).to_contain_text("$30.44")
    finally:
        context.close()
