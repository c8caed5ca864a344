"""Support conversations for the authorisation matrix's world (issue 10):
customer A's and B's own conversations (each with a staff answer) and a
guest's, whose signed link is in world.extra["support_guest_token"]. Made
through the support services."""

from boutique.support.services import conversation_start, message_post
from boutique.support.tokens import conversation_token


def add_support(world) -> None:
    for key, user in (("support_a", world.a.user), ("support_b", world.b.user)):
        conversation = conversation_start(user=user, subject="Sizes", body="Which size for 2?")
        message_post(conversation=conversation, side="staff", author=world.staff, body="2T.")
        world.extra[key] = conversation
    guest = conversation_start(
        name="Guest", email="guest@example.com", subject="Delivery", body="To Tyre?"
    )
    world.extra["support_guest"] = guest
    world.extra["support_guest_token"] = conversation_token(guest)
