from datetime import date
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from boutique.accounts.tests.factories import ChildFactory
from boutique.kids.tasks import send_birthday_reminders
from boutique.notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_the_command_queues_reminders_once():
    ChildFactory(birth_date=date(2024, 6, 20), birthday_reminders=True)
    out = StringIO()
    call_command("send_birthday_reminders", "--date", "2026-06-06", stdout=out)
    call_command("send_birthday_reminders", "--date", "2026-06-07", stdout=out)
    assert out.getvalue().splitlines() == ["Queued 1 reminder(s).", "Queued 0 reminder(s)."]
    assert Notification.objects.filter(template="birthday_reminder").count() == 1


def test_the_command_refuses_a_bad_date():
    with pytest.raises(CommandError):
        call_command("send_birthday_reminders", "--date", "06/06/2026")


def test_the_task_runs_for_today():
    assert send_birthday_reminders() == 0


def test_the_job_is_scheduled_daily():
    entry = settings.CELERY_BEAT_SCHEDULE["kids-send-birthday-reminders"]
    assert entry["task"] == "kids.send_birthday_reminders"


def test_the_reminder_email_is_sent_with_text_and_html(django_capture_on_commit_callbacks):
    from django.core import mail

    from boutique.kids.services import birthday_reminders_send

    ChildFactory(name="Maya", birth_date=date(2024, 6, 20), birthday_reminders=True)
    with django_capture_on_commit_callbacks(execute=True):
        birthday_reminders_send(today=date(2026, 6, 6))
    email = mail.outbox[-1]
    assert email.subject == "Maya turns 2 years soon: sizes and gift ideas"
    assert "2T" in email.body and "/shop/?age=24" in email.body
    html = email.alternatives[0][0]
    assert "Maya" in html and "2T" in html
