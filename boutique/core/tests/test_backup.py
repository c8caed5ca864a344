"""Backups (issue 12): `manage.py backup` copies a running shop consistently,
`manage.py restore` puts it back into a fresh database. Runs on SQLite (the
test database is a file) and on PostgreSQL (pg_dump/pg_restore, a scratch
database created and dropped here)."""

import os
import sqlite3
import threading
import time
from decimal import Decimal
from io import StringIO
from urllib.parse import quote

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections

from boutique.cart.services import cart_add, cart_obtain
from boutique.catalog.tests.factories import make_product
from boutique.checkout.services import CheckoutInput, order_place
from boutique.core.backups import Target
from boutique.orders.models import Order, ShippingMethod

pytestmark = pytest.mark.django_db(transaction=True)

ADDRESS = {"full_name": "Rania Haddad", "line1": "Hamra St 12", "city": "Beirut", "country": "LB"}
ORDERS_SQL = """
    SELECT o.number,
           (SELECT count(*) FROM orders_orderitem i WHERE i.order_id = o.id),
           (SELECT count(*) FROM orders_orderaddress a WHERE a.order_id = o.id)
    FROM orders_order o
"""


def _is_postgres() -> bool:
    return connection.vendor == "postgresql"


def _url(config: dict, name: str) -> str:
    auth = quote(config["USER"] or "", safe="")
    if config.get("PASSWORD"):
        auth += ":" + quote(config["PASSWORD"], safe="")
    host = f"{config['HOST'] or '127.0.0.1'}:{config['PORT'] or 5432}"
    return f"postgres://{auth}@{host}/{name}"


@pytest.fixture
def restore_target(tmp_path):
    """A database URL that does not exist yet (dropped afterwards on PostgreSQL)."""
    if not _is_postgres():
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    name = f"h_backup_restore_{os.getpid()}"
    url = _url(connection.settings_dict, name)
    target = Target.from_url(url)
    _pg_admin(target, f'DROP DATABASE IF EXISTS "{name}"')
    yield url
    _pg_admin(target, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _pg_admin(target: Target, statement: str) -> None:
    import psycopg

    with psycopg.connect(target.conninfo("postgres"), autocommit=True) as conn:
        conn.execute(statement)


def _orders_in(url: str) -> dict[str, tuple[int, int]]:
    """number → (items, addresses), read straight from a restored database."""
    target = Target.from_url(url)
    if target.engine == "sqlite":
        with sqlite3.connect(target.name) as conn:
            rows = conn.execute(ORDERS_SQL).fetchall()
    else:
        import psycopg

        with psycopg.connect(target.conninfo()) as conn:
            rows = conn.execute(ORDERS_SQL).fetchall()
    return {number: (items, addresses) for number, items, addresses in rows}


class Shopper(threading.Thread):
    """Places guest orders of two products, one after another, until stopped;
    records each order number with the moment its transaction had committed."""

    def __init__(self, variants, method):
        super().__init__(daemon=True)
        self.variants, self.method = variants, method
        self.placed: list[tuple[str, float]] = []
        self.errors: list[BaseException] = []
        self.stop = threading.Event()

    def run(self):
        try:
            for i in range(10_000):
                if self.stop.is_set():
                    break
                cart = cart_obtain()
                for variant in self.variants:
                    cart_add(token=cart.token, variant_id=variant.pk, quantity=1)
                data = CheckoutInput(
                    email=f"b{i}@example.com",
                    shipping_address=ADDRESS,
                    shipping_method_id=self.method.pk,
                )
                order, _ = order_place(cart=cart, data=data)
                self.placed.append((order.number, time.monotonic()))
        except BaseException as exc:  # reported by the test
            self.errors.append(exc)
        finally:
            connections.close_all()

    def wait_for(self, count: int, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while len(self.placed) < count and not self.errors:
            assert time.monotonic() < deadline, f"only {len(self.placed)} orders placed"
            time.sleep(0.02)
        assert not self.errors, self.errors


def test_backup_of_a_running_shop_restores_every_order_committed_before_it(
    tmp_path, restore_target
):
    variants = [make_product(f"P{n}", stock=100_000).variants.get() for n in range(2)]
    method = ShippingMethod.objects.create(name="Courier", price=Decimal("4.00"))
    shopper = Shopper(variants, method)
    shopper.start()
    try:
        shopper.wait_for(5)
        started = time.monotonic()
        call_command("backup", output=str(tmp_path / "shop.dump"), stdout=StringIO())
        shopper.wait_for(len(shopper.placed) + 3)  # the shop went on taking orders
    finally:
        shopper.stop.set()
        shopper.join(60)
    assert not shopper.errors, shopper.errors
    before = [number for number, at in shopper.placed if at < started]
    after = [number for number, at in shopper.placed if at >= started]
    assert before and after

    call_command(
        "restore",
        str(tmp_path / "shop.dump"),
        database_url=restore_target,
        stdout=StringIO(),
    )

    restored = _orders_in(restore_target)
    assert set(before) <= set(restored)
    # Nothing the shop never had, and every restored order whole: both items
    # and both addresses, as placed.
    live = {o.number: o for o in Order.objects.all()}
    assert set(restored) <= set(live)
    assert all(shape == (2, 2) for shape in restored.values()), restored
    assert len(restored) < len(live)  # the copy stopped at one moment


def test_restore_refuses_a_database_that_is_not_empty_unless_forced(tmp_path, restore_target):
    make_product("Kept", stock=3)
    dump = tmp_path / "shop.dump"
    call_command("backup", output=str(dump), stdout=StringIO())
    call_command("restore", str(dump), database_url=restore_target, stdout=StringIO())

    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(dump), database_url=restore_target)

    call_command("restore", str(dump), database_url=restore_target, force=True, stdout=StringIO())
    target = Target.from_url(restore_target)
    sql = "SELECT name FROM catalog_product"
    if target.engine == "sqlite":
        with sqlite3.connect(target.name) as conn:
            names = [row[0] for row in conn.execute(sql)]
    else:
        import psycopg

        with psycopg.connect(target.conninfo()) as conn:
            names = [row[0] for row in conn.execute(sql)]
    assert names == ["Kept"]


def test_media_go_into_a_tar_beside_the_dump_and_come_back(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    (settings.MEDIA_ROOT / "products").mkdir(parents=True)
    (settings.MEDIA_ROOT / "products" / "a.jpg").write_bytes(b"jpeg")
    (settings.PRIVATE_MEDIA_ROOT / "receipts").mkdir(parents=True)
    (settings.PRIVATE_MEDIA_ROOT / "receipts" / "r.pdf").write_bytes(b"pdf")
    dump = tmp_path / "shop.dump"

    call_command("backup", output=str(dump), with_media=True, stdout=StringIO())
    assert (tmp_path / "shop.dump.media.tar.gz").exists()

    settings.MEDIA_ROOT = tmp_path / "new-media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "new-private"
    fresh = (
        f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
        if not _is_postgres()
        else _url(connection.settings_dict, f"h_backup_media_{os.getpid()}")
    )
    try:
        call_command("restore", str(dump), database_url=fresh, with_media=True, stdout=StringIO())
    finally:
        if _is_postgres():
            _pg_admin(
                Target.from_url(fresh), f'DROP DATABASE IF EXISTS "h_backup_media_{os.getpid()}"'
            )
    assert (tmp_path / "new-media" / "products" / "a.jpg").read_bytes() == b"jpeg"
    assert (tmp_path / "new-private" / "receipts" / "r.pdf").read_bytes() == b"pdf"


def test_a_backup_is_not_restored_into_the_other_engine(tmp_path):
    dump = tmp_path / "shop.dump"
    call_command("backup", output=str(dump), stdout=StringIO())
    other = (
        f"sqlite:///{tmp_path / 'x.sqlite3'}"
        if _is_postgres()
        else "postgres://postgres@127.0.0.1:5432/h_never_created"
    )
    with pytest.raises(CommandError, match="cannot be restored"):
        call_command("restore", str(dump), database_url=other)
