"""Checkout: one page that works as plain form posts and is quicker with HTMX.

"Checkout" on the cart holds the items for the customer (CHECKOUT_HOLD_MINUTES)
and opens the page. The order summary always comes from `checkout_quote`, the
function the API's quote calls, so the page and the API show the same numbers.
Buttons post the whole form with an `action`: `refresh` (country, method or
currency changed), `apply_coupon`, or `place`. With HTMX the first two answer
only the summary, the shipping methods and the coupon's feedback.

"Place order" calls `order_place` with the hidden token as the idempotency key:
a double click places one order and both requests land on its page."""

import re
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from boutique.accounts import selectors as accounts_selectors
from boutique.checkout.services import (
    CheckoutInput,
    CheckoutQuote,
    checkout_hold,
    checkout_quote,
    order_place,
)
from boutique.core.errors import DomainError, NotFound, Throttled
from boutique.core.money import BASE_CURRENCY, quantize
from boutique.core.ratelimit import rate_limit
from boutique.orders import selectors as orders_selectors
from boutique.orders.errors import CartEmpty
from boutique.registry.selectors import registry_of_cart

from ..currency import display_currency
from ..forms.checkout import NEW_ADDRESS, CheckoutForm, checkout_input
from ..helpers import CART_SESSION_KEY, FORM_INVALID, redirect_to
from .cart import current_cart
from .orders import TotalRow, remember_order, total_rows

# A preview prices the cart before the customer has typed everything: only the
# country, method, coupon, currency and email change the numbers.
PREVIEW_EMAIL = "checkout-preview@example.invalid"
PREVIEW_FILLER = "-"
COUNTRY = re.compile(r"^[A-Z]{2}$")


@require_POST
def checkout_start(request):
    """Hold the cart's items while the customer checks out, then open checkout.
    Lines that cannot be held send the customer back to the cart to fix them."""
    cart = current_cart(request)
    if cart is None or not cart.items.exists():
        messages.info(request, gettext("Your cart is empty."))
        return redirect_to(request, "storefront:cart")
    problems = checkout_hold(cart=cart)
    if problems:
        for problem in problems:
            messages.error(request, problem)
        return redirect_to(request, "storefront:cart")
    return redirect_to(request, "storefront:checkout")


# --- What the page shows ---------------------------------------------------------------------
@dataclass
class Summary:
    result: CheckoutQuote
    lines: list  # (CartItem, LineQuote)
    totals: list[TotalRow]
    usd_total: Decimal | None

    @property
    def quote(self):
        return self.result.quote


@dataclass
class CheckoutPage:
    methods: list
    method_id: str
    summary: Summary | None = None
    note: str = ""  # why there are no totals yet
    coupon_refusal: DomainError | None = None
    coupon_applied: object = None
    country_known: bool = False
    errors: list = field(default_factory=list)


def _addresses(request) -> list:
    if not request.user.is_authenticated:
        return []
    return list(accounts_selectors.address_list_for(user=request.user))


def _form(request, data=None) -> CheckoutForm:
    addresses = _addresses(request)
    initial = {
        "token": CheckoutForm.new_token(),
        "billing_same": True,
        # Checkout starts in the currency the visitor browses in.
        "currency": display_currency(request),
        "payment_method": settings.CHECKOUT_PAYMENT_METHODS[0],
        # The shop delivers mostly at home: its own country until told otherwise.
        "ship_country": settings.PHONE_DEFAULT_REGION,
        # A cart of registry gifts ships to the registrant unless the buyer says otherwise.
        "ship_to_registry": True,
    }
    if request.user.is_authenticated:
        initial["email"] = request.user.email
        default = accounts_selectors.address_default_for(user=request.user, type="shipping")
        picked = default or (addresses[0] if addresses else None)
        initial["saved_address"] = str(picked.pk) if picked else NEW_ADDRESS
    rates = orders_selectors.exchange_rates()
    return CheckoutForm(
        data,
        initial=initial,
        signed_in=request.user.is_authenticated,
        addresses=addresses,
        currencies=list(rates),
    )


def _saved_address(request, form: CheckoutForm, values: dict):
    """The saved address picked, looked up as the customer's own (NotFound otherwise)."""
    choice = values.get("saved_address") or ""
    if not request.user.is_authenticated or choice in ("", NEW_ADDRESS):
        return None
    return accounts_selectors.address_get_for(user=request.user, address_id=int(choice))


def _input(request, form: CheckoutForm) -> CheckoutInput:
    values = form.values()
    return checkout_input(values, saved=_saved_address(request, form, values))


def _preview_input(request, data: CheckoutInput, method_id: str) -> CheckoutInput:
    shipping = dict(data.shipping_address)
    for name in ("full_name", "line1", "city"):
        shipping[name] = shipping.get(name) or PREVIEW_FILLER
    email = data.email or ("" if request.user.is_authenticated else PREVIEW_EMAIL)
    payment = data.payment_method
    if payment not in settings.CHECKOUT_PAYMENT_METHODS:
        payment = settings.CHECKOUT_PAYMENT_METHODS[0]
    return replace(
        data,
        email=email,
        shipping_address=shipping,
        billing_address=None,
        shipping_method_id=method_id or None,
        payment_method=payment,
        note="",
    )


def _summary(result: CheckoutQuote) -> Summary:
    quote = result.quote
    by_variant = {line.key: line for line in quote.lines}
    lines = [(item, by_variant[item.variant_id]) for item in result.items]
    coupon = result.coupon
    rows = total_rows(
        currency=quote.currency,
        rate=quote.rate,
        subtotal=quote.subtotal,
        discount=quote.discount,
        shipping=quote.shipping,
        tax=quote.tax,
        total=quote.total,
        coupon_code=coupon.code if coupon is not None else "",
        shipping_name=getattr(result.shipping_method, "name", ""),
        tax_rate=result.tax_rate,
        prices_include_tax=bool(settings.PRICES_INCLUDE_TAX),
    )
    usd_total = None
    if quote.currency != BASE_CURRENCY:
        usd_total = quantize(quote.total / quote.rate, BASE_CURRENCY)
    return Summary(result=result, lines=lines, totals=rows, usd_total=usd_total)


def _page(request, form: CheckoutForm, cart) -> CheckoutPage:
    """Shipping methods for the chosen country and the summary for the choices so
    far. Raises CartEmpty when there is nothing to check out."""
    try:
        data = _input(request, form)
    except NotFound:
        form.add_error("saved_address", "Choose one of your addresses.")
        data = checkout_input({**form.values(), "saved_address": NEW_ADDRESS})
    country = (data.shipping_address.get("country") or "").strip().upper()
    registry = registry_of_cart(cart=cart)
    if registry is None:
        data = replace(data, ship_to_registry=False)  # the option is only offered for gifts
    elif data.ship_to_registry:
        # Gifts shipping to the registrant: methods serving their country.
        country = registry.ship_country
    known = bool(COUNTRY.match(country))
    methods = orders_selectors.shipping_methods_for(country) if known else []
    ids = [str(method.pk) for method in methods]
    method_id = str(data.shipping_method_id or "")
    if method_id not in ids:
        method_id = ids[0] if ids else ""
    page = CheckoutPage(methods=methods, method_id=method_id, country_known=known)
    try:
        result = checkout_quote(
            cart=cart, user=request.user, data=_preview_input(request, data, method_id)
        )
    except CartEmpty:
        raise
    except DomainError as exc:
        hints = [m for messages_ in exc.field_errors.values() for m in messages_]
        page.note = "Complete your details to see shipping and tax."
        page.errors = hints or [exc.detail]
        return page
    page.summary = _summary(result)
    page.coupon_refusal = result.coupon_refusal
    if result.coupon is not None and data.coupon_code:
        page.coupon_applied = result.coupon
    return page


def _render(request, form: CheckoutForm, cart, *, status=200, partial=False, applying=False):
    try:
        page = _page(request, form, cart)
    except CartEmpty as exc:
        messages.info(request, exc.detail)
        return redirect_to(request, "storefront:cart")
    if applying and page.coupon_refusal is not None:
        # A refused coupon answers with its status (400 unknown, 409 otherwise).
        status = page.coupon_refusal.status
    context = {
        "form": form,
        "page": page,
        "hold_minutes": settings.CHECKOUT_HOLD_MINUTES,
        "signed_in": request.user.is_authenticated,
        "registry": registry_of_cart(cart=cart),
    }
    if partial:
        body = render_to_string("storefront/partials/_checkout_update.html", context, request)
        response = HttpResponse(body, status=status)
    else:
        response = render(request, "storefront/pages/checkout.html", context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


# --- The page --------------------------------------------------------------------------------
@never_cache
@require_http_methods(["GET", "POST"])
def checkout(request):
    cart = current_cart(request)
    if request.method == "GET":
        return _render(request, _form(request), cart)
    data = request.POST.copy()
    if not data.get("token"):
        data["token"] = CheckoutForm.new_token()
    form = _form(request, data)
    action = data.get("action", "place")
    if action == "place":
        return _place(request, form, cart)
    if data.get("coupon", "").strip():
        # Every update that tries a coupon code counts, so codes cannot be guessed.
        try:
            rate_limit(request, scope="coupon")
        except Throttled as exc:
            return _throttled(request, form, cart, exc)
    return _render(
        request, form, cart, partial=bool(request.htmx), applying=action == "apply_coupon"
    )


def _throttled(request, form: CheckoutForm, cart, exc: Throttled):
    """Too many coupon attempts: the page (or its HTMX update) without the
    coupon, the refusal beside the coupon field, 429 with Retry-After."""
    data = form.data.copy()
    data["coupon"] = ""
    form = _form(request, data)
    form.is_valid()
    form.add_error("coupon", exc.detail)
    response = _render(request, form, cart, status=exc.status, partial=bool(request.htmx))
    if exc.retry_after:
        response["Retry-After"] = str(exc.retry_after)
    return response


def _place(request, form: CheckoutForm, cart):
    status = FORM_INVALID
    if form.is_valid():
        try:
            order, _ = order_place(
                cart=cart,
                user=request.user,
                data=_input(request, form),
                idempotency_key=form.cleaned_data["token"],
            )
        except NotFound:
            form.add_error("saved_address", "Choose one of your addresses.")
        except DomainError as exc:
            status = _show_error(form, exc)
        else:
            remember_order(request, order)
            if order.user_id is None:
                request.session.pop(CART_SESSION_KEY, None)
            messages.success(
                request,
                gettext("Thank you! We received your order %(number)s.") % {"number": order.number},
            )
            return redirect_to(request, "storefront:order_detail", order.number)
    return _render(request, form, cart, status=status)


def _show_error(form: CheckoutForm, exc: DomainError) -> int:
    """A service's refusal on the form: field errors beside their fields, the
    sentence at the top (an out-of-stock one names the SKU)."""
    shown = set()
    for key, field_messages in exc.field_errors.items():
        name = form.field_for(key)
        if name is None:
            continue
        for message in field_messages:
            form.add_error(name, message)
            shown.add(message)
    if exc.detail not in shown:
        form.add_error(None, exc.detail)
    return 400 if exc.status == 401 else exc.status
