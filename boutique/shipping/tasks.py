"""Celery beat job: apply carrier events that arrived before their shipment."""

from celery import shared_task

from .webhooks import carrier_events_retry


@shared_task(name="shipping.retry_carrier_events", ignore_result=True)
def retry_carrier_events() -> int:
    return carrier_events_retry()
