"""Production and scale-out (issue 12): settings chosen by environment only,
/readyz, /metrics access control, JSON logs with the request id, and the
documentation of every environment variable the settings read."""

import ast
import json
import os
import re
import secrets
import socket
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from boutique.catalog.tests.factories import make_product
from boutique.core import health
from boutique.inventory.models import Reservation
from boutique.inventory.services import stock_reserve
from boutique.notifications.models import Notification

ROOT = Path(__file__).resolve().parents[3]
DEAD_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1


def _production(code: str, **env) -> str:
    """Run `code` after django.setup() under config.settings.production in a clean
    interpreter; return its last line of output."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    clean.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY=secrets.token_urlsafe(50),
        **env,
    )
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + code],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1] if result.stdout.strip() else result.stderr


SETTINGS_DUMP = """
import json
from django.conf import settings as s
db = s.DATABASES["default"]
print(json.dumps({
    "engine": db["ENGINE"], "options": db.get("OPTIONS", {}),
    "conn_max_age": db.get("CONN_MAX_AGE"), "health": db.get("CONN_HEALTH_CHECKS"),
    "no_server_cursors": db.get("DISABLE_SERVER_SIDE_CURSORS", False),
    "cache": s.CACHES["default"]["BACKEND"], "sessions": s.SESSION_ENGINE,
    "media": s.STORAGES["default"], "static": s.STORAGES["staticfiles"]["BACKEND"],
    "log_format": s.LOGGING["handlers"]["console"]["formatter"],
    "broker": s.CELERY_BROKER_URL,
    "beat": sorted(e["task"] for e in s.CELERY_BEAT_SCHEDULE.values()),
}, default=str))
"""


# --- Settings ---------------------------------------------------------------------
def test_production_with_db_pool_uses_psycopg_pool_redis_and_celery():
    dump = json.loads(
        _production(
            SETTINGS_DUMP,
            DATABASE_URL="postgres://shop:pw@db.internal:5432/boutique",
            DB_POOL="true",
            DB_POOL_MIN="1",
            DB_POOL_MAX="5",
            REDIS_URL="redis://cache.internal:6379/0",
            CELERY_BROKER_URL="redis://cache.internal:6379/1",
        )
    )
    assert dump["engine"] == "django_prometheus.db.backends.postgresql"
    assert dump["options"]["pool"] == {"min_size": 1, "max_size": 5, "timeout": 10.0}
    # Django refuses a pool together with persistent connections.
    assert dump["conn_max_age"] == 0
    assert dump["cache"] == "django.core.cache.backends.redis.RedisCache"
    assert dump["sessions"] == "django.contrib.sessions.backends.cached_db"
    assert dump["static"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    assert dump["media"]["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    assert dump["log_format"] == "json"
    assert dump["broker"] == "redis://cache.internal:6379/1"
    # The timed jobs the issue names, all run by beat.
    assert {
        "inventory.release_expired_reservations",
        "orders.expire_unpaid_orders",
        "notifications.send_due",
        "marketplace.generate_payouts",
        "payments.reconcile_stale",
    } <= set(dump["beat"])


def test_production_without_pool_keeps_checked_persistent_connections_for_pgbouncer():
    dump = json.loads(
        _production(
            SETTINGS_DUMP,
            DATABASE_URL="postgres://shop:pw@pgbouncer.internal:6432/boutique",
            CONN_MAX_AGE="300",
            DB_PGBOUNCER="true",
        )
    )
    assert "pool" not in dump["options"]
    assert dump["conn_max_age"] == 300 and dump["health"] is True
    assert dump["no_server_cursors"] is True


def test_production_media_go_to_s3_when_a_bucket_is_named():
    dump = json.loads(
        _production(
            SETTINGS_DUMP,
            AWS_STORAGE_BUCKET_NAME="shop-media",
            AWS_S3_ENDPOINT_URL="https://s3.example.net",
            AWS_ACCESS_KEY_ID="AKIAEXAMPLE",
            AWS_SECRET_ACCESS_KEY="example-secret",
        )
    )
    media = dump["media"]
    assert media["BACKEND"] == "storages.backends.s3.S3Storage"
    assert media["OPTIONS"]["bucket_name"] == "shop-media"
    assert media["OPTIONS"]["endpoint_url"] == "https://s3.example.net"
    assert media["OPTIONS"]["file_overwrite"] is False
    # Static files stay with WhiteNoise.
    assert dump["static"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    url = _production(
        "from django.core.files.storage import default_storage as d; print(d.url('p/x.jpg'))",
        AWS_STORAGE_BUCKET_NAME="shop-media",
        AWS_S3_CUSTOM_DOMAIN="media.example.net",
    )
    assert url == "https://media.example.net/media/p/x.jpg"


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs the PostgreSQL server")
def test_production_pool_serves_queries_on_the_real_server():
    # The test database pytest-django made from DATABASE_URL.
    url = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/" + connection.settings_dict["NAME"]
    out = _production(
        "from django.db import connection as c\n"
        "cur = c.cursor(); cur.execute('SELECT 41 + 1'); n = cur.fetchone()[0]\n"
        "print(n, type(c.pool).__name__)",
        DATABASE_URL=url,
        DB_POOL="true",
    )
    assert out == "42 ConnectionPool"


# --- /readyz -----------------------------------------------------------------------
@pytest.mark.django_db
def test_readyz_reports_each_check(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"broker": "skipped", "cache": "ok", "database": "ok"},
    }
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.django_db
def test_readyz_is_503_naming_the_cache_when_redis_is_down(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": DEAD_REDIS,
            "OPTIONS": {"socket_connect_timeout": 1},
        }
    }
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["failed"] == ["cache"]
    assert body["checks"]["cache"].startswith("error: ")
    assert body["checks"]["database"] == "ok"


@pytest.mark.django_db
def test_readyz_is_503_naming_the_broker_when_it_is_unreachable(client, settings):
    settings.CELERY_BROKER_URL = DEAD_REDIS
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failed"] == ["broker"]
    assert response.json()["checks"]["broker"] == "error: OperationalError"


@pytest.mark.django_db
def test_readyz_is_503_when_the_database_fails(client, monkeypatch):
    def broken_cursor(*args, **kwargs):
        raise RuntimeError("database is gone")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failed"] == ["database"]


@pytest.mark.django_db
def test_readyz_is_503_when_the_cache_loses_writes(client, monkeypatch):
    monkeypatch.setattr(health.cache, "set", lambda *args, **kwargs: None)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["cache"] == "error: a value written was not read back"


def _redis_listening() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
    except OSError:
        return False
    return True


@pytest.mark.redis
@pytest.mark.django_db
@pytest.mark.skipif(not _redis_listening(), reason="needs Redis on 127.0.0.1:6379")
def test_readyz_checks_a_live_redis_broker_and_cache(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/14"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/14",
            "KEY_PREFIX": "readyz-test",
        }
    }
    response = client.get("/readyz")
    assert response.status_code == 200, response.content
    assert response.json()["checks"] == {"broker": "ok", "cache": "ok", "database": "ok"}


def test_readyz_rejects_post(client):
    assert client.post("/readyz").status_code == 405


# --- /metrics ----------------------------------------------------------------------
@pytest.mark.django_db
def test_metrics_are_not_public_by_default(client):
    assert client.get("/metrics").status_code == 404


@pytest.mark.django_db
def test_metrics_are_served_to_an_allowed_address_only(client, settings):
    settings.METRICS_ALLOWED_IPS = ["10.0.0.0/8", "192.168.1.7"]
    allowed = client.get("/metrics", REMOTE_ADDR="10.1.2.3")
    assert allowed.status_code == 200
    assert allowed["Content-Type"].startswith("text/plain")
    text = allowed.content.decode()
    assert "django_http_requests_total_by_method_total" in text
    assert 'boutique_notifications{status="pending"}' in text
    assert client.get("/metrics", REMOTE_ADDR="192.168.1.7").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="192.168.1.8").status_code == 403
    # Without trusted proxies a forged X-Forwarded-For changes nothing.
    forged = client.get("/metrics", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="10.1.2.3")
    assert forged.status_code == 403


@pytest.mark.django_db
def test_metrics_are_served_with_the_bearer_token_only(client, settings):
    settings.METRICS_TOKEN = "s3cret-scrape-token"
    ok = client.get("/metrics", headers={"Authorization": "Bearer s3cret-scrape-token"})
    assert ok.status_code == 200 and b"boutique_notifications" in ok.content
    for header in ("Bearer wrong", "s3cret-scrape-token", "Basic s3cret-scrape-token", ""):
        assert client.get("/metrics", headers={"Authorization": header}).status_code == 403


@pytest.mark.django_db
def test_metrics_show_outbox_backlog_and_reservation_clean_up_lag(client, settings):
    settings.METRICS_TOKEN = "t"
    for status in ("pending", "pending", "failed"):
        Notification.objects.create(
            channel="email", recipient="a@example.com", template="order_paid", status=status
        )
    Notification.objects.filter(status="pending").update(
        created_at=timezone.now() - timedelta(minutes=10)
    )
    product = make_product(stock=5)
    reservation = stock_reserve(
        variant=product.variants.get(), quantity=2, holder_type="cart", holder_id="c1"
    )
    Reservation.objects.filter(pk=reservation.pk).update(
        expires_at=timezone.now() - timedelta(minutes=30)
    )
    text = client.get("/metrics", headers={"Authorization": "Bearer t"}).content.decode()

    def value(name):
        match = re.search(rf"^{re.escape(name)} (\S+)$", text, re.MULTILINE)
        assert match, name
        return float(match.group(1))

    assert value('boutique_notifications{status="pending"}') == 2
    assert value('boutique_notifications{status="failed"}') == 1
    assert value('boutique_notifications{status="sent"}') == 0
    assert 590 < value("boutique_notifications_oldest_due_seconds") < 700
    assert value("boutique_reservations_expired_unreleased") == 1
    assert 1790 < value("boutique_reservation_release_lag_seconds") < 1900


# --- Logs --------------------------------------------------------------------------
LOG_REQUEST = """
from django.test import Client
response = Client().get("/api/no-such-endpoint/", headers={"X-Request-ID": "req-abc-123"})
print(response.status_code)
"""


def test_production_log_lines_are_json_with_the_request_id(tmp_path):
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    clean.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="testserver",
        SECURE_SSL_REDIRECT="false",
        SQLITE_PATH=str(tmp_path / "empty.sqlite3"),
        # Python warnings are not log lines (WhiteNoise warns about a missing
        # STATIC_ROOT in a fresh clone that never ran collectstatic).
        PYTHONWARNINGS="ignore",
    )
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + LOG_REQUEST],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["404"]
    lines = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    assert lines, result.stderr
    # Every line is JSON, and the request's lines carry its id.
    assert len(lines) == len([line for line in result.stderr.splitlines() if line.strip()])
    request_lines = [line for line in lines if line["logger"] == "django.request"]
    assert request_lines, lines
    for line in request_lines:
        assert line["request_id"] == "req-abc-123"
        assert {"time", "level", "message"} <= set(line)


# --- Documentation -----------------------------------------------------------------
def _env_vars_read_by_settings() -> set[str]:
    names = set()
    for path in (ROOT / "config" / "settings").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            func = node.func
            is_env = (isinstance(func, ast.Name) and func.id == "env") or (
                isinstance(func, ast.Attribute)
                and isinstance(func.value, ast.Name)
                and func.value.id == "env"
            )
            first = node.args[0]
            if is_env and isinstance(first, ast.Constant) and isinstance(first.value, str):
                names.add(first.value)
    return names


def test_every_environment_variable_the_settings_read_is_documented():
    names = _env_vars_read_by_settings()
    assert {"DATABASE_URL", "DB_POOL", "REDIS_URL", "METRICS_TOKEN"} <= names
    documented = set(re.findall(r"`([A-Z][A-Z0-9_]+)`", (ROOT / "docs/operations.md").read_text()))
    assert names - documented == set()


# --- Container files -----------------------------------------------------------------
def test_compose_mirrors_the_cluster_and_sets_only_variables_the_settings_read():
    import yaml

    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    services = compose["services"]
    assert {"app1", "app2", "worker", "beat", "postgres", "redis", "nginx", "migrate"} <= set(
        services
    )
    assert services["postgres"]["image"] == "postgres:15"
    assert services["redis"]["image"] == "redis:7"
    assert services["worker"]["command"][:4] == ["celery", "-A", "config", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "config", "beat"]
    assert services["migrate"]["command"] == ["python", "manage.py", "migrate", "--noinput"]
    read = _env_vars_read_by_settings() | {
        "DJANGO_SETTINGS_MODULE",  # Django's own
        "WEB_CONCURRENCY",  # gunicorn's own
    }
    for name in ("app1", "app2", "worker", "beat", "migrate"):
        env = services[name]["environment"]
        assert env["DJANGO_SETTINGS_MODULE"] == "config.settings.production"
        assert set(env) <= read, set(env) - read  # no variable the app ignores
        assert env["DATABASE_URL"].startswith("postgres://") and "@postgres:" in env["DATABASE_URL"]
        assert env["REDIS_URL"] != env["CELERY_BROKER_URL"]
        assert services[name]["depends_on"]  # never before the database is ready
    # The app servers wait for migrations; nginx balances over both of them.
    assert services["app1"]["depends_on"]["migrate"] == {
        "condition": "service_completed_successfully"
    }
    nginx = (ROOT / "docker" / "nginx.conf").read_text()
    upstream = re.search(r"upstream boutique_app \{(.*?)\}", nginx, re.S).group(1)
    assert re.findall(r"server (\S+)", upstream) == ["app1:8000", "app2:8000"]
    assert "proxy_next_upstream error timeout;" in nginx  # a POST is never replayed
    assert "X-Request-ID $request_id" in nginx
    assert "./docker/nginx.conf:/etc/nginx/nginx.conf:ro" in services["nginx"]["volumes"]


def test_dockerfile_is_slim_multi_stage_non_root_with_a_health_check():
    dockerfile = (ROOT / "Dockerfile").read_text()
    stages = re.findall(r"^FROM (\S+) AS (\w+)", dockerfile, re.MULTILINE)
    assert stages == [("python:3.11-slim", "build"), ("python:3.11-slim", "runtime")]
    runtime = dockerfile.split("AS runtime", 1)[1]
    assert re.search(r"^USER boutique$", runtime, re.MULTILINE)
    assert "requirements.lock" in dockerfile and "uv pip install" in dockerfile
    assert "collectstatic --noinput" in runtime
    assert 'CMD ["python", "docker/healthcheck.py"]' in runtime
    assert "/healthz" in (ROOT / "docker" / "healthcheck.py").read_text()
    assert re.search(r'^CMD \["gunicorn", "config.wsgi:application"', runtime, re.MULTILINE)
    assert "DJANGO_SETTINGS_MODULE=config.settings.production" in runtime
    # Every gunicorn worker's metrics, merged at each scrape.
    assert "PROMETHEUS_MULTIPROC_DIR=/tmp/prometheus" in runtime
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".git", ".venv", "var/", ".env"} <= set(ignored)
