"""Applying to sell, the application's status, the seller's store profile,
closing the store, the public store page, and what a suspension hides."""

import pytest
from django.urls import reverse

from boutique.accounts.tests.factories import StaffFactory, UserFactory
from boutique.audit.models import AuditLog
from boutique.catalog.tests.conftest import png_file
from boutique.catalog.tests.factories import make_product
from boutique.marketplace.models import Seller, SellerStatus
from boutique.marketplace.services import onboarding
from boutique.marketplace.tests.factories import (
    SellerFactory,
    deliver,
    multi_seller_order,
    seller_product,
)
from boutique.storefront.helpers import LOGIN_BACKEND

pytestmark = pytest.mark.django_db

APPLY = reverse("storefront:seller_apply")
STATUS = reverse("storefront:seller_status")
PROFILE = reverse("storefront:seller_profile")
CLOSE = reverse("storefront:seller_close")
APPLICATION = {
    "store_name": "Olive & Acorn",
    "description": "Hand-knit bonnets.",
    "contact_email": "hello@olive.example",
    "contact_phone": "+96170123456",
    "payout_method": "bank_transfer",
    "payout_account_name": "Maya Haddad",
    "payout_account": "LB62 0999 0000 0001",
}


def _signed_in(client, user):
    client.force_login(user, backend=LOGIN_BACKEND)
    return client


@pytest.fixture
def seller(db):
    return SellerFactory(store_name="Olive & Acorn", slug="olive-acorn", description="Knits.")


# --- Applying --------------------------------------------------------------------------------
def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(APPLY)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("storefront:signin"))


def test_a_customer_applies_with_a_logo_and_sees_the_pending_status(client, media_root):
    user = UserFactory()
    _signed_in(client, user)
    assert client.get(APPLY).status_code == 200
    response = client.post(APPLY, {**APPLICATION, "logo": png_file("logo.png")})
    assert response.status_code == 302 and response["Location"] == STATUS
    seller = Seller.objects.get(owner=user)
    assert seller.status == SellerStatus.PENDING
    assert seller.store_name == "Olive & Acorn" and seller.logo.name
    assert AuditLog.objects.filter(action="seller.applied").count() == 1
    page = client.get(STATUS)
    assert b"Pending approval" in page.content
    # Applying twice is not offered: the form sends the applicant to the status.
    assert client.get(APPLY)["Location"] == STATUS


def test_an_application_without_payout_details_is_refused(client):
    _signed_in(client, UserFactory())
    response = client.post(APPLY, {**APPLICATION, "payout_account": ""})
    assert response.status_code == 422
    assert not Seller.objects.exists()


def test_a_rejected_applicant_sees_the_reason_and_applies_again(client):
    user = UserFactory()
    seller = onboarding.seller_apply(user=user, **APPLICATION)
    onboarding.seller_reject(seller=seller, actor=StaffFactory(), reason="Photos missing.")
    _signed_in(client, user)
    page = client.get(STATUS)
    assert b"Photos missing." in page.content and b"Apply again" in page.content
    response = client.post(APPLY, {**APPLICATION, "description": "Now with photos."})
    assert response["Location"] == STATUS
    seller.refresh_from_db()
    assert seller.status == SellerStatus.PENDING and seller.description == "Now with photos."


def test_an_approved_seller_is_pointed_to_the_workspace(client, seller):
    _signed_in(client, seller.owner)
    page = client.get(STATUS)
    assert page.status_code == 200 and b'href="/seller/"' in page.content


def test_without_a_store_the_status_page_sends_to_the_form(client):
    _signed_in(client, UserFactory())
    assert client.get(STATUS)["Location"] == APPLY


def test_the_account_menu_offers_selling(client):
    _signed_in(client, UserFactory())
    page = client.get(reverse("storefront:profile"))
    assert f'href="{APPLY}"'.encode() in page.content


# --- The store profile and closing -----------------------------------------------------------
def test_the_seller_edits_the_store(client, seller, media_root):
    _signed_in(client, seller.owner)
    assert client.get(PROFILE).status_code == 200
    data = {**APPLICATION, "description": "New knits every week.", "logo": png_file()}
    response = client.post(PROFILE, data)
    assert response["Location"] == PROFILE
    seller.refresh_from_db()
    assert seller.description == "New knits every week." and seller.logo.name
    assert seller.slug == "olive-acorn"
    assert AuditLog.objects.filter(action="seller.updated").exists()


def test_the_profile_is_for_approved_sellers_only(client):
    user = UserFactory()
    onboarding.seller_apply(user=user, **APPLICATION)
    _signed_in(client, user)
    assert client.get(PROFILE).status_code == 403
    assert client.post(PROFILE, APPLICATION).status_code == 403
    assert client.post(CLOSE, {"confirm": "on"}).status_code == 403
    assert Seller.objects.get().status == SellerStatus.PENDING


def test_closing_needs_the_confirmation(client, seller):
    _signed_in(client, seller.owner)
    assert client.post(CLOSE, {}).status_code == 422
    seller.refresh_from_db()
    assert seller.status == SellerStatus.ACTIVE
    response = client.post(CLOSE, {"confirm": "on", "reason": "Moving abroad"})
    assert response["Location"] == STATUS
    seller.refresh_from_db()
    assert seller.status == SellerStatus.CLOSED and seller.status_reason == "Moving abroad"
    assert AuditLog.objects.filter(action="seller.closed").exists()


# --- The public store page -------------------------------------------------------------------
def test_the_store_page_shows_an_active_sellers_products(client, seller):
    seller_product(seller, name="Bonnet")
    make_product("Shop onesie")
    page = client.get(reverse("storefront:store", args=[seller.slug]))
    assert page.status_code == 200
    assert b"Olive &amp; Acorn" in page.content and b"Knits." in page.content
    assert b"Bonnet" in page.content and b"Shop onesie" not in page.content


def test_the_store_page_paginates(client, seller):
    for n in range(25):
        seller_product(seller, name=f"Knit {n:02d}")
    first = client.get(reverse("storefront:store", args=[seller.slug]))
    assert b'rel="next"' in first.content
    second = client.get(reverse("storefront:store", args=[seller.slug]), {"page": 2})
    assert second.status_code == 200 and b'rel="prev"' in second.content


@pytest.mark.parametrize(
    "status", [SellerStatus.PENDING, SellerStatus.SUSPENDED, SellerStatus.CLOSED]
)
def test_the_store_page_of_an_inactive_seller_is_404(client, status):
    seller = SellerFactory(status=status)
    assert client.get(reverse("storefront:store", args=[seller.slug])).status_code == 404


def test_the_product_page_links_to_the_store(client, seller):
    product = seller_product(seller, name="Bonnet")
    page = client.get(reverse("storefront:product", args=[product.slug]))
    assert reverse("storefront:store", args=[seller.slug]).encode() in page.content


def test_a_suspension_hides_the_products_everywhere_at_once(client, seller):
    product = seller_product(seller, name="Bonnet")
    listing = reverse("storefront:product_list")
    assert b"Bonnet" in client.get(listing).content
    onboarding.seller_suspend(seller=seller, actor=StaffFactory(), reason="Complaints")
    assert b"Bonnet" not in client.get(listing).content
    assert b"Bonnet" not in client.get(reverse("storefront:search"), {"q": "bonnet"}).content
    assert client.get(listing, {"seller": seller.slug}).status_code == 400
    assert client.get(reverse("storefront:product", args=[product.slug])).status_code == 404
    assert client.get(f"/api/v1/products/{product.slug}").status_code == 404
    names = [p["name"] for p in client.get("/api/v1/products").json()["results"]]
    assert product.name not in names


# --- Orders with several sellers -------------------------------------------------------------
def test_one_order_from_the_shop_and_two_sellers_shows_every_parcel(client, seller):
    customer = UserFactory()
    other = SellerFactory(store_name="Pine Cone", slug="pine-cone")
    lines = [
        (make_product("Shop onesie"), 1),
        (seller_product(seller, name="Bonnet"), 1),
        (seller_product(other, name="Rattle"), 1),
    ]
    order = multi_seller_order(lines, user=customer)
    items = {item.seller_id: item for item in order.items.all()}
    for seller_id in (None, seller.pk, other.pk):
        deliver(order, [items[seller_id]])
    _signed_in(client, customer)
    page = client.get(reverse("storefront:account_order_detail", args=[order.number]))
    assert page.status_code == 200
    body = page.content.decode()
    assert body.count('class="card shipment"') == 3
    assert "from Olive &amp; Acorn" in body and "from Pine Cone" in body
    assert body.count('class="order-item-seller"') == 3
