"""Periodic job: apply stored gateway webhooks that could not be applied when
they arrived (a refund notice before the capture notice, a payment not known
yet), oldest first. Run every few minutes (cron, or Celery beat once
configured)."""

from django.core.management.base import BaseCommand

from boutique.payments.models import WebhookEvent
from boutique.payments.webhooks import RETRY_BATCH, webhook_events_retry


class Command(BaseCommand):
    help = "Apply pending payment webhook events in the order they were received."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=RETRY_BATCH)

    def handle(self, *args, limit, **options):
        applied = webhook_events_retry(limit=max(1, limit))
        waiting = WebhookEvent.objects.filter(processed_at__isnull=True).count()
        self.stdout.write(f"Applied {applied} webhook event(s); {waiting} still pending.")
