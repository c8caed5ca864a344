"""Celery beat job: birthday reminders for children whose parents opted in."""

from celery import shared_task

from .services import birthday_reminders_send


@shared_task(name="kids.send_birthday_reminders", ignore_result=True)
def send_birthday_reminders() -> int:
    return birthday_reminders_send()
