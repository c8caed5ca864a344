"""Carriers as reference data: created and changed by staff, audited (the
webhook secret only as "[redacted]"), never deleted (shipments keep their
carrier; an inactive one is no longer offered)."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction

from boutique.audit.services import audit_record
from boutique.core.errors import ValidationFailed, validation_errors_from_django

from .models import ShippingProvider

PROVIDER_FIELDS = (
    "name",
    "contact_email",
    "contact_phone",
    "tracking_url_template",
    "webhook_secret",
    "is_active",
)
TEXT_FIELDS = PROVIDER_FIELDS[:-1]


def _snapshot(row: ShippingProvider) -> dict:
    return {name: getattr(row, name) for name in PROVIDER_FIELDS}


def shipping_provider_save(
    *, provider: ShippingProvider | None = None, actor=None, **fields
) -> ShippingProvider:
    """Create a carrier (provider None) or change one; unknown fields are a
    ValidationFailed, a tracking URL template without {tracking_number} too.
    Takes the row's lock on update; joins the caller's transaction (the
    admin's) when there is one."""
    unknown = sorted(set(fields) - set(PROVIDER_FIELDS))
    if unknown:
        raise ValidationFailed(
            "Unknown carrier fields.", field_errors={name: ["Unknown."] for name in unknown}
        )
    for name in TEXT_FIELDS:
        if name in fields:
            fields[name] = str(fields[name] or "").strip()
    with transaction.atomic():
        if provider is None:
            row, before = ShippingProvider(**fields), None
        else:
            row = ShippingProvider.objects.select_for_update().get(pk=provider.pk)
            before = _snapshot(row)
            for name, value in fields.items():
                setattr(row, name, value)
        try:
            row.full_clean()
        except DjangoValidationError as exc:
            raise ValidationFailed(
                "This carrier cannot be saved.",
                field_errors=validation_errors_from_django(exc),
            ) from exc
        after = _snapshot(row)
        if before is None:
            row.save()
            audit_record(entity=row, action="shipping_provider.created", actor=actor, new=after)
            return row
        old = {k: v for k, v in before.items() if after[k] != v}
        if not old:
            return row
        row.save(update_fields=[*old, "updated_at"])
        audit_record(
            entity=row,
            action="shipping_provider.updated",
            actor=actor,
            old=old,
            new={k: after[k] for k in old},
        )
        return row
