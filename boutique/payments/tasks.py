"""Celery beat job: apply stored gateway webhooks that could not be applied
when they arrived."""

from celery import shared_task

from .webhooks import RETRY_BATCH, webhook_events_retry


@shared_task(name="payments.retry_webhook_events", ignore_result=True)
def retry_webhook_events(limit: int = RETRY_BATCH) -> int:
    return webhook_events_retry(limit=limit)
