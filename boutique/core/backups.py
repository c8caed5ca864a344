"""Backups of the shop's database (and, optionally, its uploaded files).

SQLite is copied with SQLite's online backup API: one read transaction over
the whole file, so the copy is the database as it was at one moment, while
the shop goes on writing (WAL mode lets writers commit meanwhile).
PostgreSQL is dumped with `pg_dump -Fc` (one snapshot, consistent while the
shop writes) and restored with `pg_restore`; the client's major version must
be at least the server's.

Media (MEDIA_ROOT and the private receipts folder) go into a tar next to the
dump: `<dump>.media.tar.gz`, members under `media/` and `private/`.
"""

import os
import shutil
import sqlite3
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path

import environ
from django.conf import settings

from boutique.core.errors import DomainError

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_CUSTOM_MAGIC = b"PGDMP"
MEDIA_SUFFIX = ".media.tar.gz"


class BackupError(DomainError):
    code = "backup_failed"


@dataclass(frozen=True)
class Target:
    """A database to back up or restore into, from Django settings or a URL."""

    engine: str  # "sqlite" or "postgresql"
    name: str
    host: str = ""
    port: str = ""
    user: str = ""
    password: str = ""

    @classmethod
    def from_settings_dict(cls, config: dict) -> "Target":
        engine = config["ENGINE"].rsplit(".", 1)[-1]
        if engine.startswith("postgres"):
            engine = "postgresql"
        elif engine != "sqlite3":
            raise BackupError(f"No backup support for {config['ENGINE']}.")
        return cls(
            engine="postgresql" if engine == "postgresql" else "sqlite",
            name=str(config["NAME"]),
            host=str(config.get("HOST") or ""),
            port=str(config.get("PORT") or ""),
            user=str(config.get("USER") or ""),
            password=str(config.get("PASSWORD") or ""),
        )

    @classmethod
    def from_url(cls, url: str) -> "Target":
        return cls.from_settings_dict(environ.Env.db_url_config(url))

    def libpq_env(self) -> dict:
        """Connection for pg_dump/pg_restore/psycopg through the environment,
        so the password never shows in a process list."""
        env = {**os.environ, "PGDATABASE": self.name}
        for key, value in (
            ("PGHOST", self.host),
            ("PGPORT", self.port),
            ("PGUSER", self.user),
            ("PGPASSWORD", self.password),
        ):
            if value:
                env[key] = value
        return env

    def conninfo(self, dbname: str | None = None) -> str:
        parts = {"dbname": dbname or self.name, "host": self.host, "port": self.port}
        parts |= {"user": self.user, "password": self.password}
        return " ".join(f"{k}='{_libpq_quote(v)}'" for k, v in parts.items() if v)


def _libpq_quote(value: str) -> str:
    return value.replace("\\", "\\\\").replace("'", "\\'")


# --- backup -------------------------------------------------------------------


def backup_create(*, source: Target, output: Path, with_media: bool = False) -> list[Path]:
    """Write a consistent copy of `source` to `output` (and the media tar next
    to it). Returns the files written."""
    output.parent.mkdir(parents=True, exist_ok=True)
    if source.engine == "sqlite":
        _sqlite_backup(Path(source.name), output)
    else:
        _run(
            ["pg_dump", "--format=custom", "--no-owner", "--file", str(output)],
            env=source.libpq_env(),
        )
    written = [output]
    if with_media:
        written.append(_media_pack(Path(str(output) + MEDIA_SUFFIX)))
    return written


def _sqlite_backup(path: Path, output: Path) -> None:
    if not path.exists():
        raise BackupError(f"No SQLite database at {path}.")
    partial = output.with_name(output.name + ".partial")
    partial.unlink(missing_ok=True)
    src = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
    dst = sqlite3.connect(partial)
    try:
        # pages=-1: the whole database in one step, under one read transaction,
        # so a commit made meanwhile is either entirely in the copy or not at all.
        src.backup(dst, pages=-1)
        dst.execute("PRAGMA journal_mode=DELETE")  # a single self-contained file
    finally:
        dst.close()
        src.close()
    partial.replace(output)


def _media_pack(tar_path: Path) -> Path:
    partial = tar_path.with_name(tar_path.name + ".partial")
    with tarfile.open(partial, "w:gz") as tar:
        for arcname, root in _media_roots():
            if root.is_dir():
                tar.add(root, arcname=arcname)
    partial.replace(tar_path)
    return tar_path


def _media_roots() -> list[tuple[str, Path]]:
    return [
        ("media", Path(settings.MEDIA_ROOT)),
        ("private", Path(settings.PRIVATE_MEDIA_ROOT)),
    ]


# --- restore ------------------------------------------------------------------


def backup_kind(path: Path) -> str:
    """'sqlite' or 'postgresql', from the file's first bytes."""
    with path.open("rb") as f:
        head = f.read(16)
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PG_CUSTOM_MAGIC):
        return "postgresql"
    raise BackupError(f"{path} is neither a SQLite database nor a pg_dump custom archive.")


def backup_restore(
    *, path: Path, target: Target, force: bool = False, with_media: bool = False
) -> None:
    """Restore the dump at `path` into `target`. An empty or missing database
    is filled (a PostgreSQL database is created if missing); a database that
    already holds tables is refused unless `force`, which replaces its
    contents (SQLite: every page; PostgreSQL: pg_restore --clean --if-exists,
    dropping the dump's objects before recreating them; other tables stay)."""
    kind = backup_kind(path)
    if kind != target.engine:
        raise BackupError(f"A {kind} backup cannot be restored into a {target.engine} database.")
    media = Path(str(path) + MEDIA_SUFFIX)
    if with_media and not media.exists():
        raise BackupError(f"No media archive at {media}.")
    if kind == "sqlite":
        _sqlite_restore(path, Path(target.name), force=force)
    else:
        _pg_restore(path, target, force=force)
    if with_media:
        _media_unpack(media)


def _sqlite_restore(path: Path, dest: Path, *, force: bool) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    dst = sqlite3.connect(dest, timeout=30)
    try:
        tables = dst.execute("SELECT count(*) FROM sqlite_master WHERE type='table'").fetchone()
        if tables[0] and not force:
            raise BackupError(f"{dest} is not empty; pass --force to replace it.")
        src = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            src.backup(dst, pages=-1)
        finally:
            src.close()
        dst.execute("PRAGMA journal_mode=WAL")
    finally:
        dst.close()


def _pg_restore(path: Path, target: Target, *, force: bool) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(target.conninfo("postgres"), autocommit=True) as admin:
        exists = admin.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [target.name]
        ).fetchone()
        if not exists:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(target.name)))
    if exists:
        with psycopg.connect(target.conninfo()) as conn:
            tables = conn.execute(
                "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN "
                "('pg_catalog', 'information_schema')"
            ).fetchone()[0]
        if tables and not force:
            raise BackupError(f"Database {target.name} is not empty; pass --force to replace it.")
    args = ["pg_restore", "--no-owner", "--exit-on-error", "--dbname", target.name]
    if exists and force:
        args[1:1] = ["--clean", "--if-exists"]
    _run([*args, str(path)], env=target.libpq_env())


def _media_unpack(tar_path: Path) -> None:
    roots = dict(_media_roots())
    with tarfile.open(tar_path, "r:gz") as tar:
        for member in tar.getmembers():
            top, _, rest = member.name.partition("/")
            if top not in roots or not rest:
                continue
            member = member.replace(name=rest)
            roots[top].mkdir(parents=True, exist_ok=True)
            # "data" refuses absolute paths, links out of the folder and devices.
            tar.extract(member, roots[top], filter="data")


def _run(args: list[str], *, env: dict) -> None:
    if shutil.which(args[0]) is None:
        raise BackupError(f"{args[0]} is missing (Debian: apt-get install postgresql-client).")
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(f"{args[0]} failed ({done.returncode}): {done.stderr.strip()[-2000:]}")
