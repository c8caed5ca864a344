"""Celery beat job: the one abandoned-cart reminder per opted-in customer."""

from celery import shared_task

from .services import carts_remind_abandoned


@shared_task(name="cart.remind_abandoned", ignore_result=True)
def remind_abandoned() -> int:
    return carts_remind_abandoned()
