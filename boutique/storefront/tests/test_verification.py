import pytest
from django.core import mail
from django.urls import reverse

from boutique.accounts import services
from boutique.accounts.tests.factories import UserFactory
from boutique.storefront.helpers import LOGIN_BACKEND

from .conftest import HTMX, code_from, path_from_last_email

VERIFY_PHONE = reverse("storefront:verify_phone")


@pytest.mark.django_db
def test_verify_email_link_marks_the_user_verified(client):
    user = UserFactory(email="lea@example.com")
    services.email_verification_send(user=user)
    response = client.post(path_from_last_email("/account/verify-email/"))
    user.refresh_from_db()
    assert response.status_code == 200
    assert "lea@example.com" in response.content.decode()
    assert user.is_verified
    assert user.email_verified_at is not None


@pytest.mark.django_db
def test_opening_the_verify_email_link_only_asks_for_confirmation(client):
    user = UserFactory(email="lea@example.com")
    services.email_verification_send(user=user)
    response = client.get(path_from_last_email("/account/verify-email/"))
    user.refresh_from_db()
    assert response.status_code == 200
    assert "Confirm my email address" in response.content.decode()
    assert not user.is_verified


@pytest.mark.django_db
def test_verify_email_with_a_bad_link_shows_the_failure_page(client):
    response = client.post(reverse("storefront:verify_email", kwargs={"token": "not-a-token"}))
    assert response.status_code == 400
    assert "This link is not valid or has expired." in response.content.decode()


@pytest.mark.django_db
def test_verify_email_link_for_a_changed_email_fails(client):
    user = UserFactory(email="lea@example.com")
    services.email_verification_send(user=user)
    path = path_from_last_email("/account/verify-email/")
    services.user_update_profile(user=user, actor=user, email="lea.new@example.com")
    response = client.post(path)
    user.refresh_from_db()
    assert response.status_code == 400
    assert user.email_verified_at is None


@pytest.mark.django_db
def test_resend_verification_email_sends_a_new_link(signed_in, user):
    response = signed_in.post(reverse("storefront:verify_email_resend"))
    assert response.status_code == 302
    assert mail.outbox[-1].to == [user.email]


@pytest.fixture
def phone_customer(client, db):
    customer = UserFactory(phone="+9613123456")
    client.force_login(customer, backend=LOGIN_BACKEND)
    return customer


@pytest.mark.django_db
def test_verify_phone_end_to_end(client, phone_customer, sms_outbox):
    response = client.post(VERIFY_PHONE, {"step": "request"})
    assert response.status_code == 200
    assert sms_outbox[-1]["phone"] == "+9613123456"

    response = client.post(VERIFY_PHONE, {"step": "verify", "code": code_from(sms_outbox)})
    phone_customer.refresh_from_db()
    assert response.status_code == 302
    assert response.url == reverse("storefront:profile")
    assert phone_customer.phone_verified_at is not None
    assert phone_customer.is_verified


@pytest.mark.django_db
def test_verify_phone_over_htmx_returns_the_code_step_partial(client, phone_customer):
    response = client.post(VERIFY_PHONE, {"step": "request"}, headers=HTMX)
    body = response.content.decode()
    assert 'id="otp-step"' in body
    assert 'name="code"' in body
    assert "<html" not in body


@pytest.mark.django_db
def test_verify_phone_with_a_wrong_code_keeps_it_unverified(client, phone_customer, sms_outbox):
    client.post(VERIFY_PHONE, {"step": "request"})
    wrong = "000000" if code_from(sms_outbox) != "000000" else "111111"
    response = client.post(VERIFY_PHONE, {"step": "verify", "code": wrong})
    phone_customer.refresh_from_db()
    assert response.status_code == 400
    assert phone_customer.phone_verified_at is None


@pytest.mark.django_db
def test_verify_phone_without_a_phone_sends_the_customer_to_profile(signed_in):
    response = signed_in.get(VERIFY_PHONE)
    assert response.status_code == 302
    assert response.url == reverse("storefront:profile")
