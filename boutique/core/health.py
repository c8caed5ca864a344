"""Readiness checks: can this app server do its work right now? Each returns
None when fine or a short reason; none takes longer than a couple of seconds."""

import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import connection

BROKER_TIMEOUT_SECONDS = 2


def check_database() -> str | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return None


def check_cache() -> str | None:
    key = f"readyz:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=10)
    try:
        if cache.get(key) != "1":
            return "a value written was not read back"
    finally:
        cache.delete(key)
    return None


def check_broker() -> str | None:
    """Open (and close) a connection to the Celery broker; skipped without one
    (messages are then sent in-process and timed jobs run from cron)."""
    from kombu import Connection

    with Connection(
        settings.CELERY_BROKER_URL,
        connect_timeout=BROKER_TIMEOUT_SECONDS,
        transport_options={"socket_timeout": BROKER_TIMEOUT_SECONDS},
    ) as conn:
        conn.ensure_connection(
            max_retries=1, interval_start=0, interval_step=0, timeout=BROKER_TIMEOUT_SECONDS
        )
    return None


def readiness() -> tuple[bool, dict]:
    """Run every check; ("ok" | "skipped" | "error: …") per name."""
    checks = {"database": check_database, "cache": check_cache}
    results = {}
    if settings.CELERY_BROKER_URL:
        checks["broker"] = check_broker
    else:
        results["broker"] = "skipped"
    for name, check in checks.items():
        try:
            problem = check()
        except Exception as exc:  # any failure means "not ready"
            problem = exc.__class__.__name__
        results[name] = f"error: {problem}" if problem else "ok"
    ready = all(not value.startswith("error") for value in results.values())
    return ready, dict(sorted(results.items()))
