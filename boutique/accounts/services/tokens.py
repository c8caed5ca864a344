"""API bearer tokens: issued on sign-in, stored as SHA-256, revocable."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ..domain import token_generate, token_hash
from ..models import ApiToken, Status, User

LAST_USED_GRANULARITY = timedelta(minutes=1)


def token_issue(*, user: User, name: str = "") -> tuple[str, ApiToken]:
    """A new token for `user`; the secret is returned once and never stored."""
    secret, prefix, key_hash = token_generate()
    now = timezone.now()
    with transaction.atomic(durable=True):
        token = ApiToken.objects.create(
            user=user,
            name=name[:100],
            prefix=prefix,
            key_hash=key_hash,
            created_at=now,
            expires_at=now + settings.API_TOKEN_TTL,
        )
    return secret, token


def token_revoke(*, token: ApiToken) -> None:
    """Revoke a token; revoking twice is harmless."""
    with transaction.atomic(durable=True):
        ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )


def token_authenticate(secret: str) -> ApiToken | None:
    """The live token for a presented secret, or None. Tokens of users who are not
    active are returned too so the caller can answer 403 rather than 401."""
    if not secret or not secret.startswith("btq_"):
        return None
    now = timezone.now()
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=token_hash(secret), revoked_at__isnull=True)
        .first()
    )
    if token is None or (token.expires_at and token.expires_at <= now):
        return None
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_GRANULARITY:
        # Conditional update: many parallel requests write last_used_at once a minute.
        ApiToken.objects.filter(pk=token.pk).exclude(
            last_used_at__gt=now - LAST_USED_GRANULARITY
        ).update(last_used_at=now)
    return token


def token_user_is_active(token: ApiToken) -> bool:
    return token.user.status == Status.ACTIVE
