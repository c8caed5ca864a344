"""Queue messages in the outbox. Delivery (a dispatcher, Celery) reads pending
rows; a message is written in the caller's transaction so it exists exactly when
the change it describes does."""

from .models import Channel, Notification


def notification_enqueue(
    *, channel: str, recipient: str, template: str, context: dict, reference=None
) -> Notification:
    if channel not in Channel.values:
        raise ValueError(f"Unknown channel {channel!r}.")
    ref_type, ref_id = reference or ("", "")
    return Notification.objects.create(
        channel=channel,
        recipient=recipient,
        template=template,
        context=context,
        reference_type=ref_type,
        reference_id=str(ref_id),
    )
