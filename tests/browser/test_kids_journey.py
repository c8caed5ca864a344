"""A parent in a real browser: adds a child with a birthday reminder, sees the
suggested size, shops for the child with one click (HTMX swaps the results) and
sees which products are for older children."""

import pytest
from playwright.sync_api import Page, expect

from boutique.accounts.models import Child
from boutique.accounts.tests.factories import UserFactory
from boutique.catalog.tests.factories import make_product
from boutique.kids.tests.conftest import ensure_default_size_chart

from .test_account_journeys import months_ago, sign_in, url, wait_for_htmx

pytestmark = pytest.mark.django_db(transaction=True)


def test_parent_shops_for_a_child_with_one_click(page: Page, live_server):
    ensure_default_size_chart()
    make_product("Toddler dungarees", age_min_months=12, age_max_months=24)
    make_product("Big kid bike", age_min_months=36, age_max_months=72)
    user = UserFactory()
    sign_in(page, live_server, login=user.email)

    page.goto(url(live_server, "/account/children/new/"))
    page.get_by_label("Name").fill("Maya")
    page.get_by_label("Birthday").fill(months_ago(18).isoformat())
    page.get_by_label("Remind me by email two weeks before the big day").check()
    page.get_by_role("button", name="Save", exact=True).click()

    card = page.locator(".child-card", has_text="Maya")
    expect(card.locator(".child-suggested").first).to_contain_text("18-24M")
    assert Child.objects.get(user=user).birthday_reminders is True

    page.goto(url(live_server, "/shop/"))
    expect(page.locator(".product-card", has_text="Big kid bike")).to_contain_text(
        "For 3–6 years — older than Maya"
    )
    page.get_by_role("link", name="For Maya (18 months)").click()
    wait_for_htmx(page)
    expect(page).to_have_url(url(live_server, f"/shop/?child={Child.objects.get().pk}"))
    expect(page.locator(".product-card")).to_have_count(1)
    expect(page.locator(".product-card")).to_contain_text("Fits Maya")
    expect(page.locator("#f-age")).to_have_value("18")

    page.get_by_role("link", name="For Maya (18 months)").click()
    wait_for_htmx(page)
    expect(page.locator(".product-card")).to_have_count(2)

    page.goto(url(live_server, "/"))
    expect(page.get_by_role("heading", name="For Maya (18 months)")).to_be_visible()
