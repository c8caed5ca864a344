"""The orders API: place an order from the caller's cart, list and read orders,
cancel one that has not shipped.

Whose cart and whose orders follow the cart API (boutique.cart.api): a signed-in
customer (bearer token or session) orders from their cart and sees their own
orders; a guest orders from the cart named by `X-Cart-Token` (or the session)
and reads or cancels an order by its number with `?email=` matching the order.
Anyone else's order is 404, as an unknown number is.

Placing takes an optional `Idempotency-Key` header: the first request answers
201 with the order; repeating it with the same body answers 200 with the same
order and `Idempotent-Replayed: true`; the same key with another body is 409."""

from django.http import HttpResponse
from ninja import Header, Query, Router, Status

from boutique.cart.api import CART_AUTH, CART_TOKEN_HEADER, TOKEN_DOC, Caller, _caller
from boutique.checkout.schemas import CheckoutIn
from boutique.checkout.services import order_place
from boutique.core.pagination import PageQuery, page_of
from boutique.core.schemas import problems
from boutique.shipping.selectors import orders_with_shipments

from . import selectors, services
from .errors import OrderNotFound, OrderQueryInvalid
from .schemas import OrderOut, OrderPageOut

orders_router = Router(tags=["orders"])

IDEMPOTENCY_HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_NUMBER_LENGTH = 40
MAX_EMAIL_LENGTH = 254


EMAIL_DOC = "A guest's lookup: the email the order was placed with."


def _lookup(number: str, email: str | None) -> tuple[str, str]:
    """A number or email that cannot name an order (NUL, absurd length) is a
    404 before any query: PostgreSQL refuses NUL characters."""
    email = (email or "").strip()
    if (
        not number.isprintable()
        or len(number) > MAX_NUMBER_LENGTH
        or not email.isprintable()
        or len(email) > MAX_EMAIL_LENGTH
    ):
        raise OrderNotFound("No such order.")
    return number, email


def _order_for(request, number: str, email: str | None):
    """The caller's order: a signed-in customer's own, or a guest's by number and
    email. Anything else is OrderNotFound (404)."""
    number, email = _lookup(number, email)
    user = request.auth if request.auth.is_authenticated else None
    if user is not None:
        return selectors.order_get_for_customer(user=user, number=number)
    if not email:
        raise OrderNotFound("Give the email the order was placed with (?email=).")
    return selectors.order_get_for_guest(number=number, email=email)


def _placed(order, caller: Caller):
    """The placed order with its items and addresses, read for the response."""
    if caller.user is not None:
        return selectors.order_get_for_customer(user=caller.user, number=order.number)
    return selectors.order_get_for_guest(number=order.number, email=order.email)


@orders_router.post(
    "/orders",
    auth=CART_AUTH,
    response={201: OrderOut, 200: OrderOut, **problems(400, 401, 403, 409, 422)},
)
def order_create(
    request,
    response: HttpResponse,
    payload: CheckoutIn,
    x_cart_token: str | None = Header(None, alias=CART_TOKEN_HEADER, description=TOKEN_DOC),
    idempotency_key: str | None = Header(
        None,
        alias=IDEMPOTENCY_HEADER,
        description="1–100 printable ASCII characters; a repeat returns the first order.",
    ),
):
    """Place an order from the caller's cart, priced as /checkout/quote prices it.
    201 with the order. 400: details to fix (field errors); 409: cart empty, out
    of stock (names the SKU), coupon refused (its reason as the code), method
    not serving the country, Idempotency-Key reused with another body."""
    caller = _caller(request, x_cart_token)
    order, created = order_place(
        cart=caller.find(),
        user=caller.user,
        data=payload.to_input(),
        idempotency_key=idempotency_key,
    )
    order = _placed(order, caller)
    if created:
        return Status(201, order)
    response[REPLAYED_HEADER] = "true"
    return Status(200, order)


@orders_router.get("/orders", response={200: OrderPageOut, **problems(400, 401)})
def order_list(request, query: Query[PageQuery]):
    """The signed-in customer's orders, newest first, one page at a time (guests
    look an order up by number and email instead: 401 here)."""
    orders = selectors.orders_for_customer(user=request.auth)
    return page_of(orders, query, prepare=orders_with_shipments, error=OrderQueryInvalid)


@orders_router.get(
    "/orders/{number}", auth=CART_AUTH, response={200: OrderOut, **problems(401, 403, 404)}
)
def order_detail(request, number: str, email: str | None = Query(None, description=EMAIL_DOC)):
    """One order with its items and addresses, in its currency and in US dollars."""
    return _order_for(request, number, email)


@orders_router.post(
    "/orders/{number}/cancel",
    auth=CART_AUTH,
    response={200: OrderOut, **problems(401, 403, 404, 409)},
)
def order_cancel_for_customer(
    request, number: str, email: str | None = Query(None, description=EMAIL_DOC)
):
    """Cancel an order that has not shipped: its stock goes back and a coupon use
    is returned. An order already shipped or cancelled is 409 and stays as it is."""
    order = _order_for(request, number, email)
    user = request.auth if request.auth.is_authenticated else None
    services.order_cancel(
        order=order, actor=user, by_customer=user, reason="cancelled by the customer"
    )
    return _order_for(request, number, email)
