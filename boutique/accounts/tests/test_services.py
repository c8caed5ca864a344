"""Registration, profile, status, role and email verification services."""

from datetime import timedelta

import pytest
from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone

from boutique.accounts.errors import DuplicateAccount, InvalidVerificationLink
from boutique.accounts.models import ApiToken, Role, Status, User
from boutique.accounts.services import (
    email_verification_confirm,
    token_issue,
    user_register,
    user_set_role,
    user_set_status,
    user_update_profile,
)
from boutique.accounts.services.users import email_verification_token
from boutique.audit.models import AuditLog
from boutique.core.errors import ValidationFailed
from config.settings import base as base_settings

from .factories import StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

STRONG = "Cedar-Forest-88"


def _log(user, action):
    return AuditLog.objects.get(entity_type="accounts.user", entity_id=str(user.pk), action=action)


# --- register ---------------------------------------------------------------


def test_register_by_email_normalises_and_audits():
    user = user_register(email="  Ann@Example.COM ", password=STRONG, first_name=" Ann ")
    user.refresh_from_db()
    assert (user.email, user.phone, user.first_name) == ("ann@example.com", None, "Ann")
    assert (user.role, user.status, user.is_active, user.is_staff) == (
        "customer",
        "active",
        True,
        False,
    )
    assert user.is_verified is False
    assert user.check_password(STRONG)
    log = _log(user, "user.registered")
    assert log.actor == user
    assert log.new["email"] == "ann@example.com"
    assert log.new["role"] == "customer"


def test_register_by_phone_only_stores_e164_and_sends_no_email(mailoutbox):
    user = user_register(phone="03 123 456", password=STRONG)
    user.refresh_from_db()
    assert (user.email, user.phone) == (None, "+9613123456")
    assert mailoutbox == []


def test_register_without_email_or_phone_is_refused():
    with pytest.raises(ValidationFailed) as exc:
        user_register(username="ann", password=STRONG)
    assert "email" in exc.value.field_errors
    assert not User.objects.exists()


def test_register_refuses_invalid_phone():
    with pytest.raises(ValidationFailed) as exc:
        user_register(phone="12", password=STRONG)
    assert list(exc.value.field_errors) == ["phone"]


def test_register_refuses_invalid_email():
    with pytest.raises(ValidationFailed) as exc:
        user_register(email="not-an-email", password=STRONG)
    assert "email" in exc.value.field_errors
    assert not User.objects.exists()


@pytest.mark.parametrize("username", ["ann@home", "+ann", "03123456", "+961 3 123 456"])
def test_register_refuses_username_that_reads_as_email_or_phone(username):
    with pytest.raises(ValidationFailed) as exc:
        user_register(email="ann@example.com", username=username, password=STRONG)
    assert list(exc.value.field_errors) == ["username"]
    assert not User.objects.exists()


def test_register_duplicate_email_in_other_case_names_email():
    UserFactory(email="ann@example.com")
    with pytest.raises(DuplicateAccount) as exc:
        user_register(email="ANN@Example.com", password=STRONG)
    assert list(exc.value.field_errors) == ["email"]
    assert exc.value.status == 409
    assert User.objects.count() == 1


def test_register_duplicate_phone_written_differently_names_phone():
    UserFactory(email=None, phone="+9613123456")
    with pytest.raises(DuplicateAccount) as exc:
        user_register(phone="03-123-456", password=STRONG)
    assert list(exc.value.field_errors) == ["phone"]
    assert User.objects.count() == 1


def test_register_duplicate_username_in_other_case_names_username():
    UserFactory(username="AnnS")
    with pytest.raises(DuplicateAccount) as exc:
        user_register(email="other@example.com", username="anns", password=STRONG)
    assert list(exc.value.field_errors) == ["username"]
    assert User.objects.count() == 1


def test_register_duplicate_names_every_taken_field():
    UserFactory(email="ann@example.com", phone="+9613123456")
    with pytest.raises(DuplicateAccount) as exc:
        user_register(email="ann@example.com", phone="03123456", password=STRONG)
    assert set(exc.value.field_errors) == {"email", "phone"}


@pytest.mark.parametrize(
    "password",
    ["Ab1-x", "password123", "12345678901", "annsmith-example"],
    ids=["short", "common", "numeric", "like-email"],
)
def test_register_refuses_weak_passwords(password):
    with pytest.raises(ValidationFailed) as exc:
        user_register(email="annsmith@example.com", password=password)
    assert exc.value.field_errors["password"]
    assert not User.objects.exists()


def test_production_settings_hash_passwords_with_argon2():
    assert base_settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_register_stores_an_argon2_hash_with_production_hashers(settings):
    settings.PASSWORD_HASHERS = base_settings.PASSWORD_HASHERS
    user = user_register(email="ann@example.com", password=STRONG)
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$")
    assert STRONG not in user.password
    assert user.check_password(STRONG)


def test_register_sends_a_verification_link_that_confirms_the_email(mailoutbox):
    user = user_register(email="ann@example.com", password=STRONG)
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["ann@example.com"]
    token = email_verification_token(user)
    assert f"/account/verify-email/{token}/" in mailoutbox[0].body


def test_register_as_admin_makes_staff():
    user = user_register(email="boss@example.com", password=STRONG, role=Role.ADMIN)
    assert (user.role, user.is_staff, user.is_superuser) == ("admin", True, False)


# --- profile ----------------------------------------------------------------


def test_update_profile_changes_names_and_audits_old_and_new():
    user = UserFactory(first_name="Ann", last_name="Old")
    user_update_profile(user=user, actor=user, first_name=" Anna ", last_name="Old")
    user.refresh_from_db()
    assert user.first_name == "Anna"
    log = _log(user, "user.updated")
    assert (log.old, log.new) == ({"first_name": "Ann"}, {"first_name": "Anna"})
    assert log.actor == user


def test_changing_email_resets_verification_and_sends_a_new_link(mailoutbox):
    now = timezone.now()
    user = UserFactory(email="old@example.com", is_verified=True, email_verified_at=now)
    user_update_profile(user=user, actor=user, email="New@Example.com")
    user.refresh_from_db()
    assert (user.email, user.email_verified_at, user.is_verified) == (
        "new@example.com",
        None,
        False,
    )
    assert [m.to for m in mailoutbox] == [["new@example.com"]]
    log = _log(user, "user.updated")
    assert log.old == {"email": "old@example.com", "is_verified": True}
    assert log.new == {"email": "new@example.com", "is_verified": False}


def test_changing_email_keeps_verification_from_the_phone():
    now = timezone.now()
    user = UserFactory(
        phone="+9613123456", is_verified=True, email_verified_at=now, phone_verified_at=now
    )
    user_update_profile(user=user, actor=user, email="new@example.com")
    user.refresh_from_db()
    assert user.email_verified_at is None
    assert user.is_verified is True


def test_update_profile_with_unchanged_values_writes_no_audit(mailoutbox):
    user = UserFactory(email="ann@example.com", first_name="Ann")
    user_update_profile(user=user, actor=user, email="ANN@example.com", first_name="Ann")
    assert not AuditLog.objects.filter(action="user.updated").exists()
    assert mailoutbox == []


def test_update_profile_to_someone_elses_email_is_a_conflict():
    UserFactory(email="taken@example.com")
    user = UserFactory(email="ann@example.com")
    with pytest.raises(DuplicateAccount) as exc:
        user_update_profile(user=user, actor=user, email="Taken@example.com")
    assert exc.value.status == 409
    assert list(exc.value.field_errors) == ["email"]
    user.refresh_from_db()
    assert user.email == "ann@example.com"
    assert not AuditLog.objects.filter(action="user.updated").exists()


def test_update_profile_refuses_removing_the_last_identifier():
    user = UserFactory(email="ann@example.com", phone=None)
    with pytest.raises(ValidationFailed):
        user_update_profile(user=user, actor=user, email="")
    user.refresh_from_db()
    assert user.email == "ann@example.com"


def test_update_profile_refuses_unknown_fields():
    user = UserFactory()
    with pytest.raises(ValidationFailed):
        user_update_profile(user=user, actor=user, role="admin")
    user.refresh_from_db()
    assert user.role == "customer"


# --- status and role --------------------------------------------------------


def test_ban_revokes_tokens_and_audits_actor_and_old_new():
    staff = StaffFactory()
    user = UserFactory()
    token_issue(user=user)
    token_issue(user=user)
    _, other_token = token_issue(user=UserFactory())

    user_set_status(user=user, status=Status.BANNED, actor=staff, reason="fraud")

    user.refresh_from_db()
    assert (user.status, user.is_active) == ("banned", False)
    assert ApiToken.objects.filter(user=user, revoked_at__isnull=True).count() == 0
    assert ApiToken.objects.filter(user=user).count() == 2
    other_token.refresh_from_db()
    assert other_token.revoked_at is None
    log = _log(user, "user.status_changed")
    assert log.actor == staff
    assert log.old == {"status": "active"}
    assert log.new == {"status": "banned", "reason": "fraud"}


@pytest.mark.parametrize(
    ("status", "is_active"),
    [(Status.INACTIVE, False), (Status.BANNED, False), (Status.ACTIVE, True)],
)
def test_is_active_mirrors_status(status, is_active):
    user = UserFactory(status=Status.INACTIVE if status == Status.ACTIVE else Status.ACTIVE)
    user_set_status(user=user, status=status, actor=None)
    user.refresh_from_db()
    assert (user.status, user.is_active) == (status, is_active)


def test_setting_the_same_status_writes_no_audit():
    user = UserFactory()
    user_set_status(user=user, status=Status.ACTIVE, actor=None)
    assert not AuditLog.objects.filter(action="user.status_changed").exists()


def test_unknown_status_is_refused():
    user = UserFactory()
    with pytest.raises(ValidationFailed):
        user_set_status(user=user, status="deleted", actor=None)


@pytest.mark.parametrize(("status", "is_active"), [("active", False), ("banned", True)])
def test_database_rejects_is_active_that_contradicts_status(status, is_active):
    user = UserFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=user.pk).update(status=status, is_active=is_active)


def test_database_rejects_user_without_email_or_phone():
    user = UserFactory(username="ann")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=user.pk).update(email=None, phone=None)


def test_role_admin_grants_staff_and_is_audited():
    staff = StaffFactory()
    user = UserFactory()
    user_set_role(user=user, role=Role.ADMIN, actor=staff)
    user.refresh_from_db()
    assert (user.role, user.is_staff) == ("admin", True)
    log = _log(user, "user.role_changed")
    assert log.actor == staff
    assert log.old == {"role": "customer", "is_staff": False}
    assert log.new == {"role": "admin", "is_staff": True}


def test_role_away_from_admin_removes_staff():
    user = StaffFactory()
    user_set_role(user=user, role=Role.SELLER, actor=None)
    user.refresh_from_db()
    assert (user.role, user.is_staff) == ("seller", False)


def test_unknown_role_is_refused():
    user = UserFactory()
    with pytest.raises(ValidationFailed):
        user_set_role(user=user, role="owner", actor=None)
    user.refresh_from_db()
    assert user.role == "customer"


# --- email verification -----------------------------------------------------


def test_email_verification_link_marks_the_email_verified():
    user = UserFactory(email="ann@example.com")
    confirmed = email_verification_confirm(token=email_verification_token(user))
    user.refresh_from_db()
    assert confirmed == user
    assert user.is_verified is True
    assert user.email_verified_at is not None
    assert _log(user, "user.email_verified").new == {
        "email": "ann@example.com",
        "is_verified": True,
    }


def test_email_verification_link_used_twice_writes_one_audit():
    user = UserFactory()
    token = email_verification_token(user)
    email_verification_confirm(token=token)
    email_verification_confirm(token=token)
    assert AuditLog.objects.filter(action="user.email_verified").count() == 1


def test_tampered_verification_link_is_invalid():
    user = UserFactory()
    token = email_verification_token(user)
    with pytest.raises(InvalidVerificationLink):
        email_verification_confirm(token=token[:-2] + ("AA" if token[-2:] != "AA" else "BB"))
    user.refresh_from_db()
    assert user.is_verified is False


def test_verification_link_signed_for_another_user_is_invalid():
    user = UserFactory(email="ann@example.com")
    forged = signing.dumps({"u": user.pk, "e": "ann@example.com"}, salt="another-salt")
    with pytest.raises(InvalidVerificationLink):
        email_verification_confirm(token=forged)


def test_verification_link_for_an_old_email_is_invalid():
    user = UserFactory(email="old@example.com")
    token = email_verification_token(user)
    user_update_profile(user=user, actor=user, email="new@example.com")
    with pytest.raises(InvalidVerificationLink):
        email_verification_confirm(token=token)
    user.refresh_from_db()
    assert (user.is_verified, user.email_verified_at) == (False, None)


def test_expired_verification_link_is_invalid(monkeypatch):
    user = UserFactory()
    token = email_verification_token(user)
    later = timezone.now() + timedelta(days=4)
    monkeypatch.setattr(signing.time, "time", lambda: later.timestamp())
    with pytest.raises(InvalidVerificationLink):
        email_verification_confirm(token=token)
