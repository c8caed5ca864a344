"""Birthday reminder jobs racing (two beat workers, or the command run by hand
while beat runs it): each birthday is written about once."""

from datetime import date

import pytest

from boutique.accounts.tests.factories import ChildFactory
from boutique.kids.models import BirthdayReminder
from boutique.kids.services import birthday_reminders_send
from boutique.notifications.models import Notification

from .helpers import run_concurrently

pytestmark = pytest.mark.django_db(transaction=True)


def test_concurrent_jobs_send_each_birthday_once():
    children = [
        ChildFactory(birth_date=date(2024, 6, 20 - n), birthday_reminders=True) for n in range(5)
    ]

    results = run_concurrently(
        lambda i: birthday_reminders_send(today=date(2026, 6, 6 + i % 2)), workers=6
    )

    assert all(isinstance(r, int) for r in results), results
    assert sum(results) == len(children)
    assert Notification.objects.filter(template="birthday_reminder").count() == len(children)
    assert BirthdayReminder.objects.count() == len(children)
