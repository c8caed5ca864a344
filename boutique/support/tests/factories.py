"""Support conversations made through the services."""

from boutique.accounts.tests.factories import StaffFactory, UserFactory
from boutique.support.services import conversation_start, message_post

__all__ = ["StaffFactory", "UserFactory", "customer_conversation", "guest_conversation", "reply"]


def customer_conversation(user=None, *, subject="Size question", body="Which size for 2 years?"):
    return conversation_start(user=user or UserFactory(), subject=subject, body=body)


def guest_conversation(
    *, name="Nour", email="nour@example.com", subject="Delivery", body="Do you ship to Tyre?"
):
    return conversation_start(name=name, email=email, subject=subject, body=body)


def reply(conversation, *, staff=None, body="Yes, we do."):
    return message_post(
        conversation=conversation, side="staff", author=staff or StaffFactory(), body=body
    )
