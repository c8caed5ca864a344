"""The back office: list with filters and counts, the thread with the reply
form and its polled partial, close and reopen, all through the services."""

import pytest
from django.contrib.auth.models import Permission
from django.core import mail

from boutique.accounts.tests.factories import UserFactory
from boutique.support.models import Conversation

from .factories import StaffFactory, customer_conversation, guest_conversation, reply

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"


@pytest.fixture
def staff(client):
    user = StaffFactory()
    client.force_login(user)
    return user


def test_the_list_shows_counts_and_filters_unread(client, staff):
    waiting = customer_conversation(subject="Waiting")
    answered = customer_conversation(subject="Answered")
    reply(answered, staff=staff)
    body = client.get("/admin/support/conversation/").content.decode()
    assert "Open: <a" in body and "Waiting to be read: <a" in body

    unread = client.get("/admin/support/conversation/?unread=yes").content.decode()
    assert waiting.subject in unread and "Answered" not in unread


def test_staff_reply_from_the_thread_and_the_customer_is_emailed(
    client, staff, django_capture_on_commit_callbacks
):
    conversation = guest_conversation(body=SCRIPT)
    url = f"/admin/support/conversation/{conversation.pk}/thread/"
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert SCRIPT not in html and "&lt;script&gt;" in html
    assert "vendor/htmx.min.js" in html and 'hx-trigger="every 5s"' in html
    conversation.refresh_from_db()
    assert conversation.staff_unread_count == 0

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"body": "We ship to Tyre."})
    assert response.status_code == 302
    last = conversation.messages.last()
    assert (last.author_side, last.author, last.body) == ("staff", staff, "We ship to Tyre.")
    assert mail.outbox[-1].to == [conversation.guest_email]


def test_the_polled_partial_shows_new_customer_messages(client, staff):
    conversation = customer_conversation()
    partial = client.get(f"/admin/support/conversation/{conversation.pk}/thread/messages/")
    assert partial.status_code == 200
    assert "Which size for 2 years?" in partial.content.decode()


def test_close_and_reopen_buttons(client, staff):
    conversation = customer_conversation()
    base = f"/admin/support/conversation/{conversation.pk}"
    assert client.get(f"{base}/close/").status_code == 405
    assert client.post(f"{base}/close/").status_code == 302
    conversation.refresh_from_db()
    assert conversation.status == "closed"
    page = client.get(f"{base}/thread/").content.decode()
    assert "Reopen conversation" in page and 'name="body"' not in page
    client.post(f"{base}/reopen/")
    conversation.refresh_from_db()
    assert conversation.status == "open"


def test_bulk_close_action(client, staff):
    first, second = customer_conversation(), customer_conversation()
    client.post(
        "/admin/support/conversation/",
        {"action": "close_selected", "_selected_action": [first.pk, second.pk]},
    )
    assert set(Conversation.objects.values_list("status", flat=True)) == {"closed"}


def test_view_only_staff_read_but_cannot_reply_or_close(client):
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_conversation"))
    client.force_login(viewer)
    conversation = customer_conversation()
    base = f"/admin/support/conversation/{conversation.pk}"
    page = client.get(f"{base}/thread/")
    assert page.status_code == 200 and 'name="body"' not in page.content.decode()
    assert client.post(f"{base}/thread/", {"body": "hi"}).status_code == 403
    assert client.post(f"{base}/close/").status_code == 403
    assert conversation.messages.count() == 1
    conversation.refresh_from_db()
    assert conversation.status == "open"
