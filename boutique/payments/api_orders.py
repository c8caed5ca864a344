"""The payments API: a customer pays their order by card and reads its payments;
staff confirm money received offline.

Whose order follows the orders API: a signed-in customer (bearer token or
session) pays and reads their own orders; a guest names the order by its number
with `?email=` matching it. Anyone else's order is 404, as an unknown number is.

Paying needs an `Idempotency-Key` header: the first request answers 201 with the
payment; the same key again answers with the first outcome (200 and
`Idempotent-Replayed: true` for a payment, the same 402 for a decline) and never
charges twice. A decline is 402 problem+json with the bank's reason; the order
stays payable, so the customer retries with another card and a new key.

Card data: with Stripe active the client sends a Stripe PaymentMethod token
(the card form talks to Stripe directly); a card object is refused. With the
offline test gateway a test card may be sent: it is tokenised in memory and
dropped. A payment answers brand, last four digits and expiry, never the
number or the security code."""

from django.conf import settings
from django.http import HttpResponse
from ninja import Header, Query, Router, Status

from boutique.cart.api import CART_AUTH
from boutique.core.errors import DomainError, PermissionDenied
from boutique.core.schemas import problems
from boutique.orders import selectors as order_selectors
from boutique.orders.errors import OrderNotFound
from boutique.orders.models import PaymentMethod

from . import selectors, services
from .gateways.test import InvalidCard, tokenize
from .refunds import refund_create
from .schemas import CardIn, PaymentConfirmIn, PaymentIn, PaymentOut, RefundIn, RefundOut

payments_router = Router(tags=["payments"])

IDEMPOTENCY_HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
EMAIL_DOC = "A guest's lookup: the email the order was placed with."
STAFF_PERMISSION = "payments.change_payment"
MAX_TOKEN_LENGTH = 255


class PaymentRequestInvalid(DomainError):
    code = "payment_invalid"
    status = 400
    title = "The payment request is not valid"


class CardDataRefused(PaymentRequestInvalid):
    code = "card_data_refused"
    title = "Card details are not accepted here"


def _order_for(request, number: str, email: str | None):
    """The caller's order: a signed-in customer's own, or a guest's by number and
    email. Anything else (and a number or email no order can have) is 404."""
    email = (email or "").strip()
    if not number.isprintable() or len(number) > 40 or not email.isprintable() or len(email) > 254:
        raise OrderNotFound("No such order.")
    user = request.auth if request.auth.is_authenticated else None
    if user is not None:
        return order_selectors.order_get_for_customer(user=user, number=number)
    if not email:
        raise OrderNotFound("Give the email the order was placed with (?email=).")
    return order_selectors.order_get_for_guest(number=number, email=email)


def _key(value: str | None) -> str:
    key = (value or "").strip()
    if not key or len(key) > 100 or not key.isascii() or not key.isprintable():
        raise PaymentRequestInvalid(
            f"Send an {IDEMPOTENCY_HEADER} header of 1 to 100 printable characters; "
            "repeat it to retry the same payment safely.",
            field_errors={IDEMPOTENCY_HEADER: ["Required."]},
        )
    return key


def _whole(value, name: str, errors: dict) -> int:
    text = str(value).strip() if value is not None and not isinstance(value, bool) else ""
    if not (text.isascii() and text.isdigit() and len(text) <= 4):
        errors[name] = ["A whole number."]
        return 0
    return int(text)


def _looks_like_a_card_number(token: str) -> bool:
    digits = [ch for ch in token if ch.isdigit()]
    return len(digits) >= 12 and all(ch.isdigit() or ch in " -" for ch in token)


def _test_card_token(card: CardIn) -> str:
    """A test card → a test token, in memory. The details go no further."""
    if settings.PAYMENT_GATEWAY != "test":
        raise CardDataRefused(
            "Card details are never sent to the shop: pay with the card form, which "
            "sends them to the payment provider and gives back a token.",
            field_errors={"card": ["Send a token instead."]},
        )
    errors: dict[str, list[str]] = {}
    month = _whole(card.exp_month, "card.exp_month", errors)
    year = _whole(card.exp_year, "card.exp_year", errors)
    number = str(card.number if card.number is not None else "")
    cvc = str(card.cvc if card.cvc is not None else "")
    if errors:
        raise PaymentRequestInvalid("The card's expiry is not valid.", field_errors=errors)
    try:
        return tokenize(number=number[:40], exp_month=month, exp_year=year, cvc=cvc[:10])
    except InvalidCard as exc:
        raise PaymentRequestInvalid(str(exc), field_errors={"card": [str(exc)]}) from None


def _token(payload: PaymentIn) -> str:
    if (payload.method or "").strip() != PaymentMethod.CARD:
        raise PaymentRequestInvalid(
            "Only card payments are taken here; cash, cash on delivery and bank "
            "transfers are confirmed by the shop when the money arrives.",
            field_errors={"method": ["card"]},
        )
    token = (payload.token or "").strip()
    if payload.card is not None and token:
        raise PaymentRequestInvalid(
            "Send a card token or a test card, not both.", field_errors={"token": ["One of."]}
        )
    if payload.card is not None:
        card, payload.card = payload.card, None  # drop the details with the request
        return _test_card_token(card)
    if not token:
        raise PaymentRequestInvalid(
            "A card token is required.", field_errors={"token": ["Required."]}
        )
    if _looks_like_a_card_number(token):
        # Never pass a card number on to a gateway (whose error might echo it).
        raise CardDataRefused(
            "That is a card number, not a token: card numbers are never sent to the shop.",
            field_errors={"token": ["A gateway token."]},
        )
    if len(token) > MAX_TOKEN_LENGTH or not token.isascii() or not token.isprintable():
        raise PaymentRequestInvalid(
            "That is not a card token.", field_errors={"token": ["A gateway token."]}
        )
    return token


@payments_router.post(
    "/orders/{number}/payments",
    auth=CART_AUTH,
    response={201: PaymentOut, 200: PaymentOut, **problems(400, 401, 402, 403, 404, 409, 422)},
)
def payment_create(
    request,
    response: HttpResponse,
    number: str,
    payload: PaymentIn,
    email: str | None = Query(None, description=EMAIL_DOC),
    idempotency_key: str | None = Header(
        None,
        alias=IDEMPOTENCY_HEADER,
        description="Required. 1–100 printable ASCII characters; a repeat answers the "
        "first outcome and never charges twice.",
    ),
):
    """Pay the order's total by card. 201 with the payment (brand, last four,
    expiry; never the number). 402: declined, with the bank's reason (the order
    stays payable: retry with another card and a new key). 409: the order is
    paid, cancelled or expired. 400: no key, no token, a bad test card, or card
    details while Stripe is active."""
    order = _order_for(request, number, email)
    key = _key(idempotency_key)
    token = _token(payload)
    replay = selectors.payment_attempt_exists(idempotency_key=key)
    user = request.auth if request.auth.is_authenticated else None
    payment = services.payment_card_pay(order=order, token=token, idempotency_key=key, actor=user)
    if replay:
        response[REPLAYED_HEADER] = "true"
        return Status(200, payment)
    return Status(201, payment)


@payments_router.get(
    "/orders/{number}/payments",
    auth=CART_AUTH,
    response={200: list[PaymentOut], **problems(401, 403, 404)},
)
def payment_list(request, number: str, email: str | None = Query(None, description=EMAIL_DOC)):
    """The order's payments and declined tries, newest first."""
    order = _order_for(request, number, email)
    return selectors.payments_for_order(order=order)


# --- Staff ---------------------------------------------------------------------------


def _staff(request):
    user = request.auth
    if not (user.is_staff and user.has_perm(STAFF_PERMISSION)):
        raise PermissionDenied("Only staff who may change payments can do this.")
    return user


@payments_router.post(
    "/staff/orders/{number}/confirm-payment",
    tags=["staff"],
    response={200: PaymentOut, **problems(401, 403, 404, 409, 422)},
)
def payment_confirm(request, number: str, payload: PaymentConfirmIn):
    """Staff confirm money received outside the card gateway: cash in USD or LBP
    (LBP at the order's own rate), cash on delivery, or a bank transfer with the
    bank's reference. Marks the order paid; audited with the staff member."""
    staff = _staff(request)
    order = selectors.order_get_for_staff(number=number)
    return services.payment_confirm_offline(
        order=order,
        method=(payload.method or "").strip(),
        actor=staff,
        reference=payload.reference or "",
        amount=payload.amount,
    )


@payments_router.post(
    "/staff/orders/{number}/refunds",
    tags=["staff"],
    response={201: RefundOut, 200: RefundOut, **problems(400, 401, 403, 404, 409, 422, 502)},
)
def refund_create_for_staff(
    request,
    response: HttpResponse,
    number: str,
    payload: RefundIn,
    idempotency_key: str | None = Header(
        None,
        alias=IDEMPOTENCY_HEADER,
        description="Optional. A repeat answers the first refund and refunds nothing more.",
    ),
):
    """Refund part or all of the order's payment, by amount or by items (not
    both), with a reason, optionally putting the items back in stock. Card
    payments are refunded through the gateway, cash and bank transfers are
    recorded. Never more than was paid (409), also under concurrent requests.
    201 with the refund; 502 when the gateway refused (nothing refunded)."""
    staff = _staff(request)
    order = selectors.order_get_for_staff(number=number)
    replay = selectors.refund_key_used(idempotency_key=idempotency_key)
    items = None
    if payload.items is not None:
        items = [{"order_item_id": i.order_item_id, "quantity": i.quantity} for i in payload.items]
    refund = refund_create(
        order=order,
        actor=staff,
        reason=payload.reason or "",
        amount=payload.amount,
        items=items,
        restock=payload.restock,
        idempotency_key=(idempotency_key or "").strip() or None,
    )
    if replay:
        response[REPLAYED_HEADER] = "true"
        return Status(200, refund)
    return Status(201, refund)
