"""Arabic in a real browser: the switcher in the header turns the page right to
left, the layout really mirrors (what starts the line sits on the right), and
the home and product pages are saved as screenshots."""

from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from boutique.catalog import services
from boutique.catalog.tests.factories import CategoryFactory, make_product

from .test_account_journeys import url, wait_for_htmx

pytestmark = pytest.mark.django_db(transaction=True)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def shop(db):
    toys = CategoryFactory(name="Toys", slug="toys", is_featured=True)
    services.category_update(category=toys, name_ar="ألعاب", name_fr="Jouets")
    bunny = make_product(
        "Knitted bunny",
        category=toys,
        variants=[{"size": "One size", "price": Decimal("12.50"), "stock": 3}],
    )
    return services.product_update(product=bunny, name_ar="أرنب محبوك", name_fr="Lapin tricoté")


def _choose_language(page: Page, code: str) -> None:
    """Pick a language in the header: HTMX posts it and the page reloads in it."""
    with page.expect_navigation():
        page.locator("#language-choice").select_option(value=code)
    wait_for_htmx(page)
    expect(page.locator("html")).to_have_attribute("lang", code)


def _assert_png(path) -> None:
    data = path.read_bytes()
    assert len(data) > 1000 and data.startswith(PNG_SIGNATURE)


def test_arabic_mirrors_the_layout_and_pages_are_captured(page: Page, live_server, shop, tmp_path):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(url(live_server, "/"))
    html = page.locator("html")
    expect(html).to_have_attribute("dir", "ltr")
    width = page.viewport_size["width"]
    brand = page.locator(".site-header .brand")
    assert brand.bounding_box()["x"] < width / 2  # the start of the line is on the left

    _choose_language(page, "ar")
    expect(html).to_have_attribute("dir", "rtl")
    expect(html).to_have_attribute("lang", "ar")
    expect(page.get_by_role("link", name="المتجر", exact=True)).to_be_visible()
    # Mirrored: the element that starts the header line now sits on the right.
    box = brand.bounding_box()
    assert box["x"] + box["width"] > width / 2 and box["x"] > width / 2
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    home = tmp_path / "home-ar.png"
    page.screenshot(path=str(home), full_page=True)
    _assert_png(home)

    page.goto(url(live_server, f"/p/{shop.slug}/"))
    expect(html).to_have_attribute("dir", "rtl")
    expect(page.get_by_role("heading", level=1)).to_have_text("أرنب محبوك")
    expect(page.locator("main")).to_contain_text("12.50\u00a0US$")  # the Arabic money form
    product = tmp_path / "product-ar.png"
    page.screenshot(path=str(product), full_page=True)
    _assert_png(product)


def test_switching_back_to_english_and_to_french_is_left_to_right(page: Page, live_server, shop):
    page.goto(url(live_server, "/"))
    _choose_language(page, "ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    _choose_language(page, "fr")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("button", name="Rechercher")).to_be_visible()
    page.goto(url(live_server, f"/p/{shop.slug}/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Lapin tricoté")
    _choose_language(page, "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Knitted bunny")
