"""Pure rules of the accounts domain: identifiers, one-time codes and a child's
age. No Django."""

import calendar
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import date

import phonenumbers


class InvalidPhone(ValueError):
    pass


def normalise_email(email: str | None) -> str | None:
    """Emails are compared case-insensitively, so they are stored lower-case."""
    if email is None:
        return None
    email = email.strip().lower()
    return email or None


def normalise_username(username: str | None) -> str | None:
    if username is None:
        return None
    username = username.strip()
    return username or None


def normalise_phone(phone: str | None, *, region: str = "LB") -> str | None:
    """Return the number in E.164 (+9613123456) or raise InvalidPhone."""
    if phone is None or not phone.strip():
        return None
    try:
        parsed = phonenumbers.parse(phone.strip(), region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhone("Enter a valid phone number, e.g. +961 3 123 456.") from exc
    if not phonenumbers.is_valid_number(parsed):
        raise InvalidPhone("Enter a valid phone number, e.g. +961 3 123 456.")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


@dataclass(frozen=True)
class LoginIdentifier:
    field: str  # "email" | "phone" | "username"
    value: str


def classify_login(login: str, *, region: str = "LB") -> LoginIdentifier:
    """Tell whether a sign-in identifier is an email, a phone number or a username.

    An `@` means email; something made of digits, spaces, dashes, dots, brackets and an
    optional leading `+` means phone; anything else is a username.
    """
    login = (login or "").strip()
    if "@" in login:
        return LoginIdentifier("email", normalise_email(login) or "")
    digits = login.replace(" ", "").replace("-", "").replace(".", "").strip("()")
    digits = digits.replace("(", "").replace(")", "")
    if digits and (digits.lstrip("+").isdigit()) and len(digits.lstrip("+")) >= 6:
        try:
            return LoginIdentifier("phone", normalise_phone(login, region=region) or "")
        except InvalidPhone:
            pass
    return LoginIdentifier("username", login)


OTP_DIGITS = 6


def otp_generate() -> str:
    return f"{secrets.randbelow(10**OTP_DIGITS):0{OTP_DIGITS}d}"


def otp_hash(*, code: str, phone: str, purpose: str, key: str) -> str:
    """Keyed hash of a code, bound to its phone and purpose (HMAC-SHA256)."""
    message = f"{phone}|{purpose}|{code}".encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()


def otp_matches(*, code: str, phone: str, purpose: str, key: str, code_hash: str) -> bool:
    expected = otp_hash(code=code, phone=phone, purpose=purpose, key=key)
    return hmac.compare_digest(expected, code_hash)


def token_generate() -> tuple[str, str, str]:
    """A new API token: (secret shown once, prefix for display, sha256 to store)."""
    secret = "btq_" + secrets.token_urlsafe(32)
    return secret, secret[:12], token_hash(secret)


def token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def age_in_months(birth_date: date, today: date) -> int:
    """Whole months lived on `today` (0 before the first month is complete).

    A month is complete on the same day of the month, or on the month's last day
    when it is shorter (born on the 31st: a month old on 30 April; born on
    29 February: a year old on 28 February of a common year)."""
    months = (today.year - birth_date.year) * 12 + today.month - birth_date.month
    last_day = calendar.monthrange(today.year, today.month)[1]
    if today.day < birth_date.day and today.day != last_day:
        months -= 1
    return max(months, 0)
