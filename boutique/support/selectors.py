"""Every read of support conversations. `*_get_for` helpers check who is asking
and raise ConversationNotFound (404) for anyone else's conversation."""

from django.db.models import Count, Q, Sum

from .errors import ConversationNotFound
from .models import Conversation, ConversationStatus, Message
from .tokens import conversation_id_from_token

NOT_FOUND = "No such conversation."
MAX_ID = 2**31 - 1


def _id(value) -> int:
    """A conversation id that can name a row, else ConversationNotFound (no query)."""
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        raise ConversationNotFound(NOT_FOUND) from None
    if not 1 <= number <= MAX_ID:
        raise ConversationNotFound(NOT_FOUND)
    return number


def conversation_list_for_user(*, user):
    """A signed-in customer's conversations, latest message first."""
    if not getattr(user, "is_authenticated", False):
        return Conversation.objects.none()
    return Conversation.objects.filter(user=user).order_by("-last_message_at", "-pk")


def conversation_get_for(*, user, conversation_id) -> Conversation:
    """The signed-in customer's own conversation; anything else is 404."""
    if not getattr(user, "is_authenticated", False):
        raise ConversationNotFound(NOT_FOUND)
    conversation_id = _id(conversation_id)
    try:
        return Conversation.objects.select_related("user").get(pk=conversation_id, user=user)
    except Conversation.DoesNotExist:
        raise ConversationNotFound(NOT_FOUND) from None


def conversation_get_by_token(*, token: str) -> Conversation:
    """The guest conversation a signed link names; a bad or expired token, or
    a token for a customer's conversation, is 404."""
    conversation_id = conversation_id_from_token(token)
    conversation = (
        Conversation.objects.filter(pk=conversation_id, user__isnull=True).first()
        if conversation_id and conversation_id <= MAX_ID
        else None
    )
    if conversation is None:
        raise ConversationNotFound(NOT_FOUND)
    return conversation


def conversation_get_for_staff(*, conversation_id) -> Conversation:
    conversation_id = _id(conversation_id)
    try:
        return Conversation.objects.select_related("user").get(pk=conversation_id)
    except Conversation.DoesNotExist:
        raise ConversationNotFound(NOT_FOUND) from None


def message_list(*, conversation: Conversation):
    """The thread, oldest first, with each staff author's name at hand."""
    return Message.objects.filter(conversation=conversation).select_related("author").order_by("pk")


def unread_count_for_user(*, user) -> int:
    """Staff messages a signed-in customer has not read yet, over all threads."""
    if not getattr(user, "is_authenticated", False):
        return 0
    total = Conversation.objects.filter(user=user).aggregate(n=Sum("customer_unread_count"))["n"]
    return total or 0


def conversation_counts_for_staff() -> dict:
    """Open conversations and those with customer messages staff have not read."""
    return Conversation.objects.aggregate(
        open=Count("pk", filter=Q(status=ConversationStatus.OPEN)),
        unread=Count("pk", filter=Q(staff_unread_count__gt=0)),
    )


def conversations_open_count() -> int:
    """Open conversations, for the back-office dashboard."""
    return Conversation.objects.filter(status=ConversationStatus.OPEN).count()
