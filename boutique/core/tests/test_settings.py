import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite pragmas")
def test_sqlite_runs_in_wal_mode_with_a_busy_timeout():
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone()[0] >= 5000
    assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL planner settings")
def test_postgresql_connections_plan_for_short_queries_on_ssd():
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
        cursor.execute("SHOW random_page_cost")
        assert float(cursor.fetchone()[0]) == 1.1
        cursor.execute("SHOW pg_trgm.word_similarity_threshold")
        assert float(cursor.fetchone()[0]) == 0.5


def _settings_in_subprocess(env: dict, *names: str) -> list:
    """Read settings expressions from config.settings.local in a clean interpreter."""
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        f"print(json.dumps([{', '.join(names)}]))"
    )
    clean = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    clean.update(env, DJANGO_SETTINGS_MODULE="config.settings.local")
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_database_url_switches_to_postgresql():
    assert _settings_in_subprocess(
        {"DATABASE_URL": "postgres://shop@db.internal:5432/boutique"},
        "settings.DATABASES['default']['ENGINE']",
        "settings.DATABASES['default']['HOST']",
    ) == ["django.db.backends.postgresql", "db.internal"]


def test_redis_url_switches_cache_and_sessions_to_redis():
    assert _settings_in_subprocess(
        {"REDIS_URL": "redis://127.0.0.1:6379/3"},
        "settings.CACHES['default']['BACKEND']",
        "settings.SESSION_ENGINE",
    ) == [
        "django.core.cache.backends.redis.RedisCache",
        "django.contrib.sessions.backends.cached_db",
    ]


def test_email_url_configures_smtp():
    assert _settings_in_subprocess(
        {"EMAIL_URL": "smtp+tls://mailer:secret@smtp.example.com:587"},
        "settings.EMAIL_BACKEND",
        "settings.EMAIL_HOST",
        "settings.EMAIL_PORT",
        "settings.EMAIL_USE_TLS",
    ) == ["django.core.mail.backends.smtp.EmailBackend", "smtp.example.com", 587, True]


def test_production_settings_refuse_the_development_secret_key():
    code = "import django; django.setup()"
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.production"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr
