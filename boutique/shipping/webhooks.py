"""Carrier webhooks: verified, stored once, applied once.

`carrier_webhook_receive` checks the HMAC-SHA256 signature of the raw body
with the carrier's own secret, stores the event under its (carrier, event id)
and commits, then applies it in a second transaction under the event's row
lock, ending with a conditional update (`processed_at IS NULL`): a replay, at
once or later, is never applied twice. An event for a tracking number we do
not know yet stays stored with `processed_at` empty and the reason in
`error`; `carrier_events_retry` applies such events later.
"""

import hashlib
import hmac
import json
import logging

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from boutique.core.errors import DomainError, NotFound

from .errors import CarrierSignatureInvalid, CarrierWebhookInvalid
from .locks import carrier_event_for_update
from .models import CarrierEvent, EventSource, Shipment, ShippingProvider, TrackingKind
from .services import tracking_event_apply

logger = logging.getLogger("boutique.shipping")

SIGNATURE_HEADER = "X-Carrier-Signature"
RETRY_BATCH = 500


class _NotYet(Exception):
    """The event cannot be applied now; it stays pending for a retry."""


def carrier_signature(secret: str, body: bytes) -> str:
    """The hex HMAC-SHA256 a carrier sends in X-Carrier-Signature."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _verify(provider: ShippingProvider, body: bytes, signature: str | None) -> None:
    if not provider.webhook_secret:
        raise CarrierSignatureInvalid("This carrier has no webhook secret set.")
    sent = str(signature or "").strip().lower().removeprefix("sha256=")
    if not sent:
        raise CarrierSignatureInvalid(f"The {SIGNATURE_HEADER} header is missing.")
    if not hmac.compare_digest(carrier_signature(provider.webhook_secret, body), sent):
        raise CarrierSignatureInvalid()


def _text(data: dict, name: str, limit: int, errors: dict, *, required=False) -> str:
    value = data.get(name)
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors[name] = ["Must be a string."]
        return ""
    value = value.strip()
    if required and not value:
        errors[name] = ["Required."]
    elif len(value) > limit:
        errors[name] = [f"At most {limit} characters."]
    return value


def carrier_event_read(data) -> dict:
    """The fields processing uses, checked. Raises CarrierWebhookInvalid."""
    if not isinstance(data, dict):
        raise CarrierWebhookInvalid("The body must be a JSON object.")
    errors: dict[str, list[str]] = {}
    fields = {
        "event_id": _text(data, "event_id", 100, errors, required=True),
        "tracking_number": _text(data, "tracking_number", 100, errors, required=True),
        "kind": _text(data, "kind", 20, errors, required=True),
        "location": _text(data, "location", 200, errors),
        "remarks": _text(data, "remarks", 500, errors),
    }
    if fields["kind"] and fields["kind"] not in TrackingKind.values:
        errors["kind"] = [f"One of {', '.join(TrackingKind.values)}."]
    at_text = _text(data, "at", 40, errors)
    at = parse_datetime(at_text) if at_text else None
    if at_text and (at is None or timezone.is_naive(at)):
        errors["at"] = ["An ISO 8601 date and time with its offset."]
    if errors:
        raise CarrierWebhookInvalid("Some fields are not valid.", field_errors=errors)
    fields["at"] = at
    return fields


def _store(provider: ShippingProvider, fields: dict, data: dict) -> tuple[CarrierEvent, bool]:
    """Store the event once. A concurrent twin hits the unique constraint and
    reads the row the winner committed."""
    event_id = fields["event_id"]
    with transaction.atomic(durable=True):
        try:
            with transaction.atomic():
                return CarrierEvent.objects.get_or_create(
                    provider=provider, event_id=event_id, defaults={"payload": data}
                )
        except IntegrityError:
            pass
    return CarrierEvent.objects.get(provider=provider, event_id=event_id), False


def carrier_webhook_receive(*, provider_id: int, payload: bytes, headers) -> CarrierEvent:
    """Verify, store once and apply a carrier's notification. A replay returns
    the stored event without applying it again. NotFound for an unknown or
    inactive carrier; CarrierSignatureInvalid (401, nothing stored) for a bad
    or missing signature; CarrierWebhookInvalid (400, nothing stored) for a
    body we cannot read."""
    provider = ShippingProvider.objects.filter(pk=provider_id, is_active=True).first()
    if provider is None:
        raise NotFound("No such carrier.")
    body = bytes(payload or b"")
    _verify(provider, body, headers.get(SIGNATURE_HEADER))
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise CarrierWebhookInvalid("The body is not JSON.") from exc
    fields = carrier_event_read(data)
    event, created = _store(provider, fields, data)
    if not created:
        return event
    return carrier_event_process(event=event)


def carrier_event_process(*, event: CarrierEvent) -> CarrierEvent:
    """Apply a stored event at most once. Takes the event's row lock, then the
    order's and the shipment's (through tracking_event_apply)."""
    with transaction.atomic(durable=True):
        locked = carrier_event_for_update().filter(pk=event.pk).first()
        if locked is None or locked.processed_at is not None:
            return locked or event
        try:
            with transaction.atomic():
                note = _apply(locked)
        except (_NotYet, DomainError) as exc:
            reason = str(getattr(exc, "detail", "") or exc)[:255]
            CarrierEvent.objects.filter(pk=locked.pk, processed_at__isnull=True).update(
                error=reason
            )
            logger.info("carrier event %s left pending: %s", locked.pk, reason)
        else:
            CarrierEvent.objects.filter(pk=locked.pk, processed_at__isnull=True).update(
                processed_at=timezone.now(), error=note
            )
    locked.refresh_from_db()
    return locked


def carrier_events_retry(*, limit: int = RETRY_BATCH) -> int:
    """Apply events still pending, oldest first. Returns how many applied now."""
    pending = CarrierEvent.objects.filter(processed_at__isnull=True).order_by("received_at", "pk")
    applied = 0
    for pk in list(pending.values_list("pk", flat=True)[:limit]):
        if carrier_event_process(event=CarrierEvent(pk=pk)).processed_at is not None:
            applied += 1
    return applied


def _apply(event: CarrierEvent) -> str:
    try:
        fields = carrier_event_read(event.payload)
    except CarrierWebhookInvalid as exc:  # stored before a rule changed: never applicable
        return f"ignored: {exc.detail}"[:255]
    shipment = (
        Shipment.objects.filter(
            provider_id=event.provider_id, tracking_number=fields["tracking_number"]
        )
        .order_by("-pk")
        .first()
    )
    if shipment is None:
        raise _NotYet(f"unknown tracking number {fields['tracking_number'][:60]!r}")
    applied = tracking_event_apply(
        shipment=shipment,
        kind=fields["kind"],
        location=fields["location"],
        remarks=fields["remarks"],
        at=fields["at"],
        external_id=event.event_id,
        source=EventSource.CARRIER,
    )
    return "" if applied else "ignored: duplicate or late event"
