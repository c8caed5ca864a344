import pytest
from django.urls import reverse

from boutique.accounts.models import Status
from boutique.accounts.tests.factories import UserFactory

from .conftest import signed_in_user_id

URL = reverse("storefront:signin")
PROFILE = reverse("storefront:profile")


def sign_in(client, login, password, **extra):
    return client.post(URL, {"login": login, "password": password, **extra})


@pytest.mark.django_db
def test_signin_by_email(client, password):
    user = UserFactory(email="nour@example.com")
    response = sign_in(client, "Nour@Example.com", password)
    assert response.status_code == 302
    assert response.url == PROFILE
    assert signed_in_user_id(client) == str(user.pk)


@pytest.mark.django_db
def test_signin_by_username(client, password):
    user = UserFactory(username="NourK")
    response = sign_in(client, "nourk", password)
    assert response.status_code == 302
    assert signed_in_user_id(client) == str(user.pk)


@pytest.mark.django_db
def test_signin_by_phone(client, password):
    user = UserFactory(email=None, phone="+9613123456")
    response = sign_in(client, "03 123 456", password)
    assert response.status_code == 302
    assert signed_in_user_id(client) == str(user.pk)


@pytest.mark.django_db
def test_signin_with_wrong_password_shows_message(client):
    UserFactory(email="nour@example.com")
    response = sign_in(client, "nour@example.com", "Not-The-Password-1")
    assert response.status_code == 400
    assert "The sign-in details are not right." in response.content.decode()
    assert signed_in_user_id(client) is None


@pytest.mark.django_db
def test_signin_with_empty_fields_shows_required_errors(client):
    response = sign_in(client, "", "")
    assert response.status_code == 422
    assert "This field is required." in response.content.decode()


@pytest.mark.django_db
def test_banned_user_sees_banned_message_and_is_not_signed_in(client, password):
    UserFactory(email="banned@example.com", status=Status.BANNED)
    response = sign_in(client, "banned@example.com", password)
    assert response.status_code == 403
    assert "This account has been banned." in response.content.decode()
    assert signed_in_user_id(client) is None


@pytest.mark.django_db
def test_inactive_user_sees_not_active_message(client, password):
    UserFactory(email="asleep@example.com", status=Status.INACTIVE)
    response = sign_in(client, "asleep@example.com", password)
    assert response.status_code == 403
    assert "This account is not active." in response.content.decode()


@pytest.mark.django_db
def test_lockout_after_five_failures_gives_429_even_with_right_password(client, password):
    UserFactory(email="nour@example.com")
    for _ in range(5):
        sign_in(client, "nour@example.com", "Not-The-Password-1")
    response = sign_in(client, "nour@example.com", password)
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.content.decode()
    assert signed_in_user_id(client) is None


@pytest.mark.django_db
def test_signin_honours_a_safe_next(client, password):
    UserFactory(email="nour@example.com")
    response = sign_in(client, "nour@example.com", password, next="/account/children/")
    assert response.url == "/account/children/"


@pytest.mark.django_db
def test_signin_ignores_a_next_to_another_site(client, password):
    UserFactory(email="nour@example.com")
    response = sign_in(client, "nour@example.com", password, next="https://evil.example/")
    assert response.url == PROFILE


@pytest.mark.django_db
def test_signin_page_keeps_a_safe_next_in_the_form(client):
    response = client.get(URL, {"next": "/account/addresses/"})
    assert 'name="next" value="/account/addresses/"' in response.content.decode()


@pytest.mark.django_db
def test_signout_requires_post(signed_in, user):
    response = signed_in.get(reverse("storefront:signout"))
    assert response.status_code == 405
    assert signed_in_user_id(signed_in) == str(user.pk)


@pytest.mark.django_db
def test_signout_signs_the_customer_out(signed_in):
    response = signed_in.post(reverse("storefront:signout"))
    assert response.status_code == 302
    assert response.url == reverse("storefront:home")
    assert signed_in_user_id(signed_in) is None


@pytest.mark.django_db
def test_signin_with_the_longest_login_is_refused_not_a_500(client):
    # 254 characters is the form's limit; django-axes records the failed attempt
    # (its varchar(255) overflowed on PostgreSQL).
    response = sign_in(client, "u" * 254, "Not-The-Password-1")
    assert response.status_code == 400
    assert "The sign-in details are not right." in response.content.decode()
    assert signed_in_user_id(client) is None
