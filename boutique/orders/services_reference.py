"""Staff writes of the reference data checkout prices with: tax rates and
shipping methods (exchange rates: `services.exchange_rate_set`).

Each save is validated with `full_clean()` (field rules, unique country, the ETA
range) and audited with the old and new values of what changed. Orders never
read these rows after they are placed: they keep their own copies (tax rate,
shipping method name, amounts), so editing a rate or a price changes only
checkouts from now on.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction

from boutique.audit.services import audit_record, changed, snapshot
from boutique.core.errors import ValidationFailed, validation_errors_from_django

from .models import ShippingMethod, TaxRate

TAX_RATE_FIELDS = ("country", "name", "rate", "applies_to_shipping")
SHIPPING_METHOD_FIELDS = (
    "name",
    "provider",
    "price",
    "currency",
    "free_over",
    "countries",
    "eta_min_days",
    "eta_max_days",
    "is_active",
    "position",
)


def _unknown(fields: dict, allowed) -> None:
    unknown = sorted(set(fields) - set(allowed))
    if unknown:
        raise ValidationFailed(
            "Unknown fields.", field_errors={name: ["Unknown field."] for name in unknown}
        )


def _validate_and_write(row, *, what: str, update_fields: list[str] | None) -> None:
    try:
        row.full_clean()
    except DjangoValidationError as exc:
        raise ValidationFailed(
            f"The {what} is not valid.", field_errors=validation_errors_from_django(exc)
        ) from exc
    try:
        with transaction.atomic():
            if update_fields is None:
                row.save(force_insert=True)
            else:
                row.save(update_fields=[*update_fields, "updated_at"])
    except IntegrityError as exc:  # a concurrent save took the same unique value
        raise ValidationFailed(
            f"Another {what} was saved with these values meanwhile.",
            field_errors={"__all__": ["Already exists."]},
        ) from exc


def _save(model, instance, fields: dict, *, names, what: str, action: str, actor):
    """Create (instance None) or update `instance` with `fields`; audited."""
    with transaction.atomic():
        if instance is None:
            row = model(**fields)
            _validate_and_write(row, what=what, update_fields=None)
            audit_record(
                entity=row, action=f"{action}.created", actor=actor, new=snapshot(row, names)
            )
            return row
        row = model.objects.select_for_update().get(pk=instance.pk)
        before = snapshot(row, names)
        for name, value in fields.items():
            setattr(row, name, value)
        old, new = changed(before, snapshot(row, names))
        if not new:
            return row
        _validate_and_write(row, what=what, update_fields=list(new))
        audit_record(entity=row, action=f"{action}.updated", actor=actor, old=old, new=new)
        return row


# --- Tax rates -----------------------------------------------------------------------------
def tax_rate_save(*, tax_rate: TaxRate | None = None, actor=None, **fields) -> TaxRate:
    """Create a country's tax rate (tax_rate None) or change one. `rate` is a
    fraction (0.11 for 11 %); the country code is stored in capitals and one
    country has one rate. Takes the row's lock on update."""
    _unknown(fields, TAX_RATE_FIELDS)
    if "country" in fields:
        fields["country"] = str(fields["country"] or "").strip().upper()
    if "name" in fields:
        fields["name"] = str(fields["name"] or "").strip()
    return _save(
        TaxRate,
        tax_rate,
        fields,
        names=TAX_RATE_FIELDS,
        what="tax rate",
        action="tax_rate",
        actor=actor,
    )


def tax_rate_delete(*, tax_rate: TaxRate, actor=None) -> None:
    """Remove a country's rate: its checkouts fall back to the default rate.
    Placed orders keep the rate they were taxed at."""
    with transaction.atomic():
        old = snapshot(tax_rate, TAX_RATE_FIELDS)
        pk = tax_rate.pk
        TaxRate.objects.filter(pk=pk).delete()
        audit_record(
            entity=pk,
            entity_type=TaxRate._meta.label_lower,
            action="tax_rate.deleted",
            actor=actor,
            old=old,
        )


# --- Shipping methods --------------------------------------------------------------------
def countries_normalise(value) -> str:
    """Turn "lb, fr" into "LB,FR"; refuse anything that is not a two-letter code."""
    codes = [c.strip().upper() for c in str(value or "").replace(";", ",").split(",")]
    codes = [c for c in codes if c]
    bad = [c for c in codes if not (len(c) == 2 and c.isascii() and c.isalpha())]
    if bad:
        raise ValidationFailed(
            "Countries are two-letter codes separated by commas, e.g. LB, FR.",
            field_errors={"countries": [f"Not a country code: {', '.join(bad)}."]},
        )
    return ",".join(dict.fromkeys(codes))  # no duplicates, order kept


def shipping_method_save(*, method: ShippingMethod | None = None, actor=None, **fields):
    """Create a shipping method (method None) or change one. Countries are
    stored as 'LB,FR' (empty: every country). Methods are never deleted, only
    made inactive, so checkouts stop offering them. Takes the row's lock on
    update."""
    _unknown(fields, SHIPPING_METHOD_FIELDS)
    if "countries" in fields:
        fields["countries"] = countries_normalise(fields["countries"])
    for name in ("name", "provider"):
        if name in fields:
            fields[name] = str(fields[name] or "").strip()
    return _save(
        ShippingMethod,
        method,
        fields,
        names=SHIPPING_METHOD_FIELDS,
        what="shipping method",
        action="shipping_method",
        actor=actor,
    )
