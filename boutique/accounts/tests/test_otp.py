import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from boutique.accounts.errors import (
    AccountNotActive,
    OtpAttemptsExceeded,
    OtpExpired,
    OtpInvalid,
    OtpThrottled,
)
from boutique.accounts.models import OtpCode, Role, Status, User
from boutique.accounts.services import otp_request, otp_verify
from boutique.audit.models import AuditLog
from boutique.core.errors import ValidationFailed

from .factories import UserFactory

pytestmark = pytest.mark.django_db

PHONE = "+9613123456"


def _code(sms_outbox) -> str:
    return re.search(r"\b(\d{6})\b", sms_outbox[-1]["message"]).group(1)


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def _age(otp: OtpCode, delta: timedelta) -> None:
    """Move a code into the past, as if `delta` had gone by since it was sent."""
    OtpCode.objects.filter(pk=otp.pk).update(
        created_at=otp.created_at - delta, expires_at=otp.expires_at - delta
    )


def test_request_texts_a_six_digit_code_to_the_normalised_phone(sms_outbox):
    otp = otp_request(phone="03 123 456")
    assert len(sms_outbox) == 1
    assert sms_outbox[0]["phone"] == PHONE
    assert re.fullmatch(r"\d{6}", _code(sms_outbox))
    assert "5 minutes" in sms_outbox[0]["message"]
    assert (otp.phone, otp.purpose, otp.attempts, otp.consumed_at) == (PHONE, "login", 0, None)
    assert otp.expires_at - otp.created_at == settings.OTP_TTL


def test_stored_code_is_a_hash_not_the_code(sms_outbox):
    otp = otp_request(phone=PHONE)
    code = _code(sms_outbox)
    row = OtpCode.objects.get(pk=otp.pk)
    assert row.code_hash != code
    assert code not in row.code_hash
    assert len(row.code_hash) == 64


def test_request_for_invalid_phone_is_refused(sms_outbox):
    with pytest.raises(ValidationFailed) as exc:
        otp_request(phone="12")
    assert list(exc.value.field_errors) == ["phone"]
    assert sms_outbox == []
    assert not OtpCode.objects.exists()


def test_request_for_unknown_purpose_is_refused():
    with pytest.raises(ValidationFailed):
        otp_request(phone=PHONE, purpose="reset")


def test_resend_within_the_interval_is_throttled(sms_outbox):
    otp_request(phone=PHONE)
    with pytest.raises(OtpThrottled) as exc:
        otp_request(phone="03 123 456")
    assert exc.value.status == 429
    assert 0 < exc.value.retry_after <= 61
    assert len(sms_outbox) == 1
    assert OtpCode.objects.count() == 1


def test_resend_for_another_purpose_is_not_throttled(sms_outbox):
    otp_request(phone=PHONE, purpose="login")
    otp_request(phone=PHONE, purpose="verify_phone")
    assert len(sms_outbox) == 2


def test_resend_after_the_interval_replaces_the_earlier_code(sms_outbox):
    first = otp_request(phone=PHONE)
    first_code = _code(sms_outbox)
    _age(first, timedelta(seconds=61))
    otp_request(phone=PHONE)
    second_code = _code(sms_outbox)
    first.refresh_from_db()
    assert first.consumed_at is not None
    if first_code != second_code:
        with pytest.raises(OtpInvalid):
            otp_verify(phone=PHONE, code=first_code)
    assert otp_verify(phone=PHONE, code=second_code).phone == PHONE


def test_more_than_the_hourly_limit_is_throttled(sms_outbox):
    for _ in range(settings.OTP_MAX_PER_HOUR):
        otp = otp_request(phone=PHONE)
        _age(otp, timedelta(seconds=61))
    with pytest.raises(OtpThrottled) as exc:
        otp_request(phone=PHONE)
    assert exc.value.retry_after == 3600
    assert len(sms_outbox) == settings.OTP_MAX_PER_HOUR


def test_code_expires_after_five_minutes(sms_outbox):
    otp = otp_request(phone=PHONE)
    _age(otp, settings.OTP_TTL)
    with pytest.raises(OtpExpired):
        otp_verify(phone=PHONE, code=_code(sms_outbox))
    assert not User.objects.filter(phone=PHONE).exists()


def test_code_still_works_just_before_expiry(sms_outbox):
    otp = otp_request(phone=PHONE)
    _age(otp, settings.OTP_TTL - timedelta(seconds=5))
    assert otp_verify(phone=PHONE, code=_code(sms_outbox)).phone == PHONE


def test_wrong_code_is_counted_although_the_service_raised(sms_outbox):
    otp = otp_request(phone=PHONE)
    with pytest.raises(OtpInvalid) as exc:
        otp_verify(phone=PHONE, code=_wrong(_code(sms_outbox)))
    assert "4 tries left" in exc.value.detail
    otp.refresh_from_db()
    assert otp.attempts == 1
    assert otp.consumed_at is None


def test_non_numeric_code_counts_as_a_wrong_try(sms_outbox):
    otp = otp_request(phone=PHONE)
    with pytest.raises(OtpInvalid):
        otp_verify(phone=PHONE, code="abcdef")
    otp.refresh_from_db()
    assert otp.attempts == 1


def test_after_five_wrong_tries_even_the_right_code_is_refused(sms_outbox):
    otp = otp_request(phone=PHONE)
    code = _code(sms_outbox)
    for _ in range(settings.OTP_MAX_ATTEMPTS - 1):
        with pytest.raises(OtpInvalid):
            otp_verify(phone=PHONE, code=_wrong(code))
    with pytest.raises(OtpAttemptsExceeded):
        otp_verify(phone=PHONE, code=_wrong(code))
    with pytest.raises(OtpAttemptsExceeded):
        otp_verify(phone=PHONE, code=code)
    otp.refresh_from_db()
    assert (otp.attempts, otp.consumed_at) == (settings.OTP_MAX_ATTEMPTS, None)
    assert not User.objects.filter(phone=PHONE).exists()


def test_consumed_code_cannot_be_reused(sms_outbox):
    otp_request(phone=PHONE)
    code = _code(sms_outbox)
    otp_verify(phone=PHONE, code=code)
    with pytest.raises(OtpInvalid):
        otp_verify(phone=PHONE, code=code)


def test_code_for_one_purpose_does_not_work_for_another(sms_outbox):
    user = UserFactory(phone=PHONE)
    otp_request(phone=PHONE, purpose="login")
    with pytest.raises(OtpInvalid):
        otp_verify(phone=PHONE, code=_code(sms_outbox), purpose="verify_phone", user=user)


def test_code_without_a_request_is_invalid():
    with pytest.raises(OtpInvalid):
        otp_verify(phone=PHONE, code="123456")


def test_first_otp_sign_in_creates_a_verified_customer(sms_outbox):
    otp_request(phone="03 123 456")
    user = otp_verify(phone="03-123-456", code=_code(sms_outbox))
    user.refresh_from_db()
    assert (user.phone, user.email, user.role, user.status) == (
        PHONE,
        None,
        Role.CUSTOMER,
        "active",
    )
    assert user.is_active is True
    assert user.is_verified is True
    assert user.phone_verified_at is not None
    assert user.has_usable_password() is False
    log = AuditLog.objects.get(entity_id=str(user.pk), action="user.registered")
    assert log.new == {"phone": PHONE, "via": "otp", "is_verified": True}


def test_otp_sign_in_returns_the_existing_account_and_verifies_its_phone(sms_outbox):
    existing = UserFactory(phone=PHONE)
    otp_request(phone=PHONE)
    user = otp_verify(phone=PHONE, code=_code(sms_outbox))
    assert user == existing
    assert User.objects.count() == 1
    existing.refresh_from_db()
    assert existing.is_verified is True
    assert existing.phone_verified_at is not None


def test_verify_phone_marks_the_signed_in_user_verified(sms_outbox):
    user = UserFactory(phone=PHONE)
    otp_request(phone=PHONE, purpose="verify_phone")
    result = otp_verify(
        phone="03 123 456", code=_code(sms_outbox), purpose="verify_phone", user=user
    )
    assert result == user
    user.refresh_from_db()
    assert user.is_verified is True
    assert user.phone_verified_at is not None
    assert AuditLog.objects.filter(entity_id=str(user.pk), action="user.phone_verified").exists()


def test_verify_phone_refuses_another_users_phone(sms_outbox):
    owner = UserFactory(phone=PHONE)
    other = UserFactory(phone="+96170111222")
    otp_request(phone=PHONE, purpose="verify_phone")
    with pytest.raises(ValidationFailed) as exc:
        otp_verify(phone=PHONE, code=_code(sms_outbox), purpose="verify_phone", user=other)
    assert list(exc.value.field_errors) == ["phone"]
    owner.refresh_from_db()
    assert owner.phone_verified_at is None
    assert OtpCode.objects.get().consumed_at is None


def test_verify_phone_without_a_user_is_refused(sms_outbox):
    UserFactory(phone=PHONE)
    otp_request(phone=PHONE, purpose="verify_phone")
    with pytest.raises(ValidationFailed):
        otp_verify(phone=PHONE, code=_code(sms_outbox), purpose="verify_phone")


@pytest.mark.parametrize("status", [Status.BANNED, Status.INACTIVE])
def test_inactive_users_right_code_is_not_active(sms_outbox, status):
    user = UserFactory(phone=PHONE, status=status)
    otp_request(phone=PHONE)
    with pytest.raises(AccountNotActive):
        otp_verify(phone=PHONE, code=_code(sms_outbox))
    assert User.objects.count() == 1
    user.refresh_from_db()
    assert user.phone_verified_at is None and not user.is_verified


def test_code_expires_when_the_clock_passes_five_minutes(sms_outbox, monkeypatch):
    otp_request(phone=PHONE)
    later = timezone.now() + settings.OTP_TTL + timedelta(seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    with pytest.raises(OtpExpired):
        otp_verify(phone=PHONE, code=_code(sms_outbox))
