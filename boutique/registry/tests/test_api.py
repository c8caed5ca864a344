"""The registry API: owners work on their own registries (someone else's is
404), friends read by share token and put gifts in their cart, the buyer's
order never shows the registrant's address."""

from datetime import timedelta

import pytest
from django.utils import timezone

from boutique.accounts.services import token_issue
from boutique.accounts.tests.factories import UserFactory
from boutique.registry.models import Registry, RegistryItem

from .factories import (
    BUYER_ADDRESS,
    REGISTRANT_ADDRESS,
    make_registrant,
    make_registry,
    make_variant,
    shipping_method,
)

pytestmark = pytest.mark.django_db

BASE = "/api/v1/registries"
PROBLEM = "application/problem+json"


def _auth(user) -> dict:
    secret, _ = token_issue(user=user, name="test")
    return {"Authorization": f"Bearer {secret}"}


def _json(client, method, url, body=None, **kwargs):
    return getattr(client, method)(url, body or {}, content_type="application/json", **kwargs)


def test_an_owner_creates_and_reads_a_registry(client):
    owner, address = make_registrant()
    headers = _auth(owner)
    body = {
        "title": "Maya's shower",
        "event_date": (timezone.localdate() + timedelta(days=20)).isoformat(),
        "address_id": address.pk,
        "visibility": "public",
    }
    created = _json(client, "post", BASE, body, headers=headers)
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["shipping_address"]["line1"] == REGISTRANT_ADDRESS["line1"]
    assert data["share_url"].endswith(f"/registry/{data['share_token']}/")
    assert data["buyers_visible"] is False
    listed = client.get(BASE, headers=headers).json()
    assert [row["id"] for row in listed["results"]] == [data["id"]]


def test_bad_input_is_422_problem_and_writes_nothing(client):
    owner, _ = make_registrant()
    response = _json(
        client,
        "post",
        BASE,
        {"title": "", "event_date": "soon", "address_id": 0},
        headers=_auth(owner),
    )
    assert response.status_code == 422
    assert response["Content-Type"].startswith(PROBLEM)
    assert response.json()["code"] == "registry_invalid"
    assert set(response.json()["errors"]) >= {"title", "event_date", "address_id"}
    assert not Registry.objects.exists()


def test_anonymous_is_401_and_someone_else_gets_404(client):
    registry = make_registry()
    assert client.get(BASE).status_code == 401
    stranger = _auth(UserFactory())
    assert client.get(f"{BASE}/{registry.pk}", headers=stranger).status_code == 404
    response = _json(client, "patch", f"{BASE}/{registry.pk}", {"title": "Mine"}, headers=stranger)
    assert response.status_code == 404
    assert Registry.objects.get().title == "Maya's baby shower"


def test_items_are_added_changed_and_removed(client):
    registry = make_registry()
    headers = _auth(registry.owner)
    variant = make_variant()
    added = _json(
        client,
        "post",
        f"{BASE}/{registry.pk}/items",
        {"variant_id": variant.pk, "quantity": 3},
        headers=headers,
    )
    assert added.status_code == 201, added.content
    item_id = added.json()["id"]
    assert (added.json()["wanted_quantity"], added.json()["still_needed"]) == (3, 3)
    url = f"{BASE}/{registry.pk}/items/{item_id}"
    RegistryItem.objects.filter(pk=item_id).update(purchased_quantity=2)
    below = _json(client, "patch", url, {"wanted_quantity": 1}, headers=headers)
    assert below.status_code == 409
    assert below.json()["code"] == "registry_wanted_below_purchased"
    assert (
        _json(client, "patch", url, {"wanted_quantity": 5}, headers=headers).json()["still_needed"]
        == 3
    )
    assert client.delete(url, headers=headers).status_code == 409
    RegistryItem.objects.filter(pk=item_id).update(purchased_quantity=0)
    assert client.delete(url, headers=headers).status_code == 204
    assert not RegistryItem.objects.exists()


def test_closing_and_rotating_the_link(client):
    registry = make_registry()
    headers = _auth(registry.owner)
    old = registry.share_token
    rotated = _json(client, "post", f"{BASE}/{registry.pk}/share-token", headers=headers).json()
    assert rotated["share_token"] != old
    assert client.get(f"{BASE}/shared/{old}").status_code == 404
    closed = _json(client, "post", f"{BASE}/{registry.pk}/close", headers=headers).json()
    assert closed["status"] == "closed"
    assert client.get(f"{BASE}/shared/{rotated['share_token']}").status_code == 404


def test_a_friend_reads_the_registry_without_its_address(client):
    registry = make_registry(items=[(make_variant(), 2)])
    response = client.get(f"{BASE}/shared/{registry.share_token}")
    assert response.status_code == 200
    data = response.json()
    assert (data["owner_name"], data["items"][0]["still_needed"]) == ("Maya H.", 2)
    assert REGISTRANT_ADDRESS["line1"] not in response.content.decode()
    assert "shipping_address" not in data


def test_search_lists_public_registries_only(client):
    make_registry(title="Public shower", visibility="public")
    make_registry(title="Private shower")
    results = client.get(f"{BASE}/search", {"q": "shower"}).json()["results"]
    assert [r["title"] for r in results] == ["Public shower"]


def test_purchases_stay_hidden_until_the_rule_allows(client):
    registry = make_registry()
    headers = _auth(registry.owner)
    hidden = client.get(f"{BASE}/{registry.pk}/purchases", headers=headers).json()
    assert hidden == {"buyers_visible": False, "results": []}
    Registry.objects.filter(pk=registry.pk).update(reveal_buyers="always")
    assert client.get(f"{BASE}/{registry.pk}/purchases", headers=headers).json()["buyers_visible"]


def test_a_guest_buys_a_gift_and_the_order_hides_the_address(client):
    registry = make_registry(items=[(make_variant(), 1)])
    item = registry.items.get()
    method = shipping_method()
    added = _json(client, "post", f"{BASE}/shared/{registry.share_token}/items/{item.pk}/cart")
    assert added.status_code == 201, added.content
    token = added.json()["token"]
    body = {
        "email": "lina@example.com",
        "shipping_address": BUYER_ADDRESS,
        "shipping_method": method.pk,
        "ship_to_registry": True,
        "gift_message": "Welcome, little one!",
    }
    placed = _json(client, "post", "/api/v1/orders", body, headers={"X-Cart-Token": token})
    assert placed.status_code == 201, placed.content
    text = placed.content.decode()
    assert REGISTRANT_ADDRESS["line1"] not in text and REGISTRANT_ADDRESS["city"] not in text
    assert placed.json()["shipping_address"]["full_name"] == "Registry address of Maya H."
    number = placed.json()["number"]
    detail = client.get(f"/api/v1/orders/{number}", {"email": "lina@example.com"})
    assert REGISTRANT_ADDRESS["line1"] not in detail.content.decode()
    assert RegistryItem.objects.get().purchased_quantity == 1

    again = _json(client, "post", f"{BASE}/shared/{registry.share_token}/items/{item.pk}/cart")
    assert again.status_code == 409
    assert again.json()["code"] == "registry_item_fulfilled"


def test_listing_runs_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    owner, _ = make_registrant()
    for _ in range(3):
        make_registry(owner=owner, items=[(make_variant(), 1), (make_variant(), 2)])
    headers = _auth(owner)
    with django_assert_max_num_queries(8):
        response = client.get(BASE, headers=headers)
    assert response.json()["count"] == 3
