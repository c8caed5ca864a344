"""The support API: own conversations only, guests start but cannot list,
someone else's conversation is 404, rate limits answer 429 with Retry-After."""

import pytest

from boutique.accounts.services import token_issue
from boutique.support.models import Conversation
from boutique.support.selectors import conversation_get_by_token
from boutique.support.services import conversation_close

from .factories import StaffFactory, UserFactory, customer_conversation, reply

pytestmark = pytest.mark.django_db

BASE = "/api/v1/support/conversations"
SCRIPT = "<script>alert(1)</script>"


def _auth(user) -> dict:
    secret, _ = token_issue(user=user, name="test")
    return {"Authorization": f"Bearer {secret}"}


def test_a_customer_starts_and_lists_their_conversations(client):
    user = UserFactory()
    headers = _auth(user)
    created = client.post(
        BASE,
        {"subject": "Sizes", "body": "Which?"},
        content_type="application/json",
        headers=headers,
    )
    assert created.status_code == 201
    data = created.json()
    assert (data["subject"], data["status"], data["guest_url"]) == ("Sizes", "open", None)
    customer_conversation(subject="Someone else's")

    listed = client.get(BASE, headers=headers).json()
    assert [row["id"] for row in listed["results"]] == [data["id"]]
    assert listed["count"] == 1


def test_a_guest_starts_one_and_gets_the_signed_link_but_cannot_list(client):
    created = client.post(
        BASE,
        {"subject": "Delivery", "body": "Tyre?", "name": "Nour", "email": "nour@example.com"},
        content_type="application/json",
    )
    assert created.status_code == 201
    token = created.json()["guest_url"].rstrip("/").rsplit("/", 1)[1]
    assert conversation_get_by_token(token=token).pk == created.json()["id"]

    assert client.get(BASE).status_code == 401


def test_a_guest_without_email_is_422(client):
    response = client.post(BASE, {"subject": "x", "body": "y"}, content_type="application/json")
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"name", "email"}
    assert not Conversation.objects.exists()


def test_messages_of_ones_own_conversation(client, django_assert_max_num_queries):
    user = UserFactory()
    conversation = customer_conversation(user)
    for n in range(5):
        reply(conversation, body=f"answer {n}")
    headers = _auth(user)
    with django_assert_max_num_queries(6):
        page = client.get(f"{BASE}/{conversation.pk}/messages?page_size=3", headers=headers).json()
    assert page["count"] == 6 and len(page["results"]) == 3
    assert page["results"][0]["author_side"] == "customer"
    conversation.refresh_from_db()
    assert conversation.customer_unread_count == 0

    posted = client.post(
        f"{BASE}/{conversation.pk}/messages",
        {"body": SCRIPT},
        content_type="application/json",
        headers=headers,
    )
    assert posted.status_code == 201
    assert posted.json()["body"] == SCRIPT  # JSON carries the text as written
    assert conversation.messages.last().body == SCRIPT


def test_someone_elses_conversation_is_404(client):
    conversation = customer_conversation()
    for user in (UserFactory(), StaffFactory()):
        headers = _auth(user)
        assert client.get(f"{BASE}/{conversation.pk}/messages", headers=headers).status_code == 404
        response = client.post(
            f"{BASE}/{conversation.pk}/messages",
            {"body": "hi"},
            content_type="application/json",
            headers=headers,
        )
        assert response.status_code == 404
    assert client.get(f"{BASE}/99999999999/messages", headers=_auth(UserFactory())).status_code in (
        404,
        422,
    )
    assert conversation.messages.count() == 1


def test_posting_to_a_closed_conversation_is_409(client):
    user = UserFactory()
    conversation = customer_conversation(user)
    conversation_close(conversation=conversation, actor=StaffFactory())
    response = client.post(
        f"{BASE}/{conversation.pk}/messages",
        {"body": "hello?"},
        content_type="application/json",
        headers=_auth(user),
    )
    assert response.status_code == 409
    assert response.json()["code"] == "conversation_closed"


def test_starting_is_rate_limited_with_retry_after(client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "support_start": "2/h"}
    headers = _auth(UserFactory())
    body = {"subject": "x", "body": "y"}
    for _ in range(2):
        assert (
            client.post(BASE, body, content_type="application/json", headers=headers).status_code
            == 201
        )
    response = client.post(BASE, body, content_type="application/json", headers=headers)
    assert response.status_code == 429
    assert response.json()["code"] == "throttled" and int(response["Retry-After"]) > 0
    assert Conversation.objects.count() == 2


def test_messages_are_rate_limited_per_user_across_addresses(client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "support_message": "2/10m"}
    user = UserFactory()
    conversation = customer_conversation(user)
    headers = _auth(user)
    url = f"{BASE}/{conversation.pk}/messages"
    for n in range(2):
        client.post(
            url,
            {"body": "m"},
            content_type="application/json",
            headers=headers,
            REMOTE_ADDR=f"10.1.0.{n}",
        )
    response = client.post(
        url, {"body": "m"}, content_type="application/json", headers=headers, REMOTE_ADDR="10.1.0.9"
    )
    assert response.status_code == 429
    assert conversation.messages.count() == 3
