"""Gateway webhooks over HTTP: `POST /api/v1/webhooks/{provider}`.

No session or token (the gateway calls us; its signature is the
authentication) and no CSRF check. The raw body is passed on untouched, since
the signature covers its exact bytes. 200 `{"received": true}` for a new event
and for a duplicate; 400 for a bad signature (nothing stored); 404 for a
provider we take no webhooks from."""

from django.core.exceptions import RequestDataTooBig
from django.views.decorators.csrf import csrf_exempt
from ninja import Router, Schema, Status

from boutique.core.schemas import problems

from .webhooks import WebhookInvalid, webhook_receive

webhooks_router = Router(tags=["webhooks"])


class WebhookReceivedOut(Schema):
    received: bool


@webhooks_router.post(
    "/webhooks/{provider}",
    auth=None,
    response={200: WebhookReceivedOut, **problems(400, 404)},
    summary="Receive a payment gateway's signed notification",
)
@csrf_exempt
def webhook(request, provider: str):
    try:
        body = request.body
    except RequestDataTooBig as exc:
        raise WebhookInvalid("The webhook body is too large.") from exc
    webhook_receive(provider=provider, payload=body, headers=request.headers)
    return Status(200, {"received": True})
