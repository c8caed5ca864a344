"""Support chat in a real browser: a guest starts a conversation from the
"Need help?" link, staff answer from the back office, the guest's open page
shows the answer by itself (HTMX polling, no reload), and the emailed link
opens the thread in a fresh browser."""

import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from boutique.accounts.tests.factories import UserFactory
from boutique.support.models import Conversation

from .test_account_journeys import mark_document, url, wait_for_htmx

pytestmark = pytest.mark.django_db(transaction=True)

POLL_WAIT = 15_000  # the thread polls every 5 s


def _staff_page(browser, live_server) -> Page:
    UserFactory(email="staff@example.com", is_staff=True, is_superuser=True)
    context = browser.new_context()
    staff = context.new_page()
    staff.set_default_timeout(10_000)
    staff.goto(url(live_server, "/admin/login/"))
    staff.locator("#id_username").fill("staff@example.com")
    staff.locator("#id_password").fill("Tulip-Garden-42")
    staff.get_by_role("button", name="Log in").click()
    return staff


def test_a_guest_conversation_answered_by_staff_shows_up_live(page: Page, live_server, browser):
    page.goto(url(live_server, "/"))
    page.get_by_role("link", name="Need help?").click()
    page.get_by_label("Your name").fill("Nour Saad")
    page.get_by_label("Email").fill("nour@example.com")
    page.get_by_label("Subject").fill("Delivery to Tyre")
    page.get_by_label("How can we help?").fill("Do you deliver to Tyre <b>this week</b>?")
    page.get_by_role("button", name="Send").click()
    expect(page).to_have_url(re.compile(r"/support/g/[^/]+/$"))
    expect(page.locator(".support-message-customer")).to_contain_text(
        "Do you deliver to Tyre <b>this week</b>?"
    )
    mark_document(page)

    # Staff answer from the back office, in their own browser session.
    staff = _staff_page(browser, live_server)
    staff.goto(url(live_server, "/admin/support/conversation/?unread=yes"))
    staff.get_by_role("link", name="Delivery to Tyre").click()
    expect(staff.locator(".support-admin-message-customer")).to_contain_text("Do you deliver")
    staff.get_by_label("Reply").fill("Yes, on Thursday.")
    staff.get_by_role("button", name="Send reply").click()
    expect(staff.locator(".messagelist")).to_contain_text("Reply sent")

    # The guest's page shows the answer without a reload; a new guest message
    # shows up on the staff page the same way.
    expect(page.locator(".support-message-staff")).to_contain_text(
        "Yes, on Thursday.", timeout=POLL_WAIT
    )
    assert page.evaluate("window.__sameDocument") is True
    page.get_by_label("Your message").fill("Perfect, thank you!")
    page.get_by_role("button", name="Send").click()
    wait_for_htmx(page)
    expect(page.locator(".support-message-customer").last).to_contain_text("Perfect, thank you!")
    expect(staff.locator(".support-admin-message-customer").last).to_contain_text(
        "Perfect, thank you!", timeout=POLL_WAIT
    )
    wait_for_htmx(staff)

    # The emailed link opens the thread in a browser that never saw it.
    email = next(m for m in mail.outbox if m.to == ["nour@example.com"])
    link = re.search(r"https?://\S+/support/g/\S+/", email.body).group(0)
    fresh = browser.new_context().new_page()
    fresh.goto(url(live_server, urlsplit(link).path))
    expect(fresh.locator(".support-message-staff")).to_contain_text("Yes, on Thursday.")
    expect(fresh.locator(".support-message-customer").first).to_contain_text("Do you deliver")
    wait_for_htmx(fresh)
    wait_for_htmx(page)

    conversation = Conversation.objects.get()
    assert [m.author_side for m in conversation.messages.all()] == [
        "customer",
        "staff",
        "customer",
    ]
