"""Password sign-in by email, username or phone, with django-axes lockout."""

import pytest
from django.conf import settings

from boutique.accounts.errors import AccountLockedOut, AccountNotActive, InvalidCredentials
from boutique.accounts.models import Status
from boutique.accounts.services import user_authenticate

from .factories import UserFactory

pytestmark = pytest.mark.django_db


def _signin(rf, login, password):
    return user_authenticate(request=rf.post("/api/v1/auth/token"), login=login, password=password)


@pytest.mark.parametrize("login", ["ann@example.com", "ANN@Example.com", "anns", "ANNS"])
def test_authenticate_by_email_or_username_ignores_case(rf, password, login):
    user = UserFactory(email="ann@example.com", username="AnnS")
    assert _signin(rf, login, password) == user


@pytest.mark.parametrize("login", ["+9613123456", "03 123 456", "03-123-456"])
def test_authenticate_by_phone_in_any_format(rf, password, login):
    user = UserFactory(email=None, phone="+9613123456")
    assert _signin(rf, login, password) == user


def test_authenticate_with_wrong_password_is_invalid_credentials(rf):
    UserFactory(email="ann@example.com")
    with pytest.raises(InvalidCredentials) as exc:
        _signin(rf, "ann@example.com", "Wrong-Password-1")
    assert exc.value.status == 401


def test_authenticate_unknown_account_is_invalid_credentials(rf, password):
    with pytest.raises(InvalidCredentials):
        _signin(rf, "nobody@example.com", password)


def test_authenticate_with_blank_details_is_invalid_credentials(rf):
    with pytest.raises(InvalidCredentials):
        _signin(rf, "  ", "")


@pytest.mark.parametrize("status", [Status.BANNED, Status.INACTIVE])
def test_inactive_account_with_right_password_is_not_active(rf, password, status):
    UserFactory(email="ann@example.com", status=status)
    with pytest.raises(AccountNotActive) as exc:
        _signin(rf, "ann@example.com", password)
    assert exc.value.status == 403


def test_inactive_account_with_wrong_password_is_invalid_credentials(rf):
    UserFactory(email="ann@example.com", status=Status.BANNED)
    with pytest.raises(InvalidCredentials):
        _signin(rf, "ann@example.com", "Wrong-Password-1")


def test_lockout_after_failure_limit_refuses_even_the_right_password(rf, password):
    UserFactory(email="ann@example.com")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        with pytest.raises(InvalidCredentials):
            _signin(rf, "ann@example.com", "Wrong-Password-1")
    with pytest.raises(AccountLockedOut):
        _signin(rf, "ANN@example.com", "Wrong-Password-1")
    with pytest.raises(AccountLockedOut) as exc:
        _signin(rf, "ann@example.com", password)
    assert exc.value.status == 429
    assert exc.value.retry_after == int(settings.AXES_COOLOFF_TIME.total_seconds())


def test_failures_below_the_limit_still_allow_sign_in(rf, password):
    user = UserFactory(email="ann@example.com")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        with pytest.raises(InvalidCredentials):
            _signin(rf, "ann@example.com", "Wrong-Password-1")
    assert _signin(rf, "ann@example.com", password) == user


def test_successful_sign_in_clears_earlier_failures(rf, password):
    user = UserFactory(email="ann@example.com", phone="+9613123456")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        with pytest.raises(InvalidCredentials):
            _signin(rf, "03 123 456", "Wrong-Password-1")
    assert _signin(rf, "+961 3 123 456", password) == user
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        with pytest.raises(InvalidCredentials):
            _signin(rf, "03123456", "Wrong-Password-1")
    assert _signin(rf, "+9613123456", password) == user


@pytest.mark.parametrize("login", ["u" * 254, "a" * 240 + "@example.com", "+" + "1" * 253])
def test_failed_sign_in_with_the_longest_login_is_recorded_and_still_locks_out(rf, login):
    """django-axes keeps the attempt's account in a varchar(255): the longest login
    a form or the API lets through, with its `email:`/`username:` prefix, must fit
    (it was a DataError on PostgreSQL) and still count towards the lockout."""
    from axes.models import AccessAttempt

    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        with pytest.raises(InvalidCredentials):
            _signin(rf, login, "Wrong-Password-1")
    with pytest.raises(AccountLockedOut):
        _signin(rf, login, "Wrong-Password-1")
    attempt = AccessAttempt.objects.get()
    assert len(attempt.username) <= 255


def test_long_logins_that_share_a_prefix_are_counted_apart(rf):
    from axes.models import AccessAttempt

    for login in ("u" * 250 + "a", "u" * 250 + "b"):
        with pytest.raises(InvalidCredentials):
            _signin(rf, login, "Wrong-Password-1")
    assert AccessAttempt.objects.values("username").distinct().count() == 2
