"""The bench's server side: its PostgreSQL database, data generation, Redis
and gunicorn, and what the workers use (CPU, peak memory) read from /proc."""

import contextlib
import os
import platform
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import requests

ROOT = Path(__file__).resolve().parents[1]
TICKS = os.sysconf("SC_CLK_TCK")


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def admin_sql(url: str, sql: str, *params):
    import psycopg

    dsn = with_database(url, "postgres").replace("postgres://", "postgresql://", 1)
    with psycopg.connect(dsn, autocommit=True) as conn:
        cursor = conn.execute(sql, params or None)
        return cursor.fetchall() if cursor.description else None


def analyze(database_url: str) -> None:
    """Fresh planner statistics before measuring: bulk inserts and earlier runs'
    reservations leave them stale until autovacuum gets round to it, and a plan
    made for an empty table (a sequential scan per row) would be measured."""
    import psycopg

    with psycopg.connect(database_url.replace("postgres://", "postgresql://", 1)) as conn:
        conn.execute("ANALYZE")


def ensure_database(server_url: str, name: str) -> str:
    exists = admin_sql(server_url, "SELECT 1 FROM pg_database WHERE datname = %s", name)
    if not exists:
        admin_sql(server_url, f'CREATE DATABASE "{name}"')
    return with_database(server_url, name)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def app_env(database_url: str, *, port: int, redis_url: str, mail_dir: Path) -> dict:
    """config.settings.production (through bench.settings) on plain HTTP on
    loopback: no HTTPS redirect or secure-only cookies, a throwaway secret,
    persistent database connections, emails to files in the run's temp dir,
    no Celery broker (messages go out in the web process after commit), and
    rate limits lifted (every simulated shopper shares 127.0.0.1)."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "BENCH_QUERY_COUNT": "1",
        "SECRET_KEY": "bench-" + secrets.token_hex(24),
        "DATABASE_URL": database_url,
        "CONN_MAX_AGE": "600",
        "DEBUG": "false",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "SECURE_HSTS_SECONDS": "0",
        "REDIS_URL": redis_url,
        "CELERY_BROKER_URL": "",
        "EMAIL_URL": f"filemail:///{mail_dir}",
        "SITE_URL": f"http://127.0.0.1:{port}",
        "LOG_LEVEL": "WARNING",
    }
    for scope in ("REGISTER", "OTP_REQUEST", "EMAIL_SEND", "ORDER_LOOKUP", "ORDER_TRACKING",
                  "COUPON"):  # fmt: skip
        env[f"RATE_LIMIT_{scope}"] = "10000000/h"
    return env


def manage(env: dict, *args: str, timeout: float = 3600) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return done.stdout.strip()


def python_module(env: dict, module: str, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(f"{module} {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return done.stdout


def prepare_data(env: dict, *, products: int, customers: int, orders: int, log) -> None:
    """Migrate, then top the generated data up to the sizes asked (a database
    that has them already is reused as it is)."""
    started = time.monotonic()
    manage(env, "migrate", "--noinput", "-v0")
    log(manage(env, "generate_catalog", "--up-to", str(products), "--no-progress"))
    if customers:
        log(manage(env, "generate_customers", "--up-to", str(customers)))
    if orders:
        log(manage(env, "generate_orders", "--up-to", str(orders)))
    manage(env, "collectstatic", "--noinput", "-v0")
    log(f"data ready in {time.monotonic() - started:.0f} s")


class Redis:
    """A throwaway redis-server on a free loopback port, no persistence."""

    def __init__(self):
        self.proc = None
        self.url = ""

    def start(self) -> str:
        binary = shutil.which("redis-server")
        if not binary:
            return ""
        port = free_port()
        self.proc = subprocess.Popen(
            [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        for _ in range(50):
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    self.url = f"redis://127.0.0.1:{port}/0"
                    return self.url
            time.sleep(0.1)
        self.stop()
        return ""

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)


@dataclass
class Gunicorn:
    env: dict
    port: int
    workers: int = 4
    worker_class: str = "sync"
    threads: int = 1
    log_path: Path = ROOT / "var" / "bench-gunicorn.log"
    proc: subprocess.Popen | None = field(default=None, repr=False)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        args = [
            sys.executable, "-m", "gunicorn", "config.wsgi",
            "--bind", f"127.0.0.1:{self.port}",
            "--workers", str(self.workers),
            "--worker-class", self.worker_class,
            "--timeout", "60",
            "--graceful-timeout", "10",
        ]  # fmt: skip
        if self.worker_class == "gthread":
            args += ["--threads", str(self.threads), "--keep-alive", "5"]
        self.proc = subprocess.Popen(
            args, cwd=ROOT, env=self.env, stdout=self.log_path.open("w"), stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit("gunicorn stopped:\n" + self.log_path.read_text()[-3000:])
            try:
                healthy = requests.get(self.base + "/healthz", timeout=2).status_code == 200
                if healthy and len(self.worker_pids()) >= self.workers:  # every worker up
                    return
            except requests.RequestException:  # workers still booting
                pass
            time.sleep(0.2)
        self.stop()
        raise SystemExit("gunicorn did not answer /healthz in 60 s")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)

    def worker_pids(self) -> list[int]:
        if not self.proc:
            return []
        children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        try:
            return [int(pid) for pid in children.read_text().split()]
        except OSError:
            return []


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of one process, from /proc/<pid>/stat."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS


def reset_peak_rss(pid: int) -> None:
    """Writing 5 to clear_refs resets VmHWM (Linux ≥ 4.0; needs the same user or root)."""
    with contextlib.suppress(OSError):
        Path(f"/proc/{pid}/clear_refs").write_text("5")


def peak_rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


class WorkerMeter:
    """CPU used and peak RSS of each gunicorn worker over one scenario."""

    def __init__(self, server: Gunicorn):
        self.server = server
        self.pids = server.worker_pids()
        for pid in self.pids:
            reset_peak_rss(pid)
        self.cpu = {pid: cpu_seconds(pid) for pid in self.pids}
        self.started = time.monotonic()

    def read(self) -> dict:
        elapsed = time.monotonic() - self.started
        per_worker = []
        for pid in self.pids:
            used = cpu_seconds(pid) - self.cpu[pid]
            per_worker.append(
                {"pid": pid, "cpu_s": round(used, 2), "peak_rss_mb": round(peak_rss_mb(pid), 1)}
            )
        total = sum(w["cpu_s"] for w in per_worker)
        return {
            "elapsed_s": round(elapsed, 2),
            "app_cpu_s": round(total, 2),
            "app_cpu_pct": round(100 * total / elapsed, 1) if elapsed else 0.0,
            "worker_peak_rss_mb": max((w["peak_rss_mb"] for w in per_worker), default=0.0),
            "workers": per_worker,
            "restarted_workers": sorted(set(self.server.worker_pids()) - set(self.pids)),
        }


def machine_info(database_url: str) -> dict:
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kb = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal:")
    )
    try:
        import psycopg

        dsn = database_url.replace("postgres://", "postgresql://", 1)
        with psycopg.connect(dsn) as conn:
            pg = conn.execute("SHOW server_version").fetchone()[0]
    except Exception as exc:  # the figure is informative only
        pg = f"unknown ({exc.__class__.__name__})"
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gib": round(mem_kb / 1024 / 1024, 1),
        "load_average": os.getloadavg(),
        "postgresql": pg,
        "python": platform.python_version(),
        "kernel": platform.release(),
    }
