"""Account journeys a customer makes in a real browser: register and confirm the
email, sign in by password or by text-message code, keep an address book and
children profiles, and be turned away when banned."""

import re
from datetime import date

import pytest
from django.contrib.sessions.models import Session
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Page, expect

from boutique.accounts.models import Address, Child, Status, User
from boutique.accounts.tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = "+9613123456"
# While an HTMX request is in flight or its swap is settling, some element carries one of these.
HTMX_BUSY = ".htmx-request, .htmx-swapping, .htmx-settling, .htmx-added"


def url(live_server, path: str) -> str:
    return f"{live_server.url}{path}"


def wait_for_htmx(page: Page) -> None:
    expect(page.locator(HTMX_BUSY)).to_have_count(0)


def mark_document(page: Page) -> None:
    """Tag the current document; a full page load would drop the tag."""
    page.evaluate("window.__sameDocument = true")


def is_same_document(page: Page) -> bool:
    return page.evaluate("window.__sameDocument === true")


def sign_in(page: Page, live_server, *, login: str, password: str = DEFAULT_PASSWORD) -> None:
    page.goto(url(live_server, "/account/signin/"))
    page.get_by_label("Email, username or phone").fill(login)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()


def main_nav(page: Page):
    return page.get_by_role("navigation", name="Main")


def signed_in_user_ids() -> set[str]:
    return {
        str(s.get_decoded().get("_auth_user_id"))
        for s in Session.objects.all()
        if s.get_decoded().get("_auth_user_id")
    }


def months_ago(months: int) -> date:
    """The first day of the month `months` before this one: exactly that many months old."""
    today = timezone.localdate()
    year, month0 = divmod(today.year * 12 + today.month - 1 - months, 12)
    return date(year, month0 + 1, 1)


def test_register_signs_in_and_the_emailed_link_verifies_the_account(page: Page, live_server):
    page.goto(url(live_server, "/account/register/"))
    page.get_by_label("Email").fill("maya@example.com")
    page.get_by_label("First name").fill("Maya")
    page.get_by_label("Password", exact=True).fill(DEFAULT_PASSWORD)
    page.get_by_label("Confirm password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Create my account").click()

    expect(page).to_have_url(url(live_server, "/account/profile/"))
    expect(page.get_by_role("heading", name="Hello, Maya")).to_be_visible()
    expect(page.locator("#messages")).to_contain_text("We sent a link to maya@example.com")
    expect(page.get_by_text("Your account is not verified yet.")).to_be_visible()
    expect(main_nav(page).get_by_role("button", name="Sign out")).to_be_visible()

    assert [m.to for m in mail.outbox] == [["maya@example.com"]]
    link = re.search(r"https?://[^/\s]+(/account/verify-email/\S+)", mail.outbox[0].body)
    page.goto(url(live_server, link.group(1)))
    # Opening the link alone confirms nothing (mail scanners open links too).
    assert not User.objects.get(email="maya@example.com").is_verified
    page.get_by_role("button", name="Confirm my email address").click()
    expect(page.get_by_text("maya@example.com is confirmed.")).to_be_visible()

    page.get_by_role("link", name="Go to your profile").click()
    expect(page.get_by_text("Your account is verified.")).to_be_visible()
    expect(page.get_by_text("confirmed", exact=True)).to_be_visible()
    user = User.objects.get(email="maya@example.com")
    assert user.is_verified
    assert user.email_verified_at is not None
    assert signed_in_user_ids() == {str(user.pk)}


def add_address(page: Page, *, full_name: str, line1: str) -> None:
    page.get_by_role("link", name="Add an address").click()
    page.get_by_label("Use for").select_option("shipping")
    page.get_by_label("Full name").fill(full_name)
    page.get_by_label("Address", exact=True).fill(line1)
    page.get_by_label("City").fill("Beirut")
    page.get_by_label("Country").fill("lb")
    page.get_by_role("button", name="Save the address").click()
    expect(page.locator("#messages")).to_contain_text("Address saved.")


def test_address_book_default_and_delete_swap_in_place_over_htmx(page: Page, live_server):
    user = UserFactory(phone=PHONE)
    sign_in(page, live_server, login="03 123 456")
    expect(page).to_have_url(url(live_server, "/account/profile/"))
    account_nav = page.get_by_role("navigation", name="Your account")
    account_nav.get_by_role("link", name="Addresses").click()

    add_address(page, full_name="Rima Khoury", line1="12 Rue Gouraud")
    add_address(page, full_name="Rima at work", line1="5 Hamra Street")
    home = page.locator(".address-card", has_text="12 Rue Gouraud")
    work = page.locator(".address-card", has_text="5 Hamra Street")
    expect(home.locator(".badge-default")).to_have_text("Default")
    expect(work.locator(".badge-default")).to_have_count(0)

    mark_document(page)
    work.get_by_role("button", name="Make default").click()
    wait_for_htmx(page)
    expect(page.locator("#messages")).to_have_text("Your default shipping address is set.")
    expect(work.locator(".badge-default")).to_have_text("Default")
    expect(home.locator(".badge-default")).to_have_count(0)
    expect(home.get_by_role("button", name="Make default")).to_be_visible()

    page.once("dialog", lambda dialog: dialog.accept())
    home.get_by_role("button", name=re.compile("^Delete")).click()
    wait_for_htmx(page)
    expect(page.locator("#messages")).to_have_text("Address deleted.")
    expect(home).to_have_count(0)
    expect(page.locator(".address-card")).to_have_count(1)
    assert is_same_document(page)

    addresses = list(Address.objects.filter(user=user))
    assert [(a.line1, a.type, a.is_default) for a in addresses] == [
        ("5 Hamra Street", "shipping", True)
    ]


def test_sign_in_with_a_texted_code_creates_a_verified_customer(
    page: Page, live_server, sms_outbox
):
    page.goto(url(live_server, "/account/signin/code/"))
    mark_document(page)
    page.get_by_label("Phone number").fill("03 123 456")
    page.get_by_role("button", name="Text me a code").click()

    code_input = page.get_by_label("6-digit code")
    expect(code_input).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text(f"We sent a 6-digit code to {PHONE}")
    assert is_same_document(page)
    assert [m["phone"] for m in sms_outbox] == [PHONE]
    code = re.search(r"\b(\d{6})\b", sms_outbox[-1]["message"]).group(1)

    code_input.fill(code)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page).to_have_url(url(live_server, "/account/profile/"))
    expect(page.locator("#messages")).to_have_text("You are signed in.")
    expect(main_nav(page).get_by_role("button", name="Sign out")).to_be_visible()

    user = User.objects.get(phone=PHONE)
    assert user.is_verified
    assert user.phone_verified_at is not None
    assert signed_in_user_ids() == {str(user.pk)}


def test_adding_a_child_shows_the_age_in_months(page: Page, live_server):
    user = UserFactory()
    sign_in(page, live_server, login=user.email)
    page.goto(url(live_server, "/account/children/"))
    expect(page.get_by_text("No children profiles yet.")).to_be_visible()

    birthday = months_ago(14)
    page.get_by_role("link", name="Add a child").click()
    page.get_by_label("Name").fill("Lina")
    page.get_by_label("Birthday").fill(birthday.isoformat())
    page.get_by_role("button", name="Save", exact=True).click()

    expect(page).to_have_url(url(live_server, "/account/children/"))
    expect(page.locator("#messages")).to_have_text("Lina is added.")
    card = page.locator(".child-card", has_text="Lina")
    expect(card.locator(".child-age")).to_have_text(
        f"14 months old · born {birthday.day} {birthday:%B %Y}"
    )
    assert list(Child.objects.filter(user=user).values_list("name", "birth_date")) == [
        ("Lina", birthday)
    ]


def test_banned_customer_sees_the_banned_message_and_stays_signed_out(page: Page, live_server):
    user = UserFactory(status=Status.BANNED)
    sign_in(page, live_server, login=user.email)

    expect(page.get_by_role("alert")).to_contain_text("This account has been banned.")
    expect(page).to_have_url(url(live_server, "/account/signin/"))
    expect(main_nav(page).get_by_role("link", name="Sign in")).to_be_visible()
    expect(main_nav(page).get_by_role("button", name="Sign out")).to_have_count(0)
    assert signed_in_user_ids() == set()

    page.goto(url(live_server, "/account/profile/"))
    expect(page).to_have_url(re.compile(r"/account/signin/\?next=/account/profile/$"))


@pytest.mark.parametrize(
    "path", ["/account/signin/", "/account/signin/code/", "/account/register/"]
)
def test_sign_in_pages_fit_a_phone_screen_without_sideways_scroll(page: Page, live_server, path):
    page.set_viewport_size({"width": 375, "height": 812})
    page.goto(url(live_server, path))
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    inner_width, scroll_width, client_width = page.evaluate(
        "[window.innerWidth, document.documentElement.scrollWidth,"
        " document.documentElement.clientWidth]"
    )
    assert inner_width == 375
    assert scroll_width <= client_width
