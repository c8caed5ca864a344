"""Celery tasks for the outbox. Both are idempotent: a row is claimed by one
conditional update, so a task delivered twice sends the message once."""

from celery import shared_task

from .dispatch import notification_send, notifications_send_due


@shared_task(name="notifications.send", ignore_result=True)
def send_notification(notification_id: int) -> str | None:
    return notification_send(notification_id)


@shared_task(name="notifications.send_due", ignore_result=True)
def send_due_notifications(limit: int = 100) -> dict[str, int]:
    return notifications_send_due(limit=limit)
