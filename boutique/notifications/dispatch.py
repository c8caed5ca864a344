"""Sending outbox rows: claim, deliver, record. Safe to run from any number of
workers at once (Celery, `manage.py send_notifications`, in-process after
commit): a row is claimed by one conditional UPDATE, so only one of them sends
it, and a row marked sent is never claimed again."""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from boutique.audit.services import audit_record
from boutique.core.errors import Conflict, NotFound

from .models import Notification, NotificationStatus
from .senders import deliver, notification_message_id

logger = logging.getLogger(__name__)


def notification_backoff(attempts: int) -> timedelta:
    """Wait before the next try after `attempts` failed ones: base, 2×base,
    4×base … capped (1, 2, 4, 8 … minutes by default, at most an hour)."""
    base = settings.NOTIFICATION_BACKOFF_BASE_SECONDS
    cap = settings.NOTIFICATION_BACKOFF_MAX_SECONDS
    return timedelta(seconds=min(cap, base * 2 ** max(0, attempts - 1)))


def _claimable(now) -> Q:
    due = Q(status=NotificationStatus.PENDING) & (
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )
    lease_expired = Q(status=NotificationStatus.SENDING, next_attempt_at__lte=now)
    return due | lease_expired


def _claim(notification_id: int, now) -> bool:
    """pending (and due) → sending, or take over an expired lease. One
    conditional UPDATE: of two workers racing for the row, one wins."""
    lease = timedelta(seconds=settings.NOTIFICATION_SEND_LEASE_SECONDS)
    return bool(
        Notification.objects.filter(_claimable(now), pk=notification_id).update(
            status=NotificationStatus.SENDING,
            attempts=F("attempts") + 1,
            next_attempt_at=now + lease,
            updated_at=now,
        )
    )


def notification_send(notification_id: int) -> str | None:
    """Send one outbox row if it is due and nobody else is sending it.

    Returns the row's status afterwards ("sent", "pending" for a retry later,
    "failed" after NOTIFICATION_MAX_ATTEMPTS), or None when the row was not
    claimed (already sent, failed, not due, or another worker has it). A
    delivery error is recorded on the row, never raised."""
    now = timezone.now()
    if not _claim(notification_id, now):
        return None
    row = Notification.objects.get(pk=notification_id)
    try:
        deliver(
            channel=row.channel,
            recipient=row.recipient,
            template=row.template,
            context=row.context,
            message_id=notification_message_id(row.pk),
            language=row.language,
        )
    except Exception as exc:  # any channel failure becomes a retry, never a crash
        return _record_failure(row, exc)
    Notification.objects.filter(pk=row.pk, status=NotificationStatus.SENDING).update(
        status=NotificationStatus.SENT,
        sent_at=timezone.now(),
        next_attempt_at=None,
        last_error="",
        updated_at=timezone.now(),
    )
    return NotificationStatus.SENT


def _record_failure(row: Notification, exc: Exception) -> str:
    now = timezone.now()
    error = f"{type(exc).__name__}: {exc}"[:500]
    if row.attempts >= settings.NOTIFICATION_MAX_ATTEMPTS:
        status, next_at = NotificationStatus.FAILED, None
    else:
        status, next_at = NotificationStatus.PENDING, now + notification_backoff(row.attempts)
    Notification.objects.filter(pk=row.pk, status=NotificationStatus.SENDING).update(
        status=status, last_error=error, next_attempt_at=next_at, updated_at=now
    )
    logger.warning(
        "notification %s (%s) attempt %s failed: %s", row.pk, row.template, row.attempts, error
    )
    return status


def notifications_send_due(limit: int = 100) -> dict[str, int]:
    """Send up to `limit` due rows, oldest first; returns counts by outcome."""
    now = timezone.now()
    ids = list(
        Notification.objects.filter(_claimable(now))
        .order_by("created_at", "id")
        .values_list("id", flat=True)[:limit]
    )
    outcome: dict[str, int] = {}
    for notification_id in ids:
        status = notification_send(notification_id) or "skipped"
        outcome[status] = outcome.get(status, 0) + 1
    return outcome


def notification_send_after_commit(notification_id: int) -> None:
    """What `notification_enqueue` runs once the caller's transaction commits:
    hand the row to Celery when a broker is configured, else send it here.
    Never raises into the request: a row left pending is picked up later by
    `notifications_send_due`."""
    try:
        if settings.CELERY_BROKER_URL:
            from .tasks import send_notification

            send_notification.delay(notification_id)
        else:
            notification_send(notification_id)
    except Exception:
        logger.exception("notification %s: could not send after commit", notification_id)


def notification_retry(notification_id: int, actor=None) -> Notification:
    """Staff send a failed row again: failed → pending, due now, its attempts
    and last error kept. A sent row is never resent, and a pending or sending
    one is already on its way (Conflict, 409); nothing changes then. One
    conditional UPDATE, so two staff retrying at once retry it once. Audited."""
    with transaction.atomic(durable=True):
        now = timezone.now()
        changed = Notification.objects.filter(
            pk=notification_id, status=NotificationStatus.FAILED
        ).update(status=NotificationStatus.PENDING, next_attempt_at=now, updated_at=now)
        row = Notification.objects.filter(pk=notification_id).first()
        if row is None:
            raise NotFound(f"No notification {notification_id}.")
        if not changed:
            if row.status == NotificationStatus.SENT:
                raise Conflict(f"Notification {row.pk} was sent; it is never sent twice.")
            raise Conflict(f"Notification {row.pk} is {row.status}, not failed; nothing to retry.")
        audit_record(
            entity=row,
            action="notification.retried",
            actor=actor,
            old={"status": NotificationStatus.FAILED},
            new={"status": row.status, "attempts": row.attempts},
        )
    return row
