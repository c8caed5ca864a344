import io
from functools import partial

import pytest
from django.core.management import call_command

from boutique.cart.models import CartItem, WishlistItem
from boutique.catalog.demo import demo_catalog_load


@pytest.mark.django_db
@pytest.mark.usefixtures("media_root")
def test_demo_load_gives_the_demo_customer_a_wishlist_and_a_cart_once(monkeypatch):
    from boutique.core.management.commands import demo_load

    monkeypatch.setattr(
        demo_load, "demo_catalog_load", partial(demo_catalog_load, images=False, limit=12)
    )
    out = io.StringIO()
    call_command("demo_load", stdout=out)
    assert "a wishlist and a cart" in out.getvalue()
    customer_items = CartItem.objects.filter(cart__user__email="maya.parent@boutique.test")
    assert customer_items.count() == 2
    assert WishlistItem.objects.filter(user__email="maya.parent@boutique.test").count() == 3

    call_command("demo_load", stdout=io.StringIO())
    assert customer_items.count() == 2
    assert WishlistItem.objects.count() == 3
