"""Checkout traffic for the crash test, run in its own process:

    python -m tests.crash.traffic BASE_URL SEED_JSON OUT_JSON --clients 10 --seconds 20

Each client is a thread with a requests.Session going through the API as a
guest: add to the cart (X-Cart-Token), quote, place the order with an
Idempotency-Key (sometimes submitted twice), pay by test card (some declined,
then paid with another card and a new key; some payments submitted twice) and
sometimes deliver the gateway's payment.succeeded webhook twice. A request cut
off by a killed worker is retried with the same key, as a client would.

Loopback only, bounded in time and in flows per client. Writes what it saw
(orders and payments the server confirmed, answers that broke a promise,
5xx) to OUT_JSON."""

import argparse
import hashlib
import hmac
import json
import random
import threading
import time
import uuid
from http.cookiejar import DefaultCookiePolicy

import requests

GOOD_CARD = "4242424242424242"
DECLINED_CARD = "4000000000000002"
WEBHOOK_SECRET = "whsec_test_boutique"  # settings.PAYMENT_TEST_WEBHOOK_SECRET's default
ADDRESS = {"full_name": "Rania Haddad", "line1": "Hamra St 12", "city": "Beirut", "country": "LB"}
TRIES = 4


class Client:
    def __init__(self, base: str, seed: dict, rng: random.Random, report: dict, lock):
        self.base = base.rstrip("/") + "/api/v1"
        self.seed = seed
        self.rng = rng
        self.report = report
        self.lock = lock
        self.http = requests.Session()
        # An API client: the cart is named by X-Cart-Token, never a session cookie
        # (a cookie would make the API check CSRF, as it does for the site).
        self.http.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))

    def _note(self, key: str, value) -> None:
        with self.lock:
            self.report[key].append(value)

    def call(self, method: str, path: str, **kwargs) -> requests.Response | None:
        """One request, retried while the connection breaks (a killed worker).
        Returns None when every try broke. `response.retried` says whether an
        earlier try was cut off (its work may have been left half done)."""
        for attempt in range(TRIES):
            try:
                response = self.http.request(method, self.base + path, timeout=15, **kwargs)
            except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError):
                # The worker died before or while answering.
                with self.lock:
                    self.report["counts"]["connection_errors"] += 1
                time.sleep(0.05)
                continue
            with self.lock:
                self.report["counts"][
                    f"{method} {path.split('?')[0][:20]} {response.status_code}"
                ] = (
                    self.report["counts"].get(
                        f"{method} {path.split('?')[0][:20]} {response.status_code}", 0
                    )
                    + 1
                )
            if response.status_code >= 500:
                self._note(
                    "server_errors", [method, path, response.status_code, response.text[:300]]
                )
            response.retried = attempt > 0
            return response
        return None

    def flow(self, index: int) -> None:
        email = f"crash-{index}-{uuid.uuid4().hex[:8]}@example.com"
        token = None
        for sku in self.rng.sample(self.seed["skus"], self.rng.choice([1, 1, 2])):
            headers = {"X-Cart-Token": token} if token else {}
            r = self.call(
                "POST",
                "/cart/items",
                json={"sku": sku, "quantity": self.rng.choice([1, 1, 2])},
                headers=headers,
            )
            if r is not None and r.status_code == 201:
                token = token or r.headers.get("X-Cart-Token")
        if not token:
            return
        method = "card" if self.rng.random() < 0.8 else "cod"
        body = {
            "email": email,
            "shipping_address": ADDRESS,
            "shipping_method": self.seed["shipping_method"],
            "payment_method": method,
            "coupon": self.seed["coupon"] if self.rng.random() < 0.3 else "",
        }
        headers = {"X-Cart-Token": token}
        self.call("POST", "/checkout/quote", json=body, headers=headers)
        key = f"order-{uuid.uuid4().hex}"
        place = {"headers": {**headers, "Idempotency-Key": key}, "json": body}
        r = self.call("POST", "/orders", **place)
        if r is None or r.status_code not in (200, 201):
            return
        number = r.json()["number"]
        self._note("orders", {"number": number, "email": email, "key": key, "method": method})
        if self.rng.random() < 0.25:  # a double submit: the same order comes back
            again = self.call("POST", "/orders", **place)
            if again is not None and (
                again.status_code != 200 or again.json().get("number") != number
            ):
                self._note("broken_promises", ["order replay", key, number, again.status_code])
        if method == "card":
            self.pay(number, email)

    def pay(self, number: str, email: str) -> None:
        path = f"/orders/{number}/payments?email={email}"
        if self.rng.random() < 0.25:
            r = self.call("POST", path, **self._card(DECLINED_CARD, f"pay-{uuid.uuid4().hex}"))
            if r is not None and r.status_code != 402 and not _still_processing(r):
                self._note("broken_promises", ["decline", number, r.status_code, r.text[:200]])
        if self.rng.random() < 0.1:
            return  # gives up: the order stays unpaid until it expires
        key = f"pay-{uuid.uuid4().hex}"
        r = self.call("POST", path, **self._card(GOOD_CARD, key))
        if r is None or r.status_code not in (200, 201):
            return
        self._note("payments", {"number": number, "key": key, "amount": r.json()["amount"]})
        if self.rng.random() < 0.25:  # a double click: same key, same payment, no new charge
            again = self.call("POST", path, **self._card(GOOD_CARD, key))
            if again is not None and (
                again.status_code != 200 or again.json().get("id") != r.json()["id"]
            ):
                self._note("broken_promises", ["payment replay", number, again.status_code])
        if self.rng.random() < 0.3:
            self.webhook(key, r.json())

    def webhook(self, key: str, payment: dict) -> None:
        """The gateway's own word that the charge succeeded, delivered twice."""
        ref = "test_" + hashlib.sha256(key.encode()).hexdigest()[:24]
        event = {
            "id": f"evt_{key}",
            "type": "payment.succeeded",
            "transaction_ref": ref,
            "amount": payment["amount"],
            "currency": payment["currency"],
        }
        raw = json.dumps(event).encode()
        signature = hmac.new(WEBHOOK_SECRET.encode(), raw, hashlib.sha256).hexdigest()
        for _ in range(2):
            self.call(
                "POST",
                "/webhooks/test",
                data=raw,
                headers={"Content-Type": "application/json", "X-Test-Signature": signature},
            )

    @staticmethod
    def _card(number: str, key: str) -> dict:
        card = {"number": number, "exp_month": 12, "exp_year": 2035, "cvc": "123"}
        return {"json": {"method": "card", "card": card}, "headers": {"Idempotency-Key": key}}


def _still_processing(r: requests.Response) -> bool:
    """A retry whose first try died after the attempt was recorded but before
    the gateway's answer was: the server cannot know the outcome yet and says
    so (409, "try again in a moment"); the reconcile job settles it, and the
    checker verifies that afterwards."""
    return r.retried and r.status_code == 409 and r.json().get("code") == "conflict"


def run(
    base: str,
    seed: dict,
    *,
    clients: int,
    seconds: float,
    flows: int,
    rng_seed: int,
    min_flows: int = 0,
    max_seconds: float | None = None,
) -> dict:
    """Runs for `seconds`, then on until `min_flows` flows are done in all (a busy
    machine restarts killed workers slowly), but never past `max_seconds`."""
    report = {"orders": [], "payments": [], "broken_promises": [], "server_errors": []}
    report["counts"] = {"connection_errors": 0, "flows": 0, "client_crashes": 0}
    lock = threading.Lock()
    started = time.monotonic()
    deadline = started + seconds
    hard_deadline = started + max(max_seconds or seconds, seconds)

    def done() -> bool:
        now = time.monotonic()
        return now > hard_deadline or (now > deadline and report["counts"]["flows"] >= min_flows)

    def client(number: int) -> None:
        c = Client(base, seed, random.Random(rng_seed * 1000 + number), report, lock)
        for index in range(flows):
            if done():
                return
            try:
                c.flow(number * 1000 + index)
            except Exception as exc:  # a client bug must not hide: counted and shown
                with lock:
                    report["counts"]["client_crashes"] += 1
                    report["broken_promises"].append(["client crash", repr(exc)[:300]])
            with lock:
                report["counts"]["flows"] += 1

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(max(0.0, hard_deadline - time.monotonic()) + 60)
    return report


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("base_url")
    parser.add_argument("seed_json")
    parser.add_argument("out_json")
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--min-flows", type=int, default=0, help="Go on past --seconds until…")
    parser.add_argument("--max-seconds", type=float, default=None, help="…but never past this.")
    parser.add_argument("--flows", type=int, default=40, help="At most this many per client.")
    parser.add_argument("--rng-seed", type=int, default=8)
    args = parser.parse_args()
    host = args.base_url.split("//", 1)[-1].split(":", 1)[0]
    if host not in ("127.0.0.1", "localhost", "[::1]"):
        raise SystemExit("Loopback only.")
    with open(args.seed_json) as fh:
        seed = json.load(fh)
    report = run(
        args.base_url,
        seed,
        clients=args.clients,
        seconds=args.seconds,
        flows=args.flows,
        rng_seed=args.rng_seed,
        min_flows=args.min_flows,
        max_seconds=args.max_seconds,
    )
    with open(args.out_json, "w") as fh:
        json.dump(report, fh)


if __name__ == "__main__":
    main()
