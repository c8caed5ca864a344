from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from boutique.core.backups import BackupError, Target, backup_restore


class Command(BaseCommand):
    help = (
        "Restore a backup made by `manage.py backup` into a fresh database (a missing "
        "PostgreSQL database is created). A database that already holds tables is refused "
        "unless --force: then SQLite is overwritten page by page and PostgreSQL gets "
        "pg_restore --clean --if-exists (the dump's objects are dropped and recreated)."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="The dump written by `manage.py backup`.")
        parser.add_argument(
            "--database-url", help="Restore into this database instead of the configured one."
        )
        parser.add_argument(
            "--force", action="store_true", help="Replace a database that is not empty."
        )
        parser.add_argument(
            "--with-media",
            action="store_true",
            help="Also put back the files from <path>.media.tar.gz.",
        )

    def handle(self, *args, **options):
        url = options["database_url"]
        target = (
            Target.from_url(url)
            if url
            else Target.from_settings_dict(connections["default"].settings_dict)
        )
        if not url:
            # The app's own connection would hold the file or database open.
            connections["default"].close()
        try:
            backup_restore(
                path=Path(options["path"]),
                target=target,
                force=options["force"],
                with_media=options["with_media"],
            )
        except BackupError as exc:
            raise CommandError(exc.detail) from exc
        self.stdout.write(f"Restored {options['path']} into {target.engine} {target.name}.")
