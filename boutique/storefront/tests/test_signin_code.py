import pytest
from django.urls import reverse

from boutique.accounts.models import Status, User
from boutique.accounts.tests.factories import UserFactory

from .conftest import HTMX, code_from, signed_in_user_id

URL = reverse("storefront:signin_code")
PHONE = "+9613123456"


def ask_for_code(client, phone=PHONE, **extra):
    return client.post(URL, {"step": "request", "phone": phone}, **extra)


def send_code(client, code, phone=PHONE, **extra):
    return client.post(URL, {"step": "verify", "phone": phone, "code": code}, **extra)


@pytest.mark.django_db
def test_signin_with_code_end_to_end_without_javascript(client, sms_outbox):
    response = ask_for_code(client, phone="03 123 456")
    assert response.status_code == 200
    assert 'name="code"' in response.content.decode()
    assert sms_outbox[-1]["phone"] == PHONE

    response = send_code(client, code_from(sms_outbox))
    user = User.objects.get(phone=PHONE)
    assert response.status_code == 302
    assert response.url == reverse("storefront:profile")
    assert signed_in_user_id(client) == str(user.pk)
    assert user.is_verified


@pytest.mark.django_db
def test_signin_with_code_over_htmx_swaps_the_step_and_redirects_the_page(client, sms_outbox):
    response = ask_for_code(client, headers=HTMX)
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="otp-step"' in body
    assert "<html" not in body
    assert 'name="code"' in body

    response = send_code(client, code_from(sms_outbox), headers=HTMX)
    assert response.status_code == 200
    assert response["HX-Redirect"] == reverse("storefront:profile")
    assert signed_in_user_id(client) is not None


@pytest.mark.django_db
def test_signin_with_code_signs_in_the_existing_account(client, sms_outbox):
    existing = UserFactory(phone=PHONE)
    ask_for_code(client)
    send_code(client, code_from(sms_outbox))
    assert signed_in_user_id(client) == str(existing.pk)
    assert User.objects.count() == 1


@pytest.mark.django_db
def test_signin_with_code_honours_a_safe_next(client, sms_outbox):
    ask_for_code(client)
    response = client.post(
        URL,
        {
            "step": "verify",
            "phone": PHONE,
            "code": code_from(sms_outbox),
            "next": "/account/children/",
        },
    )
    assert response.url == "/account/children/"


@pytest.mark.django_db
def test_asking_for_a_second_code_too_soon_shows_the_throttle_message(client, sms_outbox):
    ask_for_code(client)
    response = ask_for_code(client)
    assert response.status_code == 429
    assert "A code was just sent." in response.content.decode()
    assert len(sms_outbox) == 1


@pytest.mark.django_db
def test_resending_too_soon_stays_on_the_code_step(client, sms_outbox):
    ask_for_code(client)
    response = client.post(URL, {"step": "resend", "phone": PHONE})
    body = response.content.decode()
    assert response.status_code == 429
    assert "A code was just sent." in body
    assert 'name="code"' in body


@pytest.mark.django_db
def test_wrong_code_says_how_many_tries_are_left(client, sms_outbox):
    ask_for_code(client)
    wrong = "000000" if code_from(sms_outbox) != "000000" else "111111"
    response = send_code(client, wrong)
    assert response.status_code == 400
    assert "tries left" in response.content.decode()
    assert signed_in_user_id(client) is None


@pytest.mark.django_db
def test_code_that_is_not_six_digits_is_refused_by_the_form(client, sms_outbox):
    ask_for_code(client)
    response = send_code(client, "12ab")
    assert response.status_code == 422
    assert "Enter the 6 digits from the text message." in response.content.decode()


@pytest.mark.django_db
def test_invalid_phone_shows_the_phone_error(client, sms_outbox):
    response = ask_for_code(client, phone="12")
    assert response.status_code == 422
    assert "Enter a valid phone number" in response.content.decode()
    assert sms_outbox == []


@pytest.mark.django_db
def test_banned_account_cannot_sign_in_with_a_code(client, sms_outbox):
    UserFactory(phone=PHONE, status=Status.BANNED)
    ask_for_code(client)
    response = send_code(client, code_from(sms_outbox))
    assert response.status_code == 403
    assert "This account has been banned." in response.content.decode()
    assert signed_in_user_id(client) is None
