"""The catalogue cache on real connections: a shopper who reads a product
while a price change is still uncommitted caches the old price, and the bump
made when the change commits still makes the next shopper see the new one
(boutique/catalog/cache.py: catalog_changed bumps again after the commit)."""

import threading
from decimal import Decimal

import pytest
from django.db import connections, transaction
from django.test import Client
from django.urls import reverse

from boutique.catalog.services import variant_update
from boutique.catalog.tests.factories import make_product
from boutique.storefront.pagecache import HEADER

pytestmark = pytest.mark.django_db(transaction=True)


def _page(path: str) -> tuple[str, str]:
    response = Client().get(path)
    return response[HEADER], response.content.decode()


def test_a_page_read_during_an_uncommitted_price_change_is_not_served_after_it():
    product = make_product("Knitted bunny", price="20.00", stock=5)
    variant = product.variants.get()
    path = reverse("storefront:product", args=[product.slug])
    written, read_done = threading.Event(), threading.Event()
    errors = []

    def change_price():
        try:
            with transaction.atomic():
                variant_update(variant=variant, price=Decimal("17.50"))
                written.set()
                assert read_done.wait(30)
        except BaseException as exc:  # reported by the test below
            errors.append(exc)
            written.set()
        finally:
            connections.close_all()

    writer = threading.Thread(target=change_price)
    writer.start()
    assert written.wait(30)
    during = _page(path)  # the old price, cached under the first bump's version
    read_done.set()
    writer.join(30)

    assert errors == []
    assert during[0] == "miss" and "$20.00" in during[1]
    after = _page(path)
    assert after[0] == "miss"
    assert "$17.50" in after[1] and "$20.00" not in after[1]
