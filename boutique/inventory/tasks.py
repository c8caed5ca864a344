"""Celery beat job: release reservations past their expiry."""

from celery import shared_task

from .services import reservations_release_expired


@shared_task(name="inventory.release_expired_reservations", ignore_result=True)
def release_expired_reservations() -> int:
    return reservations_release_expired()
