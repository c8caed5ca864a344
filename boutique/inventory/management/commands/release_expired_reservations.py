"""Periodic job: mark reservations past their expiry as released.

Availability ignores expired reservations already; run this every few minutes
(cron, or Celery beat once a broker is configured) to keep the table tidy.
"""

from django.core.management.base import BaseCommand

from boutique.inventory.services import reservations_release_expired


class Command(BaseCommand):
    help = "Mark active reservations whose expiry has passed as released."

    def handle(self, *args, **options):
        count = reservations_release_expired()
        self.stdout.write(f"Released {count} expired reservation(s).")
