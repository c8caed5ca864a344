"""manage.py catalog_export [--output file.csv]: one CSV row per variant."""

import sys

from django.core.management.base import BaseCommand
from tqdm import tqdm

from boutique.catalog.importing import catalog_export, export_variants


class Command(BaseCommand):
    help = "Export the catalogue as CSV, one row per variant (stdout unless --output)."

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", help="Write to this file instead of stdout.")

    def handle(self, *args, output=None, **options):
        variants = export_variants()
        total = variants.count()

        def progress(rows):
            return tqdm(rows, total=total, file=sys.stderr, unit="row", disable=total == 0)

        if output:
            with open(output, "w", encoding="utf-8", newline="") as out:
                count = catalog_export(out, variants=variants, progress=progress)
            self.stderr.write(f"Wrote {count} row(s) to {output}.")
        else:
            count = catalog_export(self.stdout, variants=variants, progress=progress)
