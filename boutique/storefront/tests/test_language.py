"""The language switcher: Django's set_language cookie, the page's lang/dir,
and a signed-in customer's remembered preference."""

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils.translation import get_language_info

from boutique.accounts.tests.factories import UserFactory
from boutique.audit.models import AuditLog
from boutique.storefront.helpers import LOGIN_BACKEND

from .conftest import HTMX

pytestmark = pytest.mark.django_db
CHOOSE = reverse("storefront:language_choose")


def test_the_header_offers_every_language_and_english_is_the_default(client):
    page = client.get("/").content.decode()
    assert '<html lang="en" dir="ltr">' in page
    assert f'action="{CHOOSE}"' in page
    for code, _name in settings.LANGUAGES:
        # Each language is offered under its own name ("Français", "العربيّة").
        assert f'value="{code}" lang="{code}"' in page
        assert get_language_info(code)["name_local"] in page


def test_choosing_french_sets_the_cookie_and_the_page_speaks_french(client):
    response = client.post(CHOOSE, {"language": "fr", "next": "/shop/"})
    assert response.status_code == 302 and response["Location"] == "/shop/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "fr"
    page = client.get("/").content.decode()
    assert '<html lang="fr" dir="ltr">' in page
    assert "Rechercher" in page


def test_only_arabic_is_right_to_left(client):
    client.post(CHOOSE, {"language": "ar", "next": "/"})
    page = client.get("/").content.decode()
    assert '<html lang="ar" dir="rtl">' in page
    for code in ("en", "fr"):
        client.post(CHOOSE, {"language": code, "next": "/"})
        assert 'dir="rtl"' not in client.get("/").content.decode()


def test_an_unknown_language_is_refused_and_nothing_changes(client):
    response = client.post(CHOOSE, {"language": "de", "next": "/"})
    assert response.status_code == 400
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    assert '<html lang="en"' in client.get("/").content.decode()


def test_an_outside_next_is_not_followed(client):
    response = client.post(CHOOSE, {"language": "fr", "next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == "/"


def test_with_htmx_the_page_refreshes_and_the_cookie_is_set(client):
    response = client.post(CHOOSE, {"language": "ar", "next": "/"}, headers=HTMX)
    assert response.status_code == 200 and response["HX-Refresh"] == "true"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ar"


def test_a_signed_in_customer_keeps_the_language_on_their_account(client):
    user = UserFactory()
    client.force_login(user, backend=LOGIN_BACKEND)
    client.post(CHOOSE, {"language": "fr", "next": "/"})
    user.refresh_from_db()
    assert user.preferred_language == "fr"
    log = AuditLog.objects.get(action="user.language_set")
    assert log.new == {"preferred_language": "fr"}


def test_a_guest_choice_touches_no_account(client):
    user = UserFactory()
    client.post(CHOOSE, {"language": "fr", "next": "/"})
    user.refresh_from_db()
    assert user.preferred_language == ""


def test_accept_language_is_honoured_without_a_cookie(client):
    page = client.get("/", headers={"Accept-Language": "ar"}).content.decode()
    assert 'dir="rtl"' in page
