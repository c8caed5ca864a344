"""The demo shop's marketplace part: made once, through the services."""

import pytest

from boutique.accounts.demo import demo_accounts_load
from boutique.catalog.demo import demo_catalog_load
from boutique.catalog.tests.conftest import media_root  # noqa: F401
from boutique.marketplace.demo import BUYER_EMAIL, demo_marketplace_load
from boutique.marketplace.models import Payout, Seller, SellerStatus
from boutique.orders.demo import demo_checkout_load
from boutique.orders.models import Order

pytestmark = pytest.mark.django_db


@pytest.mark.usefixtures("media_root")
def test_the_demo_shows_an_application_and_a_payout_and_reruns_safely():
    admin = next(user for _, user, _ in demo_accounts_load() if user.is_superuser)
    demo_catalog_load(actor=admin, images=False)
    demo_checkout_load(actor=admin)

    summary = demo_marketplace_load(actor=admin)

    assert summary.applicant_created and summary.payouts_created == 1
    assert Seller.objects.filter(status=SellerStatus.PENDING).count() == 1
    order = Order.objects.get(email=BUYER_EMAIL)
    sellers = {item.seller_id for item in order.items.all()}
    assert None in sellers and len(sellers) == 2
    assert order.shipments.count() == 2
    payout = Payout.objects.get()
    assert payout.items.count() == 1 and payout.net_amount > 0

    again = demo_marketplace_load(actor=admin)
    assert not again.applicant_created and again.payouts_created == 0
    assert Payout.objects.count() == 1 and Order.objects.filter(email=BUYER_EMAIL).count() == 1
