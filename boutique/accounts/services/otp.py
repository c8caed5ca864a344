"""One-time codes by SMS: request and verify.

A code is 6 digits, stored as a keyed hash, valid for OTP_TTL, allows
OTP_MAX_ATTEMPTS wrong tries, and a new one can be asked for only after
OTP_RESEND_INTERVAL (and at most OTP_MAX_PER_HOUR an hour per phone).
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from boutique.audit.services import audit_record
from boutique.core.errors import ValidationFailed

from ..domain import InvalidPhone, normalise_phone, otp_generate, otp_hash, otp_matches
from ..errors import OtpAttemptsExceeded, OtpExpired, OtpInvalid, OtpThrottled
from ..locks import otp_qs_for_update, phone_lock, user_qs_for_update
from ..models import OtpCode, OtpPurpose, User
from ..sms import get_sms_sender
from .users import ensure_can_sign_in


def _phone(phone: str) -> str:
    try:
        normalised = normalise_phone(phone, region=settings.PHONE_DEFAULT_REGION)
    except InvalidPhone as exc:
        raise ValidationFailed(str(exc), field_errors={"phone": [str(exc)]}) from exc
    if not normalised:
        raise ValidationFailed(
            gettext("Enter your phone number."), field_errors={"phone": [gettext("Required.")]}
        )
    return normalised


def _purpose(purpose: str) -> str:
    if purpose not in OtpPurpose.values:
        raise ValidationFailed(
            f"Unknown purpose {purpose!r}.", field_errors={"purpose": [gettext("Unknown purpose.")]}
        )
    return purpose


def otp_request(*, phone: str, purpose: str = OtpPurpose.LOGIN) -> OtpCode:
    """Create a code and text it. Refuses (429) while the previous code for this
    phone and purpose is younger than the resend interval. Earlier unused codes
    stop working once a new one is issued."""
    phone, purpose = _phone(phone), _purpose(purpose)
    now = timezone.now()
    code = otp_generate()
    with transaction.atomic(durable=True):
        phone_lock(phone)
        recent = otp_qs_for_update().filter(
            phone=phone, purpose=purpose, created_at__gte=now - timedelta(hours=1)
        )
        recent = list(recent)
        latest = max(recent, key=lambda o: o.created_at, default=None)
        if latest and now - latest.created_at < settings.OTP_RESEND_INTERVAL:
            wait = settings.OTP_RESEND_INTERVAL - (now - latest.created_at)
            seconds = int(wait.total_seconds()) + 1
            raise OtpThrottled(
                f"A code was just sent. You can ask for a new one in {seconds} seconds.",
                retry_after=seconds,
            )
        if len(recent) >= settings.OTP_MAX_PER_HOUR:
            raise OtpThrottled(
                gettext("Too many codes were sent to this number. Try again in an hour."),
                retry_after=3600,
            )
        OtpCode.objects.filter(phone=phone, purpose=purpose, consumed_at__isnull=True).update(
            consumed_at=now
        )
        otp = OtpCode.objects.create(
            phone=phone,
            purpose=purpose,
            code_hash=otp_hash(code=code, phone=phone, purpose=purpose, key=settings.SECRET_KEY),
            created_at=now,
            expires_at=now + settings.OTP_TTL,
        )
    minutes = int(settings.OTP_TTL.total_seconds() // 60)
    get_sms_sender().send(
        phone=phone,
        message=f"{settings.SHOP_NAME}: your code is {code}. It expires in {minutes} minutes.",
    )
    return otp


def _check_code(*, phone: str, purpose: str, code: str) -> OtpCode:
    """Compare `code` with the live code for this phone; count a wrong try in its
    own committed transaction so a rollback cannot undo it."""
    now = timezone.now()
    code = (code or "").strip()
    with transaction.atomic(durable=True):
        otp = (
            otp_qs_for_update()
            .filter(phone=phone, purpose=purpose, consumed_at__isnull=True)
            .order_by("-created_at", "-pk")
            .first()
        )
        if otp is None:
            raise OtpInvalid(gettext("No code is waiting for this number. Ask for a new one."))
        if otp.expires_at <= now:
            raise OtpExpired(gettext("This code has expired. Ask for a new one."))
        if otp.attempts >= settings.OTP_MAX_ATTEMPTS:
            raise OtpAttemptsExceeded(gettext("Too many wrong codes. Ask for a new one."))
        matches = code.isdigit() and otp_matches(
            code=code,
            phone=phone,
            purpose=purpose,
            key=settings.SECRET_KEY,
            code_hash=otp.code_hash,
        )
        if not matches:
            otp.attempts += 1
            otp.save(update_fields=["attempts"])
        else:
            otp.consumed_at = now
            otp.save(update_fields=["consumed_at"])
    if not matches:
        left = settings.OTP_MAX_ATTEMPTS - otp.attempts
        if left <= 0:
            raise OtpAttemptsExceeded(gettext("Too many wrong codes. Ask for a new one."))
        raise OtpInvalid(f"The code is not right. {left} tries left.")
    return otp


def otp_verify(
    *, phone: str, code: str, purpose: str = OtpPurpose.LOGIN, user: User | None = None
) -> User:
    """Check a code. For `login` it returns the account with that phone, creating
    a verified customer account on first sign-in; for `verify_phone` it marks the
    signed-in `user`'s phone as verified. Either way the phone is verified."""
    phone, purpose = _phone(phone), _purpose(purpose)
    if purpose == OtpPurpose.VERIFY_PHONE and (user is None or user.phone != phone):
        raise ValidationFailed(
            gettext("Sign in and verify the phone number on your account."),
            field_errors={"phone": [gettext("This is not the phone number on your account.")]},
        )
    _check_code(phone=phone, purpose=purpose, code=code)
    now = timezone.now()
    with transaction.atomic(durable=True):
        account = user_qs_for_update().filter(phone=phone).first()
        if account is not None:
            # A banned or inactive account gets nothing from a right code.
            ensure_can_sign_in(account)
        if account is None:
            account = User(phone=phone, is_verified=True, phone_verified_at=now)
            account.set_unusable_password()
            account.save()
            audit_record(
                entity=account,
                action="user.registered",
                actor=account,
                new={"phone": phone, "via": "otp", "is_verified": True},
            )
        elif account.phone_verified_at is None:
            account.phone_verified_at = now
            account.is_verified = True
            account.save(update_fields=["phone_verified_at", "is_verified", "updated_at"])
            audit_record(
                entity=account,
                action="user.phone_verified",
                actor=account,
                new={"phone": phone, "is_verified": True},
            )
    return account


def otp_check(*, phone: str, code: str, purpose: str) -> str:
    """Check a code for another app's purpose (e.g. confirming an order): returns
    the normalised phone, or raises like otp_verify. Signs nobody in."""
    phone, purpose = _phone(phone), _purpose(purpose)
    _check_code(phone=phone, purpose=purpose, code=code)
    return phone


def phone_normalise(phone: str) -> str:
    """A phone number in E.164, or ValidationFailed."""
    return _phone(phone)
