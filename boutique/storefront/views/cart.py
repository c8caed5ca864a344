"""The cart page and drawer. Every change is a plain POST form that redirects
back; with HTMX the same forms swap the cart in place, refresh the header's
count and show the message, without a reload.

A guest's cart is found by the token kept in their session; it is created on
the first add, and folded into their own cart when they sign in."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from boutique.cart import selectors, services
from boutique.cart.errors import CartRequestInvalid
from boutique.core.errors import DomainError, NotFound

from ..helpers import CART_SESSION_KEY, safe_next

# Where an HTMX request says it wants the result.
DRAWER_TARGET = "cart-drawer"


def current_cart(request):
    """The visitor's open cart, or None."""
    return selectors.cart_find(user=request.user, token=request.session.get(CART_SESSION_KEY))


def _remember(request, cart) -> None:
    """A guest's new cart: keep its token in their session."""
    if cart.user_id is None and request.session.get(CART_SESSION_KEY) != str(cart.token):
        request.session[CART_SESSION_KEY] = str(cart.token)


def _quantity(request) -> int | str:
    """The posted quantity as an int, or the raw text for the service to refuse."""
    raw = request.POST.get("quantity", "1").strip()
    return int(raw) if raw.lstrip("-").isdecimal() and len(raw) < 9 else raw


def _int_or_none(raw: str):
    raw = (raw or "").strip()
    return int(raw) if raw.isdecimal() and len(raw) < 19 else None


@require_GET
def cart_page(request):
    view = selectors.cart_view(current_cart(request))
    return render(request, "storefront/pages/cart.html", {"view": view})


@require_GET
def cart_drawer(request):
    """The drawer's content; without HTMX, the cart page."""
    if not request.htmx:
        return redirect("storefront:cart")
    view = selectors.cart_view(current_cart(request))
    response = render(request, "storefront/partials/_cart_drawer.html", {"view": view})
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_POST
def cart_add(request):
    variant_id = _int_or_none(request.POST.get("variant_id", ""))
    status = 200
    try:
        if variant_id is None:
            # A form always sends the chosen option; anything else is a bad request.
            raise CartRequestInvalid(gettext("Choose an option first."))
        line = services.cart_add(
            user=request.user,
            token=request.session.get(CART_SESSION_KEY),
            variant_id=variant_id,
            quantity=_quantity(request),
        )
        _remember(request, line.cart)
    except DomainError as exc:
        messages.error(request, exc.detail)
        status = exc.status
    else:
        messages.success(request, gettext("Added %(item)s to your cart.") % {"item": line.variant})
    if request.htmx:
        return _respond_drawer(request, status=status)
    return redirect(safe_next(request) or reverse("storefront:cart"))


@require_POST
def cart_item_update(request, item_id: int):
    return _change(
        request,
        lambda cart: services.cart_set_quantity(
            cart=cart, item_id=item_id, quantity=_quantity(request)
        ),
        done="Quantity updated.",
    )


@require_POST
def cart_item_remove(request, item_id: int):
    return _change(
        request,
        lambda cart: services.cart_remove_item(cart=cart, item_id=item_id),
        done="Removed from your cart.",
    )


@require_POST
def cart_accept_prices(request):
    return _change(
        request,
        lambda cart: services.cart_accept_prices(cart=cart),
        done="Thanks: the cart now shows today's prices.",
    )


def _change(request, action, *, done: str):
    cart = current_cart(request)
    status = 200
    try:
        if cart is None:
            raise NotFound("Your cart is empty.")
        action(cart)
    except NotFound as exc:
        # Not in this visitor's cart (someone else's line, or no cart at all).
        raise Http404(exc.detail) from exc
    except DomainError as exc:
        messages.error(request, exc.detail)
        status = exc.status
    else:
        messages.success(request, done)
    if request.htmx:
        if request.headers.get("HX-Target") == DRAWER_TARGET:
            return _respond_drawer(request, status=status)
        return _respond_cart_body(request, status=status)
    return redirect("storefront:cart")


def _oob(request) -> str:
    """The header count and the messages, swapped out of band."""
    return render_to_string("storefront/partials/_cart_oob.html", {"oob": True}, request=request)


def _respond_drawer(request, *, status: int):
    view = selectors.cart_view(current_cart(request))
    body = render_to_string("storefront/partials/_cart_drawer.html", {"view": view}, request)
    return _htmx_response(body + _oob(request), status)


def _respond_cart_body(request, *, status: int):
    view = selectors.cart_view(current_cart(request))
    body = render_to_string("storefront/partials/_cart_body.html", {"view": view}, request)
    return _htmx_response(body + _oob(request), status)


def _htmx_response(content: str, status: int):
    response = HttpResponse(content, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response
