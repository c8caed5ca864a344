"""Generate seller payouts for a finished period (default: last calendar week)."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from boutique.core.errors import DomainError
from boutique.marketplace.forms_admin import previous_week
from boutique.marketplace.services.payouts import payouts_generate


class Command(BaseCommand):
    help = "Generate seller payouts for a period (default: Monday to Sunday of last week)."

    def add_arguments(self, parser):
        parser.add_argument("--start", type=date.fromisoformat, help="First day, YYYY-MM-DD.")
        parser.add_argument("--end", type=date.fromisoformat, help="Last day, YYYY-MM-DD.")

    def handle(self, *args, start=None, end=None, **options):
        if (start is None) != (end is None):
            raise CommandError("Give both --start and --end, or neither (last week).")
        if start is None:
            start, end = previous_week()
        try:
            made = payouts_generate(period_start=start, period_end=end)
        except DomainError as exc:
            raise CommandError(exc.detail) from exc
        for payout in made:
            self.stdout.write(
                f"Payout {payout.pk}: {payout.seller} {payout.net_amount} {payout.currency}"
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"{len(made)} payout(s) for {start.isoformat()} – {end.isoformat()}."
            )
        )
