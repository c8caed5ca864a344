"""Daily job (cron, or Celery beat): one email per opted-in child, two weeks
before each birthday, with the sizes that will fit next. Safe to run more than
once a day."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from boutique.kids.services import birthday_reminders_send


class Command(BaseCommand):
    help = "Queue birthday reminders (14 days ahead) for children whose parents opted in."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Run as if today were this day (YYYY-MM-DD).")

    def handle(self, *args, **options):
        today = None
        if options["date"]:
            try:
                today = date.fromisoformat(options["date"])
            except ValueError as exc:
                raise CommandError("--date must be YYYY-MM-DD.") from exc
        self.stdout.write(f"Queued {birthday_reminders_send(today=today)} reminder(s).")
