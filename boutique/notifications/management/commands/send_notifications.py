"""Worker loop for the outbox when Celery is not running: send due rows, sleep,
repeat. `--once` sends what is due and exits (for cron)."""

import time

from django.core.management.base import BaseCommand

from boutique.notifications.dispatch import notifications_send_due


class Command(BaseCommand):
    help = "Send pending notifications that are due (retries with backoff)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Send what is due and exit.")
        parser.add_argument("--limit", type=int, default=100, help="Rows per pass.")
        parser.add_argument("--sleep", type=float, default=5.0, help="Seconds between passes.")
        parser.add_argument(
            "--max-seconds", type=float, default=0, help="Stop after this long (0: never)."
        )

    def handle(self, *args, once, limit, sleep, max_seconds, **options):
        started = time.monotonic()
        while True:
            outcome = notifications_send_due(limit=max(1, limit))
            if outcome or once:
                summary = ", ".join(f"{n} {s}" for s, n in sorted(outcome.items())) or "nothing due"
                self.stdout.write(f"Notifications: {summary}.")
            if once:
                return
            if max_seconds and time.monotonic() - started + sleep > max_seconds:
                return
            time.sleep(max(0.0, sleep))
