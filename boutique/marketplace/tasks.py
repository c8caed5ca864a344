"""Celery beat job: last week's seller payouts, every Monday."""

from celery import shared_task

from .forms_admin import previous_week
from .services.payouts import payouts_generate


@shared_task(name="marketplace.generate_payouts", ignore_result=True)
def generate_payouts() -> list[int]:
    """Payouts for the previous calendar week. Safe to repeat: an item is paid out once."""
    start, end = previous_week()
    return [p.pk for p in payouts_generate(period_start=start, period_end=end)]
