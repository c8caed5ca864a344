"""The JSON API contract for sign-up, sign-in, one-time codes and the profile."""

import re

import pytest
from django.conf import settings
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client

from boutique.accounts.models import ApiToken, OtpCode, Status, User
from boutique.accounts.services import token_issue, user_set_status
from boutique.audit.models import AuditLog

from .factories import UserFactory

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


def _post(client, url, body=None, **extra):
    return client.post(url, body or {}, content_type="application/json", **extra)


def _patch(client, url, body, **extra):
    return client.patch(url, body, content_type="application/json", **extra)


def _assert_problem(response, status, code):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert {"type", "title", "status", "detail"} <= set(body)
    assert (body["status"], body["code"], body["type"]) == (status, code, f"/problems/{code}")
    return body


def _sign_in(client, login, password):
    return _post(client, "/api/v1/auth/token", {"login": login, "password": password})


# --- register ---------------------------------------------------------------


def test_register_creates_the_account_and_answers_201(client, mailoutbox):
    response = _post(
        client,
        "/api/v1/auth/register",
        {"email": "New@Example.com", "phone": "03 123 456", "password": "Cedar-Forest-88"},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    user = User.objects.get()
    assert body["id"] == user.pk
    assert (body["email"], body["phone"], body["role"], body["status"]) == (
        "new@example.com",
        "+9613123456",
        "customer",
        "active",
    )
    assert body["is_verified"] is False
    assert "password" not in body
    assert user.check_password("Cedar-Forest-88")
    assert [m.to for m in mailoutbox] == [["new@example.com"]]


def test_register_duplicate_is_409_naming_the_field(client, user):
    response = _post(
        client,
        "/api/v1/auth/register",
        {"email": "ANN@example.com", "password": "Cedar-Forest-88"},
    )
    body = _assert_problem(response, 409, "duplicate_account")
    assert list(body["errors"]) == ["email"]
    assert User.objects.count() == 1


def test_register_invalid_body_is_422_with_field_errors(client):
    response = _post(client, "/api/v1/auth/register", {"email": "ann@example.com", "role": "admin"})
    body = _assert_problem(response, 422, "validation_error")
    assert set(body["errors"]) == {"password", "role"}
    assert all(isinstance(m, str) for msgs in body["errors"].values() for m in msgs)
    assert not User.objects.exists()


def test_register_weak_password_is_422_on_password(client):
    response = _post(
        client, "/api/v1/auth/register", {"email": "ann@example.com", "password": "password"}
    )
    body = _assert_problem(response, 422, "validation_error")
    assert list(body["errors"]) == ["password"]
    assert not User.objects.exists()


def test_register_malformed_json_is_a_problem(client):
    response = client.post("/api/v1/auth/register", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM
    assert {"type", "title", "status"} <= set(response.json())
    assert not User.objects.exists()


# --- token ------------------------------------------------------------------


@pytest.mark.parametrize("login", ["ANN@example.com", "anns", "03 123 456", "+9613123456"])
def test_token_by_email_username_or_phone(client, user, password, login):
    response = _sign_in(client, login, password)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["token"].startswith("btq_")
    assert body["token_type"] == "Bearer"
    assert body["expires_at"]
    assert body["user"]["id"] == user.pk
    me = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {body['token']}")
    assert me.status_code == 200
    assert me.json()["email"] == "ann@example.com"


def test_token_secret_is_stored_only_as_a_hash(client, user, password):
    secret = _sign_in(client, "ann@example.com", password).json()["token"]
    row = ApiToken.objects.get(user=user)
    stored = [str(v) for v in ApiToken.objects.filter(pk=row.pk).values().get().values()]
    assert all(secret not in value for value in stored)
    assert row.prefix == secret[:12]
    assert row.key_hash != secret


def test_token_with_wrong_password_is_401(client, user):
    response = _sign_in(client, "ann@example.com", "Wrong-Password-1")
    _assert_problem(response, 401, "invalid_credentials")
    assert not ApiToken.objects.exists()


def test_token_for_banned_user_with_right_password_is_403(client, password):
    UserFactory(email="ann@example.com", status=Status.BANNED)
    response = _sign_in(client, "ann@example.com", password)
    _assert_problem(response, 403, "account_not_active")
    assert not ApiToken.objects.exists()


def test_token_is_locked_out_after_five_failures(client, user, password):
    statuses = [
        _sign_in(client, "ann@example.com", "Wrong-Password-1").status_code
        for _ in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert statuses == [401] * (settings.AXES_FAILURE_LIMIT - 1) + [429]
    response = _sign_in(client, "Ann@Example.com", password)
    _assert_problem(response, 429, "account_locked_out")
    assert response["Retry-After"] == str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    assert not ApiToken.objects.exists()


def test_token_sign_in_resets_earlier_failures(client, user, password):
    limit = settings.AXES_FAILURE_LIMIT
    for _ in range(limit - 1):
        assert _sign_in(client, "ann@example.com", "Wrong-Password-1").status_code == 401
    assert _sign_in(client, "ann@example.com", password).status_code == 200
    assert _sign_in(client, "ann@example.com", "Wrong-Password-1").status_code == 401
    assert _sign_in(client, "ann@example.com", password).status_code == 200


def test_token_missing_fields_is_422(client):
    body = _assert_problem(_post(client, "/api/v1/auth/token", {}), 422, "validation_error")
    assert set(body["errors"]) == {"login", "password"}


# --- one-time codes ---------------------------------------------------------


def _sms_code(sms_outbox) -> str:
    return re.search(r"\b(\d{6})\b", sms_outbox[-1]["message"]).group(1)


def test_otp_request_is_202_and_texts_a_code(client, sms_outbox):
    response = _post(client, "/api/v1/auth/otp/request", {"phone": "03 123 456"})
    assert response.status_code == 202, response.content
    body = response.json()
    assert (body["phone"], body["purpose"], body["resend_after_seconds"]) == (
        "+9613123456",
        "login",
        60,
    )
    assert body["expires_at"]
    assert [m["phone"] for m in sms_outbox] == ["+9613123456"]
    assert _sms_code(sms_outbox) not in response.content.decode()


def test_otp_request_again_at_once_is_429(client, sms_outbox):
    _post(client, "/api/v1/auth/otp/request", {"phone": "03 123 456"})
    response = _post(client, "/api/v1/auth/otp/request", {"phone": "+961 3 123 456"})
    _assert_problem(response, 429, "otp_throttled")
    assert 0 < int(response["Retry-After"]) <= 61
    assert len(sms_outbox) == 1


def test_otp_request_invalid_phone_is_422(client, sms_outbox):
    body = _assert_problem(
        _post(client, "/api/v1/auth/otp/request", {"phone": "12"}), 422, "validation_error"
    )
    assert list(body["errors"]) == ["phone"]
    assert sms_outbox == []


def test_otp_verify_signs_in_a_new_phone_with_a_token(client, sms_outbox):
    _post(client, "/api/v1/auth/otp/request", {"phone": "03 123 456"})
    response = _post(
        client, "/api/v1/auth/otp/verify", {"phone": "03 123 456", "code": _sms_code(sms_outbox)}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["token"].startswith("btq_")
    assert (body["user"]["phone"], body["user"]["is_verified"]) == ("+9613123456", True)
    me = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {body['token']}")
    assert me.json()["id"] == User.objects.get(phone="+9613123456").pk


def test_otp_verify_wrong_code_is_400_and_counted(client, sms_outbox):
    _post(client, "/api/v1/auth/otp/request", {"phone": "03 123 456"})
    wrong = f"{(int(_sms_code(sms_outbox)) + 1) % 10**6:06d}"
    response = _post(client, "/api/v1/auth/otp/verify", {"phone": "03 123 456", "code": wrong})
    _assert_problem(response, 400, "otp_invalid")
    assert OtpCode.objects.get().attempts == 1
    assert not User.objects.exists()


def test_otp_verify_phone_with_bearer_marks_the_user_verified(client, user, bearer, sms_outbox):
    _post(client, "/api/v1/auth/otp/request", {"phone": user.phone, "purpose": "verify_phone"})
    response = _post(
        client,
        "/api/v1/auth/otp/verify",
        {"phone": user.phone, "code": _sms_code(sms_outbox), "purpose": "verify_phone"},
        **bearer,
    )
    assert response.status_code == 200, response.content
    user.refresh_from_db()
    assert (user.is_verified, user.phone_verified_at is not None) == (True, True)


def test_otp_verify_phone_signed_out_is_422(client, user, sms_outbox):
    _post(client, "/api/v1/auth/otp/request", {"phone": user.phone, "purpose": "verify_phone"})
    response = _post(
        client,
        "/api/v1/auth/otp/verify",
        {"phone": user.phone, "code": _sms_code(sms_outbox), "purpose": "verify_phone"},
    )
    _assert_problem(response, 422, "validation_error")
    user.refresh_from_db()
    assert user.phone_verified_at is None


def test_otp_verify_for_banned_user_is_403(client, sms_outbox):
    UserFactory(phone="+9613123456", status=Status.BANNED)
    _post(client, "/api/v1/auth/otp/request", {"phone": "03 123 456"})
    response = _post(
        client, "/api/v1/auth/otp/verify", {"phone": "03 123 456", "code": _sms_code(sms_outbox)}
    )
    _assert_problem(response, 403, "account_not_active")
    assert not ApiToken.objects.exists()


# --- logout, authentication -------------------------------------------------


def test_logout_revokes_the_token(client, user, bearer):
    assert client.get("/api/v1/me", **bearer).status_code == 200
    response = _post(client, "/api/v1/auth/logout", **bearer)
    assert response.status_code == 204
    assert ApiToken.objects.get(user=user).revoked_at is not None
    _assert_problem(client.get("/api/v1/me", **bearer), 401, "not_authenticated")


def test_logout_ends_the_session(client, user):
    client.force_login(user)
    assert _post(client, "/api/v1/auth/logout").status_code == 204
    _assert_problem(client.get("/api/v1/me"), 401, "not_authenticated")


def test_no_auth_is_401_problem(client):
    response = client.get("/api/v1/me")
    _assert_problem(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_unknown_token_is_401(client, user):
    response = client.get("/api/v1/me", HTTP_AUTHORIZATION="Bearer btq_not-a-real-token")
    _assert_problem(response, 401, "not_authenticated")


def test_token_of_a_banned_user_is_403(client, user, bearer):
    # A ban written outside user_set_status (which also revokes tokens) must still bite.
    User.objects.filter(pk=user.pk).update(status=Status.BANNED, is_active=False)
    _assert_problem(client.get("/api/v1/me", **bearer), 403, "permission_denied")


def test_ban_through_the_service_kills_the_token(client, user, bearer):
    user_set_status(user=user, status=Status.BANNED, actor=None)
    assert client.get("/api/v1/me", **bearer).status_code == 401


def test_ban_ends_the_session(client, user):
    client.force_login(user)
    user_set_status(user=user, status=Status.BANNED, actor=None)
    _assert_problem(client.get("/api/v1/me"), 401, "not_authenticated")


# --- me ---------------------------------------------------------------------


def test_me_with_bearer(client, user, bearer):
    body = client.get("/api/v1/me", **bearer).json()
    assert (body["id"], body["email"], body["username"], body["phone"]) == (
        user.pk,
        "ann@example.com",
        "AnnS",
        "+9613123456",
    )


def test_me_with_session(client, user):
    client.force_login(user)
    response = client.get("/api/v1/me")
    assert response.status_code == 200
    assert response.json()["id"] == user.pk


def test_me_patch_with_bearer_updates_and_audits(client, user, bearer):
    response = _patch(
        client, "/api/v1/me", {"first_name": "Anna", "email": "Anna@Example.com"}, **bearer
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["first_name"], body["email"], body["is_verified"]) == (
        "Anna",
        "anna@example.com",
        False,
    )
    user.refresh_from_db()
    assert (user.first_name, user.email) == ("Anna", "anna@example.com")
    log = AuditLog.objects.get(action="user.updated")
    assert (log.actor, log.new["email"]) == (user, "anna@example.com")


def test_me_patch_duplicate_email_is_409(client, user, bearer):
    UserFactory(email="taken@example.com")
    response = _patch(client, "/api/v1/me", {"email": "taken@example.com"}, **bearer)
    body = _assert_problem(response, 409, "duplicate_account")
    assert list(body["errors"]) == ["email"]
    user.refresh_from_db()
    assert user.email == "ann@example.com"


def test_me_patch_cannot_change_role_or_status(client, user, bearer):
    response = _patch(client, "/api/v1/me", {"role": "admin", "status": "active"}, **bearer)
    body = _assert_problem(response, 422, "validation_error")
    assert set(body["errors"]) == {"role", "status"}
    user.refresh_from_db()
    assert (user.role, user.is_staff) == ("customer", False)


def test_me_patch_invalid_email_is_422(client, user, bearer):
    response = _patch(client, "/api/v1/me", {"email": "not-an-email"}, **bearer)
    body = _assert_problem(response, 422, "validation_error")
    assert list(body["errors"]) == ["email"]


@pytest.fixture
def csrf_client(user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def test_session_patch_without_csrf_token_is_refused(csrf_client, user):
    response = _patch(csrf_client, "/api/v1/me", {"first_name": "Mallory"})
    assert response.status_code == 403
    assert response["Content-Type"] == PROBLEM
    user.refresh_from_db()
    assert user.first_name != "Mallory"


def test_session_patch_with_csrf_token_is_accepted(csrf_client, user):
    secret = _get_new_csrf_string()
    csrf_client.cookies[settings.CSRF_COOKIE_NAME] = secret
    response = _patch(csrf_client, "/api/v1/me", {"first_name": "Anna"}, HTTP_X_CSRFTOKEN=secret)
    assert response.status_code == 200, response.content
    user.refresh_from_db()
    assert user.first_name == "Anna"


def test_bearer_patch_needs_no_csrf_token(user, bearer):
    client = Client(enforce_csrf_checks=True)
    response = _patch(client, "/api/v1/me", {"first_name": "Anna"}, **bearer)
    assert response.status_code == 200, response.content


def test_last_used_at_is_recorded(client, user, bearer):
    client.get("/api/v1/me", **bearer)
    assert ApiToken.objects.get(user=user).last_used_at is not None


def test_expired_token_is_401(client, user):
    secret, token = token_issue(user=user)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=token.created_at)
    response = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 401


# --- docs -------------------------------------------------------------------


def test_docs_serve_the_openapi_ui(client):
    response = client.get("/api/docs")
    assert response.status_code == 200
    assert "openapi.json" in response.content.decode()


def test_openapi_lists_every_path(client):
    schema = client.get("/api/openapi.json").json()
    paths = schema["paths"]
    expected = {
        "/api/v1/auth/register": {"post"},
        "/api/v1/auth/token": {"post"},
        "/api/v1/auth/otp/request": {"post"},
        "/api/v1/auth/otp/verify": {"post"},
        "/api/v1/auth/logout": {"post"},
        "/api/v1/me": {"get", "patch"},
        "/api/v1/me/addresses": {"get", "post"},
        "/api/v1/me/addresses/{address_id}": {"get", "patch", "delete"},
        "/api/v1/me/children": {"get", "post"},
        "/api/v1/me/children/{child_id}": {"get", "patch", "delete"},
    }
    for path, methods in expected.items():
        assert path in paths, path
        assert methods <= set(paths[path]), path
    problem = paths["/api/v1/auth/register"]["post"]["responses"]["409"]
    assert "ProblemOut" in str(problem)
