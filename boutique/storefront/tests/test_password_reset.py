import pytest
from django.core import mail
from django.urls import reverse

from boutique.accounts.tests.factories import UserFactory
from boutique.audit.models import AuditLog

from .conftest import path_from_last_email, signed_in_user_id

RESET = reverse("storefront:password_reset")
NEW_PASSWORD = "Bright-Rattle-88"


def choose(client, path, password=NEW_PASSWORD):
    return client.post(path, {"new_password1": password, "new_password2": password})


@pytest.mark.django_db
def test_password_reset_end_to_end(client):
    user = UserFactory(email="hala@example.com")
    response = client.post(RESET, {"email": "hala@example.com"})
    assert response.url == reverse("storefront:password_reset_done")
    assert mail.outbox[-1].to == ["hala@example.com"]

    response = client.get(path_from_last_email("/account/password-reset/"))
    assert response.status_code == 302  # Django swaps the token for a session marker.
    set_password_path = response.url
    assert client.get(set_password_path).status_code == 200

    response = choose(client, set_password_path)
    user.refresh_from_db()
    assert response.url == reverse("storefront:password_reset_complete")
    assert user.check_password(NEW_PASSWORD)
    assert AuditLog.objects.filter(action="user.password_changed", entity_id=str(user.pk)).exists()

    client.post(reverse("storefront:signin"), {"login": user.email, "password": NEW_PASSWORD})
    assert signed_in_user_id(client) == str(user.pk)


@pytest.mark.django_db
def test_password_reset_link_works_only_once(client):
    UserFactory(email="hala@example.com")
    client.post(RESET, {"email": "hala@example.com"})
    link = path_from_last_email("/account/password-reset/")
    choose(client, client.get(link).url)
    response = client.get(link, follow=True)
    assert "This link does not work any more" in response.content.decode()


@pytest.mark.django_db
def test_password_reset_refuses_a_weak_password(client):
    user = UserFactory(email="hala@example.com")
    client.post(RESET, {"email": "hala@example.com"})
    set_password_path = client.get(path_from_last_email("/account/password-reset/")).url
    response = choose(client, set_password_path, password="12345678")
    user.refresh_from_db()
    assert response.status_code == 200
    assert "This password is entirely numeric." in response.content.decode()
    assert not user.check_password("12345678")


@pytest.mark.django_db
def test_password_reset_for_an_unknown_email_sends_nothing(client):
    response = client.post(RESET, {"email": "nobody@example.com"})
    assert response.url == reverse("storefront:password_reset_done")
    assert mail.outbox == []


@pytest.mark.django_db
def test_password_reset_email_links_to_the_configured_site(client, settings):
    settings.SITE_URL = "https://shop.example.com/"
    UserFactory(email="hala@example.com")
    client.post(RESET, {"email": "hala@example.com"})
    assert "https://shop.example.com/account/password-reset/" in mail.outbox[-1].body


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "subject", "sentence"),
    [
        ("en", "Choose a new password for", "Someone (we hope you) asked to reset the password"),
        ("fr", "Choisissez un nouveau mot de passe pour", "Le lien fonctionne une seule fois"),
        ("ar", "اختر كلمة مرور جديدة", "يعمل الرابط مرة واحدة"),
    ],
)
def test_the_reset_email_is_written_in_the_visitors_language(client, language, subject, sentence):
    UserFactory(email="hala@example.com", first_name="Hala")
    client.cookies["django_language"] = language
    client.post(RESET, {"email": "hala@example.com"})
    email = mail.outbox[-1]
    assert email.subject.startswith(subject) and "\n" not in email.subject
    assert sentence in email.body and "Hala" in email.body
    assert "/account/password-reset/" in email.body
