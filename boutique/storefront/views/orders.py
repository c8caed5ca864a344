"""Order pages: the confirmation a customer sees after placing (a guest sees
the orders placed or looked up in their session), the guest lookup by number
and email, and the account's order history, detail and cancel."""

import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from boutique.core.errors import DomainError, NotFound
from boutique.core.money import BASE_CURRENCY, quantize
from boutique.core.ratelimit import rate_limit
from boutique.orders import domain as order_rules
from boutique.orders import selectors
from boutique.orders.services import order_cancel
from boutique.payments.selectors import payment_due, payments_for_order
from boutique.registry.selectors import registry_shipping_label_for_order
from boutique.shipping.selectors import (
    estimated_deliveries,
    order_estimated_delivery,
    orders_with_shipments,
    shipments_for_order,
)

from ..forms.checkout import OrderLookupForm
from ..helpers import FORM_INVALID, add_domain_error, not_found_as_404, redirect_to

# A guest's orders (number → email) this session may show: placed or looked up here.
GUEST_ORDERS_KEY = "guest_orders"
GUEST_ORDERS_KEPT = 10
ORDERS_PER_PAGE = 10
LOOKUP_RATE = "20/h"


# --- Totals, shared with the checkout summary --------------------------------------------
@dataclass(frozen=True)
class TotalRow:
    key: str  # subtotal | discount | shipping | tax | total
    label: str
    amount: Decimal
    usd: Decimal | None  # the same amount in US dollars, when the currency is another


def _percent(rate: Decimal) -> str:
    text = f"{rate * 100:.2f}".rstrip("0").rstrip(".")
    return f"{text} %"


def total_rows(
    *,
    currency: str,
    rate: Decimal,
    subtotal,
    discount,
    shipping,
    tax,
    total,
    coupon_code: str = "",
    shipping_name: str = "",
    tax_rate: Decimal = Decimal(0),
    prices_include_tax: bool = False,
) -> list[TotalRow]:
    """The totals as rows, each with its US-dollar equivalent at `rate` (units of
    `currency` per dollar) when the currency is not dollars."""

    def usd(amount):
        if currency == BASE_CURRENCY:
            return None
        return quantize(Decimal(amount) / rate, BASE_CURRENCY)

    tax_label = gettext("Tax included") if prices_include_tax else gettext("Tax")
    rows = [TotalRow("subtotal", gettext("Subtotal"), subtotal, usd(subtotal))]
    if discount:
        label = (
            gettext("Discount (%(code)s)") % {"code": coupon_code}
            if coupon_code
            else gettext("Discount")
        )
        rows.append(TotalRow("discount", label, discount, usd(discount)))
    label = (
        gettext("Shipping (%(method)s)") % {"method": shipping_name}
        if shipping_name
        else gettext("Shipping")
    )
    rows += [
        TotalRow("shipping", label, shipping, usd(shipping)),
        TotalRow("tax", f"{tax_label} ({_percent(tax_rate)})", tax, usd(tax)),
        TotalRow("total", gettext("Total"), total, usd(total)),
    ]
    return rows


def order_total_rows(order) -> list[TotalRow]:
    return total_rows(
        currency=order.currency,
        rate=order.exchange_rate,
        subtotal=order.subtotal,
        discount=order.discount,
        shipping=order.shipping,
        tax=order.tax,
        total=order.total,
        coupon_code=order.coupon_code,
        shipping_name=order.shipping_method_name,
        tax_rate=order.tax_rate,
        prices_include_tax=order.prices_include_tax,
    )


# --- A guest's orders in their session -------------------------------------------------
def remember_order(request, order) -> None:
    """Let this browser see a guest order's page (after placing or a lookup)."""
    if order.user_id is not None:
        return
    kept = dict(request.session.get(GUEST_ORDERS_KEY, {}))
    kept.pop(order.number, None)
    kept[order.number] = order.email
    request.session[GUEST_ORDERS_KEY] = dict(list(kept.items())[-GUEST_ORDERS_KEPT:])


def _order_for_visitor(request, number: str):
    """The signed-in customer's order, or a guest order this session may show."""
    number = str(number).strip().upper()
    if request.user.is_authenticated:
        try:
            return selectors.order_get_for_customer(user=request.user, number=number)
        except NotFound:
            pass
    email = request.session.get(GUEST_ORDERS_KEY, {}).get(number)
    if email:
        try:
            return selectors.order_get_for_guest(number=number, email=email)
        except NotFound:
            pass
    raise Http404("No such order.")


def _render_order(request, order, *, in_account: bool, status: int = 200):
    addresses = {address.kind: address for address in order.addresses.all()}
    (order,) = orders_with_shipments([order])
    context = {
        "order": order,
        "shipments": shipments_for_order(order),
        "estimated_delivery": order_estimated_delivery(order),
        "totals": order_total_rows(order),
        "shipping_address": addresses.get("shipping"),
        # A gift shipping to a registrant: a label instead of the address (issue 13).
        "registry_shipping": registry_shipping_label_for_order(order),
        "billing_address": addresses.get("billing"),
        "can_cancel": (
            request.user.is_authenticated
            and order.user_id == request.user.pk
            and order.status in order_rules.CANCELLABLE
        ),
        "in_account": in_account,
        "due": payment_due(order),
        "payments": payments_for_order(order=order),
        "pay_key": str(uuid.uuid4()),
        "card_gateway": settings.PAYMENT_GATEWAY,
        "stripe_publishable_key": settings.STRIPE_PUBLISHABLE_KEY,
    }
    return render(request, "storefront/pages/order_detail.html", context, status=status)


# --- Pages --------------------------------------------------------------------------------
@never_cache
def order_detail(request, number: str):
    """The confirmation page, and a guest's view of an order they looked up."""
    return _render_order(request, _order_for_visitor(request, number), in_account=False)


@never_cache
def order_lookup(request):
    form = OrderLookupForm(request.POST if request.method == "POST" else None)
    status = 200
    if form.is_bound:
        status = FORM_INVALID
        if form.is_valid():
            try:
                rate_limit(request, scope="order_lookup", rate=_lookup_rate())
                order = selectors.order_get_for_guest(
                    number=form.cleaned_data["number"], email=form.cleaned_data["email"]
                )
            except NotFound:
                # A wrong pair is a form error (never a 404 page that confirms nothing).
                form.add_error(None, "No order matches that number and email. Check both.")
            except DomainError as exc:
                status = add_domain_error(form, exc)
            else:
                remember_order(request, order)
                return redirect_to(request, "storefront:order_detail", order.number)
    return render(request, "storefront/pages/order_lookup.html", {"form": form}, status=status)


def _lookup_rate() -> str:
    return settings.RATE_LIMITS.get("order_lookup", LOOKUP_RATE)


@login_required
@never_cache
def order_history(request):
    paginator = Paginator(selectors.orders_for_customer(user=request.user), ORDERS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    orders = list(page.object_list)
    etas = estimated_deliveries(orders)
    for order in orders:
        order.estimated_delivery = etas.get(order.pk)
    page.object_list = orders
    return render(request, "storefront/pages/orders.html", {"page": page})


@login_required
@never_cache
@not_found_as_404
def account_order_detail(request, number: str):
    order = selectors.order_get_for_customer(user=request.user, number=number)
    return _render_order(request, order, in_account=True)


@login_required
@require_POST
@not_found_as_404
def account_order_cancel(request, number: str):
    order = selectors.order_get_for_customer(user=request.user, number=number)
    try:
        order_cancel(
            order=order,
            actor=request.user,
            reason="cancelled by the customer",
            by_customer=request.user,
        )
    except DomainError as exc:
        if isinstance(exc, NotFound):
            raise
        messages.error(request, exc.detail)
        order = selectors.order_get_for_customer(user=request.user, number=number)
        return _render_order(request, order, in_account=True, status=exc.status)
    messages.success(request, gettext("Order %(number)s is cancelled.") % {"number": order.number})
    return redirect_to(request, "storefront:account_order_detail", order.number)
