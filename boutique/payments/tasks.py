"""Celery beat jobs: apply stored gateway webhooks that could not be applied
when they arrived; settle card payments left pending by a crashed worker."""

from celery import shared_task

from .reconcile import RECONCILE_BATCH, payments_reconcile_stale
from .webhooks import RETRY_BATCH, webhook_events_retry


@shared_task(name="payments.retry_webhook_events", ignore_result=True)
def retry_webhook_events(limit: int = RETRY_BATCH) -> int:
    return webhook_events_retry(limit=limit)


@shared_task(name="payments.reconcile_stale", ignore_result=True)
def reconcile_stale(limit: int = RECONCILE_BATCH) -> dict:
    return payments_reconcile_stale(limit=limit)
