"""The write scenarios' load, run in its own process by bench/run.py:

    python -m bench.writes MODE BASE_URL SEED_JSON OUT_JSON --clients 8 --seconds 15

MODE is one of
- cart: each client adds a unit of a stocked SKU to its cart (a new cart every
  five adds), through POST /api/v1/cart/items;
- checkout: each client runs the whole guest checkout through the API: add to
  cart, quote, place the order (Idempotency-Key), pay by the test gateway's
  card 4242 4242 4242 4242;
- hot: every client starts at the same moment and tries once to buy one unit
  of the same 10-unit variant (the seed's "hot" SKU) and pay for it.

Clients are threads, each with its own requests.Session (keep-alive). Every
request is timed; answers' X-Query-Count headers are collected. A 5xx or a
broken connection is an error; in `hot`, 409 (sold out) is the expected refusal
and counted apart. Loopback only; bounded by --seconds (and, in hot, one try
per client)."""

import argparse
import json
import random
import threading
import time
import uuid
from collections import defaultdict
from http.cookiejar import DefaultCookiePolicy

import requests

CARD = {"number": "4242424242424242", "exp_month": 12, "exp_year": 2035, "cvc": "123"}
ADDRESS = {"full_name": "Rania Haddad", "line1": "Hamra St 12", "city": "Beirut", "country": "LB"}


class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.latency = defaultdict(list)  # step -> seconds
        self.queries = defaultdict(list)  # step -> X-Query-Count
        self.status = defaultdict(lambda: defaultdict(int))  # step -> status -> n
        self.errors = defaultdict(int)
        self.samples = []  # a few error bodies
        self.done = defaultdict(int)  # completed flows by outcome

    def add(self, step, seconds, response):
        with self.lock:
            self.latency[step].append(seconds)
            if response is None:
                self.errors[step] += 1
                self.status[step]["connection"] += 1
                return
            self.status[step][str(response.status_code)] += 1
            if "X-Query-Count" in response.headers:
                self.queries[step].append(int(response.headers["X-Query-Count"]))
            if response.status_code >= 500:
                self.errors[step] += 1
                if len(self.samples) < 5:
                    self.samples.append([step, response.status_code, response.text[:300]])


class Client:
    def __init__(self, base, seed, rec, rng):
        self.base = base.rstrip("/") + "/api/v1"
        self.seed = seed
        self.rec = rec
        self.rng = rng
        self.http = requests.Session()
        # An API client names its cart by X-Cart-Token, never by a cookie.
        self.http.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))

    def call(self, step, method, path, **kwargs):
        started = time.perf_counter()
        try:
            response = self.http.request(method, self.base + path, timeout=30, **kwargs)
        except requests.RequestException:
            response = None
        self.rec.add(step, time.perf_counter() - started, response)
        return response

    def add(self, sku, token):
        headers = {"X-Cart-Token": token} if token else {}
        r = self.call("add_to_cart", "POST", "/cart/items", json={"sku": sku, "quantity": 1},
                      headers=headers)  # fmt: skip
        if r is not None and r.status_code == 201:
            return token or r.headers.get("X-Cart-Token"), r
        return None, r

    def checkout(self, sku) -> str:
        """One guest checkout; returns the outcome."""
        started = time.perf_counter()
        token, r = self.add(sku, None)
        if not token:
            return "sold_out" if r is not None and r.status_code == 409 else "failed_cart"
        email = f"bench-{uuid.uuid4().hex[:10]}@example.com"
        body = {
            "email": email,
            "shipping_address": ADDRESS,
            "shipping_method": self.seed["shipping_method"],
            "payment_method": "card",
        }
        headers = {"X-Cart-Token": token}
        r = self.call("quote", "POST", "/checkout/quote", json=body, headers=headers)
        if r is None or r.status_code != 200:
            return "failed_quote"
        key = {"Idempotency-Key": f"bench-{uuid.uuid4().hex}"}
        r = self.call("place_order", "POST", "/orders", json=body, headers={**headers, **key})
        if r is None or r.status_code not in (200, 201):
            return "sold_out" if r is not None and r.status_code == 409 else "failed_order"
        number = r.json()["number"]
        r = self.call("pay", "POST", f"/orders/{number}/payments?email={email}",
                      json={"method": "card", "card": CARD},
                      headers={"Idempotency-Key": f"bench-pay-{uuid.uuid4().hex}"})  # fmt: skip
        if r is None or r.status_code not in (200, 201):
            return "failed_payment"
        self.rec.add("full_checkout", time.perf_counter() - started, r)
        return "paid"


def run(mode, base, seed, clients, seconds, rng_seed) -> dict:
    rec = Recorder()
    deadline = time.monotonic() + seconds
    gate = threading.Barrier(clients)

    def client(n):
        c = Client(base, seed, rec, random.Random(rng_seed * 1000 + n))
        if mode == "hot":
            gate.wait()
            outcome = c.checkout(seed["hot_sku"])
            with rec.lock:
                rec.done[outcome] += 1
            return
        token, adds = None, 0
        while time.monotonic() < deadline:
            sku = c.rng.choice(seed["skus"])
            if mode == "cart":
                if adds % 5 == 0:
                    token = None
                token, _ = c.add(sku, token)
                adds += 1
            else:
                outcome = c.checkout(sku)
                with rec.lock:
                    rec.done[outcome] += 1

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 120)
    elapsed = time.monotonic() - started
    return {
        "mode": mode,
        "clients": clients,
        "elapsed_s": elapsed,
        "latency_s": dict(rec.latency),
        "queries": dict(rec.queries),
        "status": {k: dict(v) for k, v in rec.status.items()},
        "errors": dict(rec.errors),
        "error_samples": rec.samples,
        "outcomes": dict(rec.done),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["cart", "checkout", "hot"])
    parser.add_argument("base_url")
    parser.add_argument("seed_json")
    parser.add_argument("out_json")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--rng-seed", type=int, default=11)
    args = parser.parse_args()
    host = args.base_url.split("//", 1)[-1].split(":", 1)[0]
    if host not in ("127.0.0.1", "localhost"):
        raise SystemExit("Loopback only.")
    with open(args.seed_json) as fh:
        seed = json.load(fh)
    out = run(args.mode, args.base_url, seed, args.clients, args.seconds, args.rng_seed)
    with open(args.out_json, "w") as fh:
        json.dump(out, fh)


if __name__ == "__main__":
    main()
