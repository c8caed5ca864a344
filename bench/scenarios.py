"""The scenarios: reads driven by wrk (or a stdlib fallback), writes by
bench/writes.py, each in its own process, with the server's and the load
generator's CPU measured around it."""

import http.client
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

from . import profile
from .server import ROOT, Gunicorn, WorkerMeter, python_module

READS = ["home", "listing", "search", "product", "api_list", "api_detail"]
WRITES = ["add_to_cart", "checkout", "hot_sale"]
QUERY_SAMPLES = 20


def percentile(values: list[float], pct: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))
    return ordered[index]


def _run_loadgen(args: list[str], env=None) -> tuple[str, float, float]:
    """Run the load generator as a child; returns its output, wall seconds and
    its own CPU seconds (user + system, from wait4's rusage)."""
    started = time.monotonic()
    proc = subprocess.Popen(
        args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"load generator {args[0]} failed ({proc.returncode}):\n{out[-3000:]}")
    return out, time.monotonic() - started, usage.ru_utime + usage.ru_stime


def sample_queries(base: str, paths: list[str]) -> dict:
    """GET a spread of the scenario's paths once each and read X-Query-Count."""
    picked = paths[:: max(1, len(paths) // QUERY_SAMPLES)][:QUERY_SAMPLES]
    counts, statuses = [], {}
    with requests.Session() as http:
        for path in picked:
            r = http.get(base + path, timeout=30, allow_redirects=False)
            statuses[str(r.status_code)] = statuses.get(str(r.status_code), 0) + 1
            if "X-Query-Count" in r.headers:
                counts.append(int(r.headers["X-Query-Count"]))
    return {
        "queries_mean": round(statistics.mean(counts), 1) if counts else None,
        "queries_max": max(counts) if counts else None,
        "sample_statuses": statuses,
    }


def read_scenario(
    name, paths, server: Gunicorn, *, seconds, connections, use_wrk, warmup=2, profile_to=None
):
    paths_file = Path(tempfile.mkstemp(prefix=f"bench-{name}-", suffix=".txt")[1])
    paths_file.write_text("\n".join(paths) + "\n")
    env = {**os.environ, "BENCH_PATHS": str(paths_file)}
    try:
        if warmup:
            _drive(server.base, paths_file, env, warmup, connections, use_wrk)
        spy = profile.start(server.proc.pid, seconds, profile_to) if profile_to else None
        meter = WorkerMeter(server)
        figures, wall, loadgen_cpu = _drive(
            server.base, paths_file, env, seconds, connections, use_wrk
        )
        usage = meter.read()
        if spy is not None:
            spy.wait(60)
    finally:
        paths_file.unlink(missing_ok=True)
    queries = sample_queries(server.base, paths)
    requests_done = figures["requests"]
    if requests_done == 0:
        # Nothing answered within the run: the requests in flight never got an
        # answer, so they count as errors and there is no latency to report.
        figures.update(p50_ms=None, p95_ms=None, p99_ms=None)
        figures["errors"] += connections
        figures["error_detail"] = {**(figures.get("error_detail") or {}), "unanswered": connections}
    hotspots = {"profile": profile.summarise(profile_to)} if profile_to else {}
    return {
        "scenario": name,
        "kind": "read",
        "generator": "wrk" if use_wrk else "bench.reads_fallback",
        "connections": connections,
        "seconds": round(wall, 2),
        "requests": requests_done,
        "rps": round(requests_done / figures["seconds"], 1),
        "p50_ms": figures["p50_ms"],
        "p95_ms": figures["p95_ms"],
        "p99_ms": figures["p99_ms"],
        "errors": figures["errors"],
        "error_detail": figures.get("error_detail"),
        **queries,
        **usage,
        "app_cpu_ms_per_req": round(1000 * usage["app_cpu_s"] / requests_done, 2)
        if requests_done
        else None,
        "loadgen_cpu_s": round(loadgen_cpu, 2),
        "loadgen_cpu_pct": round(100 * loadgen_cpu / wall, 1),
        **hotspots,
    }


def _drive(base, paths_file, env, seconds, connections, use_wrk):
    if use_wrk:
        out, wall, cpu = _run_loadgen(
            ["wrk", "-t", "1", "-c", str(connections), "-d", f"{max(1, round(seconds))}s",
             "--timeout", "10s", "-s", str(ROOT / "bench" / "reads.lua"), base],
            env=env,
        )  # fmt: skip
        line = next((x for x in out.splitlines() if x.startswith("BENCH_JSON ")), None)
        if line is None:
            raise SystemExit("wrk printed no figures:\n" + out[-2000:])
        data = json.loads(line.split(" ", 1)[1])
        lat = data["latency_us"]
        return (
            {
                "requests": data["requests"],
                "seconds": data["duration_us"] / 1e6,
                "p50_ms": round(lat["p50"] / 1000, 1),
                "p95_ms": round(lat["p95"] / 1000, 1),
                "p99_ms": round(lat["p99"] / 1000, 1),
                "errors": sum(data["errors"].values()),
                "error_detail": data["errors"],
            },
            wall,
            cpu,
        )
    out, wall, cpu = _run_loadgen(
        [sys.executable, "-m", "bench.scenarios", base, str(paths_file), str(seconds),
         str(connections)],
    )  # fmt: skip
    return json.loads(out.strip().splitlines()[-1]), wall, cpu


def fallback_main(base: str, paths_file: str, seconds: float, connections: int) -> None:
    """The reads without wrk: stdlib threads with keep-alive connections."""
    paths = [p for p in Path(paths_file).read_text().splitlines() if p]
    host, port = base.split("//", 1)[1].split(":")
    latencies, errors, lock = [], [0], threading.Lock()
    deadline = time.monotonic() + seconds

    def worker(n):
        rng = random.Random(n)
        conn = http.client.HTTPConnection(host, int(port), timeout=10)
        while time.monotonic() < deadline:
            started = time.perf_counter()
            ok = False
            try:
                conn.request("GET", rng.choice(paths))
                response = conn.getresponse()
                response.read()
                ok = response.status < 400
                if response.getheader("Connection", "").lower() == "close":
                    conn.close()
            except (OSError, http.client.HTTPException):
                conn.close()
            with lock:
                latencies.append(time.perf_counter() - started)
                errors[0] += not ok

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(connections)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    print(
        json.dumps(
            {
                "requests": len(latencies),
                "seconds": elapsed,
                "p50_ms": round(percentile(latencies, 50) * 1000, 1),
                "p95_ms": round(percentile(latencies, 95) * 1000, 1),
                "p99_ms": round(percentile(latencies, 99) * 1000, 1),
                "errors": errors[0],
            }
        )
    )


def write_scenario(name, seed: dict, server: Gunicorn, *, seconds, clients, app_env) -> dict:
    mode = {"add_to_cart": "cart", "checkout": "checkout", "hot_sale": "hot"}[name]
    seed = dict(seed)
    hot = None
    if mode == "hot":
        hot = json.loads(python_module(app_env, "bench.seed", "hot"))
        seed["hot_sku"] = hot["sku"]
    with tempfile.TemporaryDirectory(prefix="bench-writes-") as tmp:
        seed_json, out_json = Path(tmp) / "seed.json", Path(tmp) / "out.json"
        seed_json.write_text(json.dumps(seed))
        meter = WorkerMeter(server)
        _, wall, loadgen_cpu = _run_loadgen(
            [sys.executable, "-m", "bench.writes", mode, server.base, str(seed_json),
             str(out_json), "--clients", str(clients), "--seconds", str(seconds)],
        )  # fmt: skip
        usage = meter.read()
        data = json.loads(out_json.read_text())
    steps = {}
    for step, values in data["latency_s"].items():
        queries = data["queries"].get(step, []) if step != "full_checkout" else []
        steps[step] = {
            "count": len(values),
            "p50_ms": round(percentile(values, 50) * 1000, 1),
            "p95_ms": round(percentile(values, 95) * 1000, 1),
            "p99_ms": round(percentile(values, 99) * 1000, 1),
            "queries_mean": round(statistics.mean(queries), 1) if queries else None,
            "statuses": data["status"].get(step, {}),
        }
    headline = "full_checkout" if mode in ("checkout", "hot") else "add_to_cart"
    if mode == "hot":
        headline = "place_order"
    http_steps = [s for s in data["latency_s"] if s != "full_checkout"]
    requests_done = sum(len(data["latency_s"][s]) for s in http_steps)
    all_queries = [q for s in http_steps for q in data["queries"].get(s, [])]
    main = steps.get(headline, {})
    result = {
        "scenario": name,
        "kind": "write",
        "generator": "bench.writes (threads, requests.Session)",
        "connections": clients,
        "seconds": round(data["elapsed_s"], 2),
        "requests": requests_done,
        "rps": round(requests_done / data["elapsed_s"], 1),
        "headline_step": headline,
        "p50_ms": main.get("p50_ms"),
        "p95_ms": main.get("p95_ms"),
        "p99_ms": main.get("p99_ms"),
        "errors": sum(data["errors"].values()),
        "error_samples": data["error_samples"],
        "queries_mean": round(statistics.mean(all_queries), 1) if all_queries else None,
        "queries_max": max(all_queries) if all_queries else None,
        "steps": steps,
        "outcomes": data["outcomes"],
        **usage,
        "app_cpu_ms_per_req": round(1000 * usage["app_cpu_s"] / requests_done, 2)
        if requests_done
        else None,
        "loadgen_cpu_s": round(loadgen_cpu, 2),
        "loadgen_cpu_pct": round(100 * loadgen_cpu / wall, 1),
    }
    if mode == "checkout":
        result["orders_per_s"] = round(data["outcomes"].get("paid", 0) / data["elapsed_s"], 1)
    if mode == "hot":
        result["hot"] = json.loads(python_module(app_env, "bench.seed", "check-hot", hot["sku"]))
    return result


def have_wrk() -> bool:
    return shutil.which("wrk") is not None


if __name__ == "__main__":
    fallback_main(sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4]))
