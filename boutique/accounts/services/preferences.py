"""The customer's language: the one their emails and messages are written in."""

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from boutique.audit.services import audit_record
from boutique.core.errors import ValidationFailed

from ..locks import user_qs_for_update
from ..models import User


def language_supported(language: str | None) -> str:
    """`language` if the shop speaks it ("fr-ca" reads as "fr"), else ""."""
    if not language:
        return ""
    codes = {code for code, _name in settings.LANGUAGES}
    language = language.lower()
    if language in codes:
        return language
    base = language.split("-")[0]
    return base if base in codes else ""


def user_set_language(*, user: User, language: str, actor: User | None = None) -> User:
    """Remember `language` as the user's preferred one (ValidationFailed, 400,
    for a language the shop does not speak; nothing changes then). Takes the
    user's row lock; a no-op when it is already the preference. Audited."""
    code = language_supported(language)
    if not code:
        raise ValidationFailed(
            _("That language is not offered."),
            field_errors={"language": [_("That language is not offered.")]},
        )
    with transaction.atomic(durable=True):
        locked = user_qs_for_update().get(pk=user.pk)
        before = locked.preferred_language
        if before == code:
            return locked
        locked.preferred_language = code
        locked.save(update_fields=["preferred_language", "updated_at"])
        audit_record(
            entity=locked,
            action="user.language_set",
            actor=actor or locked,
            old={"preferred_language": before},
            new={"preferred_language": code},
        )
    user.preferred_language = code
    return locked
