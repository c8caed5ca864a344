"""Registration, profile, status and role changes, sign-in and email verification."""

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from boutique.audit.services import audit_record, changed, snapshot
from boutique.core.errors import ValidationFailed, validation_errors_from_django

from ..backends import axes_username
from ..domain import (
    InvalidPhone,
    classify_login,
    normalise_email,
    normalise_phone,
    normalise_username,
)
from ..errors import (
    AccountLockedOut,
    AccountNotActive,
    DuplicateAccount,
    InvalidCredentials,
    InvalidVerificationLink,
)
from ..locks import user_qs_for_update
from ..models import ApiToken, Role, Status, User
from ..selectors import user_find_by_login

PROFILE_FIELDS = ("email", "phone", "username", "first_name", "last_name", "cart_reminders")
EMAIL_VERIFY_SALT = "boutique.accounts.email-verify"
EMAIL_VERIFY_MAX_AGE = 60 * 60 * 24 * 3


def _normalised_identifiers(*, email, phone, username) -> dict:
    errors: dict[str, list[str]] = {}
    values = {"email": normalise_email(email), "username": normalise_username(username)}
    try:
        values["phone"] = normalise_phone(phone, region=settings.PHONE_DEFAULT_REGION)
    except InvalidPhone as exc:
        errors["phone"] = [str(exc)]
    if values["username"] and not _is_plain_username(values["username"]):
        errors["username"] = ["A username cannot contain @, start with + or be a phone number."]
    if errors:
        raise ValidationFailed(gettext("Some fields are not valid."), field_errors=errors)
    return values


def _is_plain_username(username: str) -> bool:
    """Sign-in reads an identifier as an email or a phone first, so a username that
    looks like one could never be used to sign in."""
    if "@" in username or username.startswith("+"):
        return False
    return classify_login(username, region=settings.PHONE_DEFAULT_REGION).field == "username"


def _ensure_unique(values: dict, *, exclude_pk=None) -> None:
    """Raise DuplicateAccount naming every identifier already taken."""
    taken: dict[str, list[str]] = {}
    others = User.objects.exclude(pk=exclude_pk) if exclude_pk else User.objects.all()
    if values.get("email") and others.filter(email=values["email"]).exists():
        taken["email"] = ["An account with this email already exists."]
    if values.get("phone") and others.filter(phone=values["phone"]).exists():
        taken["phone"] = ["An account with this phone number already exists."]
    if values.get("username"):
        lowered = values["username"].lower()
        if others.annotate(u=Lower("username")).filter(u=lowered).exists():
            taken["username"] = ["This username is taken."]
    if taken:
        raise DuplicateAccount(
            "An account with this " + ", ".join(sorted(taken)) + " already exists.",
            field_errors=taken,
        )


def user_validate_identifiers(*, email=None, phone=None, username=None, exclude_pk=None) -> dict:
    """Normalise identifiers and check they are free; raises ValidationFailed or
    DuplicateAccount. Forms call it to show errors before calling a service."""
    values = _normalised_identifiers(email=email, phone=phone, username=username)
    _ensure_unique(values, exclude_pk=exclude_pk)
    return values


def user_validate_password(*, password: str, user: User) -> None:
    _check_password(password, user)


def user_set_groups(*, user: User, groups, actor: User | None) -> User:
    """Replace the user's back-office permission groups (audited)."""
    groups = list(groups)
    with transaction.atomic(durable=True):
        locked = user_qs_for_update().get(pk=user.pk)
        before = sorted(locked.groups.values_list("name", flat=True))
        locked.groups.set(groups)
        after = sorted(g.name for g in groups)
        if before != after:
            audit_record(
                entity=locked,
                action="user.groups_changed",
                actor=actor,
                old={"groups": before},
                new={"groups": after},
            )
    return locked


def _full_clean(user: User, *, exclude=()) -> None:
    try:
        user.full_clean(exclude=["password", *exclude], validate_unique=False)
    except ValidationError as exc:
        raise ValidationFailed(
            gettext("Some fields are not valid."), field_errors=validation_errors_from_django(exc)
        ) from exc


def _check_password(password: str, user: User) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationFailed(
            gettext("The password is not strong enough."), field_errors={"password": exc.messages}
        ) from exc


def user_register(
    *,
    password: str,
    email: str | None = None,
    phone: str | None = None,
    username: str | None = None,
    first_name: str = "",
    last_name: str = "",
    role: str = Role.CUSTOMER,
    is_superuser: bool = False,
    actor: User | None = None,
    send_verification: bool = True,
) -> User:
    """Create an account. Identifiers are normalised and checked for duplicates
    (409); the database's unique constraints settle a race between two sign-ups."""
    values = _normalised_identifiers(email=email, phone=phone, username=username)
    if not values["email"] and not values["phone"]:
        raise ValidationFailed(
            gettext("Give an email address or a phone number."),
            field_errors={"email": [gettext("Give an email address or a phone number.")]},
        )
    user = User(
        **values,
        first_name=(first_name or "").strip(),
        last_name=(last_name or "").strip(),
        role=role,
        is_staff=role == Role.ADMIN,
        is_superuser=is_superuser and role == Role.ADMIN,
    )
    _check_password(password, user)
    user.set_password(password)
    # Duplicates first: full_clean would report the case-insensitive username
    # constraint as a generic error instead of a 409 naming the field.
    _ensure_unique(values)
    _full_clean(user)
    try:
        with transaction.atomic(durable=True):
            user.save()
            audit_record(
                entity=user,
                action="user.registered",
                actor=actor or user,
                new=snapshot(user, (*PROFILE_FIELDS, "role", "status", "is_superuser")),
            )
    except IntegrityError as exc:
        raise DuplicateAccount(gettext("An account with these details already exists.")) from exc
    if user.email and send_verification:
        email_verification_send(user=user)
    return user


def user_update_profile(*, user: User, actor: User, **fields) -> User:
    """Change name and identifiers. A changed email or phone is no longer verified.
    Takes the user's row lock."""
    unknown = set(fields) - set(PROFILE_FIELDS)
    if unknown:
        raise ValidationFailed(f"Unknown fields: {', '.join(sorted(unknown))}.")
    ident_keys = {"email", "phone", "username"} & set(fields)
    current = {k: getattr(user, k) for k in ("email", "phone", "username")}
    values = _normalised_identifiers(**{**current, **{k: fields[k] for k in ident_keys}})
    values = {k: v for k, v in values.items() if k in ident_keys}
    _ensure_unique(values, exclude_pk=user.pk)
    try:
        with transaction.atomic(durable=True):
            locked = user_qs_for_update().get(pk=user.pk)
            before = snapshot(locked, (*PROFILE_FIELDS, "is_verified"))
            for key in ("first_name", "last_name"):
                if key in fields:
                    setattr(locked, key, (fields[key] or "").strip())
            if "cart_reminders" in fields:
                locked.cart_reminders = bool(fields["cart_reminders"])
            for key, value in values.items():
                setattr(locked, key, value)
            if not locked.email and not locked.phone:
                raise ValidationFailed(
                    gettext("Keep an email address or a phone number."),
                    field_errors={"email": [gettext("Keep an email address or a phone number.")]},
                )
            if locked.email != before["email"]:
                locked.email_verified_at = None
            if locked.phone != before["phone"]:
                locked.phone_verified_at = None
            locked.is_verified = bool(locked.email_verified_at or locked.phone_verified_at)
            _full_clean(locked)
            locked.save()
            old, new = changed(before, snapshot(locked, (*PROFILE_FIELDS, "is_verified")))
            if new:
                audit_record(entity=locked, action="user.updated", actor=actor, old=old, new=new)
    except IntegrityError as exc:
        raise DuplicateAccount(gettext("An account with these details already exists.")) from exc
    if locked.email and locked.email != before["email"]:
        email_verification_send(user=locked)
    return locked


def user_set_status(*, user: User, status: str, actor: User | None, reason: str = "") -> User:
    """Activate, deactivate or ban. A user who is not active loses every API token
    and every session at once (sessions stop resolving to an inactive user)."""
    if status not in Status.values:
        raise ValidationFailed(
            f"Unknown status {status!r}.", field_errors={"status": [gettext("Unknown.")]}
        )
    with transaction.atomic(durable=True):
        locked = user_qs_for_update().get(pk=user.pk)
        if locked.status == status:
            return locked
        old_status = locked.status
        locked.status = status
        locked.is_active = status == Status.ACTIVE
        locked.save(update_fields=["status", "is_active", "updated_at"])
        if status != Status.ACTIVE:
            ApiToken.objects.filter(user=locked, revoked_at__isnull=True).update(
                revoked_at=timezone.now()
            )
        audit_record(
            entity=locked,
            action="user.status_changed",
            actor=actor,
            old={"status": old_status},
            new={"status": status, "reason": reason},
        )
    return locked


def user_set_role(*, user: User, role: str, actor: User | None) -> User:
    """Change the role; admins are staff of the back office, others are not."""
    if role not in Role.values:
        raise ValidationFailed(
            f"Unknown role {role!r}.", field_errors={"role": [gettext("Unknown.")]}
        )
    with transaction.atomic(durable=True):
        locked = user_qs_for_update().get(pk=user.pk)
        if locked.role == role:
            return locked
        before = snapshot(locked, ("role", "is_staff"))
        locked.role = role
        locked.is_staff = role == Role.ADMIN
        locked.save(update_fields=["role", "is_staff", "updated_at"])
        audit_record(
            entity=locked,
            action="user.role_changed",
            actor=actor,
            old=before,
            new=snapshot(locked, ("role", "is_staff")),
        )
    return locked


def user_set_password(*, user: User, password: str, actor: User | None) -> User:
    """Set a new password (validated). Used by the reset and change-password flows."""
    _check_password(password, user)
    with transaction.atomic(durable=True):
        locked = user_qs_for_update().get(pk=user.pk)
        locked.set_password(password)
        locked.save(update_fields=["password", "updated_at"])
        audit_record(
            entity=locked, action="user.password_changed", actor=actor, new={"password": "set"}
        )
    user.password = locked.password
    return locked


def user_disable_password(*, user: User, actor: User | None) -> User:
    """Remove password sign-in (the user can still sign in with a texted code)."""
    with transaction.atomic(durable=True):
        locked = user_qs_for_update().get(pk=user.pk)
        locked.set_unusable_password()
        locked.save(update_fields=["password", "updated_at"])
        audit_record(entity=locked, action="user.password_disabled", actor=actor)
    user.password = locked.password
    return locked


def user_authenticate(*, request, login: str, password: str) -> User:
    """Check sign-in details for any identifier (email, username or phone).

    Raises InvalidCredentials (401), AccountNotActive (403) when the password is
    right but the account is inactive or banned, AccountLockedOut (429) after too
    many failures for this account or address.
    """
    login = (login or "").strip()
    if not login or not password:
        raise InvalidCredentials("Enter your email, username or phone, and your password.")
    if "\x00" in login or "\x00" in password:
        # No account has one (forms refuse them); PostgreSQL cannot even compare
        # text holding one, in our lookups or django-axes' failure records.
        raise InvalidCredentials("Enter your email, username or phone, and your password.")
    user = authenticate(request, login=login, password=password)
    if user is not None:
        if settings.AXES_RESET_ON_SUCCESS:
            # API sign-ins never call login(), so axes' own reset-on-success hook does
            # not run; without this, earlier typos would still count towards a lockout.
            axes_reset(username=axes_username(request, {"login": login}))
        return user
    if getattr(request, "axes_locked_out", False):
        raise AccountLockedOut(
            gettext("Too many failed sign-ins. Try again later or reset your password."),
            retry_after=int(settings.AXES_COOLOFF_TIME.total_seconds()),
        )
    candidate = user_find_by_login(login)
    inactive = candidate is not None and candidate.status != Status.ACTIVE
    if inactive and candidate.check_password(password):
        raise AccountNotActive(_not_active_message(candidate))
    raise InvalidCredentials("The sign-in details are not right.")


def _not_active_message(user: User) -> str:
    if user.status == Status.BANNED:
        return "This account has been banned. Contact the shop if you think this is a mistake."
    return "This account is not active. Contact the shop to reactivate it."


def ensure_can_sign_in(user: User) -> None:
    if user.status != Status.ACTIVE:
        raise AccountNotActive(_not_active_message(user))


def email_verification_token(user: User) -> str:
    return signing.dumps({"u": user.pk, "e": user.email}, salt=EMAIL_VERIFY_SALT)


def email_verification_send(*, user: User) -> None:
    """Email a signed link that proves the address. Sent after the commit that
    created or changed the email."""
    if not user.email:
        return
    token = email_verification_token(user)
    path = reverse("storefront:verify_email", kwargs={"token": token})
    site = settings.SITE_URL.rstrip("/")
    send_mail(
        subject=f"Confirm your email for {settings.SHOP_NAME}",
        message=(
            f"Hello {user.get_short_name()},\n\nPlease confirm your email address:\n"
            f"{site}{path}\n\nThe link is valid for 3 days."
        ),
        from_email=None,
        recipient_list=[user.email],
    )


def email_verification_confirm(*, token: str) -> User:
    """Mark the email in a signed link as verified, if it is still the user's email."""
    try:
        data = signing.loads(token, salt=EMAIL_VERIFY_SALT, max_age=EMAIL_VERIFY_MAX_AGE)
    except signing.BadSignature as exc:
        raise InvalidVerificationLink("This link is not valid or has expired.") from exc
    with transaction.atomic(durable=True):
        user = user_qs_for_update().filter(pk=data.get("u")).first()
        if user is None or user.email != data.get("e"):
            raise InvalidVerificationLink("This link no longer matches your account.")
        if user.email_verified_at is None:
            user.email_verified_at = timezone.now()
            user.is_verified = True
            user.save(update_fields=["email_verified_at", "is_verified", "updated_at"])
            audit_record(
                entity=user,
                action="user.email_verified",
                actor=user,
                new={"email": user.email, "is_verified": True},
            )
    return user
