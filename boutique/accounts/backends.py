"""Authentication backends and django-axes hooks."""

import hashlib

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.shortcuts import render

from boutique.core.problems import problem_response

from .domain import classify_login
from .selectors import user_find_by_login

AXES_USERNAME_MAX_LENGTH = 255  # AccessAttempt.username and the failure logs


class LoginBackend(ModelBackend):
    """Password sign-in by email, username or phone (`login=`), or by `username=`
    as Django's admin login form sends it."""

    def authenticate(self, request, login=None, password=None, username=None, **kwargs):
        identifier = login if login is not None else username
        if not identifier or not password:
            return None
        user = user_find_by_login(identifier)
        if user is None:
            # Hash anyway so a missing account takes as long as a wrong password.
            self.user_model().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    def user_model(self):
        from .models import User

        return User()


def axes_username(request, credentials) -> str | None:
    """The account a sign-in attempt is for, normalised so that `Ann@X.com`,
    `ann@x.com` and the same phone written two ways count as one account."""
    credentials = credentials or {}
    raw = credentials.get("login") or credentials.get("username")
    if raw is None and request is not None and request.method == "POST":
        raw = request.POST.get("login") or request.POST.get("username")
    if not raw:
        return None
    ident = classify_login(str(raw), region=settings.PHONE_DEFAULT_REGION)
    username = f"{ident.field}:{ident.value.lower()}"
    if len(username) > AXES_USERNAME_MAX_LENGTH:
        # axes stores it in a varchar(255) (a DataError on PostgreSQL past that):
        # a longer one keeps its start and a digest of the whole, so it still
        # counts as its own account.
        digest = hashlib.sha256(username.encode()).hexdigest()
        username = f"{username[: AXES_USERNAME_MAX_LENGTH - len(digest) - 1]}#{digest}"
    return username


def lockout_response(request, original_response=None, credentials=None):
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    detail = f"Too many failed sign-ins. Try again in {minutes} minutes or reset your password."
    if request.path.startswith("/api/"):
        return problem_response(
            status=429,
            code="account_locked_out",
            title="Too many failed sign-ins",
            detail=detail,
            headers={"Retry-After": str(minutes * 60)},
        )
    return render(
        request,
        "storefront/pages/locked_out.html",
        {"detail": detail, "minutes": minutes},
        status=429,
    )
