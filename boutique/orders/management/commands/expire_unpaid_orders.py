"""Periodic job: cancel orders still unpaid after their deadline (30 minutes for
cards, 72 hours for cash and transfers by default), freeing their stock and
coupon uses. Run every few minutes (cron, or Celery beat once configured)."""

from django.core.management.base import BaseCommand

from boutique.orders.services import orders_expire_unpaid


class Command(BaseCommand):
    help = "Cancel pending orders past their payment deadline."

    def handle(self, *args, **options):
        numbers = orders_expire_unpaid()
        self.stdout.write(f"Expired {len(numbers)} unpaid order(s){': ' if numbers else '.'}")
        for number in numbers:
            self.stdout.write(f"  {number}")
