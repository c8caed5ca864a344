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
