import pytest
from django.test import Client, override_settings
from django.urls import path

from boutique.core import views


def _boom(request):
    raise RuntimeError("kaboom")


urlpatterns = [
    path("api/boom", _boom),
    path("boom", _boom),
]
handler404 = "boutique.core.views.page_not_found"
handler500 = "boutique.core.views.server_error"


@pytest.mark.django_db
def test_unknown_api_path_answers_problem_json(client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "not_found"


@pytest.mark.django_db
def test_non_numeric_api_id_answers_problem_json(client):
    response = client.get("/api/v1/me/addresses/abc")
    assert response.status_code == 404
    assert response.json()["status"] == 404


@pytest.mark.django_db
def test_unknown_page_renders_the_shop_404_page(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "find that page" in response.content.decode()


@override_settings(ROOT_URLCONF=__name__)
def test_api_crash_answers_problem_json_500():
    response = Client(raise_request_exception=False).get("/api/boom")
    assert response.status_code == 500
    assert response.json() == {
        "type": "/problems/server_error",
        "title": "Something went wrong on our side",
        "status": 500,
        "code": "server_error",
        "instance": "/api/boom",
    }


@override_settings(ROOT_URLCONF=__name__)
def test_page_crash_renders_the_shop_500_page():
    response = Client(raise_request_exception=False).get("/boom")
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()


def test_views_module_exposes_every_handler():
    assert all(
        callable(getattr(views, name))
        for name in ("bad_request", "permission_denied", "page_not_found", "server_error")
    )
