"""A customer downloads their data and deletes their account (issue 8, privacy)."""

import json
from decimal import Decimal

import pytest
from django.db import transaction
from django.urls import reverse

from boutique.accounts.errors import PasswordConfirmationFailed
from boutique.accounts.models import Address, ApiToken, Child, OtpCode, Status, User
from boutique.accounts.services import token_issue, user_data_export, user_delete
from boutique.audit.models import AuditLog
from boutique.cart.models import Cart, CartItem, WishlistItem
from boutique.catalog.tests.factories import make_product
from boutique.notifications.models import Notification, NotificationStatus
from boutique.orders.models import Order, OrderAddress, OrderItem
from boutique.orders.tests.factories import order_factory
from boutique.payments.models import Payment

from .factories import DEFAULT_PASSWORD, AddressFactory, ChildFactory, UserFactory

pytestmark = pytest.mark.django_db

CUSTOMER = {
    "email": "rima@example.com",
    "phone": "+9613555111",
    "username": "RimaH",
    "first_name": "Rima",
    "last_name": "Haddad",
}
PERSONAL = ("rima@example.com", "+9613555111", "Rima", "Haddad", "12 Rue Gouraud", "RimaH")


@pytest.fixture
def customer():
    user = UserFactory(**CUSTOMER)
    AddressFactory(user=user, full_name="Rima Haddad", line1="12 Rue Gouraud")
    ChildFactory(user=user, name="Lina")
    product = make_product()
    variant = product.variants.get()
    cart = Cart.objects.create(user=user)
    CartItem.objects.create(cart=cart, variant=variant, quantity=1, unit_price=Decimal("10.00"))
    WishlistItem.objects.create(user=user, product=product)
    token_issue(user=user)
    OtpCode.objects.create(
        phone=user.phone, purpose="login", code_hash="x", expires_at="2030-01-01T00:00:00Z"
    )
    order = order_factory(
        user=user,
        email=user.email,
        phone=user.phone,
        note="Ring Rima Haddad at 12 Rue Gouraud",
        items=(("Knitted cardigan", "CARD-01", Decimal("20.00"), 2),),
    )
    OrderAddress.objects.filter(order=order).update(phone=user.phone, postal_code="1107")
    Payment.objects.create(
        order=order,
        method="card",
        provider="test",
        amount=order.total,
        currency="USD",
        status="succeeded",
        card_brand="visa",
        card_last4="4242",
        card_token="tok_secret",
    )
    Notification.objects.create(channel="email", recipient=user.email, template="order_paid")
    Notification.objects.create(
        channel="email",
        recipient=user.email,
        template="order_placed",
        status=NotificationStatus.SENT,
    )
    return user


@pytest.fixture
def other_order():
    other = UserFactory(email="other@example.com")
    return order_factory(user=other, email=other.email, number="BQ-2026-OTHER1")


def _row_values(*rows) -> str:
    return json.dumps(
        [{f.attname: getattr(r, f.attname) for f in r._meta.concrete_fields} for r in rows],
        default=str,
    )


def test_export_contains_own_orders_and_not_someone_elses(customer, other_order):
    from boutique.accounts.services import user_data_export

    data = user_data_export(user=customer)
    json.dumps(data)  # JSON-ready as it is
    assert data["profile"]["email"] == "rima@example.com"
    assert [o["email"] for o in data["orders"]] == ["rima@example.com"]
    assert other_order.number not in json.dumps(data)
    order = data["orders"][0]
    assert order["items"][0]["sku"] == "CARD-01"
    assert {a["kind"] for a in order["addresses"]} == {"shipping", "billing"}
    assert order["payments"] == [
        {
            "method": "card",
            "status": "succeeded",
            "amount": "40.00",
            "currency": "USD",
            "card_brand": "visa",
            "card_last4": "4242",
            "created_at": order["payments"][0]["created_at"],
        }
    ]
    assert "tok_secret" not in json.dumps(data)
    assert [c["name"] for c in data["children"]] == ["Lina"]
    assert data["addresses"][0]["line1"] == "12 Rue Gouraud"
    assert len(data["wishlist"]) == 1
    assert len(data["carts"][0]["items"]) == 1
    assert "password" not in json.dumps(data["profile"])


def test_delete_anonymises_orders_and_removes_the_rest(customer, other_order):
    order = Order.objects.get(user=customer)
    items_before = list(OrderItem.objects.filter(order=order).values())
    total_before = order.total

    counts = user_delete(user=customer, actor=customer, password_confirmed=True)

    order.refresh_from_db()
    assert order.total == total_before
    assert list(OrderItem.objects.filter(order=order).values()) == items_before
    assert order.email == f"deleted-{order.pk}@invalid"
    assert order.phone == "" and order.note == ""
    addresses = list(OrderAddress.objects.filter(order=order))
    assert {a.full_name for a in addresses} == {"Deleted customer"}
    assert {(a.city, a.country) for a in addresses} == {("Beirut", "LB")}
    text = _row_values(order, *addresses, *Payment.objects.filter(order=order))
    for value in PERSONAL:
        assert value not in text
    assert not Address.objects.filter(user_id=customer.pk).exists()
    assert not Child.objects.filter(user_id=customer.pk).exists()
    assert not Cart.objects.filter(user_id=customer.pk).exists()
    assert not WishlistItem.objects.filter(user_id=customer.pk).exists()
    assert not ApiToken.objects.filter(user_id=customer.pk).exists()
    assert not OtpCode.objects.filter(phone="+9613555111").exists()
    assert not Notification.objects.filter(status=NotificationStatus.PENDING).exists()
    assert Notification.objects.filter(status=NotificationStatus.SENT).count() == 1
    user = User.objects.get(pk=customer.pk)  # orders refer to it: kept, scrubbed
    assert user.status == Status.INACTIVE and not user.is_active
    assert not user.has_usable_password()
    assert _row_values(user).count("Rima") == 0 and "rima@" not in _row_values(user)
    assert counts["addresses"] == 1 and counts["orders_anonymised"] == 1
    # Someone else's order is untouched.
    other_order.refresh_from_db()
    assert other_order.email == "other@example.com"
    entry = AuditLog.objects.get(action="account_deleted")
    assert entry.entity_id == str(customer.pk)
    assert entry.new["children"] == 1 and entry.new["carts"] == 1
    assert entry.new["user_row"] == "scrubbed"
    entry_text = json.dumps({"new": entry.new, "old": entry.old, "label": entry.actor_label})
    for value in PERSONAL:
        assert value not in entry_text


def test_user_without_orders_is_deleted_outright():
    user = UserFactory(email="short@example.com")
    AddressFactory(user=user)
    user_delete(user=user, actor=user, password_confirmed=True)
    assert not User.objects.filter(pk=user.pk).exists()
    entry = AuditLog.objects.get(action="account_deleted", entity_id=str(user.pk))
    assert entry.new["user_row"] == "deleted"
    assert "short@example.com" not in entry.actor_label


def test_delete_requires_confirmed_password(customer):
    with pytest.raises(PasswordConfirmationFailed):
        user_delete(user=customer, actor=customer)
    assert Address.objects.filter(user=customer).exists()


def test_deleted_customer_cannot_sign_in(client, customer):
    user_delete(user=customer, actor=customer, password_confirmed=True)
    response = client.post(
        "/api/v1/auth/token",
        {"login": "rima@example.com", "password": DEFAULT_PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 401
    client.post(
        reverse("storefront:signin"), {"login": "rima@example.com", "password": DEFAULT_PASSWORD}
    )
    assert "_auth_user_id" not in client.session


def test_api_export_is_the_callers(client, customer, other_order):
    secret, _ = token_issue(user=customer)
    response = client.get("/api/v1/me/export", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 200
    body = response.json()
    assert [o["email"] for o in body["orders"]] == ["rima@example.com"]
    assert client.get("/api/v1/me/export").status_code == 401


def test_api_delete_with_wrong_password_changes_nothing(client, customer):
    secret, _ = token_issue(user=customer)
    before = _row_values(User.objects.get(pk=customer.pk), *Order.objects.all())
    response = client.delete(
        "/api/v1/me",
        {"password": "not-it"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )
    assert response.status_code == 403
    assert response["Content-Type"].startswith("application/problem+json")
    assert response.json()["code"] == "password_confirmation_failed"
    assert before == _row_values(User.objects.get(pk=customer.pk), *Order.objects.all())
    assert Address.objects.filter(user=customer).count() == 1
    assert ApiToken.objects.filter(user=customer).count() == 2
    assert not AuditLog.objects.filter(action="account_deleted").exists()


def test_api_delete_with_password(client, customer):
    secret, _ = token_issue(user=customer)
    response = client.delete(
        "/api/v1/me",
        {"password": DEFAULT_PASSWORD},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )
    assert response.status_code == 204
    assert not ApiToken.objects.filter(user_id=customer.pk).exists()
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401


def test_profile_links_and_json_download(
    client, customer, other_order, django_assert_max_num_queries
):
    client.force_login(customer)
    page = client.get(reverse("storefront:profile"))
    assert reverse("storefront:data_export").encode() in page.content
    assert b"Delete my account" in page.content
    # One query per kind of data (not per row): issue 13 added the children's
    # birthday reminders and the back-in-stock alerts.
    with django_assert_max_num_queries(16):
        response = client.get(reverse("storefront:data_export"))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    body = json.loads(response.content)
    assert body["orders"][0]["number"] != other_order.number
    assert client.post(reverse("storefront:data_export")).status_code == 405


def test_storefront_delete_wrong_password_refused(client, customer):
    client.force_login(customer)
    response = client.post(reverse("storefront:account_delete"), {"password": "nope"})
    assert response.status_code == 403
    assert b"The password is not right" in response.content
    assert User.objects.get(pk=customer.pk).status == Status.ACTIVE
    assert Address.objects.filter(user=customer).exists()


def test_storefront_delete_signs_out_and_says_goodbye(client, customer):
    client.force_login(customer)
    assert client.get(reverse("storefront:account_delete")).status_code == 200
    response = client.post(reverse("storefront:account_delete"), {"password": DEFAULT_PASSWORD})
    assert response.status_code == 200
    assert b"Your account is deleted" in response.content
    assert "_auth_user_id" not in client.session
    profile = client.get(reverse("storefront:profile"))
    assert profile.status_code == 302
    assert not Child.objects.filter(user_id=customer.pk).exists()


def test_api_delete_password_guessing_is_throttled(client, customer, settings):
    secret, _ = token_issue(user=customer)
    statuses = [
        client.delete(
            "/api/v1/me",
            {"password": f"guess-{n}"},
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {secret}",
        ).status_code
        for n in range(11)
    ]
    assert statuses == [403] * 10 + [429]
    assert User.objects.get(pk=customer.pk).status == Status.ACTIVE


def test_delete_releases_the_carts_checkout_hold(customer):
    from boutique.inventory.models import Reservation
    from boutique.inventory.services import stock_reserve

    cart = Cart.objects.get(user=customer)
    variant = cart.items.get().variant
    with transaction.atomic():
        reservation = stock_reserve(
            variant=variant, quantity=1, holder_type="cart", holder_id=cart.pk
        )
    user_delete(user=customer, actor=customer, password_confirmed=True)
    reservation.refresh_from_db()
    assert reservation.state != "active"
    assert not Reservation.objects.filter(holder_id=str(cart.pk), state="active").exists()


def test_export_and_delete_cover_reviews_and_support_conversations():
    from boutique.reviews.models import Review
    from boutique.reviews.tests.factories import make_review, verified_buyer
    from boutique.support.models import Conversation, Message
    from boutique.support.services import conversation_start

    product = make_product("Knitted bonnet")
    user = verified_buyer(product, email="leaving@example.com")
    make_review(product, user=user, rating=2, text="Too small for us.")
    make_review(product, rating=4)
    conversation_start(user=user, subject="Sizes", body="Which size for 6 months?")
    conversation_start(name="Me", email="leaving@example.com", subject="Before", body="Hello")
    other = conversation_start(name="Other", email="other@example.com", subject="X", body="Hi")
    product.refresh_from_db()
    assert (product.review_count, product.rating_average) == (2, Decimal("3.00"))

    data = json.loads(json.dumps(user_data_export(user=user)))
    assert [r["text"] for r in data["reviews"]] == ["Too small for us."]
    assert [c["subject"] for c in data["support_conversations"]] == ["Sizes"]
    assert data["support_conversations"][0]["messages"][0]["body"] == "Which size for 6 months?"

    counts = user_delete(user=user, actor=None, password_confirmed=True)
    assert (counts["reviews"], counts["support_conversations"]) == (1, 2)
    assert not Review.objects.filter(text="Too small for us.").exists()
    product.refresh_from_db()
    assert (product.review_count, product.rating_average) == (1, Decimal("4.00"))
    assert list(Conversation.objects.all()) == [other]
    assert Message.objects.filter(conversation=other).count() == 1
