"""The guest's key to a conversation: a signed, timestamped conversation id
(django.core.signing), sent in the emails we write to the guest. Only a guest
conversation may be opened with it; a wrong, tampered or expired token opens
nothing."""

from datetime import timedelta

from django.core import signing

SALT = "boutique.support.guest-conversation"
MAX_AGE = timedelta(days=180)


def conversation_token(conversation) -> str:
    return signing.TimestampSigner(salt=SALT).sign(str(conversation.pk))


def conversation_id_from_token(token: str) -> int | None:
    """The conversation id `token` was made for, or None when it is not ours
    or older than MAX_AGE."""
    if not token or len(token) > 200:
        return None
    try:
        value = signing.TimestampSigner(salt=SALT).unsign(token, max_age=MAX_AGE)
    except signing.BadSignature:  # SignatureExpired is one
        return None
    return int(value) if value.isdigit() else None
