"""Every write to support conversations.

A customer (signed in, or a guest with name and email) starts a conversation
with its first message; both sides post messages; staff close and reopen. Each
write takes the conversation's row lock (or is one conditional UPDATE), keeps
the unread counters with F() expressions, and audits status changes. A staff
reply emails the customer, through the notification outbox, a link back to the
thread (a guest's carries the signed token)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from boutique.audit.services import audit_record
from boutique.core.errors import PermissionDenied, ValidationFailed, validation_errors_from_django
from boutique.notifications.services import notification_enqueue

from .errors import ConversationClosed, ConversationStatusConflict
from .locks import conversation_qs_for_update
from .models import BODY_MAX, SUBJECT_MAX, Conversation, ConversationStatus, Message, Side
from .tokens import conversation_token

UNREAD_FIELD = {Side.CUSTOMER: "customer_unread_count", Side.STAFF: "staff_unread_count"}
OTHER_SIDE = {Side.CUSTOMER: Side.STAFF, Side.STAFF: Side.CUSTOMER}
EXCERPT_CHARS = 500


# Model field → the name callers send.
INPUT_NAMES = {"guest_name": "name", "guest_email": "email"}


def _clean(instance, *, exclude=()) -> None:
    try:
        instance.full_clean(exclude=list(exclude))
    except ValidationError as exc:
        errors = validation_errors_from_django(exc)
        raise ValidationFailed(
            "Some fields are not valid.",
            field_errors={INPUT_NAMES.get(k, k): v for k, v in errors.items()},
        ) from exc


def _text(value, *, name: str, limit: int, errors: dict) -> str:
    value = str(value or "").strip()
    if not value:
        errors[name] = ["Required."]
    elif len(value) > limit:
        errors[name] = [f"At most {limit} characters."]
    elif "\x00" in value:
        errors[name] = ["Contains a character we cannot store."]
    return value


def _require_staff(actor) -> None:
    if not getattr(actor, "is_staff", False):
        raise PermissionDenied("Only staff can do this.")


def conversation_url(conversation: Conversation) -> str:
    """The link we email: the signed guest link, or the customer's own page
    (which asks them to sign in)."""
    if conversation.is_guest:
        path = reverse("storefront:support_guest", args=[conversation_token(conversation)])
    else:
        path = reverse("storefront:support_conversation", args=[conversation.pk])
    return settings.SITE_URL.rstrip("/") + path


def conversation_start(
    *, user=None, name: str = "", email: str = "", subject: str, body: str
) -> Conversation:
    """Open a conversation with its first message. A signed-in `user` is the
    customer; without one, `name` and `email` are required (a guest)."""
    user = user if getattr(user, "is_authenticated", False) else None
    errors: dict = {}
    subject = _text(subject, name="subject", limit=SUBJECT_MAX, errors=errors)
    body = _text(body, name="body", limit=BODY_MAX, errors=errors)
    if user is None:
        name = _text(name, name="name", limit=120, errors=errors)
        email = _text(email, name="email", limit=254, errors=errors).lower()
    else:
        name, email = "", ""
    if errors:
        raise ValidationFailed("Some fields are missing or not valid.", field_errors=errors)
    now = timezone.now()
    conversation = Conversation(
        user=user,
        guest_name=name,
        guest_email=email,
        subject=subject,
        last_message_at=now,
        staff_unread_count=1,
    )
    _clean(conversation, exclude=["user", "closed_by"])
    with transaction.atomic(durable=True):
        conversation.save()
        message = Message(
            conversation=conversation, author_side=Side.CUSTOMER, author=user, body=body
        )
        _clean(message, exclude=["author"])
        message.save()
        audit_record(
            entity=conversation,
            action="support.conversation_started",
            actor=user,
            new={"subject": subject, "status": conversation.status, "guest": user is None},
        )
    return conversation


def message_post(*, conversation: Conversation, side: str, author=None, body) -> Message:
    """Add a message to an open conversation. Takes the conversation's row
    lock: the unread counter of the other side goes up by one, the author's
    side has now read everything, and last_message_at moves on. A staff
    message emails the customer a link back to the thread. The caller has
    checked that `author` may write on `side` (selectors.conversation_get_for)."""
    side = Side(side)
    if side == Side.STAFF:
        _require_staff(author)
    errors: dict = {}
    body = _text(body, name="body", limit=BODY_MAX, errors=errors)
    if errors:
        raise ValidationFailed("The message is empty or too long.", field_errors=errors)
    author = author if getattr(author, "is_authenticated", False) else None
    with transaction.atomic(durable=True):
        locked = conversation_qs_for_update().get(pk=conversation.pk)
        if not locked.is_open:
            raise ConversationClosed(
                "This conversation is closed. Start a new one if you need more help."
            )
        message = Message(conversation=locked, author_side=side, author=author, body=body)
        _clean(message, exclude=["author"])
        message.save()
        other = UNREAD_FIELD[OTHER_SIDE[side]]
        Conversation.objects.filter(pk=locked.pk).update(
            last_message_at=message.created_at,
            updated_at=message.created_at,
            **{other: F(other) + 1, UNREAD_FIELD[side]: 0},
        )
        if side == Side.STAFF:
            _notify_reply(locked, message)
    return message


def _notify_reply(conversation: Conversation, message: Message) -> None:
    recipient = conversation.customer_email
    if not recipient or recipient.endswith("@invalid"):
        return
    excerpt = message.body
    if len(excerpt) > EXCERPT_CHARS:
        excerpt = excerpt[:EXCERPT_CHARS].rstrip() + "…"
    notification_enqueue(
        channel="email",
        recipient=recipient,
        template="support_reply",
        language=conversation.user.preferred_language if conversation.user_id else "",
        context={
            "customer_name": conversation.customer_name,
            "subject": conversation.subject,
            "reply": excerpt,
            "conversation_id": conversation.pk,
            "conversation_url": conversation_url(conversation),
        },
        reference=("support_conversation", conversation.pk),
    )


def conversation_mark_read(*, conversation: Conversation, side: str) -> bool:
    """`side` has read the thread: its unread counter goes to zero (one
    conditional UPDATE; False when there was nothing unread)."""
    field = UNREAD_FIELD[Side(side)]
    return bool(
        Conversation.objects.filter(pk=conversation.pk, **{f"{field}__gt": 0}).update(**{field: 0})
    )


def _set_status(*, conversation, actor, to: str, action: str) -> Conversation:
    _require_staff(actor)
    closing = to == ConversationStatus.CLOSED
    start = ConversationStatus.OPEN if closing else ConversationStatus.CLOSED
    now = timezone.now()
    with transaction.atomic(durable=True):
        changed = Conversation.objects.filter(pk=conversation.pk, status=start).update(
            status=to,
            closed_at=now if closing else None,
            closed_by=actor if closing else None,
            updated_at=now,
        )
        if not changed:
            raise ConversationStatusConflict(f"This conversation is not {start.label.lower()}.")
        audit_record(
            entity=conversation,
            action=action,
            actor=actor,
            old={"status": start.value},
            new={"status": to.value},
        )
    conversation.refresh_from_db()
    return conversation


def conversation_close(*, conversation: Conversation, actor) -> Conversation:
    """Staff close an open conversation (one conditional UPDATE; audited).
    Nobody can post to it until it is reopened."""
    return _set_status(
        conversation=conversation,
        actor=actor,
        to=ConversationStatus.CLOSED,
        action="support.conversation_closed",
    )


def conversation_reopen(*, conversation: Conversation, actor) -> Conversation:
    """Staff reopen a closed conversation (one conditional UPDATE; audited)."""
    return _set_status(
        conversation=conversation,
        actor=actor,
        to=ConversationStatus.OPEN,
        action="support.conversation_reopened",
    )


def conversations_delete_for_user(*, user) -> int:
    """Delete `user`'s conversations and their messages (account deletion),
    including those they started as a guest with the same email. Runs inside
    the caller's transaction."""
    threads = Conversation.objects.filter(user=user)
    if user.email:
        threads = threads | Conversation.objects.filter(
            user__isnull=True, guest_email__iexact=user.email
        )
    ids = list(threads.values_list("pk", flat=True))
    Conversation.objects.filter(pk__in=ids).delete()
    return len(ids)
