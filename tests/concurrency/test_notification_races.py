"""Workers racing for the same outbox row: exactly one delivers it."""

import threading
import time

import pytest
from django.core import mail

from boutique.notifications import dispatch
from boutique.notifications.dispatch import notification_send, notifications_send_due
from boutique.notifications.models import Notification, NotificationStatus

from .helpers import run_concurrently

pytestmark = pytest.mark.django_db(transaction=True)


def _row(n=0):
    return Notification.objects.create(
        channel="email",
        recipient=f"buyer{n}@example.com",
        template="order_confirmation",
        context={"number": f"BQ-2026-{n:06d}", "total": "10.00", "currency": "USD"},
    )


@pytest.fixture
def slow_deliveries(monkeypatch):
    """Record every delivery and make it slow, so racers overlap while sending."""
    delivered = []
    lock = threading.Lock()
    real = dispatch.deliver

    def deliver(**kwargs):
        time.sleep(0.05)
        real(**kwargs)
        with lock:
            delivered.append(kwargs["recipient"])

    monkeypatch.setattr(dispatch, "deliver", deliver)
    return delivered


def test_concurrent_sends_of_one_row_deliver_it_once(slow_deliveries):
    row = _row()

    results = run_concurrently(lambda i: notification_send(row.pk), workers=8)

    assert sorted(results, key=str) == [None] * 7 + [NotificationStatus.SENT], results
    assert slow_deliveries == ["buyer0@example.com"]
    assert len(mail.outbox) == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("sent", 1)


def test_concurrent_sweeps_deliver_each_row_once(slow_deliveries):
    rows = [_row(n) for n in range(10)]

    results = run_concurrently(lambda i: notifications_send_due(limit=50), workers=5)

    assert not [r for r in results if isinstance(r, BaseException)], results
    assert sorted(slow_deliveries) == sorted(f"buyer{n}@example.com" for n in range(10))
    assert sum(r.get("sent", 0) for r in results) == 10
    assert set(
        Notification.objects.filter(pk__in=[r.pk for r in rows]).values_list("status", flat=True)
    ) == {"sent"}
