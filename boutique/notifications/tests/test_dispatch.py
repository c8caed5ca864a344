"""The outbox dispatcher: written with the change, sent after commit, retried
with backoff, never sent twice; every message renders; a real Celery worker on
the local Redis sends what was enqueued."""

import io
import os
import threading
import time
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from boutique.notifications import dispatch
from boutique.notifications.dispatch import (
    notification_backoff,
    notification_send,
    notifications_send_due,
)
from boutique.notifications.models import Notification, NotificationStatus
from boutique.notifications.senders import TEMPLATE_NAMES, render_email, render_text_message
from boutique.notifications.services import notification_enqueue

ORDER = {"number": "BQ-2026-000042", "total": "84.50", "currency": "USD"}


def _enqueue(template="order_confirmation", channel="email", recipient="maya@example.com"):
    return notification_enqueue(
        channel=channel,
        recipient=recipient,
        template=template,
        context=ORDER,
        reference=("order", ORDER["number"]),
    )


def _make_due(row):
    """Let the backoff pass, as if the clock had moved on."""
    Notification.objects.filter(pk=row.pk).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )


@pytest.fixture
def failing_sender(monkeypatch):
    calls = []

    def deliver(**kwargs):
        calls.append(kwargs)
        raise ConnectionError("SMTP server unreachable")

    monkeypatch.setattr(dispatch, "deliver", deliver)
    return calls


# --- Written with the change, sent after commit -------------------------------


@pytest.mark.django_db(transaction=True)
def test_outbox_row_rolls_back_with_the_change_and_nothing_is_sent():
    with pytest.raises(RuntimeError), transaction.atomic():
        _enqueue()
        raise RuntimeError("the order change failed after the notification was queued")

    assert Notification.objects.count() == 0
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_email_is_sent_in_process_only_after_commit():
    with transaction.atomic():
        row = _enqueue()
        assert mail.outbox == []  # not before the change is committed

    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["maya@example.com"]
    assert "BQ-2026-000042" in email.subject
    assert "$84.50" in email.body
    html = email.alternatives[0][0]
    assert "/orders/BQ-2026-000042/" in html
    row.refresh_from_db()
    assert row.status == NotificationStatus.SENT
    assert row.sent_at is not None
    assert row.attempts == 1


@pytest.mark.django_db(transaction=True)
def test_a_failed_send_after_commit_is_recorded_not_raised(failing_sender):
    with transaction.atomic():
        row = _enqueue()

    row.refresh_from_db()
    assert len(failing_sender) == 1
    assert row.status == NotificationStatus.PENDING
    assert row.attempts == 1
    assert row.last_error == "ConnectionError: SMTP server unreachable"
    assert row.next_attempt_at > timezone.now()


@pytest.mark.django_db(transaction=True)
def test_sms_and_whatsapp_go_through_their_senders(message_outbox):
    with transaction.atomic():
        _enqueue(channel="sms", recipient="+96170123456")
        _enqueue(channel="whatsapp", recipient="+96171123456")

    assert [(m["channel"], m["recipient"]) for m in message_outbox] == [
        ("sms", "+96170123456"),
        ("whatsapp", "+96171123456"),
    ]
    assert "BQ-2026-000042" in message_outbox[0]["message"]
    assert set(Notification.objects.values_list("status", flat=True)) == {"sent"}


# --- Retries ------------------------------------------------------------------


def test_backoff_doubles_from_a_minute_and_is_capped():
    waits = [notification_backoff(n).total_seconds() for n in range(1, 10)]
    assert waits == [60, 120, 240, 480, 960, 1920, 3600, 3600, 3600]


@pytest.mark.django_db
def test_failing_sender_is_retried_with_backoff_then_marked_failed(settings, failing_sender):
    settings.NOTIFICATION_MAX_ATTEMPTS = 3
    row = _enqueue()

    before = timezone.now()
    assert notification_send(row.pk) == NotificationStatus.PENDING
    row.refresh_from_db()
    assert row.attempts == 1
    assert (
        before + timedelta(seconds=60)
        <= row.next_attempt_at
        <= timezone.now() + timedelta(seconds=60)
    )
    # Not due yet: neither a direct send nor the sweep tries again.
    assert notification_send(row.pk) is None
    assert notifications_send_due() == {}
    assert len(failing_sender) == 1

    _make_due(row)
    before = timezone.now()
    assert notifications_send_due() == {"pending": 1}
    row.refresh_from_db()
    assert row.attempts == 2
    assert row.next_attempt_at >= before + timedelta(seconds=120)

    _make_due(row)
    assert notification_send(row.pk) == NotificationStatus.FAILED
    row.refresh_from_db()
    assert (row.status, row.attempts, row.next_attempt_at) == ("failed", 3, None)
    assert row.last_error == "ConnectionError: SMTP server unreachable"
    assert notification_send(row.pk) is None
    assert len(failing_sender) == 3


@pytest.mark.django_db
def test_a_retry_that_succeeds_marks_the_row_sent(monkeypatch):
    row = _enqueue()
    real = dispatch.deliver
    monkeypatch.setattr(dispatch, "deliver", lambda **kw: (_ for _ in ()).throw(OSError("down")))
    notification_send(row.pk)
    monkeypatch.setattr(dispatch, "deliver", real)
    _make_due(row)

    assert notification_send(row.pk) == NotificationStatus.SENT
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == ("sent", 2, "")
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_sent_row_is_never_sent_again():
    row = _enqueue()
    assert notification_send(row.pk) == NotificationStatus.SENT
    _make_due(row)  # even with a due time, sent is final

    assert notification_send(row.pk) is None
    assert notifications_send_due() == {}
    call_command("send_notifications", "--once", stdout=io.StringIO())
    assert len(mail.outbox) == 1
    row.refresh_from_db()
    assert row.attempts == 1


@pytest.mark.django_db
def test_a_row_left_sending_by_a_dead_worker_is_taken_over_after_its_lease():
    row = _enqueue()
    Notification.objects.filter(pk=row.pk).update(
        status=NotificationStatus.SENDING,
        attempts=1,
        next_attempt_at=timezone.now() + timedelta(minutes=5),
    )
    assert notifications_send_due() == {}  # another worker still holds it

    _make_due(row)
    assert notifications_send_due() == {"sent": 1}
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_an_email_sent_again_after_a_dead_worker_carries_the_same_message_id(settings):
    """At least once: a worker killed after handing the email over but before
    marking the row sent leaves it to be sent again; both copies have the row's
    Message-ID, so a mail system that de-duplicates by it shows one."""
    settings.SITE_URL = "https://shop.example.com"
    row = _enqueue()
    other = _enqueue(recipient="rania@example.com")
    dispatch.deliver(
        channel=row.channel,
        recipient=row.recipient,
        template=row.template,
        context=row.context,
        message_id=dispatch.notification_message_id(row.pk),
    )  # the dead worker's delivery: the row was never marked sent
    assert notification_send(row.pk) == NotificationStatus.SENT
    assert notification_send(other.pk) == NotificationStatus.SENT

    ids = [m.message()["Message-ID"] for m in mail.outbox]
    assert ids == [f"<notification-{pk}@shop.example.com>" for pk in (row.pk, row.pk, other.pk)]


@pytest.mark.django_db
def test_send_due_sends_oldest_first_up_to_the_limit():
    rows = [_enqueue(recipient=f"buyer{i}@example.com") for i in range(3)]

    assert notifications_send_due(limit=2) == {"sent": 2}
    assert [m.to[0] for m in mail.outbox] == ["buyer0@example.com", "buyer1@example.com"]
    statuses = {r.pk: r.status for r in Notification.objects.all()}
    assert statuses[rows[2].pk] == NotificationStatus.PENDING


# --- The worker command -------------------------------------------------------


@pytest.mark.django_db
def test_send_notifications_once_sends_due_rows_and_exits(capsys):
    _enqueue()
    _enqueue(recipient="other@example.com")

    call_command("send_notifications", "--once")

    assert "2 sent" in capsys.readouterr().out
    assert len(mail.outbox) == 2


@pytest.mark.django_db
def test_send_notifications_loop_stops_after_max_seconds(capsys):
    _enqueue()
    started = time.monotonic()

    call_command("send_notifications", "--sleep", "0.2", "--max-seconds", "1")

    assert time.monotonic() - started < 5
    assert len(mail.outbox) == 1
    assert "1 sent" in capsys.readouterr().out


# --- Templates ----------------------------------------------------------------

SAMPLE = {
    **ORDER,
    "customer_name": "Maya",
    "amount": "20.00",
    "method": "card",
    "refund_number": "RF-2026-000007",
    "reason": "Damaged in transit",
    "carrier": "Aramex",
    "tracking_number": "AX123456789LB",
    "tracking_url": "https://track.example/AX123456789LB",
    "estimated_delivery": "Thursday 26 November",
    "sku": "DRESS-LIN-M",
    "product": "Linen dress",
    "available": 2,
    "threshold": 3,
    "admin_url": "http://127.0.0.1:8000/admin/inventory/",
    "items": [{"name": "Linen dress", "quantity": 1}],
    "store_name": "Olive & Acorn",
    "applicant": "maya@example.com",
    "payout_id": 12,
    "period": "2026-11-01 – 2026-11-15",
    "gross": "$40.00",
    "commission": "$6.00",
    "refunds": "$0.00",
    "net": "$34.00",
    "subject": "Which size for a 2-year-old?",
    "reply": "Size 2T fits most two-year-olds.",
    "conversation_url": "http://127.0.0.1:8000/support/g/signed-token/",
    "child_name": "Maya",
    "turning": "2 years",
    "birthday": "2026-12-09",
    "days_left": 14,
    "size_now": "18-24M",
    "size_next": "2T",
    "shoe_size_next": "EU 24-25",
    "shop_path": "/shop/?age=24",
}


@pytest.mark.parametrize("template", TEMPLATE_NAMES)
def test_every_message_renders_as_text_html_and_short_text(settings, template):
    settings.SHOP_NAME = "Maison Rose"
    email = render_email(template, SAMPLE)
    html = email.alternatives[0][0]

    assert email.subject and "{" not in email.subject
    for body in (email.body, html):
        assert "Maison Rose" in body
        assert "{{" not in body and "{%" not in body
    assert html.lstrip().startswith("<!DOCTYPE html>")
    if template.startswith(("seller_", "payout_")):
        assert "Olive" in email.body and "Olive" in html
    elif template.startswith("support_"):
        assert SAMPLE["conversation_url"] in email.body and SAMPLE["conversation_url"] in html
    elif template == "birthday_reminder":
        for body in (email.body, html):
            assert "Maya" in body and "2T" in body and "/shop/?age=24" in body
    elif template.startswith("registry_"):  # a gift bought: items, no order number
        assert "Linen dress" in email.body and "Linen dress" in html
    elif template not in ("low_stock", "abandoned_cart", "product_recall", "back_in_stock"):
        assert "BQ-2026-000042" in email.body
        assert "BQ-2026-000042" in html
    sms = render_text_message(template, SAMPLE)
    assert sms.startswith("Maison Rose") and "\n" not in sms


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("order_shipped", "https://track.example/AX123456789LB"),
        ("bank_transfer_instructions", "IBAN"),
        ("refund_issued", "RF-2026-000007"),
        ("abandoned_cart", "/cart/"),
        ("low_stock", "DRESS-LIN-M"),
    ],
)
def test_messages_carry_what_the_customer_needs(template, expected):
    email = render_email(template, SAMPLE)
    assert expected in email.body
    assert expected in email.alternatives[0][0]


# --- A real Celery worker on the local Redis -----------------------------------

REDIS_BROKER = "redis://127.0.0.1:6379/15"


def _redis_or_skip():
    import redis

    try:
        redis.Redis.from_url(REDIS_BROKER, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis is required in CI: {exc}")
        pytest.skip(f"Redis not reachable at {REDIS_BROKER}: {exc}")


@pytest.fixture
def celery_on_redis(settings):
    _redis_or_skip()
    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    settings.CELERY_BROKER_URL = REDIS_BROKER
    saved = app.conf.broker_url
    app.conf.broker_url = REDIS_BROKER
    app.loader.import_default_modules()
    try:
        app.control.purge()
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            yield app
    finally:
        app.conf.broker_url = saved
        app.pool.force_close_all()


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_celery_worker_on_redis_sends_the_enqueued_notification(celery_on_redis, monkeypatch):
    senders = []
    real_deliver = dispatch.deliver

    def deliver(**kwargs):
        senders.append(threading.current_thread())
        real_deliver(**kwargs)

    monkeypatch.setattr(dispatch, "deliver", deliver)

    with transaction.atomic():
        row = _enqueue()

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        row.refresh_from_db()
        if row.status == NotificationStatus.SENT:
            break
        time.sleep(0.1)
    assert row.status == NotificationStatus.SENT, (row.status, row.last_error)
    assert row.attempts == 1
    assert [m.to for m in mail.outbox] == [["maya@example.com"]]
    # Delivered by the worker, not in-process by the request's thread.
    assert len(senders) == 1 and senders[0] is not threading.current_thread()
