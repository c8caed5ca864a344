import itertools
from datetime import date

import pytest

from boutique.accounts.models import Status
from boutique.accounts.tests.factories import ChildFactory, StaffFactory, UserFactory
from boutique.audit.models import AuditLog
from boutique.core.errors import ValidationFailed
from boutique.kids import services
from boutique.kids.errors import SizeBandOverlap
from boutique.kids.models import BirthdayReminder, SizeBand
from boutique.kids.selectors import size_chart
from boutique.notifications.models import Notification

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 6)  # 14 days before 20 June


# --- Size chart -----------------------------------------------------------------------------
def test_the_default_chart_is_seeded_without_gaps_or_overlaps():
    chart = size_chart()
    clothing = chart["clothing"]
    assert [b.label for b in clothing[:7]] == [
        "0-3M", "3-6M", "6-9M", "9-12M", "12-18M", "18-24M", "2T",
    ]  # fmt: skip
    for kind in ("clothing", "shoes"):
        bands = chart[kind]
        assert bands[0].from_months == 0
        assert all(a.to_months == b.from_months for a, b in itertools.pairwise(bands))


def test_size_band_create_audits_it():
    staff = StaffFactory()
    band = services.size_band_create(
        actor=staff, kind="clothing", from_months=180, to_months=204, label="15-16"
    )
    assert SizeBand.objects.get(pk=band.pk).label == "15-16"
    log = AuditLog.objects.get(action="size_band.created")
    assert log.entity_id == str(band.pk)


def test_size_band_overlapping_another_of_its_kind_is_refused():
    with pytest.raises(SizeBandOverlap) as exc:
        services.size_band_create(kind="clothing", from_months=10, to_months=14, label="X")
    assert "9-12M" in exc.value.detail
    assert not SizeBand.objects.filter(label="X").exists()


def test_size_band_may_overlap_a_band_of_the_other_kind():
    SizeBand.objects.filter(kind="shoes").delete()
    band = services.size_band_create(kind="shoes", from_months=0, to_months=12, label="EU 17")
    assert band.pk


def test_size_band_ending_before_it_starts_is_refused():
    with pytest.raises(ValidationFailed):
        services.size_band_create(kind="clothing", from_months=300, to_months=300, label="X")
    assert not SizeBand.objects.filter(label="X").exists()


def test_size_band_update_checks_overlap_but_not_against_itself():
    band = SizeBand.objects.get(kind="clothing", label="2T")
    services.size_band_update(band=band, label="2Y", to_months=36)
    assert SizeBand.objects.get(pk=band.pk).label == "2Y"
    with pytest.raises(SizeBandOverlap):
        services.size_band_update(band=band, to_months=40)
    assert SizeBand.objects.get(pk=band.pk).to_months == 36
    assert AuditLog.objects.filter(action="size_band.updated").count() == 1


def test_size_band_unknown_field_is_refused():
    with pytest.raises(ValidationFailed):
        services.size_band_create(kind="clothing", from_months=300, to_months=310, label="x", y=1)


def test_size_band_delete_audits_it():
    band = SizeBand.objects.get(kind="clothing", label="2T")
    services.size_band_delete(band=band)
    assert not SizeBand.objects.filter(pk=band.pk).exists()
    assert AuditLog.objects.get(action="size_band.deleted").old["label"] == "2T"


# --- Birthday reminders -------------------------------------------------------------------------
def _child(**fields):
    fields.setdefault("birthday_reminders", True)
    fields.setdefault("birth_date", date(2024, 6, 20))
    return ChildFactory(**fields)


def test_reminder_is_queued_14_days_before_with_the_next_sizes():
    child = _child(name="Maya", user=UserFactory(first_name="Ann", email="ann@example.com"))

    assert services.birthday_reminders_send(today=TODAY) == 1

    note = Notification.objects.get()
    assert (note.template, note.recipient, note.channel) == (
        "birthday_reminder",
        "ann@example.com",
        "email",
    )
    assert note.context["child_name"] == "Maya"
    assert note.context["turning"] == "2 years"
    assert note.context["size_now"] == "18-24M"
    assert note.context["size_next"] == "2T"
    assert note.context["shoe_size_next"] == "EU 24-25"
    assert note.context["shop_path"] == "/shop/?age=24"
    assert note.context["days_left"] == 14
    reminder = BirthdayReminder.objects.get()
    assert (reminder.child, reminder.birthday, reminder.notification) == (
        child,
        date(2026, 6, 20),
        note,
    )


def test_running_twice_sends_once():
    _child()
    assert services.birthday_reminders_send(today=TODAY) == 1
    assert services.birthday_reminders_send(today=TODAY) == 0
    assert Notification.objects.count() == 1


def test_running_on_consecutive_days_sends_once():
    _child()
    sent = [services.birthday_reminders_send(today=date(2026, 6, d)) for d in range(5, 21)]
    assert sum(sent) == 1
    assert Notification.objects.count() == 1


def test_a_missed_day_is_caught_up_within_the_window():
    _child()
    assert services.birthday_reminders_send(today=date(2026, 6, 10)) == 1


def test_next_years_birthday_is_reminded_again():
    _child()
    services.birthday_reminders_send(today=TODAY)
    assert services.birthday_reminders_send(today=date(2027, 6, 6)) == 1
    assert list(
        BirthdayReminder.objects.order_by("birthday").values_list("birthday", flat=True)
    ) == [
        date(2026, 6, 20),
        date(2027, 6, 20),
    ]


def test_children_without_the_opt_in_get_nothing():
    _child(birthday_reminders=False)
    assert services.birthday_reminders_send(today=TODAY) == 0
    assert not Notification.objects.exists()


@pytest.mark.parametrize(
    "user_fields", [{"status": Status.BANNED}, {"email": None, "phone": "+9613123456"}]
)
def test_banned_customers_and_customers_without_email_get_nothing(user_fields):
    _child(user=UserFactory(**user_fields))
    assert services.birthday_reminders_send(today=TODAY) == 0


def test_29_february_birthday_is_reminded_before_28_february_in_a_common_year():
    _child(birth_date=date(2024, 2, 29))
    assert services.birthday_reminders_send(today=date(2027, 2, 13)) == 0
    assert services.birthday_reminders_send(today=date(2027, 2, 14)) == 1
    assert services.birthday_reminders_send(today=date(2027, 2, 27)) == 0
    assert BirthdayReminder.objects.get().birthday == date(2027, 2, 28)


def test_birthday_early_in_january_is_reminded_in_december():
    _child(birth_date=date(2024, 1, 3))
    assert services.birthday_reminders_send(today=date(2025, 12, 20)) == 1
    assert BirthdayReminder.objects.get().birthday == date(2026, 1, 3)


def test_deleting_the_child_deletes_its_reminder_rows():
    child = _child()
    services.birthday_reminders_send(today=TODAY)
    child.delete()
    assert not BirthdayReminder.objects.exists()


def test_children_whose_birthday_is_not_near_do_not_use_up_the_batch():
    for day in (1, 2, 3, 28, 29):
        _child(birth_date=date(2024, 6, day))  # June, but outside 7–20 June
    due = _child(birth_date=date(2024, 6, 20))
    assert services.birthday_reminders_send(today=TODAY, limit=1) == 1
    assert BirthdayReminder.objects.get().child == due
