"""Every write of the back office's own records (social links). Audited; the
footer's cached copy is dropped when the change commits."""

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction

from boutique.audit.services import audit_record, changed, snapshot
from boutique.catalog.cache import catalog_changed
from boutique.core.errors import ValidationFailed, validation_errors_from_django

from .models import SocialLink
from .selectors import SOCIAL_LINKS_CACHE_KEY

SOCIAL_LINK_FIELDS = ("platform", "url", "label", "icon", "position", "is_active")


def _clean(link: SocialLink) -> None:
    try:
        link.full_clean()
    except ValidationError as exc:
        raise ValidationFailed(
            "Some fields are not valid.", field_errors=validation_errors_from_django(exc)
        ) from exc


def _forget_footer_links() -> None:
    # Now (a reader in this process sees the change at once) and after the
    # commit (a reader that cached the old rows meanwhile is corrected).
    cache.delete(SOCIAL_LINKS_CACHE_KEY)
    transaction.on_commit(lambda: cache.delete(SOCIAL_LINKS_CACHE_KEY))
    catalog_changed()  # cached pages carry the footer


def _check_fields(fields: dict) -> None:
    unknown = set(fields) - set(SOCIAL_LINK_FIELDS)
    if unknown:
        raise ValidationFailed(f"Unknown social link fields: {', '.join(sorted(unknown))}.")


def social_link_create(*, actor=None, **fields) -> SocialLink:
    """Add a link (https only, validated). Audited."""
    _check_fields(fields)
    link = SocialLink(**fields)
    _clean(link)
    with transaction.atomic():
        link.save()
        audit_record(
            entity=link,
            action="social_link.created",
            actor=actor,
            new=snapshot(link, SOCIAL_LINK_FIELDS),
        )
        _forget_footer_links()
    return link


def social_link_update(*, link: SocialLink, actor=None, **fields) -> SocialLink:
    """Change the given fields of a link under its row lock. Audited (changed fields only)."""
    _check_fields(fields)
    with transaction.atomic():
        locked = SocialLink.objects.select_for_update().get(pk=link.pk)
        old = snapshot(locked, SOCIAL_LINK_FIELDS)
        for name, value in fields.items():
            setattr(locked, name, value)
        _clean(locked)
        before, after = changed(old, snapshot(locked, SOCIAL_LINK_FIELDS))
        if after:
            locked.save(update_fields=[*after, "updated_at"])
            audit_record(
                entity=locked, action="social_link.updated", actor=actor, old=before, new=after
            )
            _forget_footer_links()
    return locked


def social_link_delete(*, link: SocialLink, actor=None) -> None:
    """Remove a link. Audited with what it was."""
    with transaction.atomic():
        locked = SocialLink.objects.select_for_update().filter(pk=link.pk).first()
        if locked is None:
            return
        old = snapshot(locked, SOCIAL_LINK_FIELDS)
        pk = locked.pk
        locked.delete()
        audit_record(
            entity=pk,
            entity_type=SocialLink._meta.label_lower,
            action="social_link.deleted",
            actor=actor,
            old=old,
        )
        _forget_footer_links()
