"""Support conversations under concurrent writers: every message counts in the
other side's unread counter exactly once, and a conversation is closed once
whoever clicks at the same time (PostgreSQL and SQLite)."""

import pytest

from boutique.accounts.tests.factories import StaffFactory, UserFactory
from boutique.support.errors import ConversationStatusConflict
from boutique.support.models import Conversation
from boutique.support.services import conversation_close, conversation_start, message_post

from .helpers import run_concurrently

pytestmark = pytest.mark.django_db(transaction=True)


def test_concurrent_messages_are_all_counted_unread():
    user = UserFactory()
    conversation = conversation_start(user=user, subject="Sizes", body="first")
    workers = 8

    results = run_concurrently(
        lambda i: message_post(
            conversation=conversation, side="customer", author=user, body=f"message {i}"
        ),
        workers=workers,
    )

    assert not [r for r in results if isinstance(r, BaseException)]
    conversation.refresh_from_db()
    assert conversation.messages.count() == workers + 1
    assert conversation.staff_unread_count == workers + 1


def test_a_conversation_is_closed_once():
    conversation = conversation_start(user=UserFactory(), subject="Sizes", body="first")
    staff = [StaffFactory() for _ in range(4)]

    results = run_concurrently(
        lambda i: conversation_close(conversation=conversation, actor=staff[i]), workers=4
    )

    closed = [r for r in results if isinstance(r, Conversation)]
    refused = [r for r in results if isinstance(r, ConversationStatusConflict)]
    assert (len(closed), len(refused)) == (1, 3)
