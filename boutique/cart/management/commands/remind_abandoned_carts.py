"""Periodic job (cron, or Celery beat): remind opted-in customers, once per
cart, about what they left in it."""

from django.core.management.base import BaseCommand

from boutique.cart.services import carts_remind_abandoned


class Command(BaseCommand):
    help = "Queue one reminder per abandoned cart of customers who opted in."

    def handle(self, *args, **options):
        self.stdout.write(f"Queued {carts_remind_abandoned()} reminder(s).")
