"""The support services: starting, posting, unread counters, close/reopen,
the staff reply email, the guest's signed link."""

from datetime import timedelta

import pytest
from django.core import mail, signing
from django.test import override_settings
from django.utils import timezone

from boutique.audit.models import AuditLog
from boutique.core.errors import PermissionDenied, ValidationFailed
from boutique.notifications.models import Notification
from boutique.support import selectors
from boutique.support.errors import ConversationClosed, ConversationStatusConflict
from boutique.support.models import Conversation, Message
from boutique.support.services import (
    conversation_close,
    conversation_mark_read,
    conversation_reopen,
    conversation_start,
    message_post,
)
from boutique.support.tokens import MAX_AGE, SALT, conversation_id_from_token, conversation_token

from .factories import (
    StaffFactory,
    UserFactory,
    customer_conversation,
    guest_conversation,
    reply,
)

pytestmark = pytest.mark.django_db


def test_a_customer_starts_a_conversation_with_its_first_message():
    user = UserFactory()
    conversation = conversation_start(user=user, subject=" Sizes ", body=" Which size? ")

    assert (conversation.user, conversation.subject, conversation.status) == (user, "Sizes", "open")
    assert conversation.staff_unread_count == 1 and conversation.customer_unread_count == 0
    message = conversation.messages.get()
    assert (message.author_side, message.author, message.body) == ("customer", user, "Which size?")
    assert AuditLog.objects.filter(action="support.conversation_started").count() == 1


def test_a_guest_needs_a_name_and_an_email():
    with pytest.raises(ValidationFailed) as refused:
        conversation_start(subject="Hello", body="Hi")
    assert set(refused.value.field_errors) == {"name", "email"}
    with pytest.raises(ValidationFailed) as refused:
        conversation_start(name="Nour", email="not-an-email", subject="Hello", body="Hi")
    assert set(refused.value.field_errors) == {"email"}
    assert Conversation.objects.count() == 0


def test_a_guest_conversation_keeps_the_name_and_the_email_in_lower_case():
    conversation = guest_conversation(email="Nour@Example.COM")
    assert (conversation.user, conversation.guest_name, conversation.guest_email) == (
        None,
        "Nour",
        "nour@example.com",
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [("subject", ""), ("subject", "x" * 151), ("body", "   "), ("body", "x" * 4001)],
)
def test_empty_or_too_long_text_is_refused(field, value):
    data = {"subject": "Hello", "body": "Hi", field: value}
    with pytest.raises(ValidationFailed) as refused:
        conversation_start(user=UserFactory(), **data)
    assert field in refused.value.field_errors
    assert Conversation.objects.count() == 0 and Message.objects.count() == 0


def test_a_message_counts_as_unread_for_the_other_side_and_read_for_its_author():
    conversation = customer_conversation()
    staff = StaffFactory()
    reply(conversation, staff=staff)
    conversation.refresh_from_db()
    assert (conversation.staff_unread_count, conversation.customer_unread_count) == (0, 1)

    message_post(conversation=conversation, side="customer", author=conversation.user, body="a")
    message_post(conversation=conversation, side="customer", author=conversation.user, body="b")
    conversation.refresh_from_db()
    assert (conversation.staff_unread_count, conversation.customer_unread_count) == (2, 0)


def test_posting_moves_last_message_at_on():
    conversation = customer_conversation()
    Conversation.objects.filter(pk=conversation.pk).update(
        last_message_at=timezone.now() - timedelta(days=1)
    )
    message = reply(conversation)
    conversation.refresh_from_db()
    assert conversation.last_message_at == message.created_at


def test_marking_read_sets_only_that_sides_counter_to_zero():
    conversation = customer_conversation()
    reply(conversation)
    message_post(conversation=conversation, side="customer", author=conversation.user, body="x")
    conversation.refresh_from_db()
    assert (conversation.staff_unread_count, conversation.customer_unread_count) == (1, 0)
    reply(conversation)
    conversation.refresh_from_db()
    assert (conversation.staff_unread_count, conversation.customer_unread_count) == (0, 1)

    assert conversation_mark_read(conversation=conversation, side="customer") is True
    assert conversation_mark_read(conversation=conversation, side="customer") is False
    conversation.refresh_from_db()
    assert conversation.customer_unread_count == 0


def test_only_staff_post_on_the_staff_side():
    conversation = customer_conversation()
    with pytest.raises(PermissionDenied):
        message_post(conversation=conversation, side="staff", author=conversation.user, body="x")
    assert conversation.messages.count() == 1


def test_a_staff_reply_emails_the_customer_a_link_to_the_thread(django_capture_on_commit_callbacks):
    user = UserFactory(email="maya@example.com", first_name="Maya")
    conversation = customer_conversation(user, subject="Wool hats")
    with django_capture_on_commit_callbacks(execute=True):
        reply(conversation, body="Back in stock <b>Monday</b>.")

    email = mail.outbox[-1]
    assert email.to == ["maya@example.com"]
    assert "Wool hats" in email.subject
    assert f"/support/{conversation.pk}/" in email.body
    assert "Back in stock <b>Monday</b>." in email.body  # plain text as written
    html = email.alternatives[0][0]
    assert "&lt;b&gt;Monday&lt;/b&gt;" in html and "<b>Monday</b>" not in html


def test_a_guests_email_carries_a_signed_link_to_the_thread(django_capture_on_commit_callbacks):
    conversation = guest_conversation(email="nour@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        reply(conversation)

    row = Notification.objects.get(template="support_reply")
    url = row.context["conversation_url"]
    token = url.rstrip("/").rsplit("/", 1)[1]
    assert "/support/g/" in url and url in mail.outbox[-1].body
    assert selectors.conversation_get_by_token(token=token) == conversation


def test_customer_messages_send_no_email(django_capture_on_commit_callbacks):
    conversation = customer_conversation()
    with django_capture_on_commit_callbacks(execute=True):
        message_post(conversation=conversation, side="customer", author=conversation.user, body="x")
    assert mail.outbox == [] and not Notification.objects.exists()


def test_close_and_reopen_are_audited_and_refused_twice():
    conversation = customer_conversation()
    staff = StaffFactory()

    conversation_close(conversation=conversation, actor=staff)
    assert (conversation.status, conversation.closed_by) == ("closed", staff)
    with pytest.raises(ConversationStatusConflict):
        conversation_close(conversation=conversation, actor=staff)
    conversation_reopen(conversation=conversation, actor=staff)
    assert (conversation.status, conversation.closed_at) == ("open", None)
    with pytest.raises(ConversationStatusConflict):
        conversation_reopen(conversation=conversation, actor=staff)

    logs = AuditLog.objects.filter(entity_type="support.conversation").order_by("pk")
    assert [(log.action, log.new, log.actor) for log in logs[1:]] == [
        ("support.conversation_closed", {"status": "closed"}, staff),
        ("support.conversation_reopened", {"status": "open"}, staff),
    ]


def test_only_staff_close_a_conversation():
    conversation = customer_conversation()
    with pytest.raises(PermissionDenied):
        conversation_close(conversation=conversation, actor=conversation.user)
    conversation.refresh_from_db()
    assert conversation.status == "open"


def test_nobody_posts_to_a_closed_conversation():
    conversation = customer_conversation()
    conversation_close(conversation=conversation, actor=StaffFactory())
    with pytest.raises(ConversationClosed):
        message_post(conversation=conversation, side="customer", author=conversation.user, body="x")
    with pytest.raises(ConversationClosed):
        reply(conversation)
    assert conversation.messages.count() == 1


# --- Reading ------------------------------------------------------------------------------


def test_a_customer_gets_only_their_own_conversation():
    mine = customer_conversation()
    other = UserFactory()
    assert selectors.conversation_get_for(user=mine.user, conversation_id=mine.pk) == mine
    for user, conversation_id in [(other, mine.pk), (None, mine.pk), (mine.user, 10**12)]:
        with pytest.raises(selectors.ConversationNotFound):
            selectors.conversation_get_for(user=user, conversation_id=conversation_id)


def test_the_unread_count_adds_up_a_customers_threads():
    user = UserFactory()
    first, second = customer_conversation(user), customer_conversation(user)
    reply(first)
    reply(first)
    reply(second)
    reply(customer_conversation())  # someone else's
    assert selectors.unread_count_for_user(user=user) == 3


def test_staff_counts_open_and_unread_conversations():
    read = customer_conversation()
    conversation_mark_read(conversation=read, side="staff")
    customer_conversation()
    conversation_close(conversation=customer_conversation(), actor=StaffFactory())
    assert selectors.conversation_counts_for_staff() == {"open": 2, "unread": 2}


# --- The guest's signed link --------------------------------------------------------------


def test_a_token_names_its_guest_conversation_and_no_other():
    conversation = guest_conversation()
    token = conversation_token(conversation)
    assert conversation_id_from_token(token) == conversation.pk
    tampered = token.replace(str(conversation.pk), str(conversation.pk + 1), 1)
    for bad in (tampered, token + "x", "", "1:abc:def", "x" * 500):
        with pytest.raises(selectors.ConversationNotFound):
            selectors.conversation_get_by_token(token=bad)


def test_a_token_for_a_customers_conversation_opens_nothing():
    conversation = customer_conversation()
    with pytest.raises(selectors.ConversationNotFound):
        selectors.conversation_get_by_token(token=conversation_token(conversation))


def test_a_token_signed_with_another_salt_opens_nothing():
    conversation = guest_conversation()
    token = signing.TimestampSigner(salt="another").sign(str(conversation.pk))
    with pytest.raises(selectors.ConversationNotFound):
        selectors.conversation_get_by_token(token=token)
    assert SALT != "another"


def test_a_token_expires(monkeypatch):
    conversation = guest_conversation()
    token = conversation_token(conversation)
    now = timezone.now()

    monkeypatch.setattr(
        signing.time, "time", lambda: (now + MAX_AGE - timedelta(days=1)).timestamp()
    )
    assert selectors.conversation_get_by_token(token=token) == conversation
    monkeypatch.setattr(
        signing.time, "time", lambda: (now + MAX_AGE + timedelta(days=1)).timestamp()
    )
    with pytest.raises(selectors.ConversationNotFound):
        selectors.conversation_get_by_token(token=token)


@override_settings(SECRET_KEY="another-secret-key-for-this-test-only-0123456789")
def test_a_token_made_with_the_old_secret_key_opens_nothing():
    conversation = guest_conversation()
    token = signing.TimestampSigner(salt=SALT, key="the-old-key").sign(str(conversation.pk))
    with pytest.raises(selectors.ConversationNotFound):
        selectors.conversation_get_by_token(token=token)
