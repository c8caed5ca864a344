"""A customer browsing in a real browser: home → category → filter → product →
another option, and the price and availability follow without a page load."""

from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from boutique.catalog.tests.factories import BrandFactory, CategoryFactory, make_product

from .test_account_journeys import is_same_document, mark_document, url, wait_for_htmx

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def shop(db):
    clothing = CategoryFactory(name="Clothing", slug="clothing", is_featured=True)
    bodysuits = CategoryFactory(name="Bodysuits", slug="bodysuits", parent=clothing)
    CategoryFactory(name="Toys", slug="toys", is_featured=True)
    cosy = BrandFactory(name="Cosy Cotton", slug="cosy-cotton")
    make_product(
        "Striped bodysuit",
        category=bodysuits,
        brand=cosy,
        variants=[
            {"size": "0-3M", "color": "Blue", "price": Decimal("12.00"), "stock": 8},
            {"size": "3-6M", "color": "Blue", "price": Decimal("14.50"), "stock": 0},
        ],
    )
    make_product("Plain bodysuit", category=bodysuits, price="9.00", stock=4)
    make_product("Wool hat", category=clothing, price="15.00", stock=2)


def test_browse_filter_and_pick_a_variant(page: Page, live_server, shop):
    page.goto(url(live_server, "/"))
    page.get_by_role("link", name="Clothing").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Clothing")
    expect(page.get_by_role("status")).to_have_text("3 products")

    # Ticking a brand swaps the results over HTMX and keeps the address in step.
    mark_document(page)
    page.get_by_label("Cosy Cotton").check()
    wait_for_htmx(page)
    expect(page.get_by_role("status")).to_have_text("1 product")
    assert is_same_document(page)
    assert "brand=cosy-cotton" in page.url
    expect(page.get_by_label("Cosy Cotton")).to_be_checked()

    page.get_by_role("link", name="Striped bodysuit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Striped bodysuit")
    panel = page.locator("#variant-panel")
    expect(panel.locator(".price-now")).to_have_text("$12.00")
    expect(panel.locator(".availability")).to_have_text("In stock")

    mark_document(page)
    page.get_by_label("3-6M / Blue").check()
    wait_for_htmx(page)
    expect(panel.locator(".price-now")).to_have_text("$14.50")
    expect(panel.locator(".availability")).to_have_text("Out of stock")
    assert is_same_document(page)
    # The chosen option is in the address, so a reload shows it again.
    assert "variant=" in page.url
    page.reload()
    expect(page.locator("#variant-panel .price-now")).to_have_text("$14.50")


def test_filters_work_without_javascript(browser, live_server, shop):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(url(live_server, "/shop/c/clothing/"))
    page.get_by_label("Cosy Cotton").check()
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_role("status")).to_have_text("1 product")
    page.get_by_role("link", name="Striped bodysuit").click()
    page.get_by_label("3-6M / Blue").check()
    page.get_by_role("button", name="Show this option").click()
    expect(page.locator("#variant-panel .price-now")).to_have_text("$14.50")
    context.close()
