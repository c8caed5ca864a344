"""A small load generator for a running Boutique server (standard library only).

    .venv/bin/python bench/load.py --base http://127.0.0.1:8000 --seconds 30 --workers 8

It first reads the catalogue through the public API (categories, some product
slugs, a few words to search for), then runs `--workers` threads for
`--seconds`, each picking a weighted browsing request (home, shop, category,
filtered listing, search, product page, API list and detail) and timing it.
At the end it prints, per kind of request, the count, errors (non-2xx or
network failures), and latency percentiles, plus the overall requests/second.
Exit status is 1 when any request failed, so it can gate a benchmark job.
"""

import argparse
import json
import random
import statistics
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from dataclasses import dataclass, field

WEIGHTS = {
    "home": 10,
    "shop": 10,
    "category": 15,
    "filtered": 15,
    "search": 10,
    "product": 25,
    "api_list": 10,
    "api_detail": 5,
}


@dataclass
class Catalogue:
    category_slugs: list[str]
    product_slugs: list[str]
    words: list[str]


@dataclass
class Results:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, seconds: float, ok: bool) -> None:
        with self.lock:
            self.latencies[kind].append(seconds)
            if not ok:
                self.errors[kind] += 1


def fetch(url: str, timeout: float = 30.0) -> tuple[int, bytes]:
    if not url.startswith(("http://", "https://")):
        raise ValueError(f"Not an http(s) address: {url}")
    request = urllib.request.Request(url, headers={"User-Agent": "boutique-bench/1"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def discover(base: str, sample: int) -> Catalogue:
    """Slugs and words to browse, read from the API."""
    status, body = fetch(f"{base}/api/v1/categories")
    if status != 200:
        sys.exit(f"GET /api/v1/categories answered {status}: is the server running?")
    categories: list[str] = []

    def walk(nodes):
        for node in nodes:
            categories.append(node["slug"])
            walk(node.get("children", []))

    data = json.loads(body)
    walk(data if isinstance(data, list) else data.get("results", []))

    products: list[str] = []
    words: set[str] = set()
    page = 1
    while len(products) < sample:
        status, body = fetch(f"{base}/api/v1/products?page_size=100&page={page}")
        if status != 200:
            break
        listing = json.loads(body)
        for item in listing["results"]:
            products.append(item["slug"])
            words.update(w.lower() for w in item["name"].split() if len(w) > 3 and w.isalpha())
        if not listing.get("next"):
            break
        page += 1
    if not products:
        sys.exit("The catalogue is empty: load the demo shop or run generate_catalog first.")
    return Catalogue(categories, products, sorted(words) or ["baby"])


def pick_path(kind: str, catalogue: Catalogue, rng: random.Random) -> str:
    quote = urllib.parse.quote
    if kind == "home":
        return "/"
    if kind == "shop":
        return f"/shop/?page={rng.randint(1, 3)}"
    if kind == "category":
        return f"/shop/c/{quote(rng.choice(catalogue.category_slugs))}/"
    if kind == "filtered":
        sort = rng.choice(["newest", "price_asc", "price_desc", "name"])
        extra = rng.choice(["in_stock=true", "on_sale=true", "price_max=40", "age=12"])
        return f"/shop/c/{quote(rng.choice(catalogue.category_slugs))}/?sort={sort}&{extra}"
    if kind == "search":
        return f"/search/?q={quote(rng.choice(catalogue.words))}"
    if kind == "product":
        return f"/p/{quote(rng.choice(catalogue.product_slugs))}/"
    if kind == "api_list":
        return f"/api/v1/products?page_size={rng.choice([24, 48, 100])}&sort=price_asc"
    if kind == "api_detail":
        return f"/api/v1/products/{quote(rng.choice(catalogue.product_slugs))}"
    raise ValueError(kind)


def worker(base, catalogue, results, deadline, seed):
    rng = random.Random(seed)
    kinds, weights = zip(*WEIGHTS.items(), strict=True)
    while time.monotonic() < deadline:
        kind = rng.choices(kinds, weights)[0]
        started = time.perf_counter()
        try:
            status, _ = fetch(base + pick_path(kind, catalogue, rng))
            ok = 200 <= status < 300
        except OSError:
            ok = False
        results.add(kind, time.perf_counter() - started, ok)


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))
    return ordered[index]


def report(results: Results, elapsed: float) -> int:
    total = sum(len(v) for v in results.latencies.values())
    failed = sum(results.errors.values())
    print(f"{'request':<12} {'count':>7} {'errors':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    for kind in WEIGHTS:
        values = results.latencies.get(kind)
        if not values:
            continue
        row = [percentile(values, p) * 1000 for p in (50, 95, 99)]
        print(
            f"{kind:<12} {len(values):>7} {results.errors.get(kind, 0):>7} "
            + " ".join(f"{v:>8.1f}" for v in row)
        )
    everything = [v for values in results.latencies.values() for v in values]
    if everything:
        print(
            f"total: {total} requests in {elapsed:.1f} s = {total / elapsed:.1f} req/s, "
            f"{failed} failed, mean {statistics.mean(everything) * 1000:.1f} ms, "
            f"p95 {percentile(everything, 95) * 1000:.1f} ms"
        )
    return 1 if failed else 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--sample", type=int, default=500, help="product slugs to browse")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)

    base = args.base.rstrip("/")
    catalogue = discover(base, args.sample)
    print(
        f"browsing {len(catalogue.product_slugs)} products in "
        f"{len(catalogue.category_slugs)} categories with {args.workers} workers "
        f"for {args.seconds:.0f} s"
    )
    results = Results()
    deadline = time.monotonic() + args.seconds
    started = time.monotonic()
    threads = [
        threading.Thread(target=worker, args=(base, catalogue, results, deadline, args.seed + i))
        for i in range(args.workers)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return report(results, time.monotonic() - started)


if __name__ == "__main__":
    sys.exit(main())
