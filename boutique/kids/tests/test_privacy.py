"""Children are their parent's data: the privacy export lists them with their
birthday reminder choice and the birthdays written about; erasing the account
removes them and those records."""

from datetime import date

import pytest

from boutique.accounts.services import user_data_export, user_delete
from boutique.accounts.tests.factories import ChildFactory, UserFactory
from boutique.kids.models import BirthdayReminder
from boutique.kids.services import birthday_reminders_send
from boutique.notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_export_lists_children_with_reminder_choice_and_reminders_sent():
    user = UserFactory()
    ChildFactory(user=user, name="Maya", birth_date=date(2024, 6, 20), birthday_reminders=True)
    ChildFactory(name="Someone else's", birth_date=date(2024, 6, 20), birthday_reminders=True)
    birthday_reminders_send(today=date(2026, 6, 6))

    children = user_data_export(user=user)["children"]

    assert children == [
        {
            "name": "Maya",
            "birth_date": "2024-06-20",
            "gender": "",
            "clothing_size": "",
            "shoe_size": "",
            "birthday_reminders": True,
            "birthday_reminders_sent": ["2026-06-20"],
        }
    ]


def test_erasing_the_account_removes_children_and_their_reminders():
    user = UserFactory()
    ChildFactory(user=user, birth_date=date(2024, 6, 20), birthday_reminders=True)
    other = ChildFactory(birth_date=date(2024, 6, 20), birthday_reminders=True)
    birthday_reminders_send(today=date(2026, 6, 6))

    user_delete(user=user, actor=user, password_confirmed=True)

    assert list(BirthdayReminder.objects.values_list("child", flat=True)) == [other.pk]
    # The unsent reminder to the erased customer goes too; the other parent's stays.
    assert list(Notification.objects.values_list("recipient", flat=True)) == [other.user.email]
