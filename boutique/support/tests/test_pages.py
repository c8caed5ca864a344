"""The storefront's support pages: start (customer or guest), the thread and
its polled messages, the guest's signed link, the header's link and badge,
escaping, rate limits."""

import pytest
from django.urls import reverse

from boutique.storefront.helpers import LOGIN_BACKEND
from boutique.support.models import Conversation
from boutique.support.services import conversation_close
from boutique.support.tokens import conversation_token

from .factories import StaffFactory, UserFactory, customer_conversation, guest_conversation, reply

pytestmark = pytest.mark.django_db

SCRIPT = '<script>alert("x")</script>'
GUEST = {"name": "Nour", "email": "nour@example.com", "subject": "Delivery", "body": "To Tyre?"}


def _signed_in(client, user=None):
    user = user or UserFactory()
    client.force_login(user, backend=LOGIN_BACKEND)
    return user


def test_every_page_has_a_need_help_link(client):
    response = client.get("/")
    assert 'href="/support/new/"' in response.content.decode()
    assert "Need help?" in response.content.decode()


def test_a_guest_starts_a_conversation_and_lands_on_its_signed_page(client):
    response = client.post("/support/new/", GUEST)

    conversation = Conversation.objects.get()
    assert (conversation.guest_email, conversation.user) == ("nour@example.com", None)
    assert response.status_code == 302
    assert response["Location"] == f"/support/g/{conversation_token(conversation)}/"
    page = client.get(response["Location"])
    assert page.status_code == 200 and "To Tyre?" in page.content.decode()


def test_a_guest_must_give_name_and_email(client):
    response = client.post("/support/new/", {"subject": "Hi", "body": "Hello"})
    assert response.status_code == 422
    assert not Conversation.objects.exists()


def test_a_signed_in_customer_starts_without_name_or_email(client):
    user = _signed_in(client)
    form = client.get("/support/new/").content.decode()
    assert 'name="email"' not in form and 'name="subject"' in form

    response = client.post("/support/new/", {"subject": "Sizes", "body": "Which?"})
    conversation = Conversation.objects.get()
    assert conversation.user == user
    assert response["Location"] == f"/support/{conversation.pk}/"


def test_the_customer_lists_their_own_conversations_only(client, django_assert_max_num_queries):
    user = _signed_in(client)
    for n in range(3):
        customer_conversation(user, subject=f"Mine {n}")
    customer_conversation(subject="Someone else's")
    with django_assert_max_num_queries(12):
        body = client.get("/support/").content.decode()
    assert body.count('class="support-row"') == 3 and "Someone else" not in body


def test_the_list_runs_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    user = _signed_in(client)
    for n in range(25):
        customer_conversation(user, subject=f"Mine {n}")
    with django_assert_max_num_queries(12):
        response = client.get("/support/")
    assert response.content.decode().count('class="support-row"') == 20


def test_someone_elses_conversation_is_404(client):
    conversation = customer_conversation()
    _signed_in(client)
    assert client.get(f"/support/{conversation.pk}/").status_code == 404
    assert client.get(f"/support/{conversation.pk}/messages/").status_code == 404
    response = client.post(f"/support/{conversation.pk}/", {"body": "Let me in"})
    assert response.status_code == 404
    assert conversation.messages.count() == 1


def test_a_wrong_or_foreign_token_is_404(client):
    guest = guest_conversation()
    token = conversation_token(guest)
    customers = conversation_token(customer_conversation())
    for bad in (token[:-1] + ("A" if token[-1] != "A" else "B"), "nonsense", customers):
        assert client.get(f"/support/g/{bad}/").status_code == 404
        assert client.get(f"/support/g/{bad}/messages/").status_code == 404
        assert client.post(f"/support/g/{bad}/", {"body": "hi"}).status_code == 404


def test_a_guest_replies_through_the_signed_link(client):
    conversation = guest_conversation()
    reply(conversation)
    url = f"/support/g/{conversation_token(conversation)}/"

    response = client.post(url, {"body": "Thanks!"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "Thanks!" in response.content.decode()
    last = conversation.messages.last()
    assert (last.author_side, last.author, last.body) == ("customer", None, "Thanks!")
    conversation.refresh_from_db()
    assert (conversation.staff_unread_count, conversation.customer_unread_count) == (1, 0)


def test_the_thread_polls_while_open_and_stops_when_closed(client):
    user = _signed_in(client)
    conversation = customer_conversation(user)
    partial = client.get(f"/support/{conversation.pk}/messages/").content.decode()
    assert 'hx-trigger="every 5s"' in partial
    assert f'hx-get="/support/{conversation.pk}/messages/"' in partial

    conversation_close(conversation=conversation, actor=StaffFactory())
    partial = client.get(f"/support/{conversation.pk}/messages/").content.decode()
    assert "hx-trigger" not in partial
    page = client.get(f"/support/{conversation.pk}/").content.decode()
    assert "This conversation is closed" in page and 'name="body"' not in page


def test_posting_to_a_closed_conversation_is_refused(client):
    user = _signed_in(client)
    conversation = customer_conversation(user)
    conversation_close(conversation=conversation, actor=StaffFactory())
    response = client.post(f"/support/{conversation.pk}/", {"body": "Hello?"})
    assert response.status_code == 409
    assert conversation.messages.count() == 1


def test_the_header_badge_counts_unread_answers_and_reading_clears_it(client):
    user = _signed_in(client)
    conversation = customer_conversation(user)
    reply(conversation)
    reply(conversation)
    assert 'class="badge badge-warn support-badge"' in client.get("/").content.decode()
    assert "2 unread answers" in client.get("/").content.decode()

    client.get(f"/support/{conversation.pk}/messages/")
    assert "support-badge" not in client.get("/").content.decode()


def test_message_bodies_are_escaped_on_the_page_and_in_the_partial(client):
    user = _signed_in(client)
    conversation = customer_conversation(user, subject=SCRIPT, body=SCRIPT)
    reply(conversation, body=SCRIPT)
    for path in (
        f"/support/{conversation.pk}/",
        f"/support/{conversation.pk}/messages/",
        "/support/",
    ):
        body = client.get(path).content.decode()
        assert SCRIPT not in body
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in body


def test_starting_is_rate_limited_per_address(client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "support_start": "2/h"}
    for n in range(2):
        data = {**GUEST, "email": f"guest{n}@example.com"}
        assert client.post("/support/new/", data).status_code == 302
    response = client.post("/support/new/", {**GUEST, "email": "guest9@example.com"})
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "Too many requests" in response.content.decode()
    assert Conversation.objects.count() == 2


def test_starting_is_rate_limited_per_email_whatever_the_address(client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "support_start": "2/h"}
    for n in range(2):
        client.post("/support/new/", GUEST, REMOTE_ADDR=f"10.0.0.{n}")
    response = client.post("/support/new/", GUEST, REMOTE_ADDR="10.0.0.99")
    assert response.status_code == 429
    assert Conversation.objects.count() == 2


def test_messages_are_rate_limited_per_customer(client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "support_message": "3/10m"}
    user = _signed_in(client)
    conversation = customer_conversation(user)
    for n in range(3):
        assert client.post(f"/support/{conversation.pk}/", {"body": f"m{n}"}).status_code == 200
    response = client.post(f"/support/{conversation.pk}/", {"body": "one more"})
    assert response.status_code == 429 and response.has_header("Retry-After")
    assert conversation.messages.count() == 4


def test_the_list_needs_sign_in(client):
    response = client.get("/support/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("storefront:signin"))
