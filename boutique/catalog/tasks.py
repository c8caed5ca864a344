"""Background jobs of the catalog. Idempotent: a recall's notices are unique
per (recall, email), so a task delivered twice tells nobody twice."""

from celery import shared_task

from .safety import recall_notify_buyers


@shared_task(name="catalog.recall_notify", ignore_result=True)
def recall_notify(recall_id: int) -> int:
    return recall_notify_buyers(recall_id=recall_id)
