"""No card data at rest (issue 6, must-show 7).

An order is placed and paid through the API with real-looking test cards (one
declined, one accepted, plus a bad number and a number sent as a token). Every
logger captures at DEBUG, SQL included with its parameters. Then every text
column (CharField and its kin, TextField, JSONField, FileField, …) of every
table of every installed model is read back with a raw query, sessions are
decoded, the mail outbox and the captured logs are read, and neither card
number (with or without spaces or dashes) nor either security code (as a
standalone value) may appear anywhere.

Sequences are reset so ids stay small: a row id can never be mistaken for a
security code."""

import json
import logging
import re

import pytest
from django.apps import apps
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core import mail
from django.db import connections, models

from boutique.audit.models import AuditLog
from boutique.checkout.tests.api_support import (
    ORDERS,
    add_to_cart,
    body,
    courier,
    ok,
    post,
    problem,
    variant,
)
from boutique.orders.models import Order
from boutique.payments.models import Payment

pytestmark = pytest.mark.django_db(transaction=True, reset_sequences=True)

GOOD_PAN, GOOD_CVC = "4242424242424242", "987"
DECLINED_PAN, DECLINED_CVC = "4000000000000002", "654"
BAD_PAN = "4242424242424241"  # fails the Luhn check
EMAIL = "rania@example.com"

TEXT_FIELDS = (
    models.CharField,  # EmailField, SlugField, URLField, …
    models.TextField,
    models.JSONField,
    models.FileField,
    models.GenericIPAddressField,
    models.BinaryField,
)


def _pan_pattern(pan: str) -> re.Pattern:
    """The number whole, grouped in fours by spaces or dashes, or not at all."""
    groups = [pan[i : i + 4] for i in range(0, len(pan), 4)]
    return re.compile(r"[ -]?".join(groups))


def _cvc_pattern(cvc: str) -> re.Pattern:
    """The code as a value of its own: not inside a longer word, number or token."""
    return re.compile(rf"(?<![\w.,]){cvc}(?![\w]|[.,]\d)")


FORBIDDEN = {
    "PAN 4242…4242": _pan_pattern(GOOD_PAN),
    "PAN 4000…0002": _pan_pattern(DECLINED_PAN),
    "PAN 4242…4241": _pan_pattern(BAD_PAN),
    "CVC 987": _cvc_pattern(GOOD_CVC),
    "CVC 654": _cvc_pattern(DECLINED_CVC),
}


def _found(text: str) -> list[str]:
    return [name for name, pattern in FORBIDDEN.items() if pattern.search(text)]


def _as_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, memoryview | bytes | bytearray):
        return bytes(value).decode("utf-8", "replace")
    if isinstance(value, dict | list):
        return json.dumps(value, default=str)
    return str(value)


def _text_columns(model) -> list[str]:
    return [
        field.column
        for field in model._meta.concrete_fields
        if isinstance(field, TEXT_FIELDS) and field.column
    ]


def scan_database(alias="default") -> tuple[list[tuple], set[str], dict[str, list[str]]]:
    """(hits as (table, column, what), tables read, {table: every text value})."""
    connection = connections[alias]
    existing = set(connection.introspection.table_names())
    hits, tables, values = [], set(), {}
    quote = connection.ops.quote_name
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed or meta.db_table not in existing:
            continue
        columns = _text_columns(model)
        if not columns:
            tables.add(meta.db_table)
            continue
        sql = "SELECT {} FROM {}".format(", ".join(map(quote, columns)), quote(meta.db_table))
        with connection.cursor() as cursor:
            cursor.execute(sql)
            rows = cursor.fetchall()
        tables.add(meta.db_table)
        for row in rows:
            for column, value in zip(columns, row, strict=True):
                text = _as_text(value)
                values.setdefault(meta.db_table, []).append(text)
                hits += [(meta.db_table, column, what) for what in _found(text)]
    # Sessions are signed and encoded: read them decoded too.
    for session in Session.objects.all():
        decoded = json.dumps(SessionStore().decode(session.session_data), default=str)
        hits += [("django_session", "session_data (decoded)", what) for what in _found(decoded)]
    return hits, tables, values


_STANDARD = set(vars(logging.LogRecord("x", logging.INFO, "x", 1, "x", None, None))) | {
    "message",
    "asctime",
}


def _record_text(record: logging.LogRecord) -> str:
    """What a log line carries: its message, traceback and any extra fields
    (not its line number or timestamps, which are not data)."""
    extras = {key: value for key, value in vars(record).items() if key not in _STANDARD}
    parts = [record.getMessage(), record.exc_text or "", record.stack_info or ""]
    if record.exc_info and record.exc_info[1] is not None:
        parts.append(repr(record.exc_info[1]))
    if extras:
        parts.append(json.dumps(extras, default=repr))
    return "\n".join(parts)


def scan_logs(records) -> list[tuple]:
    return [(r.name, r.levelname, what) for r in records for what in _found(_record_text(r))]


@pytest.fixture
def every_log(caplog):
    """Every logger at DEBUG into caplog, SQL with its parameters included."""
    saved = {}
    for name, logger in list(logging.root.manager.loggerDict.items()):
        if isinstance(logger, logging.Logger):
            saved[name] = (logger.level, logger.disabled)
            logger.setLevel(logging.DEBUG)
            logger.disabled = False
            if not logger.propagate:
                logger.addHandler(caplog.handler)
    caplog.set_level(logging.DEBUG)
    debug_cursors = {alias: connections[alias].force_debug_cursor for alias in connections}
    for alias in connections:
        connections[alias].force_debug_cursor = True
    yield caplog
    for alias, value in debug_cursors.items():
        connections[alias].force_debug_cursor = value
    for name, (level, disabled) in saved.items():
        logger = logging.getLogger(name)
        logger.setLevel(level)
        logger.disabled = disabled
        if caplog.handler in logger.handlers:
            logger.removeHandler(caplog.handler)


def _checkout_and_pay(client, settings) -> tuple[Order, list]:
    """Place an order through the API and pay it: a bad number, a number sent as
    a token, a declined card, then a good one. Returns the order and every
    response body."""
    settings.CHECKOUT_PAYMENT_METHODS = ["cod", "card"]
    item = variant(price="20.00", stock=5)
    method = courier()
    headers = add_to_cart(client, item)
    placed = ok(
        post(
            client,
            ORDERS,
            body(method, payment_method="card"),
            {**headers, "Idempotency-Key": "o-1"},
        ),
        201,
    )
    url = f"/api/v1/orders/{placed['number']}/payments?email={EMAIL}"

    def pay(key, **payload):
        return post(client, url, {"method": "card", **payload}, {"Idempotency-Key": key})

    def card(number, cvc):
        return {"number": number, "exp_month": 12, "exp_year": 2030, "cvc": cvc}

    responses = [
        problem(pay("p-0", card=card(BAD_PAN, GOOD_CVC)), 400, "payment_invalid"),
        problem(pay("p-1", token="4242 4242 4242 4242"), 400, "card_data_refused"),
        problem(pay("p-2", card=card("4000 0000 0000 0002", DECLINED_CVC)), 402, "payment_refused"),
        problem(pay("p-3", card=card(DECLINED_PAN, DECLINED_CVC)), 402, "payment_refused"),
        ok(pay("p-4", card=card(GOOD_PAN, GOOD_CVC)), 201),
        ok(client.get(url)),
    ]
    return Order.objects.get(number=placed["number"]), responses


def test_no_card_number_or_security_code_is_stored_logged_or_answered(client, settings, every_log):
    order, responses = _checkout_and_pay(client, settings)

    # The payment went through and kept only what it may keep.
    order.refresh_from_db()
    assert (order.status, order.payment_status) == ("paid", "paid")
    kept = sorted(Payment.objects.filter(order=order).values_list("status", "card_last4"))
    assert kept == [("failed", "0002"), ("failed", "0002"), ("succeeded", "4242")]
    assert set(AuditLog.objects.values_list("action", flat=True)) >= {
        "payment.failed",
        "payment.succeeded",
    }

    hits, tables, values = scan_database()

    # The scan read every table, the payment and audit rows among them.
    assert {"payments_payment", "payments_paymentattempt", "audit_auditlog"} <= tables
    assert {"orders_order", "orders_orderaddress", "django_session"} <= tables
    assert len(tables) >= len([m for m in apps.get_models() if not m._meta.proxy])
    assert any(order.number in text for text in values["audit_auditlog"])
    assert "0002" in values["payments_payment"] and "4242" in values["payments_payment"]
    assert hits == []

    # Logs: captured (SQL with parameters, the 402s), and clean.
    records = every_log.records
    assert any(
        r.name == "django.db.backends" and "payments_payment" in r.getMessage() for r in records
    )
    assert any(
        r.name == "django.request" and r.getMessage().startswith("Payment Required")
        for r in records
    )
    assert scan_logs(records) == []
    # The audit log once more, by itself.
    audit_text = json.dumps(list(AuditLog.objects.values("old", "new", "actor_label")), default=str)
    assert _found(audit_text) == []

    # Nothing answered it back, and nothing was mailed with it.
    assert _found(json.dumps(responses)) == []
    assert _found("\n".join(str(m.message()) for m in mail.outbox)) == []


def test_the_scan_finds_card_data_where_it_is(client, settings, every_log):
    """The scanner is not blind: card data planted in a text column, a JSON
    column and a log line is found (guards the test above against passing
    because it looked nowhere)."""
    order, _ = _checkout_and_pay(client, settings)
    Order.objects.filter(pk=order.pk).update(note="card 4242-4242-4242-4242")
    AuditLog.objects.create(entity_type="test", entity_id="1", action="x", new={"cvc": "987"})
    logging.getLogger("boutique.anything").debug("paid with %s", "4000 0000 0000 0002")

    hits, _, _ = scan_database()

    assert ("orders_order", "note", "PAN 4242…4242") in hits
    assert ("audit_auditlog", "new", "CVC 987") in hits
    # The log line, and the SQL that wrote the planted values (logged with its
    # parameters), are caught too.
    assert {what for *_, what in scan_logs(every_log.records)} == {
        "PAN 4000…0002",
        "PAN 4242…4242",
        "CVC 987",
    }
