"""Queue messages in the outbox. A message is written in the caller's
transaction so it exists exactly when the change it describes does; once that
transaction commits it is sent (through Celery when a broker is configured,
else in-process), and `notifications_send_due` retries what is still pending."""

from functools import partial

from django.db import transaction

from .models import Channel, Notification


def notification_enqueue(
    *,
    channel: str,
    recipient: str,
    template: str,
    context: dict,
    reference=None,
    language: str = "",
) -> Notification:
    """Queue one message, written in `language` (the recipient's; "" = the
    shop's default) when it is sent."""
    if channel not in Channel.values:
        raise ValueError(f"Unknown channel {channel!r}.")
    ref_type, ref_id = reference or ("", "")
    notification = Notification.objects.create(
        channel=channel,
        recipient=recipient,
        template=template,
        context=context,
        language=language or "",
        reference_type=ref_type,
        reference_id=str(ref_id),
    )
    from .dispatch import notification_send_after_commit

    transaction.on_commit(partial(notification_send_after_commit, notification.pk))
    return notification
