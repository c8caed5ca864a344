"""The outbox in the back office: a read-only list with filters and a fixed
number of queries; nobody adds, edits or deletes a message there."""

import pytest
from django.urls import reverse

from boutique.accounts.tests.factories import StaffFactory
from boutique.notifications.models import Notification
from boutique.notifications.services import notification_enqueue

pytestmark = pytest.mark.django_db

OUTBOX = reverse("admin:notifications_notification_changelist")


@pytest.fixture
def staff_client(client):
    client.force_login(StaffFactory(email="outbox@example.com"))
    return client


def _enqueue(n=0, channel="email", template="order_placed"):
    return notification_enqueue(
        channel=channel,
        recipient=f"buyer{n}@example.com" if channel == "email" else f"+9617000{n:04d}",
        template=template,
        context={"number": f"BQ-2026-{n:06d}"},
        reference=("order", f"BQ-2026-{n:06d}"),
    )


def _rows(response):
    return list(response.context["cl"].result_list)


def test_outbox_list_shows_channel_recipient_template_status_and_reference(staff_client):
    mail = _enqueue(1)
    sms = _enqueue(2, channel="sms", template="order_shipped")

    response = staff_client.get(OUTBOX)

    assert response.status_code == 200
    page = response.content.decode()
    for text in ("buyer1@example.com", "order_placed", "order BQ-2026-000001", "Pending", "SMS"):
        assert text in page, text
    assert len(_rows(response)) == 2
    assert [n.pk for n in _rows(staff_client.get(OUTBOX, {"channel__exact": "sms"}))] == [sms.pk]
    assert [n.pk for n in _rows(staff_client.get(OUTBOX, {"q": "BQ-2026-000001"}))] == [mail.pk]
    filtered = _rows(staff_client.get(OUTBOX, {"template": "order_placed"}))
    assert [n.pk for n in filtered] == [mail.pk]


def test_outbox_is_read_only(staff_client):
    message = _enqueue(1)
    change = reverse("admin:notifications_notification_change", args=[message.pk])

    assert staff_client.get(change).status_code == 200
    assert staff_client.post(change, {"status": "sent"}).status_code == 403
    assert staff_client.get(reverse("admin:notifications_notification_add")).status_code == 403
    delete = reverse("admin:notifications_notification_delete", args=[message.pk])
    assert staff_client.post(delete, {"post": "yes"}).status_code == 403
    message.refresh_from_db()
    assert message.status == "pending"
    assert Notification.objects.count() == 1


def test_outbox_list_runs_a_fixed_number_of_queries(staff_client, django_assert_max_num_queries):
    def run():
        with django_assert_max_num_queries(10) as queries:
            assert staff_client.get(OUTBOX).status_code == 200
        return len(queries)

    for n in range(3):
        _enqueue(n)
    few = run()
    for n in range(3, 30):
        _enqueue(n, channel="sms" if n % 2 else "email")
    assert run() == few
