"""Crash consistency (issue 8): the app under gunicorn on PostgreSQL, checkout
traffic from another process, gunicorn workers killed with SIGKILL at random
moments; afterwards the clean-up jobs run and every invariant must hold.

The test makes its own database (boutique_crash_<pid>, dropped at the end),
migrates and seeds it, serves it with `gunicorn config.wsgi` on a free
loopback port (4 sync workers, DEBUG off, no Celery broker: messages are sent
in the web process after commit, emails to files), runs tests/crash/traffic.py
against it while killing workers (the master starts new ones), stops, then runs
tests/crash/checker.py: jobs with the clock moved on, then the invariants.

Bounded: about 16 s of traffic, at most 16 kills, loopback only.

What a kill can and cannot do, as checked here:
- A request's transaction dies with its worker (PostgreSQL rolls it back), so
  an order is whole or absent, and stock, ledger and coupon uses move together.
- A client that retries with its Idempotency-Key gets the first order or
  payment back; a double submit never places or charges twice.
- Outbox messages are delivered at least once: a worker killed after handing an
  email over but before marking it sent leaves the row `sending`; once its lease
  expires (moved into the past here) the job sends it again, with the same
  Message-ID (`<notification-<id>@host>`), so each copy beyond the first needs
  a claim of its own (copies ≤ attempts).
- A worker killed between recording a card payment's attempt and recording
  the gateway's answer leaves that payment `pending`; the reconcile job
  (payments_reconcile_stale, run by the checker with the clock moved on) asks
  the gateway by the attempt's key and records the answer, so no payment is
  left pending and none counts as paid without a charge."""

import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import requests
from django.conf import settings

pytestmark = pytest.mark.crash

ROOT = Path(__file__).resolve().parents[2]
TRAFFIC_SECONDS = 16
# On a loaded machine killed workers come back slowly: the traffic goes on until
# MIN_FLOWS flows are done, within MAX_TRAFFIC_SECONDS.
MIN_FLOWS = 30
MAX_TRAFFIC_SECONDS = 150
CLIENTS = 10
WORKERS = 4
KILLS = 16
RNG_SEED = 8


def _postgres_url() -> str:
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip(
            "The crash test needs PostgreSQL (DATABASE_URL=postgres://…); on SQLite it is skipped."
        )
    return os.environ["DATABASE_URL"]


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def _admin(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(
        _with_database(url, "postgres").replace("postgres://", "postgresql://", 1), autocommit=True
    ) as conn:
        conn.execute(sql)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _workers(master: int) -> list[int]:
    """The master's children, from /proc."""
    children = Path(f"/proc/{master}/task/{master}/children")
    if children.exists():
        return [int(pid) for pid in children.read_text().split()]
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master:
            found.append(int(stat.parent.name))
    return found


def _run(args, env, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        **kwargs,
    )


@pytest.fixture
def crash_db(tmp_path):
    base = _postgres_url()
    name = f"boutique_crash_{os.getpid()}"
    _admin(base, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _admin(base, f'CREATE DATABASE "{name}"')
    env = {
        **os.environ,
        "DATABASE_URL": _with_database(base, name),
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DEBUG": "false",
        "EMAIL_URL": f"filemail:///{tmp_path / 'mail'}",  # four slashes: an absolute path
        "CELERY_BROKER_URL": "",
        "REDIS_URL": "",
        "RATE_LIMIT_COUPON": "100000/h",
        "SITE_URL": "http://127.0.0.1",
        "LOG_LEVEL": "WARNING",
        "CONN_MAX_AGE": "0",
    }
    env.pop("PYTEST_CURRENT_TEST", None)
    (tmp_path / "mail").mkdir()
    try:
        yield env
    finally:
        _admin(base, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _start_gunicorn(env, port: int, log: Path) -> subprocess.Popen:
    server = subprocess.Popen(
        [
            sys.executable, "-m", "gunicorn", "config.wsgi",
            "--bind", f"127.0.0.1:{port}",
            "--workers", str(WORKERS),
            "--preload",  # a new worker is a fork, ready at once
            "--timeout", "20",
            "--graceful-timeout", "5",
        ],
        cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert server.poll() is None, log.read_text()[-3000:]
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return server
        except requests.ConnectionError:
            pass
        time.sleep(0.2)
    server.kill()
    raise AssertionError("gunicorn did not answer /healthz in 30 s:\n" + log.read_text()[-3000:])


def _kill_workers(server: subprocess.Popen, traffic: subprocess.Popen, rng) -> list[int]:
    """SIGKILL a random worker at random moments while the traffic runs."""
    killed = []
    while len(killed) < KILLS and traffic.poll() is None:
        time.sleep(rng.uniform(0.3, 1.6))
        workers = _workers(server.pid)
        if not workers:
            continue
        pid = rng.choice(sorted(workers))
        try:
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)
        except ProcessLookupError:
            pass
    return killed


def test_killed_workers_leave_every_invariant_intact(crash_db, tmp_path):
    env = crash_db
    started = time.monotonic()
    migrated = _run(["manage.py", "migrate", "--noinput"], env, timeout=120)
    assert migrated.returncode == 0, migrated.stderr[-3000:]
    seeded = _run(["-m", "tests.crash.seed"], env, timeout=60)
    assert seeded.returncode == 0, seeded.stderr[-3000:]
    seed_json = tmp_path / "seed.json"
    seed_json.write_text(seeded.stdout)

    port = _free_port()
    log = tmp_path / "gunicorn.log"
    server = _start_gunicorn(env, port, log)
    traffic_json = tmp_path / "traffic.json"
    traffic = subprocess.Popen(
        [
            sys.executable, "-m", "tests.crash.traffic", f"http://127.0.0.1:{port}",
            str(seed_json), str(traffic_json),
            "--clients", str(CLIENTS), "--seconds", str(TRAFFIC_SECONDS),
            "--min-flows", str(MIN_FLOWS), "--max-seconds", str(MAX_TRAFFIC_SECONDS),
            "--rng-seed", str(RNG_SEED),
        ],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        killed = _kill_workers(server, traffic, random.Random(RNG_SEED))
        traffic_out, _ = traffic.communicate(timeout=MAX_TRAFFIC_SECONDS + 90)
        assert traffic.returncode == 0, traffic_out[-3000:]
        assert server.poll() is None, "the gunicorn master died: " + log.read_text()[-3000:]
    finally:
        if traffic.poll() is None:
            traffic.kill()
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()

    report = json.loads(traffic_json.read_text())
    checked = _run(
        ["-m", "tests.crash.checker", str(tmp_path / "mail"), str(traffic_json), str(seed_json)],
        env,
        timeout=120,
    )
    assert checked.returncode == 0, checked.stderr[-3000:]
    result = json.loads(checked.stdout)
    summary = {
        "seconds": round(time.monotonic() - started, 1),
        "kills": len(killed),
        "traffic": report["counts"],
        **result["stats"],
    }
    print(json.dumps(summary, indent=1))

    # The run did what it claims: workers died mid-traffic, and business happened.
    assert len(killed) >= 8, summary
    assert report["counts"]["flows"] >= 20, summary
    assert len(report["orders"]) >= 10 and len(report["payments"]) >= 3, summary
    # No 5xx, and every promise the API makes to a client held.
    assert report["server_errors"] == [], report["server_errors"][:5]
    assert report["broken_promises"] == [], report["broken_promises"][:5]
    assert result["violations"] == [], result["violations"][:20]
