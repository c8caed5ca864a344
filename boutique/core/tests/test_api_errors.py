"""Errors the API transport answers before any endpoint runs are problem+json too."""

import pytest

from boutique.core.problems import PROBLEM_CONTENT_TYPE

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("method", ["TRACE", "PUT", "DELETE"])
def test_undeclared_method_on_an_api_path_is_405_problem_json_with_allow(client, method):
    response = client.generic(method, "/api/v1/categories")

    assert response.status_code == 405
    assert response["Content-Type"] == PROBLEM_CONTENT_TYPE
    assert response["Allow"] == "GET"
    body = response.json()
    assert body["status"] == 405
    assert body["code"] == "method_not_allowed"
    assert body["instance"] == "/api/v1/categories"


def test_allow_lists_every_method_the_path_declares(client):
    response = client.generic("TRACE", "/api/v1/me")

    assert response.status_code == 405
    assert set(response["Allow"].split(", ")) == {"GET", "PATCH", "DELETE"}


def test_a_405_outside_the_api_is_left_as_it_is(client):
    response = client.get("/cart/add/")

    assert response.status_code == 405
    assert response.get("Content-Type", "") != PROBLEM_CONTENT_TYPE


@pytest.mark.django_db
@pytest.mark.parametrize("login", ["\x00", "ann\x00@example.com"])
def test_a_nul_character_in_a_login_is_refused_as_wrong_credentials(client, login):
    # PostgreSQL cannot compare text holding NUL: this was a 500 through django-axes.
    response = client.post(
        "/api/v1/auth/token",
        {"login": login, "password": "Tulip-Garden-42"},
        content_type="application/json",
    )
    assert response.status_code == 401
    assert response["Content-Type"].startswith(PROBLEM_CONTENT_TYPE)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("message", "status"),
    [("PostgreSQL text fields cannot contain NUL (0x00) bytes", 422), ("value too long", 500)],
)
def test_a_nul_refused_by_the_database_is_a_422_any_other_data_error_a_500(
    client, monkeypatch, message, status
):
    from django.db import DataError

    from boutique.catalog import selectors

    def refuse(*args, **kwargs):
        raise DataError(message)

    monkeypatch.setattr(selectors, "product_list_for_storefront", refuse)
    response = client.get("/api/v1/products")
    assert response.status_code == status
    assert response["Content-Type"].startswith(PROBLEM_CONTENT_TYPE)
