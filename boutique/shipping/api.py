"""Carrier webhooks over HTTP: `POST /api/v1/webhooks/carriers/{provider_id}`.

No session or token: the carrier's HMAC signature (X-Carrier-Signature) is the
authentication, and there is no CSRF check. The raw body goes on untouched,
since the signature covers its exact bytes. 200 for a new event and for a
replay; 401 for a bad or missing signature and 400 for an unreadable body
(nothing stored in either case); 404 for an unknown carrier."""

from django.core.exceptions import RequestDataTooBig
from django.views.decorators.csrf import csrf_exempt
from ninja import Router, Schema, Status

from boutique.core.schemas import problems

from .errors import CarrierWebhookInvalid
from .webhooks import carrier_webhook_receive

carriers_router = Router(tags=["webhooks"])


class CarrierWebhookOut(Schema):
    received: bool
    processed: bool


@carriers_router.post(
    "/webhooks/carriers/{provider_id}",
    auth=None,
    response={200: CarrierWebhookOut, **problems(400, 401, 404)},
    summary="Receive a carrier's signed tracking event",
)
@csrf_exempt
def carrier_webhook(request, provider_id: int):
    try:
        body = request.body
    except RequestDataTooBig as exc:
        raise CarrierWebhookInvalid("The webhook body is too large.") from exc
    event = carrier_webhook_receive(provider_id=provider_id, payload=body, headers=request.headers)
    return Status(200, {"received": True, "processed": event.processed_at is not None})
