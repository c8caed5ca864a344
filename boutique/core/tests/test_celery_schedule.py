from django.conf import settings

from config.celery import app


def test_every_scheduled_job_is_a_registered_task():
    app.loader.import_default_modules()
    registered = set(app.tasks)
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert scheduled <= registered, scheduled - registered
    assert {
        "notifications.send_due",
        "inventory.release_expired_reservations",
        "orders.expire_unpaid_orders",
        "payments.retry_webhook_events",
        "payments.reconcile_stale",
        "cart.remind_abandoned",
        "shipping.retry_carrier_events",
        "marketplace.generate_payouts",
    } <= scheduled
