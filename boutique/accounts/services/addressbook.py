"""Address book and children profiles. Each service takes the owner's user row
lock so that "one default address per type" holds under concurrent edits."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from boutique.audit.services import audit_record, changed, snapshot
from boutique.core.errors import ValidationFailed, validation_errors_from_django

from ..domain import InvalidPhone, normalise_phone
from ..locks import user_qs_for_update
from ..models import Address, Child, User
from ..selectors import address_get_for, child_get_for

ADDRESS_FIELDS = (
    "type",
    "full_name",
    "phone",
    "line1",
    "line2",
    "city",
    "state",
    "postal_code",
    "country",
    "is_default",
)
CHILD_FIELDS = (
    "name",
    "birth_date",
    "gender",
    "clothing_size",
    "shoe_size",
    "birthday_reminders",
)


def _clean(instance, *, exclude=("user",)) -> None:
    try:
        # Constraints are settled under the lock (see _settle_default), not here.
        instance.full_clean(exclude=list(exclude), validate_constraints=False)
    except ValidationError as exc:
        raise ValidationFailed(
            "Some fields are not valid.", field_errors=validation_errors_from_django(exc)
        ) from exc


def _apply(instance, fields: dict, allowed: tuple[str, ...]) -> None:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise ValidationFailed(f"Unknown fields: {', '.join(sorted(unknown))}.")
    for key, value in fields.items():
        if isinstance(value, str):
            value = value.strip()
        setattr(instance, key, value)
    if isinstance(instance, Address):
        instance.country = (instance.country or "").upper()
        try:
            region = instance.country or settings.PHONE_DEFAULT_REGION
            instance.phone = normalise_phone(instance.phone, region=region) or ""
        except InvalidPhone as exc:
            raise ValidationFailed(str(exc), field_errors={"phone": [str(exc)]}) from exc


def _settle_default(address: Address) -> None:
    """Make `address` the only default of its type, or the default if it is the first."""
    siblings = Address.objects.filter(user_id=address.user_id, type=address.type)
    if address.is_default:
        siblings.exclude(pk=address.pk).filter(is_default=True).update(is_default=False)
    elif not siblings.exclude(pk=address.pk).filter(is_default=True).exists():
        address.is_default = True


def address_create(*, user: User, **fields) -> Address:
    """Add an address; the first of its type becomes the default."""
    address = Address(user=user)
    _apply(address, fields, ADDRESS_FIELDS)
    _clean(address)
    with transaction.atomic(durable=True):
        user_qs_for_update().get(pk=user.pk)
        _settle_default(address)
        address.save()
        audit_record(
            entity=address,
            action="address.created",
            actor=user,
            new=snapshot(address, ADDRESS_FIELDS),
        )
    return address


def address_update(*, user: User, address_id, **fields) -> Address:
    with transaction.atomic(durable=True):
        user_qs_for_update().get(pk=user.pk)
        address = address_get_for(user=user, address_id=address_id)
        before = snapshot(address, ADDRESS_FIELDS)
        _apply(address, fields, ADDRESS_FIELDS)
        _clean(address)
        if before["is_default"] and not address.is_default:
            # Keep a default: clearing it is only done by choosing another one.
            address.is_default = True
        _settle_default(address)
        address.save()
        if address.type != before["type"] and before["is_default"]:
            # After the save: the old type may hold one default row at a time.
            _promote_next_default(user=user, type=before["type"], exclude_pk=address.pk)
        old, new = changed(before, snapshot(address, ADDRESS_FIELDS))
        if new:
            audit_record(entity=address, action="address.updated", actor=user, old=old, new=new)
    return address


def _promote_next_default(*, user: User, type: str, exclude_pk) -> None:
    successor = (
        Address.objects.filter(user=user, type=type)
        .exclude(pk=exclude_pk)
        .order_by("-created_at", "-pk")
        .first()
    )
    if successor is not None:
        successor.is_default = True
        successor.save(update_fields=["is_default", "updated_at"])


def address_delete(*, user: User, address_id) -> None:
    """Delete an address; if it was the default, the newest other one takes over."""
    with transaction.atomic(durable=True):
        user_qs_for_update().get(pk=user.pk)
        address = address_get_for(user=user, address_id=address_id)
        old = snapshot(address, ADDRESS_FIELDS)
        pk, was_default, type_ = address.pk, address.is_default, address.type
        address.delete()
        if was_default:
            _promote_next_default(user=user, type=type_, exclude_pk=pk)
        audit_record(
            entity_type="accounts.address",
            entity=pk,
            action="address.deleted",
            actor=user,
            old=old,
        )


def child_create(*, user: User, **fields) -> Child:
    child = Child(user=user)
    _apply(child, fields, CHILD_FIELDS)
    _clean(child)
    with transaction.atomic(durable=True):
        child.save()
        audit_record(
            entity=child, action="child.created", actor=user, new=snapshot(child, CHILD_FIELDS)
        )
    return child


def child_update(*, user: User, child_id, **fields) -> Child:
    with transaction.atomic(durable=True):
        child = child_get_for(user=user, child_id=child_id)
        before = snapshot(child, CHILD_FIELDS)
        _apply(child, fields, CHILD_FIELDS)
        _clean(child)
        child.save()
        old, new = changed(before, snapshot(child, CHILD_FIELDS))
        if new:
            audit_record(entity=child, action="child.updated", actor=user, old=old, new=new)
    return child


def child_delete(*, user: User, child_id) -> None:
    with transaction.atomic(durable=True):
        child = child_get_for(user=user, child_id=child_id)
        pk, old = child.pk, snapshot(child, CHILD_FIELDS)
        child.delete()
        audit_record(
            entity_type="accounts.child", entity=pk, action="child.deleted", actor=user, old=old
        )
