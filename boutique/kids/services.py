"""Every write of child-aware shopping: the size chart (staff) and the birthday
reminders (the daily job)."""

import calendar
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from boutique.accounts.models import Child, Status
from boutique.audit.services import audit_record, changed, snapshot
from boutique.core.errors import ValidationFailed, validation_errors_from_django
from boutique.notifications.services import notification_enqueue

from .domain import (
    REMINDER_DAYS_BEFORE,
    Band,
    age_in_months,
    age_in_words,
    bands_overlap,
    birthday_reminder_due,
    size_for_age,
)
from .errors import SizeBandOverlap
from .locks import size_bands_qs_for_update
from .models import BirthdayReminder, SizeBand, SizeKind
from .selectors import size_chart

SIZE_BAND_FIELDS = ("kind", "from_months", "to_months", "label", "position")


# --- Size chart ------------------------------------------------------------------------
def _check(band: SizeBand) -> None:
    try:
        band.full_clean(validate_constraints=False)
    except ValidationError as exc:
        raise ValidationFailed(
            "Some fields are not valid.", field_errors=validation_errors_from_django(exc)
        ) from exc
    new = Band(band.from_months, band.to_months, band.label)
    # The kind's rows are locked by the caller: no other band can slip in between.
    for other in size_bands_qs_for_update(kind=band.kind).exclude(pk=band.pk):
        if bands_overlap(new, Band(other.from_months, other.to_months, other.label)):
            message = (
                f"Ages {band.from_months}–{band.to_months} months overlap “{other.label}” "
                f"({other.from_months}–{other.to_months} months)."
            )
            raise SizeBandOverlap(message, field_errors={"from_months": [message]})


def size_band_create(*, actor=None, **fields) -> SizeBand:
    """A size chart row. Refused (422) when its ages overlap another band of the
    same kind or end before they start. Takes the kind's row locks."""
    unknown = set(fields) - set(SIZE_BAND_FIELDS)
    if unknown:
        raise ValidationFailed(f"Unknown fields: {', '.join(sorted(unknown))}.")
    band = SizeBand(**fields)
    with transaction.atomic():
        _check(band)
        band.save()
        audit_record(
            entity=band,
            action="size_band.created",
            actor=actor,
            new=snapshot(band, SIZE_BAND_FIELDS),
        )
    return band


def size_band_update(*, band: SizeBand, actor=None, **fields) -> SizeBand:
    """Change a size chart row, with the same checks as size_band_create."""
    unknown = set(fields) - set(SIZE_BAND_FIELDS)
    if unknown:
        raise ValidationFailed(f"Unknown fields: {', '.join(sorted(unknown))}.")
    with transaction.atomic():
        band = SizeBand.objects.select_for_update().get(pk=band.pk)
        before = snapshot(band, SIZE_BAND_FIELDS)
        for key, value in fields.items():
            setattr(band, key, value)
        _check(band)
        band.save()
        old, new = changed(before, snapshot(band, SIZE_BAND_FIELDS))
        if new:
            audit_record(entity=band, action="size_band.updated", actor=actor, old=old, new=new)
    return band


def size_band_delete(*, band: SizeBand, actor=None) -> None:
    with transaction.atomic():
        pk, old = band.pk, snapshot(band, SIZE_BAND_FIELDS)
        SizeBand.objects.filter(pk=pk).delete()
        audit_record(
            entity_type="kids.sizeband", entity=pk, action="size_band.deleted", actor=actor, old=old
        )


# --- Birthday reminders -------------------------------------------------------------------
def _birthdays_in_window_q(today) -> Q:
    """Birth dates whose birthday falls in the next REMINDER_DAYS_BEFORE days
    (29 February counts on 28 February of a common year)."""
    q = Q(pk__in=[])
    for offset in range(1, REMINDER_DAYS_BEFORE + 1):
        day = today + timedelta(days=offset)
        q |= Q(birth_date__month=day.month, birth_date__day=day.day)
        if (day.month, day.day) == (2, 28) and not calendar.isleap(day.year):
            q |= Q(birth_date__month=2, birth_date__day=29)
    return q


def _due_children(today):
    """Opted-in children of active customers with an email whose birthday is in
    the reminder window and who were not reminded of it yet."""
    return (
        Child.objects.filter(
            _birthdays_in_window_q(today),
            birthday_reminders=True,
            user__status=Status.ACTIVE,
            user__email__isnull=False,
            birth_date__lt=today,
        )
        .exclude(user__email="")
        .exclude(reminders_sent__birthday__gt=today)
        .values_list("pk", "birth_date")
        .order_by("pk")
    )


def birthday_reminders_send(*, today=None, limit: int = 500) -> int:
    """The daily job: for each opted-in child whose birthday is 14 days away (or
    nearer, when a run was missed), queue one email through the outbox with the
    sizes that will fit next. A birthday is claimed by inserting its
    BirthdayReminder row (unique per child and birthday) in the same
    transaction as the message, so running the job twice, on consecutive days or
    on two workers at once, sends once. Returns how many were queued."""
    today = today or timezone.localdate()
    chart = size_chart()
    sent = 0
    for child_id, birth_date in _due_children(today)[:limit]:
        birthday = birthday_reminder_due(birth_date, today)
        if birthday is None:
            continue
        with transaction.atomic():
            reminder, created = BirthdayReminder.objects.get_or_create(
                child_id=child_id, birthday=birthday
            )
            if not created:
                continue
            child = Child.objects.select_related("user").get(pk=child_id)
            reminder.notification = notification_enqueue(
                channel="email",
                recipient=child.user.email,
                template="birthday_reminder",
                context=_reminder_context(child, birthday, today, chart),
                reference=("child_birthday", f"{child.pk}:{birthday.isoformat()}"),
            )
            reminder.save(update_fields=["notification"])
            sent += 1
    return sent


def _reminder_context(child: Child, birthday, today, chart) -> dict:
    months_now = age_in_months(child.birth_date, today)
    months_then = age_in_months(child.birth_date, birthday)
    clothing, shoes = chart[SizeKind.CLOTHING], chart[SizeKind.SHOES]
    return {
        "customer_name": child.user.first_name,
        "child_name": child.name,
        "birthday": birthday.isoformat(),
        "days_left": (birthday - today).days,
        "turning": age_in_words(months_then),
        "size_now": child.clothing_size or size_for_age(clothing, months_now) or "",
        "size_next": size_for_age(clothing, months_then) or "",
        "shoe_size_next": size_for_age(shoes, months_then) or "",
        "shop_path": f"{reverse('storefront:product_list')}?{urlencode({'age': months_then})}",
    }
