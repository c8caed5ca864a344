"""After the crash run: run the clean-up jobs as cron would once time has
passed, then check the invariants against the crash test's database. Run with
DATABASE_URL pointing at it and EMAIL_URL at the mail folder the server wrote:

    python -m tests.crash.checker MAIL_DIR TRAFFIC_JSON SEED_JSON

Prints JSON: {"violations": [...], "stats": {...}}. An empty violations list
means every invariant held."""

import email
import json
import os
import sys
from collections import Counter, defaultdict
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

# Past every payment deadline (72 h for cash) and every hold.
TIME_TRAVEL = timedelta(hours=73)


def run_jobs(now) -> dict:
    """The timed jobs, with the clock moved on. An outbox row left `sending` by
    a killed worker keeps a lease (NOTIFICATION_SEND_LEASE_SECONDS); moving its
    lease into the past is what the clock would do. Card payments left pending
    by a killed worker are settled from the test gateway's records first, as
    the beat schedule would have done long before the orders' deadline."""
    from django.utils import timezone

    from boutique.inventory.services import reservations_release_expired
    from boutique.notifications.dispatch import notifications_send_due
    from boutique.notifications.models import Notification, NotificationStatus
    from boutique.orders.services import orders_expire_unpaid
    from boutique.payments.reconcile import payments_reconcile_stale
    from boutique.payments.webhooks import webhook_events_retry

    stale = Notification.objects.filter(status=NotificationStatus.SENDING).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )
    jobs = {"leases_expired": stale, "payments_reconciled": payments_reconcile_stale(now=now)}
    jobs["webhooks_retried"] = webhook_events_retry()
    jobs["orders_expired"] = len(orders_expire_unpaid(now=now))
    jobs["reservations_released"] = reservations_release_expired(now=now)
    sent: Counter = Counter()
    for _ in range(20):
        outcome = notifications_send_due(limit=500)
        if not outcome:
            break
        sent.update(outcome)
    jobs["notifications_sent"] = dict(sent)
    return jobs


def mail_deliveries(mail_dir: Path) -> Counter:
    """Message-IDs of every email the file backend wrote (one file per
    connection, messages separated by a line of dashes)."""
    seen: Counter = Counter()
    for path in sorted(mail_dir.glob("*.log")):
        for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            if chunk.strip():
                message_id = email.message_from_bytes(chunk.lstrip()).get("Message-ID")
                seen[message_id] += 1
    return seen


def check(now, mail_dir: Path, traffic: dict, seed: dict) -> tuple[list, dict]:
    from django.db.models import Count, Q, Sum

    from boutique.inventory.models import MovementKind, Reservation, Stock, StockMovement
    from boutique.notifications.dispatch import notification_message_id
    from boutique.notifications.models import Notification, NotificationStatus
    from boutique.orders.models import Order, OrderStatus, PaymentStatus
    from boutique.payments.models import AttemptOutcome, Payment, PaymentAttempt, PaymentState
    from boutique.promotions.models import Coupon, CouponRedemption

    bad: list[str] = []
    orders = Order.objects.annotate(
        n_items=Count("items", distinct=True),
        n_shipping=Count("addresses", filter=Q(addresses__kind="shipping"), distinct=True),
        n_billing=Count("addresses", filter=Q(addresses__kind="billing"), distinct=True),
    )
    line_sums = dict(
        Order.objects.values_list("pk").annotate(s=Sum("items__line_total")).values_list("pk", "s")
    )
    for o in orders:
        if o.n_items < 1 or o.n_shipping != 1 or o.n_billing != 1:
            bad.append(
                f"order {o.number}: {o.n_items} items, addresses {o.n_shipping}/{o.n_billing}"
            )
        if o.total != o.subtotal - o.discount + o.shipping + o.tax:
            bad.append(f"order {o.number}: total {o.total} does not add up")
        if line_sums.get(o.pk) != o.subtotal:
            bad.append(
                f"order {o.number}: lines sum to {line_sums.get(o.pk)}, subtotal {o.subtotal}"
            )
        for item in o.items.all():
            if item.unit_price * item.quantity != item.line_total:
                bad.append(f"order {o.number}: line {item.sku} is not price × quantity")

    ledger = dict(
        StockMovement.objects.values_list("variant_id")
        .annotate(s=Sum("quantity"))
        .values_list("variant_id", "s")
    )
    for stock in Stock.objects.all():
        if stock.on_hand != (ledger.get(stock.variant_id) or 0):
            bad.append(f"variant {stock.variant_id}: on_hand {stock.on_hand} ≠ ledger")
        moves = StockMovement.objects.filter(variant_id=stock.variant_id)
        received = moves.filter(kind=MovementKind.IN).aggregate(s=Sum("quantity"))["s"] or 0
        sold = -(moves.filter(kind=MovementKind.OUT).aggregate(s=Sum("quantity"))["s"] or 0)
        if sold > received:
            bad.append(f"variant {stock.variant_id}: {sold} sold, {received} received")
    # Units that left the shelf are exactly the paid orders' units.
    paid_units = Counter()
    for o in Order.objects.filter(status=OrderStatus.PAID).prefetch_related("items"):
        for item in o.items.all():
            paid_units[item.variant_id] += item.quantity
    out = Counter(
        dict(
            StockMovement.objects.filter(kind=MovementKind.OUT)
            .values_list("variant_id")
            .annotate(s=Sum("quantity"))
            .values_list("variant_id", "s")
        )
    )
    if {k: -v for k, v in out.items() if v} != {k: v for k, v in paid_units.items() if v}:
        bad.append(f"stock out {dict(out)} ≠ units of paid orders {dict(paid_units)}")

    overdue = Reservation.objects.filter(state="active", expires_at__lt=now).count()
    if overdue:
        bad.append(f"{overdue} active reservations past their expiry after the job")
    if Reservation.objects.filter(state="active").exists():
        bad.append("active reservations left although every order was paid or expired")

    for o in Order.objects.all():
        succeeded = list(o.payments.filter(status=PaymentState.SUCCEEDED))
        if len(succeeded) > 1:
            bad.append(f"order {o.number}: {len(succeeded)} successful payments")
        if sum((p.amount for p in succeeded), Decimal(0)) > o.total:
            bad.append(f"order {o.number}: captured more than its total")
        if (o.payment_status == PaymentStatus.PAID) != bool(succeeded):
            bad.append(
                f"order {o.number}: payment_status {o.payment_status}, {len(succeeded)} paid"
            )
        if o.status == OrderStatus.PENDING:
            bad.append(f"order {o.number}: still pending after the expiry job")
    if Payment.objects.filter(order__isnull=True).exists():
        bad.append("a payment without an order")
    # A worker killed between recording a card attempt and recording the
    # gateway's answer leaves it pending; the reconcile job settles every one
    # from the gateway's records (charged: paid; never charged: failed).
    for payment in Payment.objects.filter(status=PaymentState.PENDING):
        bad.append(f"payment {payment.pk} of order {payment.order.number} left pending")
    for attempt in PaymentAttempt.objects.filter(outcome=AttemptOutcome.PENDING):
        bad.append(f"payment attempt {attempt.idempotency_key} left pending")

    for coupon in Coupon.objects.all():
        used = CouponRedemption.objects.filter(coupon=coupon, returned_at__isnull=True).count()
        if coupon.max_uses is not None and used > coupon.max_uses:
            bad.append(f"coupon {coupon.code}: {used} uses, limit {coupon.max_uses}")
        live = set(
            Order.objects.filter(coupon_code=coupon.code)
            .exclude(status=OrderStatus.CANCELLED)
            .values_list("number", flat=True)
        )
        redeemed = set(
            CouponRedemption.objects.filter(coupon=coupon, returned_at__isnull=True).values_list(
                "order_id", flat=True
            )
        )
        if live != redeemed:
            bad.append(f"coupon {coupon.code}: uses {sorted(redeemed)} ≠ orders {sorted(live)}")

    # The server's word is kept: what it confirmed is in the database.
    numbers = set(Order.objects.values_list("number", flat=True))
    for seen in traffic["orders"]:
        if seen["number"] not in numbers:
            bad.append(f"order {seen['number']} was confirmed to a client but does not exist")
    for seen in traffic["payments"]:
        if not Payment.objects.filter(
            order__number=seen["number"], status=PaymentState.SUCCEEDED
        ).exists():
            bad.append(f"payment for {seen['number']} was confirmed but is not recorded")

    # Every message that should exist does, and each went out.
    rows = list(Notification.objects.all())
    by_ref = defaultdict(set)
    for row in rows:
        by_ref[row.template, row.reference_id].add(row.pk)
    for o in Order.objects.all():
        expected = ["order_confirmation"]
        if o.payment_status == PaymentStatus.PAID:
            expected.append("payment_received")
        if o.status == OrderStatus.CANCELLED:
            expected.append("order_cancelled")
        for template in expected:
            if len(by_ref[template, o.number]) != 1:
                bad.append(f"order {o.number}: {len(by_ref[template, o.number])} × {template}")
    deliveries = mail_deliveries(mail_dir)
    known = {notification_message_id(row.pk): row for row in rows}
    for row in rows:
        copies = deliveries[notification_message_id(row.pk)]
        if row.status != NotificationStatus.SENT:
            bad.append(f"notification {row.pk} {row.template} is {row.status}: {row.last_error}")
        if row.channel == "email" and copies < 1:
            bad.append(f"notification {row.pk} {row.template} marked sent, never delivered")
        # At least once: each claim delivers at most one copy, so a second copy
        # only exists when a killed worker had claimed the row before.
        if copies > row.attempts:
            bad.append(f"notification {row.pk}: {copies} copies in {row.attempts} attempts")
    strangers = [mid for mid in deliveries if mid not in known]
    if strangers:
        bad.append(f"emails with no outbox row: {strangers[:5]}")

    stats = {
        "orders": Order.objects.count(),
        "orders_by_status": dict(Counter(Order.objects.values_list("status", flat=True))),
        "payments_by_status": dict(Counter(Payment.objects.values_list("status", flat=True))),
        "payments_left_pending": list(
            Payment.objects.filter(status=PaymentState.PENDING).values_list(
                "order__number", "order__status"
            )
        ),
        "notifications": len(rows),
        "emails_delivered": sum(deliveries.values()),
        "emails_delivered_twice": sum(1 for n in deliveries.values() if n > 1),
        "notifications_retaken": sum(1 for row in rows if row.attempts > 1),
        "coupon_uses": CouponRedemption.objects.filter(returned_at__isnull=True).count(),
        "seed": seed,
    }
    return bad, stats


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    import django

    django.setup()
    from django.utils import timezone

    mail_dir, traffic_json, seed_json = (Path(p) for p in sys.argv[1:4])
    traffic = json.loads(traffic_json.read_text())
    seed = json.loads(seed_json.read_text())
    now = timezone.now() + TIME_TRAVEL
    jobs = run_jobs(now)
    violations, stats = check(now, mail_dir, traffic, seed)
    json.dump({"violations": violations, "stats": {**stats, "jobs": jobs}}, sys.stdout)


if __name__ == "__main__":
    main()
