import pytest
from django.core import mail
from django.urls import reverse

from boutique.accounts.models import User
from boutique.accounts.tests.factories import UserFactory

from .conftest import signed_in_user_id

URL = reverse("storefront:register")


def form(**overrides):
    data = {
        "email": "Maya@Example.com",
        "phone": "",
        "username": "maya",
        "first_name": "Maya",
        "last_name": "Haddad",
        "password": "Soft-Blanket-77",
        "password_confirm": "Soft-Blanket-77",
    }
    return {**data, **overrides}


@pytest.mark.django_db
def test_register_creates_user_signs_in_and_sends_verification_email(client):
    response = client.post(URL, form(), follow=True)
    user = User.objects.get(email="maya@example.com")
    assert response.redirect_chain[-1][0] == reverse("storefront:profile")
    assert signed_in_user_id(client) == str(user.pk)
    assert user.username == "maya"
    assert not user.is_verified
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["maya@example.com"]
    assert "/account/verify-email/" in mail.outbox[0].body
    assert "check your email" in response.content.decode()


@pytest.mark.django_db
def test_register_with_phone_only_creates_the_account(client):
    response = client.post(URL, form(email="", username="", phone="03 123 456"))
    assert response.status_code == 302
    assert User.objects.get(phone="+9613123456")
    assert mail.outbox == []


@pytest.mark.django_db
def test_register_with_duplicate_email_shows_error_and_creates_nothing(client):
    UserFactory(email="maya@example.com")
    response = client.post(URL, form())
    assert response.status_code == 409
    assert "An account with this email already exists." in response.content.decode()
    assert User.objects.count() == 1
    assert signed_in_user_id(client) is None
    assert mail.outbox == []


@pytest.mark.django_db
def test_register_without_email_or_phone_shows_error(client):
    response = client.post(URL, form(email="", phone=""))
    assert response.status_code == 422
    assert "Give an email address or a phone number." in response.content.decode()
    assert not User.objects.exists()


@pytest.mark.django_db
def test_register_with_mismatched_passwords_shows_error(client):
    response = client.post(URL, form(password_confirm="Other-Blanket-77"))
    assert response.status_code == 422
    assert "The two passwords do not match." in response.content.decode()
    assert not User.objects.exists()


@pytest.mark.django_db
def test_register_with_weak_password_shows_the_validators_message(client):
    response = client.post(URL, form(password="12345678", password_confirm="12345678"))
    assert response.status_code == 422
    assert "This password is entirely numeric." in response.content.decode()
    assert not User.objects.exists()


@pytest.mark.django_db
def test_register_redirects_a_signed_in_customer_to_profile(signed_in):
    response = signed_in.get(URL)
    assert response.status_code == 302
    assert response.url == reverse("storefront:profile")
