"""Celery beat job: release reservations past their expiry."""

from celery import shared_task

from .services import reservations_release_expired


@shared_task(name="inventory.release_expired_reservations", ignore_result=True)
def release_expired_reservations() -> int:
    return reservations_release_expired()


@shared_task(name="inventory.notify_stock_alerts", ignore_result=True)
def notify_stock_alerts(variant_id: int) -> int:
    """Tell a variant's back-in-stock subscribers (idempotent: each alert ends
    by one conditional update, so a repeat tells nobody twice)."""
    from .alerts import stock_alerts_notify

    return stock_alerts_notify(variant_id=variant_id)


@shared_task(name="inventory.notify_stock_alerts_due", ignore_result=True)
def notify_stock_alerts_due() -> int:
    from .alerts import stock_alerts_notify_due

    return stock_alerts_notify_due()
