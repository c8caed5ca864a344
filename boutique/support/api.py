"""The support API: a signed-in customer's own conversations and their
messages; anyone (a guest with name and email) may start one.

Who: listing needs a signed-in caller (401 otherwise: guests cannot list, they
follow the signed link they are given). Someone else's conversation is 404, as
an unknown id is; staff answer from the back office, not here. Starting and
posting are rate-limited per client address and per customer (429 with
Retry-After). Posting to a closed conversation is 409 `conversation_closed`."""

from ninja import Query, Router, Status

from boutique.core.api_auth import optional_auth
from boutique.core.pagination import PageQuery, page_of
from boutique.core.schemas import problems

from . import selectors
from .models import Side
from .schemas import (
    ConversationOut,
    ConversationPageOut,
    ConversationStartIn,
    MessageIn,
    MessageOut,
    MessagePageOut,
)
from .services import conversation_mark_read, conversation_start, conversation_url, message_post
from .throttle import support_rate_limit

support_router = Router(tags=["support"])


def _out(conversation, *, guest_url: str | None = None) -> dict:
    return {
        "id": conversation.pk,
        "subject": conversation.subject,
        "status": conversation.status,
        "created_at": conversation.created_at,
        "last_message_at": conversation.last_message_at,
        "unread_count": conversation.customer_unread_count,
        "guest_url": guest_url,
    }


def _own(request, conversation_id: int):
    return selectors.conversation_get_for(user=request.auth, conversation_id=conversation_id)


@support_router.get(
    "/support/conversations", response={200: ConversationPageOut, **problems(400, 401, 403)}
)
def conversation_list(request, query: Query[PageQuery]):
    """The caller's conversations, latest message first."""
    qs = selectors.conversation_list_for_user(user=request.auth)
    return page_of(qs, query, prepare=lambda rows: [_out(c) for c in rows])


@support_router.post(
    "/support/conversations",
    auth=optional_auth(),
    response={201: ConversationOut, **problems(403, 422, 429)},
)
def conversation_create(request, payload: ConversationStartIn):
    """Start a conversation with its first message. A signed-in caller is the
    customer; a guest sends `name` and `email` and gets back `guest_url`, the
    signed link to the conversation's page (also emailed with every answer)."""
    user = request.auth if request.auth.is_authenticated else None
    support_rate_limit(request, action="start", user=user, email=payload.email)
    conversation = conversation_start(
        user=user,
        name=payload.name,
        email=payload.email,
        subject=payload.subject,
        body=payload.body,
    )
    guest_url = conversation_url(conversation) if conversation.is_guest else None
    return Status(201, _out(conversation, guest_url=guest_url))


@support_router.get(
    "/support/conversations/{int:conversation_id}/messages",
    response={200: MessagePageOut, **problems(400, 401, 403, 404)},
)
def message_list(request, conversation_id: int, query: Query[PageQuery]):
    """The conversation's messages, oldest first. Reading them marks the shop's
    answers read."""
    conversation = _own(request, conversation_id)
    conversation_mark_read(conversation=conversation, side=Side.CUSTOMER)
    return page_of(selectors.message_list(conversation=conversation), query)


@support_router.post(
    "/support/conversations/{int:conversation_id}/messages",
    response={201: MessageOut, **problems(401, 403, 404, 409, 422, 429)},
)
def message_create(request, conversation_id: int, payload: MessageIn):
    """Add a message to one's open conversation (409 once staff closed it)."""
    conversation = _own(request, conversation_id)
    support_rate_limit(request, action="message", user=request.auth)
    message = message_post(
        conversation=conversation, side=Side.CUSTOMER, author=request.auth, body=payload.body
    )
    return Status(201, message)
