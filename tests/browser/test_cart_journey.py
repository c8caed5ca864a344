"""A guest fills a cart in a real browser (HTMX drawer, header count), signs in
with an account that already has a cart, and finds both carts merged."""

from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from boutique.accounts.tests.factories import UserFactory
from boutique.cart.services import cart_add_item, cart_obtain
from boutique.catalog.tests.factories import CategoryFactory, make_product

from .test_account_journeys import is_same_document, mark_document, sign_in, url, wait_for_htmx

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def shop(db):
    clothing = CategoryFactory(name="Clothing", slug="clothing")
    bodysuit = make_product(
        "Striped bodysuit",
        category=clothing,
        variants=[
            {"size": "0-3M", "price": Decimal("12.00"), "stock": 8},
            {"size": "3-6M", "price": Decimal("12.00"), "stock": 5},
        ],
    )
    hat = make_product("Wool hat", category=clothing, price="15.00", stock=3)
    rattle = make_product("Wooden rattle", category=clothing, price="9.00", stock=4)
    customer = UserFactory(email="maya@example.com")
    # Maya filled a cart on another device last week.
    cart_add_item(cart=cart_obtain(user=customer), variant_id=rattle.variants.get().pk, quantity=1)
    cart_add_item(cart=cart_obtain(user=customer), variant_id=hat.variants.get().pk, quantity=2)
    return {"bodysuit": bodysuit, "hat": hat, "rattle": rattle, "customer": customer}


def _add_from_product_page(page: Page, live_server, slug: str, *, option: str | None = None):
    page.goto(url(live_server, f"/p/{slug}/"))
    if option:
        page.get_by_label(option).check()
        wait_for_htmx(page)
    mark_document(page)
    page.get_by_role("button", name="Add to cart").click()
    wait_for_htmx(page)
    drawer = page.get_by_role("dialog", name="Your cart")
    expect(drawer).to_be_visible()
    assert is_same_document(page)
    return drawer


def test_guest_cart_merges_into_the_account_cart_on_sign_in(page: Page, live_server, shop):
    drawer = _add_from_product_page(page, live_server, "striped-bodysuit", option="3-6M")
    expect(drawer).to_contain_text("Striped bodysuit (3-6M)")
    expect(page.locator(".mini-cart-count")).to_have_text("1")

    drawer = _add_from_product_page(page, live_server, "wool-hat")
    expect(drawer).to_contain_text("Wool hat")
    expect(page.locator(".mini-cart-count")).to_have_text("2")

    sign_in(page, live_server, login="maya@example.com")
    expect(page.locator(".mini-cart-count")).to_have_text("5")

    page.get_by_role("link", name="Cart, 5 items").click()
    expect(page.get_by_role("dialog", name="Your cart")).to_be_visible()
    page.goto(url(live_server, "/cart/"))
    rows = page.locator("tr.cart-line")
    expect(rows).to_have_count(3)
    expect(rows.filter(has_text="Striped bodysuit")).to_contain_text("3-6M")
    # Quantities add up: one hat as a guest plus two already in Maya's cart.
    expect(rows.filter(has_text="Wool hat").get_by_role("spinbutton")).to_have_value("3")
    expect(rows.filter(has_text="Wooden rattle").get_by_role("spinbutton")).to_have_value("1")
    expect(page.locator("#cart-subtotal")).to_have_text("$66.00")

    # Changing a quantity updates the cart in place.
    mark_document(page)
    page.get_by_label("Quantity of Wooden rattle").fill("2")
    page.get_by_label("Quantity of Wooden rattle").dispatch_event("change")
    wait_for_htmx(page)
    expect(page.locator("#cart-subtotal")).to_have_text("$75.00")
    expect(page.locator(".mini-cart-count")).to_have_text("6")
    assert is_same_document(page)


def test_cart_and_merge_work_without_javascript(browser, live_server, shop):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto(url(live_server, "/p/wool-hat/"))
        page.get_by_role("button", name="Add to cart").click()
        # Without HTMX the form posts and comes back to the product with a message.
        expect(page.get_by_role("heading", level=1)).to_have_text("Wool hat")
        expect(page.get_by_text("Added Wool hat to your cart.")).to_be_visible()
        expect(page.locator(".mini-cart-count")).to_have_text("1")

        sign_in(page, live_server, login="maya@example.com")
        page.goto(url(live_server, "/cart/"))
        rows = page.locator("tr.cart-line")
        expect(rows).to_have_count(2)
        expect(rows.filter(has_text="Wool hat").get_by_role("spinbutton")).to_have_value("3")

        rows.filter(has_text="Wooden rattle").get_by_role("button", name="Remove").click()
        expect(page.locator("tr.cart-line")).to_have_count(1)
        expect(page.locator("#cart-subtotal")).to_have_text("$45.00")
    finally:
        context.close()


def test_hearts_toggle_on_the_listing_and_the_product_page(page: Page, live_server, shop):
    sign_in(page, live_server, login="maya@example.com")
    page.goto(url(live_server, "/shop/"))
    mark_document(page)
    first_card = page.locator(".product-card").first
    name = first_card.locator(".product-card-name").inner_text()
    first_card.get_by_role("button", name=f"Save {name} to your wishlist").click()
    wait_for_htmx(page)
    expect(
        first_card.get_by_role("button", name=f"Remove {name} from your wishlist")
    ).to_have_attribute("aria-pressed", "true")
    # The heart swapped only itself: same page, filters and results untouched.
    assert is_same_document(page) and page.url.endswith("/shop/")
    expect(page.locator(".product-card")).to_have_count(3)

    # Sorting (outside the filter form now) still swaps the results in place.
    page.get_by_label("Sort by").select_option("price_asc")
    wait_for_htmx(page)
    assert "sort=price_asc" in page.url and is_same_document(page)
    expect(page.locator(".product-card .product-card-name").first).to_have_text("Wooden rattle")

    page.get_by_role("link", name=name).click()
    heart = page.locator(".product-title-row .heart")
    expect(heart).to_have_attribute("aria-pressed", "true")
    heart.click()
    wait_for_htmx(page)
    expect(page.locator(".product-title-row .heart")).to_have_attribute("aria-pressed", "false")
    page.goto(url(live_server, "/account/wishlist/"))
    expect(page.get_by_text("Nothing saved yet.")).to_be_visible()
