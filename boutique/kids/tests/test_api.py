import datetime

import pytest
from django.utils import timezone

from boutique.accounts.services import token_issue
from boutique.accounts.tests.factories import ChildFactory, UserFactory
from boutique.catalog.tests.factories import make_product

pytestmark = pytest.mark.django_db


def months_ago(months: int) -> datetime.date:
    today = timezone.localdate()
    year, month = divmod(today.year * 12 + today.month - 1 - months, 12)
    return today.replace(year=year, month=month + 1, day=1)


@pytest.fixture
def user():
    return UserFactory()


@pytest.fixture
def bearer(user):
    secret, _ = token_issue(user=user)
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_children_api_gives_age_in_words_and_suggested_sizes(client, user, bearer):
    child = ChildFactory(user=user, name="Maya", birth_date=months_ago(18))
    row = client.get("/api/v1/me/children", **bearer).json()[0]
    assert row["age_months"] == 18
    assert row["age_text"] == "18 months"
    assert row["suggested_clothing_size"] == "18-24M"
    assert row["suggested_shoe_size"] == "EU 22-23"
    assert row["birthday_reminders"] is False
    detail = client.get(f"/api/v1/me/children/{child.pk}", **bearer).json()
    assert detail["suggested_clothing_size"] == "18-24M"


def test_children_api_sets_the_birthday_reminder(client, user, bearer):
    created = client.post(
        "/api/v1/me/children",
        {"name": "Maya", "birth_date": "2024-05-01", "birthday_reminders": True},
        content_type="application/json",
        **bearer,
    )
    assert created.status_code == 201
    assert created.json()["birthday_reminders"] is True
    child_id = created.json()["id"]
    patched = client.patch(
        f"/api/v1/me/children/{child_id}",
        {"birthday_reminders": False},
        content_type="application/json",
        **bearer,
    )
    assert patched.json()["birthday_reminders"] is False


def test_product_list_filters_by_one_of_the_callers_children(client, user, bearer):
    child = ChildFactory(user=user, birth_date=months_ago(18))
    make_product("Toddler dungarees", age_min_months=12, age_max_months=24)
    make_product("Big kid bike", age_min_months=36, age_max_months=72)
    response = client.get("/api/v1/products", {"child": child.pk}, **bearer)
    assert response.status_code == 200
    assert [p["name"] for p in response.json()["results"]] == ["Toddler dungarees"]


def test_product_list_with_someone_elses_child_is_404(client, bearer):
    other = ChildFactory(birth_date=months_ago(18))
    response = client.get("/api/v1/products", {"child": other.pk}, **bearer)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/problem+json")
    assert client.get("/api/v1/products", {"child": other.pk}).status_code == 404


def test_product_list_with_a_malformed_child_is_400(client, bearer):
    response = client.get("/api/v1/products", {"child": "x"}, **bearer)
    assert response.status_code == 400
    assert response.json()["code"] == "unknown_filter_value"
