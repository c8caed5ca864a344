"""A gift registry in a real browser: the registrant adds a product from its
page ("Add to registry" swaps in place over HTMX) and raises the wanted
quantity on the registry page; a friend opens the share link, buys a gift,
checks out shipping to the registrant and never sees the address."""

import re

import pytest
from playwright.sync_api import Page, expect

from boutique.catalog.tests.factories import make_product
from boutique.orders.models import Order, ShippingMethod
from boutique.registry.models import RegistryItem
from boutique.registry.tests.factories import REGISTRANT_ADDRESS, make_registry

from .test_account_journeys import is_same_document, mark_document, sign_in, url, wait_for_htmx

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_registry_from_wish_to_gift(page: Page, live_server, browser):
    ShippingMethod.objects.create(name="Beirut courier", price="5.00", countries="LB")
    blanket = make_product("Knitted blanket", price="30.00", stock=10)
    registry = make_registry(title="Maya's shower")

    # The registrant adds the blanket from its page, then wants two.
    sign_in(page, live_server, login=registry.owner.email)
    page.goto(url(live_server, f"/p/{blanket.slug}/"))
    mark_document(page)
    page.get_by_role("button", name=re.compile("Add to registry")).click()
    wait_for_htmx(page)
    expect(page.locator(".registry-add-feedback")).to_contain_text("1 wanted")
    assert is_same_document(page)
    page.goto(url(live_server, f"/account/registries/{registry.pk}/"))
    item = RegistryItem.objects.get()
    mark_document(page)
    page.locator(f"#wanted-{item.pk}").fill("2")
    page.locator(f"#registry-item-{item.pk}").get_by_role("button", name="Save").click()
    wait_for_htmx(page)
    expect(page.locator(f"#registry-item-{item.pk} td").nth(3)).to_have_text("2")
    assert is_same_document(page)

    # A friend, in a browser of her own, buys one as a gift.
    friend = browser.new_context().new_page()
    friend.set_default_timeout(10_000)
    friend.goto(url(live_server, f"/registry/{registry.share_token}/"))
    expect(friend.locator(".registry-public-item")).to_contain_text("2 still needed")
    friend.get_by_role("button", name="Buy as a gift").click()
    expect(friend).to_have_url(url(live_server, "/cart/"))
    expect(friend.locator(".cart-gift")).to_contain_text("Gift for Maya H.")
    friend.get_by_role("button", name="Checkout").click()
    expect(friend).to_have_url(url(live_server, "/checkout/"))
    friend.get_by_label("Email").fill("lina@example.com")
    friend.locator("#id_ship_full_name").fill("Lina Friend")
    friend.locator("#id_ship_line1").fill("Friend St 1")
    friend.locator("#id_ship_city").fill("Beirut")
    expect(friend.get_by_label(re.compile("Ship to Maya H."))).to_be_checked()
    friend.get_by_label("Gift message").fill("Welcome, little one!")
    expect(friend.locator("#checkout-form")).not_to_contain_text(REGISTRANT_ADDRESS["line1"])
    friend.get_by_role("button", name="Place order").click()
    expect(friend).to_have_url(re.compile(r"/orders/BQ-\d{4}-\d{6}/$"))
    expect(friend.locator(".registry-shipping")).to_have_text("Registry address of Maya H.")
    expect(friend.locator("main")).not_to_contain_text(REGISTRANT_ADDRESS["line1"])
    wait_for_htmx(friend)

    order = Order.objects.get()
    assert order.addresses.get(kind="shipping").line1 == REGISTRANT_ADDRESS["line1"]
    item.refresh_from_db()
    assert (item.purchased_quantity, item.still_needed) == (1, 1)
