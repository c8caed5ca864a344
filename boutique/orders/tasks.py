"""Celery beat job: cancel orders still unpaid after their deadline."""

from celery import shared_task

from .services import orders_expire_unpaid


@shared_task(name="orders.expire_unpaid_orders", ignore_result=True)
def expire_unpaid_orders() -> list[str]:
    return orders_expire_unpaid()
