"""A results file as a Markdown table (for bench/README.md):

.venv/bin/python -m bench.report bench/results/<stamp>.json
"""

import argparse
import json
from pathlib import Path


def _row(r: dict) -> str:
    q = "-" if r.get("queries_mean") is None else f"{r['queries_mean']:g}"
    extra = ""
    if "orders_per_s" in r:
        extra = f"{r['orders_per_s']} orders/s"
    if "hot" in r:
        h = r["hot"]
        extra = f"{h['orders']} orders / {h['units']} units, oversold {h['oversold']}"
    p50, p95, p99 = ("-" if r[k] is None else f"{r[k]:.0f}" for k in ("p50_ms", "p95_ms", "p99_ms"))
    if r["requests"] == 0 or (r["kind"] == "read" and r["p50_ms"] == 0):
        p50, p95, p99 = "-", "-", "-"
        extra = "every request timed out (10 s) or none answered"
    return (
        f"| {r['scenario']} | {r['rps']:.1f} | {p50} | {p95} | "
        f"{p99} | {r['errors']} | {q} | {r['app_cpu_pct']:.0f} % | "
        f"{r['app_cpu_ms_per_req'] or 0:.1f} | {r['worker_peak_rss_mb']:.0f} | "
        f"{r['loadgen_cpu_pct']:.0f} % | {extra} |"
    )


def table(report: dict) -> str:
    m = report.get("machine", {})
    load = ", ".join(f"{x:.2f}" for x in m.get("load_average", []))
    head = (
        f"{report['started_at']}: {m.get('cpu')} ({m.get('cores')} cores), {m.get('ram_gib')} GiB, "
        f"PostgreSQL {m.get('postgresql')}, Python {m.get('python')}; load average before "
        f"{load}; {report.get('workers')} {report.get('worker_class')} workers, "
        f"{report.get('seconds'):g} s per scenario; sizes {report.get('sizes')}\n\n"
        "| scenario | req/s | p50 ms | p95 ms | p99 ms | errors | SQL/req | app CPU | "
        "CPU ms/req | peak RSS MB | loadgen CPU | |\n"
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n"
    )
    return head + "\n".join(_row(r) for r in report.get("results", []))


def growth_table(report: dict) -> str:
    rows = report["growth"]
    sizes = sorted({r["products"] for r in rows if r["kind"] == "read"})
    lines = [
        "| scenario | " + " | ".join(f"{n:,} products" for n in sizes) + " |",
        "| --- |" + " ---: |" * len(sizes),
    ]
    for name in dict.fromkeys(r["scenario"] for r in rows if r["kind"] == "read"):
        cells = []
        for n in sizes:
            r = next((x for x in rows if x["scenario"] == name and x["products"] == n), None)
            if r is None or not r["requests"] or not r["p50_ms"]:
                cells.append("no answer")
            else:
                cells.append(f"{r['p50_ms']:.0f} / {r['p99_ms']:.0f} ms, {r['rps']:.0f}/s")
        lines.append(f"| {name} (p50 / p99, req/s) | " + " | ".join(cells) + " |")
    for r in (x for x in rows if x["scenario"] == "checkout"):
        lines.append(
            f"| checkout, {r['orders_before']:,} past orders | {r['orders_per_s']} orders/s, "
            f"full checkout p50 {r['p50_ms']:.0f} / p99 {r['p99_ms']:.0f} ms |"
            + " |"
            * (len(sizes) - 1)
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("results", type=Path)
    args = parser.parse_args()
    report = json.loads(args.results.read_text())
    print(growth_table(report) if "growth" in report else table(report))


if __name__ == "__main__":
    main()
