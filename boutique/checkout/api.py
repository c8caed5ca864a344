"""The checkout API: the shipping methods a country is served by, and the quote.

The quote prices the caller's cart (whose cart: as in boutique.cart.api) exactly
as placing the order would (`POST /orders`, in boutique.orders.api, takes the
same body), then holds the cart's items for CHECKOUT_HOLD_MINUTES while the
customer finishes. A coupon that cannot be used answers its own problem (the
reason is the code) instead of a quote without it."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from ninja import Header, Query, Router

from boutique.cart.api import CART_AUTH, CART_TOKEN_HEADER, TOKEN_DOC, _caller
from boutique.core.api_auth import optional_auth
from boutique.core.ratelimit import rate_limit
from boutique.core.schemas import problems
from boutique.orders import selectors as orders_selectors
from boutique.orders.errors import CheckoutInvalid

from . import services
from .schemas import CheckoutIn, QuoteOut, ShippingMethodOut, quote_out

checkout_router = Router(tags=["checkout"])


def _country(value: str | None) -> str | None:
    code = (value or "").strip().upper()
    if not code:
        return None
    if not (len(code) == 2 and code.isascii() and code.isalpha()):
        raise CheckoutInvalid(
            "Use a two-letter country code, e.g. LB.",
            field_errors={"country": ["Use a two-letter country code, e.g. LB."]},
        )
    return code


@checkout_router.get(
    "/shipping-methods",
    auth=optional_auth(),
    response={200: list[ShippingMethodOut], **problems(400)},
)
def shipping_method_list(
    request,
    country: str | None = Query(None, description="Two-letter code; omit for every method."),
):
    """Active shipping methods in display order, those serving `country` when given.
    A country code that is not two letters is 400."""
    return orders_selectors.shipping_methods_for(_country(country))


@checkout_router.post(
    "/checkout/quote",
    auth=CART_AUTH,
    response={200: QuoteOut, **problems(400, 401, 403, 404, 409, 422, 429)},
)
def checkout_quote(
    request,
    payload: CheckoutIn,
    x_cart_token: str | None = Header(None, alias=CART_TOKEN_HEADER, description=TOKEN_DOC),
):
    """Price the caller's cart for an address, shipping method, coupon and
    currency, and hold its items until `held_until`. 400: details to fix (field
    errors) or an unknown coupon; 409: empty cart, coupon refused (its reason as
    the code), method not serving the country. Lines that cannot be held are
    listed in `problems`. 429 (with Retry-After): too many quotes with a coupon
    code from this client (RATE_LIMITS["coupon"]), so codes cannot be guessed."""
    if (payload.coupon or "").strip():
        rate_limit(request, scope="coupon")
    caller = _caller(request, x_cart_token)
    cart = caller.find()
    result = services.checkout_quote(
        cart=cart, user=caller.user, data=payload.to_input(), strict_coupon=True
    )
    held_from = timezone.now()
    not_held = services.checkout_hold(cart=cart)
    held_until = None
    if not not_held:
        held_until = held_from + timedelta(minutes=settings.CHECKOUT_HOLD_MINUTES)
    problems_seen = list(result.problems)
    problems_seen += [p for p in not_held if p not in problems_seen]
    return quote_out(result, problems=problems_seen, held_until=held_until)
