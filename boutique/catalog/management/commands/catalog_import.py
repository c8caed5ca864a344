"""manage.py catalog_import file.csv [--dry-run]: all or nothing."""

import sys

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from boutique.catalog.importing import ImportRejected, catalog_import


class Command(BaseCommand):
    help = (
        "Create or update products and variants from a catalogue CSV (keyed by "
        "product_slug and sku). Any bad row: every problem is listed by line and "
        "nothing is imported."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Path of the CSV file (UTF-8).")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and report, save nothing."
        )

    def handle(self, *args, file, dry_run=False, **options):
        try:
            with open(file, "rb") as handle:
                data = handle.read()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}") from exc

        def progress(items):
            return tqdm(items, file=sys.stderr, unit="product", disable=not items)

        try:
            result = catalog_import(data=data, dry_run=dry_run, progress=progress)
        except ImportRejected as exc:
            for line, message in exc.errors:
                self.stderr.write(f"line {line}: {message}")
            raise CommandError(
                f"{len(exc.errors)} problem(s) in {file}; nothing was imported."
            ) from exc
        for change in result.changes:
            self.stdout.write(change)
        self.stdout.write(self.style.SUCCESS(result.summary()))
