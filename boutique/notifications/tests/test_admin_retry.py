"""Retrying outbox rows from the back office: a failed row goes back to
pending, due now, its attempts kept, audited with the staff actor, and is then
sent once; a sent row is never resent (refused in the message); staff who may
only read the outbox have no retry action."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from boutique.accounts.models import Role
from boutique.accounts.tests.factories import StaffFactory, UserFactory
from boutique.audit.models import AuditLog
from boutique.core.errors import Conflict
from boutique.notifications.dispatch import notification_retry, notifications_send_due
from boutique.notifications.models import Notification, NotificationStatus

pytestmark = pytest.mark.django_db

OUTBOX = reverse("admin:notifications_notification_changelist")


@pytest.fixture
def staff_client(client):
    staff = StaffFactory(email="outbox-retry@example.com")
    client.force_login(staff)
    client.staff = staff
    return client


def _row(status, n=1, attempts=5, **fields):
    return Notification.objects.create(
        channel="email",
        recipient=f"buyer{n}@example.com",
        template="order_confirmation",
        context={"number": f"BQ-2026-{n:06d}"},
        status=status,
        attempts=attempts,
        last_error="SMTPServerDisconnected: down" if status == "failed" else "",
        reference_type="order",
        reference_id=f"BQ-2026-{n:06d}",
        **fields,
    )


def _retry(client, rows):
    payload = {"action": "retry_selected", "_selected_action": [r.pk for r in rows]}
    return client.post(OUTBOX, payload, follow=True)


def _messages(response):
    return " ".join(str(m) for m in response.context["messages"])


def test_retry_puts_a_failed_row_back_in_the_queue_and_it_is_sent_once(staff_client, mailoutbox):
    failed = _row("failed")
    before = timezone.now()

    response = _retry(staff_client, [failed])

    assert "1 message(s) queued again" in _messages(response)
    failed.refresh_from_db()
    assert failed.status == "pending" and failed.attempts == 5
    assert before - timedelta(seconds=1) <= failed.next_attempt_at <= timezone.now()
    assert failed.last_error.startswith("SMTPServerDisconnected")
    log = AuditLog.objects.get(action="notification.retried")
    assert log.actor == staff_client.staff and log.entity_id == str(failed.pk)

    assert notifications_send_due()["sent"] == 1
    assert notifications_send_due() == {}
    failed.refresh_from_db()
    assert failed.status == "sent" and len(mailoutbox) == 1


def test_a_sent_row_is_never_resent_and_the_refusal_is_shown(staff_client, mailoutbox):
    sent = _row("sent", n=2, attempts=1, sent_at=timezone.now())
    failed = _row("failed", n=3)

    response = _retry(staff_client, [sent, failed])

    text = _messages(response)
    assert f"Notification {sent.pk} was sent; it is never sent twice" in text
    assert f"#{failed.pk}" in text
    sent.refresh_from_db()
    assert sent.status == "sent" and sent.attempts == 1 and sent.next_attempt_at is None
    assert AuditLog.objects.filter(action="notification.retried").count() == 1
    notifications_send_due()
    assert [m.to for m in mailoutbox] == [["buyer3@example.com"]]


def test_the_service_refuses_rows_that_are_not_failed():
    for status in (NotificationStatus.SENT, NotificationStatus.PENDING, NotificationStatus.SENDING):
        row = _row(status, attempts=1)
        with pytest.raises(Conflict):
            notification_retry(row.pk, actor=None)
        row.refresh_from_db()
        assert row.status == status
    assert not AuditLog.objects.filter(action="notification.retried").exists()


def test_outbox_filters_search_and_query_count_with_the_action(
    staff_client, django_assert_max_num_queries
):
    failed = _row("failed", n=1)
    _row("sent", n=2, sent_at=timezone.now())

    def pks(params):
        return [n.pk for n in staff_client.get(OUTBOX, params).context["cl"].result_list]

    assert pks({"status__exact": "failed"}) == [failed.pk]
    assert pks({"q": "buyer1@example.com"}) == [failed.pk]
    assert pks({"q": "BQ-2026-000001"}) == [failed.pk]

    def run():
        with django_assert_max_num_queries(10) as queries:
            page = staff_client.get(OUTBOX)
        assert "retry_selected" in page.content.decode()
        return len(queries)

    few = run()
    for n in range(3, 25):
        _row("failed", n=n)
    assert run() == few


def test_staff_who_may_only_read_the_outbox_cannot_retry(client):
    user = UserFactory(role=Role.ADMIN, is_superuser=False)
    user.user_permissions.add(Permission.objects.get(codename="view_notification"))
    client.force_login(user)
    failed = _row("failed")

    page = client.get(OUTBOX)
    assert page.status_code == 200 and "retry_selected" not in page.content.decode()
    _retry(client, [failed])
    failed.refresh_from_db()
    assert failed.status == "failed"
    assert not AuditLog.objects.filter(action="notification.retried").exists()


def test_staff_without_outbox_permissions_get_403(client):
    client.force_login(UserFactory(role=Role.ADMIN, is_superuser=False))
    assert client.get(OUTBOX).status_code == 403
