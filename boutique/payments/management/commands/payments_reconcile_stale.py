"""Periodic job: card payments still pending after
PAYMENT_RECONCILE_AFTER_MINUTES (a worker died between recording the attempt
and recording the gateway's answer) are looked up at the gateway and settled:
succeeded pays the order, failed or never charged lets the customer pay again.
Run every couple of minutes (cron, or Celery beat: payments.reconcile_stale)."""

from django.core.management.base import BaseCommand

from boutique.payments.reconcile import RECONCILE_BATCH, payments_reconcile_stale


class Command(BaseCommand):
    help = "Settle card payments left pending by looking them up at the gateway."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=RECONCILE_BATCH)

    def handle(self, *args, limit, **options):
        outcomes = payments_reconcile_stale(limit=max(1, limit))
        summary = ", ".join(f"{n} {outcome}" for outcome, n in sorted(outcomes.items()))
        total = sum(outcomes.values())
        self.stdout.write(f"Reconciled {total} payment(s)" + (f": {summary}." if summary else "."))
