"""Issue 13 in a real browser: a product's Safety section, a recall banner,
and a guest asking to be told when a sold-out option is back (HTMX swaps the
form for its confirmation without a page load); a bad address is refused
beside the field and nothing is stored."""

from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from boutique.accounts.tests.factories import StaffFactory
from boutique.catalog.safety import certification_create, material_create, recall_issue
from boutique.catalog.tests.factories import CategoryFactory, make_product
from boutique.inventory.models import StockAlert

from .test_account_journeys import is_same_document, mark_document, url, wait_for_htmx

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def blocks(db):
    toys = CategoryFactory(name="Toys", slug="toys")
    return make_product(
        "Wooden blocks",
        category=toys,
        min_safe_age_months=36,
        safety_warning="small_parts",
        materials=[material_create(name="Beech wood")],
        certifications=[certification_create(code="EN71", name="EN 71 Safety of toys")],
        variants=[
            {"color": "Natural", "price": Decimal("24.00"), "stock": 3},
            {"color": "Rainbow", "price": Decimal("28.00"), "stock": 0},
        ],
    )


def test_safety_section_and_back_in_stock_for_a_guest(page: Page, live_server, blocks):
    page.goto(url(live_server, f"/p/{blocks.slug}/"))
    safety = page.get_by_role("region", name="Safety")
    expect(safety).to_contain_text("Not for children under 3 years")
    expect(safety).to_contain_text("Choking hazard: small parts")
    expect(safety).to_contain_text("Beech wood")
    expect(safety.get_by_role("link", name="EN71")).to_be_visible()
    expect(page.locator("#stock-alert")).to_have_count(0)  # the first option is in stock

    mark_document(page)
    page.get_by_label("Rainbow").check()
    wait_for_htmx(page)
    form = page.locator("#stock-alert")
    expect(form).to_contain_text("Sold out for now")

    form.get_by_label("Email").fill("not-an-email@")
    form.get_by_role("button", name="Email me").click()
    wait_for_htmx(page)
    # The browser's own check may stop it first; either way nothing is stored.
    assert not StockAlert.objects.exists()

    form.get_by_label("Email").fill("guest@example.com")
    form.get_by_role("button", name="Email me").click()
    wait_for_htmx(page)
    expect(page.get_by_role("status").filter(has_text="guest@example.com")).to_be_visible()
    assert is_same_document(page)
    assert StockAlert.objects.get().email == "guest@example.com"


def test_a_recalled_product_shows_its_banner(page: Page, live_server, blocks):
    recall_issue(
        product=blocks,
        title="Paint can flake off",
        description="Small flakes are a choking hazard.",
        remedy="Stop using the blocks and return them for a refund.",
        actor=StaffFactory(),
    )
    page.goto(url(live_server, f"/p/{blocks.slug}/"))
    banner = page.get_by_role("alert")
    expect(banner).to_contain_text("Safety recall")
    expect(banner).to_contain_text("Paint can flake off")
    expect(banner).to_contain_text("return them for a refund")
    page.goto(url(live_server, "/shop/"))
    expect(page.locator(".product-badge-recall")).to_have_text("Recalled")
