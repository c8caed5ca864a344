"""`make cluster-test`: checks the running `make cluster` through nginx.

1. Sessions are shared: sign in through one app server, then the account page
   and the cart answer as the signed-in customer from both servers.
2. Concurrent checkouts spread over both servers never oversell: stock N,
   3N guests press "Place order" at once → exactly N orders, stock 0, both
   servers placed some.
3. Stopping one app server mid-run (SIGKILL of its gunicorn master and
   workers) loses no order confirmed to a client: clients retry a broken or
   502 answer with the same Idempotency-Key, and every order number answered
   with 200/201 is in the database afterwards. The server is started again.
4. The Celery worker sends the queued notifications: the outbox rows of the
   orders placed here reach `sent` and the emails are files in var/cluster/mail.

Seeds its own products (names carry a run id) in the cluster's database through
the ORM with the cluster's settings. Loopback only; bounded (about a minute).
Exit 0 when every check holds; prints one line per check.
"""

import os
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from http.cookiejar import DefaultCookiePolicy
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
RUN = uuid.uuid4().hex[:8]
PASSWORD = "Cluster-Tulip-42"
ADDRESS = {"full_name": "Rania Haddad", "line1": "Hamra St 12", "city": "Beirut", "country": "LB"}
STOCK = 10  # scenario 2: N units, 3N attempts
KILL_RUN_SECONDS = 8
RETRY_STATUSES = {502, 503, 504}
retries = {"count": 0}  # answers retried with the same key (502/503/504, broken connection)


def cluster_env() -> dict:
    out = subprocess.run(  # noqa: S603
        ["bash", str(ROOT / "scripts" / "cluster.sh"), "env"],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    env = dict(line.split("=", 1) for line in out.splitlines() if "=" in line)
    env["SECRET_KEY"] = (ROOT / "var" / "cluster" / "secret_key").read_text().strip()
    return env


ENV = cluster_env()
os.environ.update(ENV)
sys.path.insert(0, str(ROOT))
BASE = f"http://127.0.0.1:{ENV['CLUSTER_HTTP_PORT']}"
SERVERS = {f"app1:{ENV['CLUSTER_APP1_PORT']}", f"app2:{ENV['CLUSTER_APP2_PORT']}"}

from decimal import Decimal  # noqa: E402

import django  # noqa: E402

django.setup()

from boutique.accounts.tests.factories import UserFactory  # noqa: E402
from boutique.catalog.tests.factories import CategoryFactory  # noqa: E402
from boutique.catalog.tests.factories import make_product as _make_product  # noqa: E402
from boutique.inventory.selectors import available  # noqa: E402
from boutique.notifications.models import Notification  # noqa: E402
from boutique.orders.models import Order, OrderItem, ShippingMethod  # noqa: E402

failures: list[str] = []
_CATEGORY = None
_SKUS = iter(range(1, 1000))


def make_product(name: str, *, price: str, stock: int):
    """A product of this run (its own category and SKU: the database outlives runs)."""
    global _CATEGORY
    _CATEGORY = _CATEGORY or CategoryFactory(name=f"Cluster {RUN}", slug=f"cluster-{RUN}")
    variants = [{"sku": f"CL-{RUN}-{next(_SKUS)}", "price": Decimal(price), "stock": stock}]
    return _make_product(name, category=_CATEGORY, variants=variants)


def check(ok: bool, what: str, detail="") -> None:
    print(f"{'ok  ' if ok else 'FAIL'} {what}{'' if ok else f': {detail}'}", flush=True)
    if not ok:
        failures.append(what)


def api_client() -> requests.Session:
    """A guest API client: the cart is named by X-Cart-Token, never a cookie."""
    http = requests.Session()
    http.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))
    return http


def served_by(response: requests.Response) -> str:
    return response.headers.get("X-Served-By", "?")


# --- 1. one session, both servers ------------------------------------------------


def scenario_session(user, variant, product) -> None:
    web = requests.Session()
    page = web.get(f"{BASE}/account/signin/", timeout=15)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    signin = web.post(
        f"{BASE}/account/signin/",
        data={"login": user.email, "password": PASSWORD, "csrfmiddlewaretoken": token},
        headers={"Referer": f"{BASE}/account/signin/"},
        allow_redirects=False,
        timeout=15,
    )
    check(
        signin.status_code == 302, "sign in through nginx", (signin.status_code, signin.text[:300])
    )
    signed_in_on = served_by(signin)
    # Django rotates the CSRF secret at sign-in; the cookie carries the new one.
    add = web.post(
        f"{BASE}/cart/add/",
        data={
            "variant_id": variant.pk,
            "quantity": 2,
            "csrfmiddlewaretoken": web.cookies["csrftoken"],
        },
        headers={"Referer": f"{BASE}/p/{product.slug}/"},
        allow_redirects=False,
        timeout=15,
    )
    check(add.status_code == 302, "add to cart as the signed-in customer", add.status_code)
    profile_by, cart_by = set(), set()
    # Two of each in a row: round-robin sends consecutive requests to each server.
    for path, seen, mark in (("profile", profile_by, user.email), ("cart", cart_by, product.name)):
        for _ in range(2):
            r = web.get(
                f"{BASE}/account/profile/" if path == "profile" else f"{BASE}/cart/",
                allow_redirects=False,
                timeout=15,
            )
            if r.status_code == 200 and mark in r.text:
                seen.add(served_by(r))
    check(
        signed_in_on in SERVERS and profile_by == SERVERS and cart_by == SERVERS,
        f"signed in on {signed_in_on}; account page and cart (added on {served_by(add)}) "
        f"answered as that customer by {sorted(profile_by)} and {sorted(cart_by)}",
        (profile_by, cart_by),
    )


# --- 2. concurrent checkouts never oversell ---------------------------------------


def place_order(http: requests.Session, sku: str, method_id: int, email: str, tries: int = 6):
    """Cart with one unit, then place the order with an Idempotency-Key, retrying
    a broken connection or a 502/503/504 with the same key. Returns the last
    response (None if every try broke) and the cart's token."""
    r = None
    for _ in range(tries):
        try:
            r = http.post(f"{BASE}/api/v1/cart/items", json={"sku": sku, "quantity": 1}, timeout=15)
        except requests.ConnectionError:
            time.sleep(0.2)
            continue
        if r.status_code not in RETRY_STATUSES:
            break
    if r is None or r.status_code != 201:
        return r
    headers = {"X-Cart-Token": r.headers["X-Cart-Token"], "Idempotency-Key": uuid.uuid4().hex}
    body = {
        "email": email,
        "shipping_address": ADDRESS,
        "shipping_method": method_id,
        "payment_method": "cod",
    }
    last = None
    for _ in range(tries):
        try:
            last = http.post(f"{BASE}/api/v1/orders", json=body, headers=headers, timeout=20)
        except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError):
            retries["count"] += 1
            time.sleep(0.2)
            continue
        if last.status_code not in RETRY_STATUSES:
            return last
        retries["count"] += 1
        time.sleep(0.2)
    return last


def scenario_no_oversell(method) -> list[str]:
    product = make_product(f"Cluster hot sale {RUN}", price="15.00", stock=STOCK)
    variant = product.variants.get()
    attempts = 3 * STOCK
    barrier = threading.Barrier(attempts)
    results: list = [None] * attempts

    def buyer(i: int) -> None:
        barrier.wait(timeout=30)
        results[i] = place_order(api_client(), variant.sku, method.pk, f"hot-{RUN}-{i}@example.com")

    threads = [threading.Thread(target=buyer, args=(i,)) for i in range(attempts)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(90)
    placed = [r for r in results if r is not None and r.status_code == 201]
    refused = [
        r
        for r in results
        if r is not None and r.status_code == 409 and r.json().get("code") == "out_of_stock"
    ]
    # A late buyer may find the stock gone at "add to cart" already (409 too).
    refused += [r for r in results if r is not None and r.status_code == 409 and r not in refused]
    other = [(r.status_code, r.text[:200]) if r else None for r in results]
    other = [o for o, r in zip(other, results, strict=True) if r not in placed + refused]
    sold = OrderItem.objects.filter(variant=variant).count()
    check(
        len(placed) == STOCK and len(refused) == attempts - STOCK and not other,
        f"{attempts} concurrent checkouts for {STOCK} units: {len(placed)} placed (201), "
        f"{len(refused)} refused (409) in {time.monotonic() - started:.1f} s",
        other[:3],
    )
    check(
        sold == STOCK and available(variant) == 0,
        f"none oversold: {sold} order lines in the database, {available(variant)} available",
    )
    takers = {served_by(r) for r in placed}
    check(takers == SERVERS, f"both servers placed orders: {sorted(takers)}", takers)
    return [r.json()["number"] for r in placed]


# --- 3. an app server stops mid-run ------------------------------------------------


def scenario_server_stops(method) -> list[str]:
    sku = (
        make_product(f"Cluster steady seller {RUN}", price="9.00", stock=10_000).variants.get().sku
    )
    confirmed: list[tuple[str, str]] = []
    problems: list = []
    lock = threading.Lock()
    stop_at = time.monotonic() + KILL_RUN_SECONDS

    def client(c: int) -> None:
        http = api_client()
        i = 0
        while time.monotonic() < stop_at:
            i += 1
            r = place_order(http, sku, method.pk, f"steady-{RUN}-{c}-{i}@example.com")
            with lock:
                if r is not None and r.status_code in (200, 201):
                    confirmed.append((r.json()["number"], served_by(r)))
                elif r is None or r.status_code >= 500:
                    problems.append(None if r is None else (r.status_code, r.text[:200]))

    threads = [threading.Thread(target=client, args=(c,)) for c in range(6)]
    for t in threads:
        t.start()
    time.sleep(KILL_RUN_SECONDS / 3)
    pidfile = ROOT / "var" / "cluster" / "app2.pid"
    master = int(pidfile.read_text())
    before_kill = len(confirmed)
    retries["count"] = 0
    os.killpg(os.getpgid(master), signal.SIGKILL)  # gunicorn --daemon: its own group
    for t in threads:
        t.join(60)
    numbers = [n for n, _ in confirmed]
    found = set(Order.objects.filter(number__in=numbers).values_list("number", flat=True))
    after = {by for n, by in confirmed[before_kill + 6 :]}
    check(
        numbers and found == set(numbers) and len(numbers) == len(set(numbers)),
        f"app2 killed mid-run: {len(numbers)} orders confirmed ({before_kill} before the kill), "
        f"all {len(found)} in the database; {retries['count']} order requests retried with "
        f"their key after the kill; answers after it from {sorted(after)}",
        set(numbers) - found,
    )
    check(not problems, "no client was left with a 5xx or no answer", problems[:3])
    started = subprocess.run(  # noqa: S603
        ["bash", str(ROOT / "scripts" / "cluster.sh"), "start-app", "2"],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
    )
    check(started.returncode == 0, "app2 started again", started.stderr[-500:])
    return numbers


# --- 4. the Celery worker sends the outbox -------------------------------------------


def worker_sent_count() -> int:
    """Tasks the cluster's Celery worker reports as having sent a message."""
    log = ROOT / "var" / "cluster" / "logs" / "worker.log"
    text = log.read_text(errors="replace") if log.exists() else ""
    return len(re.findall(r"Task notifications\.send\[[^]]+\] succeeded in \S+: 'sent'", text))


def scenario_notifications(numbers: list[str], sent_before: int) -> None:
    emails = list(Order.objects.filter(number__in=numbers).values_list("email", flat=True))
    rows = Notification.objects.filter(recipient__in=emails)
    deadline = time.monotonic() + 45
    while time.monotonic() < deadline and (
        not rows.exists() or rows.exclude(status="sent").exists()
    ):
        time.sleep(0.5)
    statuses = dict.fromkeys(rows.values_list("status", flat=True).distinct(), 0)
    for status in statuses:
        statuses[status] = rows.filter(status=status).count()
    mail = ROOT / "var" / "cluster" / "mail"
    files = "\n".join(p.read_text(errors="replace") for p in mail.glob("*.log"))
    mailed = {e for e in emails if e in files}
    check(
        rows.count() >= len(emails) and set(statuses) == {"sent"} and mailed == set(emails),
        f"the Celery worker sent the outbox: {rows.count()} notifications for {len(emails)} "
        f"orders, statuses {statuses}, {len(mailed)} recipients found in {mail}",
        (statuses, len(mailed)),
    )
    by_worker = worker_sent_count() - sent_before
    check(
        by_worker >= len(emails),
        f"the worker's log shows {by_worker} notifications.send tasks sent during this run",
    )


def wait_ready(seconds: float = 60) -> requests.Response | None:
    """/readyz through nginx; freshly started workers may take a while to answer
    their first request on a busy machine. None when nothing listens at all."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            health = requests.get(f"{BASE}/readyz", timeout=10)
        except requests.ConnectionError:
            return None
        except requests.Timeout:
            health = None
        if (health is not None and health.status_code == 200) or time.monotonic() > deadline:
            return health if health is not None else requests.get(f"{BASE}/readyz", timeout=30)
        time.sleep(1)


def main() -> int:
    started = time.monotonic()
    sent_before = worker_sent_count()
    health = wait_ready()
    if health is None:
        print(f"no cluster at {BASE}: run `make cluster` first")
        return 2
    check(health.status_code == 200, f"{BASE}/readyz: {health.text.strip()}")
    method = ShippingMethod.objects.create(name=f"Cluster courier {RUN}", price=Decimal("4.00"))
    user = UserFactory(email=f"cluster-{RUN}@example.com", password=PASSWORD)
    product = make_product(f"Cluster cardigan {RUN}", price="20.00", stock=100)
    scenario_session(user, product.variants.get(), product)
    hot = scenario_no_oversell(method)
    steady = scenario_server_stops(method)
    scenario_notifications(hot + steady[:20], sent_before)
    took = time.monotonic() - started
    print(f"{'FAILED: ' + ', '.join(failures) if failures else 'all checks passed'} ({took:.1f} s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
