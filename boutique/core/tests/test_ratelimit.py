import pytest
from django.test import RequestFactory, override_settings

from boutique.accounts.models import OtpCode, User
from boutique.core.errors import Throttled
from boutique.core.net import client_ip
from boutique.core.ratelimit import rate_limit


def _request(ip="10.0.0.1", forwarded=None):
    extra = {"REMOTE_ADDR": ip}
    if forwarded:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().post("/", **extra)


def test_rate_limit_refuses_past_the_rate_with_retry_after():
    for _ in range(3):
        rate_limit(_request(), scope="t", rate="3/m")
    with pytest.raises(Throttled) as refused:
        rate_limit(_request(), scope="t", rate="3/m")
    assert refused.value.status == 429
    assert 1 <= refused.value.retry_after <= 60


def test_rate_limit_counts_each_client_and_scope_apart():
    rate_limit(_request("10.0.0.1"), scope="a", rate="1/m")
    rate_limit(_request("10.0.0.2"), scope="a", rate="1/m")
    rate_limit(_request("10.0.0.1"), scope="b", rate="1/m")
    with pytest.raises(Throttled):
        rate_limit(_request("10.0.0.1"), scope="a", rate="1/m")


def test_forwarded_header_is_ignored_without_trusted_proxies():
    assert client_ip(_request("10.0.0.9", forwarded="1.2.3.4")) == "10.0.0.9"


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_forwarded_header_names_the_client_behind_one_trusted_proxy():
    request = _request("10.0.0.9", forwarded="6.6.6.6, 1.2.3.4")
    assert client_ip(request) == "1.2.3.4"


@pytest.mark.django_db
@override_settings(RATE_LIMITS={"register": "2/h", "otp_request": "2/h", "email_send": "2/h"})
def test_api_register_is_rate_limited_per_address(client):
    for n in range(2):
        body = {"email": f"p{n}@example.com", "password": "Tulip-Garden-42"}
        assert client.post("/api/v1/auth/register", body, "application/json").status_code == 201
    body = {"email": "p9@example.com", "password": "Tulip-Garden-42"}
    response = client.post("/api/v1/auth/register", body, "application/json")
    assert response.status_code == 429
    assert response["Content-Type"] == "application/problem+json"
    assert int(response["Retry-After"]) > 0
    assert not User.objects.filter(email="p9@example.com").exists()


@pytest.mark.django_db
@override_settings(RATE_LIMITS={"register": "2/h", "otp_request": "2/h", "email_send": "2/h"})
def test_api_code_requests_are_rate_limited_across_phone_numbers(client):
    for phone in ("+96170000001", "+96170000002"):
        response = client.post("/api/v1/auth/otp/request", {"phone": phone}, "application/json")
        assert response.status_code == 202
    response = client.post(
        "/api/v1/auth/otp/request", {"phone": "+96170000003"}, "application/json"
    )
    assert response.status_code == 429
    assert not OtpCode.objects.filter(phone="+96170000003").exists()


@pytest.mark.django_db
@override_settings(RATE_LIMITS={"register": "2/h", "otp_request": "2/h", "email_send": "1/h"})
def test_password_reset_emails_are_rate_limited(client):
    from django.core import mail

    User.objects.create_user(email="ann@example.com", password="Tulip-Garden-42")
    url = "/account/password-reset/"
    assert client.post(url, {"email": "ann@example.com"}).status_code == 302
    refused = client.post(url, {"email": "ann@example.com"})
    assert refused.status_code == 429
    assert len(mail.outbox) == 1
