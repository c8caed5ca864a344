"""The cart and wishlist API.

Whose cart: a signed-in customer (bearer token or session) uses their open cart.
A guest uses the cart whose token comes in the `X-Cart-Token` header (API
clients) or, without that header, the token the site keeps in the session under
`cart_token`. Reads never create a cart; the first add does, and answers its
token in the body and in an `X-Cart-Token` response header (and keeps it in the
session when the guest did not send the header).

A signed-in customer who also sends the `X-Cart-Token` of an open guest cart has
it folded into their own cart first (once; quantities capped by stock); the
response's `notes` say what was capped or left out.

Responses: adding a line is 201 with the cart; changing or removing a line is
200 with the cart. The wishlist is for signed-in customers only (401 otherwise).
Every refusal is problem+json and leaves the cart as it was."""

from dataclasses import dataclass, field

from django.http import HttpResponse
from ninja import Header, Router, Status
from ninja.errors import AuthenticationError

from boutique.core.api_auth import AnonymousAllowed, BearerAuth, SessionAuth
from boutique.core.schemas import problems

from . import selectors, services
from .errors import CartItemNotFound, CartRequestInvalid, WishlistItemNotFound
from .schemas import (
    CartLineAddIn,
    CartLineQuantityIn,
    CartOut,
    WishlistAddIn,
    WishlistItemOut,
)

CART_TOKEN_HEADER = "X-Cart-Token"
# The storefront keeps a guest's cart token in the session under this key.
CART_SESSION_KEY = "cart_token"


class GuestOrUser(AnonymousAllowed):
    """Last in the cart endpoints' auth list: a caller without credentials is a
    guest. Credentials the schemes before it refused (a bad or expired bearer
    token) are still 401, never a silent guest."""

    def __call__(self, request):
        if request.headers.get("Authorization"):
            raise AuthenticationError()
        return super().__call__(request)


cart_router = Router()
CART_AUTH = [BearerAuth(), SessionAuth(), GuestOrUser()]
TOKEN_DOC = (
    "A guest cart's token (API clients). From a signed-in caller, an open guest "
    "cart's token merges that cart into theirs (once)."
)


@dataclass
class Caller:
    user: object = None  # None for a guest
    token: str | None = None  # the guest's cart token, as sent
    from_session: bool = False
    notes: list[str] = field(default_factory=list)

    def find(self):
        return selectors.cart_find(user=self.user, token=self.token)

    def remember(self, request, cart) -> None:
        """Keep a guest's new cart token in the session (site callers)."""
        if self.user is None and self.from_session and str(cart.token) != self.token:
            request.session[CART_SESSION_KEY] = str(cart.token)


def _caller(request, header_token: str | None) -> Caller:
    user = request.auth if request.auth.is_authenticated else None
    header_token = (header_token or "").strip() or None
    if user is not None:
        notes = []
        if header_token:
            notes = services.cart_merge_on_sign_in(user=user, guest_token=header_token).notes
        return Caller(user=user, notes=notes)
    if header_token:
        return Caller(token=header_token)
    return Caller(token=request.session.get(CART_SESSION_KEY), from_session=True)


def _cart_out(cart, caller: Caller, response: HttpResponse) -> dict:
    view = selectors.cart_view(cart)
    token = cart.token if cart is not None and cart.user_id is None else None
    if token is not None:
        response[CART_TOKEN_HEADER] = str(token)
    return {
        "token": token,
        "currency": view.currency,
        "count": view.count,
        "subtotal": view.subtotal,
        "can_check_out": view.can_check_out,
        "lines": view.lines,
        "notes": caller.notes,
    }


def _reread(caller: Caller, cart):
    """The cart as the service left it (it may have taken a currency)."""
    return selectors.cart_find(user=caller.user, token=cart.token)


def _existing_cart(caller: Caller):
    cart = caller.find()
    if cart is None:  # no cart: no line of it can be named
        raise CartItemNotFound()
    return cart


def _sku(value: str | None) -> str | None:
    # A NUL can name no SKU, and PostgreSQL refuses it in a query.
    if value is not None and "\x00" in value:
        raise CartRequestInvalid(
            "There is no product with this SKU.", field_errors={"sku": ["Unknown."]}
        )
    return value


# --- Cart ----------------------------------------------------------------------------
@cart_router.get(
    "/cart", auth=CART_AUTH, tags=["cart"], response={200: CartOut, **problems(401, 403)}
)
def cart_detail(
    request,
    response: HttpResponse,
    x_cart_token: str | None = Header(None, alias=CART_TOKEN_HEADER, description=TOKEN_DOC),
):
    """The caller's cart at today's prices, each line flagged when its price
    changed or it cannot be bought as it is. An empty cart when there is none
    (reading never creates one)."""
    caller = _caller(request, x_cart_token)
    return _cart_out(caller.find(), caller, response)


@cart_router.post(
    "/cart/items",
    auth=CART_AUTH,
    tags=["cart"],
    response={201: CartOut, **problems(400, 401, 403, 409, 422)},
)
def cart_item_add(
    request,
    response: HttpResponse,
    payload: CartLineAddIn,
    x_cart_token: str | None = Header(None, alias=CART_TOKEN_HEADER, description=TOKEN_DOC),
):
    """Add units of a variant (by sku or variant_id). 400: bad quantity, unknown
    or missing SKU; 409: not sold any more, not that many available, or priced
    in another currency than the cart. A guest without a cart gets one: its
    token is in the body and the X-Cart-Token response header."""
    caller = _caller(request, x_cart_token)
    sku = _sku(payload.sku)
    line = services.cart_add(
        user=caller.user,
        token=caller.token,
        sku=sku,
        variant_id=payload.variant_id,
        quantity=payload.quantity,
    )
    cart = line.cart
    caller.remember(request, cart)
    return Status(201, _cart_out(_reread(caller, cart), caller, response))


@cart_router.patch(
    "/cart/items/{int:item_id}",
    auth=CART_AUTH,
    tags=["cart"],
    response={200: CartOut, **problems(400, 401, 403, 404, 409)},
)
def cart_item_update(
    request,
    response: HttpResponse,
    item_id: int,
    payload: CartLineQuantityIn,
    x_cart_token: str | None = Header(None, alias=CART_TOKEN_HEADER, description=TOKEN_DOC),
):
    """Set a line's quantity. Lowering is always allowed; raising is checked
    against what is available (409). A line of another cart is 404."""
    caller = _caller(request, x_cart_token)
    cart = _existing_cart(caller)
    services.cart_set_quantity(cart=cart, item_id=item_id, quantity=payload.quantity)
    return _cart_out(cart, caller, response)


@cart_router.delete(
    "/cart/items/{int:item_id}",
    auth=CART_AUTH,
    tags=["cart"],
    response={200: CartOut, **problems(401, 403, 404)},
)
def cart_item_remove(
    request,
    response: HttpResponse,
    item_id: int,
    x_cart_token: str | None = Header(None, alias=CART_TOKEN_HEADER, description=TOKEN_DOC),
):
    """Remove a line; answers the cart that is left (200). A line of another
    cart is 404."""
    caller = _caller(request, x_cart_token)
    cart = _existing_cart(caller)
    services.cart_remove_item(cart=cart, item_id=item_id)
    return _cart_out(cart, caller, response)


# --- Wishlist (signed-in customers only) ----------------------------------------------
def _entry(user, item_id: int):
    for entry in selectors.wishlist_entries(user=user):
        if entry.item.pk == item_id:
            return entry
    raise WishlistItemNotFound()  # removed by a concurrent request


@cart_router.get(
    "/wishlist", tags=["wishlist"], response={200: list[WishlistItemOut], **problems(401)}
)
def wishlist_list(request):
    """The caller's wishlist, newest first, with stock and price."""
    return selectors.wishlist_entries(user=request.auth)


@cart_router.post(
    "/wishlist",
    tags=["wishlist"],
    response={201: WishlistItemOut, 200: WishlistItemOut, **problems(400, 401, 403, 409, 422)},
)
def wishlist_add(request, payload: WishlistAddIn):
    """Keep a product (product_id) or one of its variants (variant_id). 201 when
    added, 200 with the existing item when it is already there."""
    item, created = services.wishlist_add(
        user=request.auth, product_id=payload.product_id, variant_id=payload.variant_id
    )
    return Status(201 if created else 200, _entry(request.auth, item.pk))


@cart_router.delete(
    "/wishlist/{int:item_id}", tags=["wishlist"], response={204: None, **problems(401, 403, 404)}
)
def wishlist_remove(request, item_id: int):
    services.wishlist_remove(user=request.auth, item_id=item_id)
    return Status(204, None)


@cart_router.post(
    "/wishlist/{int:item_id}/move-to-cart",
    tags=["wishlist"],
    response={200: CartOut, **problems(400, 401, 403, 404, 409)},
)
def wishlist_move_to_cart(
    request,
    response: HttpResponse,
    item_id: int,
    x_cart_token: str | None = Header(None, alias=CART_TOKEN_HEADER, description=TOKEN_DOC),
):
    """Put one unit of the wished-for variant in the cart and take it off the
    wishlist, both or neither; answers the cart (200). A product with several
    sizes needs one chosen first (400); out of stock is 409."""
    caller = _caller(request, x_cart_token)
    cart = services.wishlist_move_to_cart(user=request.auth, item_id=item_id).cart
    return _cart_out(_reread(caller, cart), caller, response)
