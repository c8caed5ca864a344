from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from boutique.core.backups import BackupError, Target, backup_create


class Command(BaseCommand):
    help = (
        "Back up the database while the shop runs: SQLite through its online backup API, "
        "PostgreSQL with pg_dump -Fc. --with-media adds MEDIA_ROOT and the private "
        "receipts as <output>.media.tar.gz."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            help="Where to write the dump (default var/backups/boutique-<UTC time>.<ext>).",
        )
        parser.add_argument(
            "--database-url", help="Back up this database instead of the configured one."
        )
        parser.add_argument("--with-media", action="store_true", help="Also archive the media.")

    def handle(self, *args, **options):
        url = options["database_url"]
        source = (
            Target.from_url(url)
            if url
            else Target.from_settings_dict(connections["default"].settings_dict)
        )
        output = Path(options["output"] or self._default_output(source))
        try:
            written = backup_create(source=source, output=output, with_media=options["with_media"])
        except BackupError as exc:
            raise CommandError(exc.detail) from exc
        for path in written:
            self.stdout.write(f"{path} ({path.stat().st_size} bytes)")

    def _default_output(self, source: Target) -> Path:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        suffix = "sqlite3" if source.engine == "sqlite" else "dump"
        return Path(settings.BASE_DIR) / "var" / "backups" / f"boutique-{stamp}.{suffix}"
