"""Boutique's load benchmark (`make bench`):

    .venv/bin/python -m bench.run                   # 100k products, 20k customers, 200k orders
    BENCH_SIZE=small .venv/bin/python -m bench.run  # 1 000 / 1 000 / 2 000, a quick look
    .venv/bin/python -m bench.run --growth          # reads at 1k/10k/100k products, then
                                                    # checkout at 0 and 200k orders

It makes or reuses the PostgreSQL database (boutique_bench, or
boutique_bench_small), migrates it, tops the generated data up to the sizes
asked, serves it with gunicorn under the production settings, runs each
scenario from a separate load process, stops the server, prints a table and
writes everything to bench/results/<timestamp>.json. See bench/README.md.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from . import profile, scenarios
from .server import (
    ROOT,
    Gunicorn,
    Redis,
    analyze,
    app_env,
    ensure_database,
    free_port,
    machine_info,
    prepare_data,
    python_module,
)

SIZES = {
    "full": {"products": 100_000, "customers": 20_000, "orders": 200_000},
    "small": {"products": 1_000, "customers": 1_000, "orders": 2_000},
}
GROWTH_PRODUCTS = [1_000, 10_000, 100_000]
GROWTH_ORDERS = 200_000


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def parse(argv):
    p = argparse.ArgumentParser(description="Boutique load benchmark")
    size = os.environ.get("BENCH_SIZE", "full")
    p.add_argument("--size", choices=SIZES, default=size if size in SIZES else "full")
    p.add_argument("--products", type=int)
    p.add_argument("--customers", type=int)
    p.add_argument("--orders", type=int)
    p.add_argument("--database", help="default boutique_bench (boutique_bench_small when small)")
    p.add_argument(
        "--server",
        default=os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432/postgres"),
        help="any URL on the PostgreSQL server (its database part is ignored)",
    )
    p.add_argument("--workers", type=int, default=int(os.environ.get("BENCH_WORKERS", 4)))
    p.add_argument("--worker-class", choices=["sync", "gthread"], default="sync")
    p.add_argument("--threads", type=int, default=2, help="per worker, with gthread")
    p.add_argument("--seconds", type=float, default=float(os.environ.get("BENCH_SECONDS", 15)))
    p.add_argument("--connections", type=int, default=8, help="wrk connections for reads")
    p.add_argument("--clients", type=int, default=8, help="threads for cart and checkout")
    p.add_argument("--hot-clients", type=int, default=40)
    p.add_argument(
        "--scenarios",
        default=",".join(scenarios.READS + scenarios.WRITES),
        help="comma-separated subset of " + ",".join(scenarios.READS + scenarios.WRITES),
    )
    p.add_argument(
        "--profile", action="store_true", help="py-spy the workers during each read scenario"
    )
    p.add_argument("--no-wrk", action="store_true", help="use the stdlib reader even with wrk")
    p.add_argument("--growth", action="store_true", help="the growth run (long) instead")
    p.add_argument("--growth-products", default=",".join(map(str, GROWTH_PRODUCTS)))
    p.add_argument("--growth-orders", type=int, default=GROWTH_ORDERS)
    p.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    return p.parse_args(argv)


def ensure_wrk(args) -> bool:
    if args.no_wrk:
        return False
    if shutil.which("wrk") is None and os.geteuid() == 0 and shutil.which("apt-get"):
        log("installing wrk (apt-get install wrk)")
        quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "check": False}
        if subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], **quiet).returncode:
            subprocess.run(["apt-get", "update", "-q"], **quiet)
            subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], **quiet)
    if shutil.which("wrk") is None:
        log("wrk not available: reads use the slower stdlib generator (bench/scenarios.py)")
        return False
    return True


class Session:
    """One database served by gunicorn (and Redis) for a series of scenarios."""

    def __init__(self, args, database_url: str, tmp: Path):
        self.args = args
        self.port = free_port()
        self.redis = Redis()
        self.tmp = tmp
        self.database_url = database_url
        self.env = app_env(database_url, port=self.port, redis_url="", mail_dir=tmp / "mail")
        self.server = None

    def start(self) -> dict:
        (self.tmp / "mail").mkdir(exist_ok=True)
        redis_url = self.redis.start()
        self.env["REDIS_URL"] = redis_url
        seed = json.loads(python_module(self.env, "bench.seed", "prepare"))
        analyze(self.database_url)
        self.server = Gunicorn(
            self.env, self.port, workers=self.args.workers,
            worker_class=self.args.worker_class, threads=self.args.threads,
            log_path=self.tmp / "gunicorn.log",
        )  # fmt: skip
        self.server.start()
        log(f"gunicorn up on {self.server.base} ({self.args.workers} {self.args.worker_class} "
            f"workers), redis {'on' if redis_url else 'off (locmem cache)'}")  # fmt: skip
        return seed

    def stop(self) -> None:
        if self.server:
            self.server.stop()
        self.redis.stop()

    def run(self, names: list[str], seed: dict, use_wrk: bool) -> list[dict]:
        results = []
        for name in names:
            log(f"scenario {name}")
            if name in scenarios.READS:
                folded = None
                if self.args.profile:
                    folded = self.args.out / f"{self.args.stamp}-{name}.folded"
                row = scenarios.read_scenario(
                    name, seed["paths"][name], self.server, seconds=self.args.seconds,
                    connections=self.args.connections, use_wrk=use_wrk, profile_to=folded,
                )  # fmt: skip
                if folded:
                    print_profile(name, row["profile"])
            else:
                clients = self.args.hot_clients if name == "hot_sale" else self.args.clients
                row = scenarios.write_scenario(
                    name, seed, self.server, seconds=self.args.seconds, clients=clients,
                    app_env=self.env,
                )  # fmt: skip
            results.append(row)
            print_rows([row], header=not results[:-1])
        return results


def print_rows(rows: list[dict], header: bool = True, label: str = "scenario") -> None:
    if header:
        print(
            f"{label:<14} {'req/s':>8} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'errors':>6} "
            f"{'SQL/req':>7} {'app CPU':>8} {'CPUms/req':>9} {'peak RSS':>8} {'loadgen':>8}"
        )
    for r in rows:
        q = "-" if r.get("queries_mean") is None else f"{r['queries_mean']:g}"
        name = r.get("label", r["scenario"])
        p50, p95, p99 = (_ms(r[k]) for k in ("p50_ms", "p95_ms", "p99_ms"))
        print(
            f"{name:<14} {r['rps']:>8.1f} {p50:>7} {p95:>7} "
            f"{p99:>7} {r['errors']:>6} {q:>7} {r['app_cpu_pct']:>7.0f}% "
            f"{r['app_cpu_ms_per_req'] or 0:>9.1f} {r['worker_peak_rss_mb']:>6.0f}MB "
            f"{r['loadgen_cpu_pct']:>7.0f}%",
            flush=True,
        )
        if "orders_per_s" in r:
            print(f"{'':<14} full checkouts: {r['orders_per_s']} orders/s, outcomes "
                  f"{r['outcomes']}; per step: " + ", ".join(
                      f"{k} p50 {v['p50_ms']} / p99 {v['p99_ms']} ms, {v['queries_mean']} SQL"
                      for k, v in r["steps"].items()))  # fmt: skip
        if "hot" in r:
            h = r["hot"]
            print(f"{'':<14} hot sale: {h['orders']} orders for {h['units']} units "
                  f"({h['paid_orders']} paid), {h['units_sold']} sold, oversold {h['oversold']}, "
                  f"outcomes {r['outcomes']}")  # fmt: skip


def _ms(value) -> str:
    return "-" if value is None else f"{value:.1f}"


def print_profile(name: str, summary: dict) -> None:
    print(f"  py-spy {name}: {summary['samples']} samples")
    for label in ("self", "inclusive"):
        for frame, share in summary.get(label, [])[:8]:
            print(f"    {label:<9} {share:5.1f}%  {frame}")


def sizes(args) -> dict:
    chosen = dict(SIZES[args.size])
    for key in chosen:
        if getattr(args, key) is not None:
            chosen[key] = getattr(args, key)
    return chosen


def main(argv=None) -> int:
    args = parse(argv)
    names = [n.strip() for n in args.scenarios.split(",") if n.strip()]
    unknown = set(names) - set(scenarios.READS + scenarios.WRITES)
    if unknown:
        raise SystemExit(f"unknown scenarios: {', '.join(sorted(unknown))}")
    use_wrk = ensure_wrk(args)
    args.out.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    args.stamp = stamp
    if args.profile and not profile.ensure():
        raise SystemExit("--profile needs py-spy (pip install py-spy into the venv)")
    report = {"started_at": stamp, "argv": sys.argv[1:], "workers": args.workers,
              "worker_class": args.worker_class, "seconds": args.seconds,
              "read_connections": args.connections, "write_clients": args.clients}  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        if args.growth:
            report.update(growth(args, Path(tmp), use_wrk))
        else:
            chosen = sizes(args)
            name = args.database or (
                "boutique_bench" if args.size == "full" else f"boutique_bench_{args.size}"
            )
            url = ensure_database(args.server, name)
            report["machine"] = machine_info(url)
            log(f"load average before: {report['machine']['load_average']}")
            report["database"] = name
            report["sizes"] = chosen
            session = Session(args, url, Path(tmp))
            prepare_data(session.env, **chosen, log=log)
            try:
                seed = session.start()
                report["results"] = session.run(names, seed, use_wrk)
            finally:
                session.stop()
    report["load_average_after"] = os.getloadavg()
    path = args.out / f"{stamp}{'-growth' if args.growth else ''}.json"
    path.write_text(json.dumps(report, indent=1, default=str))
    shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
    log(f"results in {shown}; load average after: {report['load_average_after']}")
    rows = report.get("results", [])
    return (
        1
        if any(r["errors"] for r in rows) or any(r.get("hot", {}).get("oversold") for r in rows)
        else 0
    )


def growth(args, tmp: Path, use_wrk: bool) -> dict:
    """Reads at each catalogue size, then checkout before and after the order
    history, on its own database (boutique_bench_growth) grown step by step."""
    url = ensure_database(args.server, args.database or "boutique_bench_growth")
    out = {"machine": machine_info(url), "growth": []}
    log(f"load average before: {out['machine']['load_average']}")
    steps = [int(n) for n in args.growth_products.split(",")]
    for index, products in enumerate(steps):
        last = index == len(steps) - 1
        session = Session(args, url, tmp)
        prepare_data(session.env, products=products, customers=0, orders=0, log=log)
        try:
            seed = session.start()
            rows = session.run(scenarios.READS + (["checkout"] if last else []), seed, use_wrk)
        finally:
            session.stop()
        for row in rows:
            row["products"], row["orders_before"] = products, 0
        out["growth"] += rows
    customers = max(1000, args.growth_orders // 10)
    session = Session(args, url, tmp)
    prepare_data(
        session.env, products=steps[-1], customers=customers, orders=args.growth_orders, log=log
    )
    try:
        seed = session.start()
        rows = session.run(["checkout"], seed, use_wrk)
    finally:
        session.stop()
    for row in rows:
        row["products"], row["orders_before"] = steps[-1], args.growth_orders
    out["growth"] += rows
    print_growth(out["growth"])
    return out


def print_growth(rows: list[dict]) -> None:
    print("\nGrowth (p50 / p99 ms, req/s):")
    for name in scenarios.READS:
        cells = [f"{r['products']:>7}: {r['p50_ms']:.1f} / {r['p99_ms']:.1f}, {r['rps']:.0f}/s"
                 for r in rows if r["scenario"] == name]  # fmt: skip
        print(f"  {name:<11} " + " | ".join(cells))
    cells = [f"{r['orders_before']:>6} orders: {r['orders_per_s']}/s, p50 {r['p50_ms']} "
             f"p99 {r['p99_ms']} ms" for r in rows if r["scenario"] == "checkout"]  # fmt: skip
    print("  checkout    " + " | ".join(cells))


if __name__ == "__main__":
    sys.exit(main())
