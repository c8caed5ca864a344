"""The public tracking page: anyone with an order's number and the email it was
placed with (a guest's or a customer's order) sees its status, parcels and
their tracking timeline. Never addresses or prices, and nothing is remembered
in the session: the pair is asked for every time. Rate-limited per client."""

from django.conf import settings
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from boutique.core.errors import DomainError, NotFound
from boutique.core.ratelimit import rate_limit
from boutique.shipping.selectors import (
    order_estimated_delivery,
    order_for_tracking,
    shipments_for_order,
)

from ..forms.checkout import OrderLookupForm
from ..helpers import FORM_INVALID, add_domain_error

TRACKING_RATE = "20/h"
WRONG_PAIR = "No order matches that number and email. Check both."


def _tracking_rate() -> str:
    return settings.RATE_LIMITS.get("order_tracking", TRACKING_RATE)


@never_cache
def track(request):
    form = OrderLookupForm(request.POST if request.method == "POST" else None)
    context = {"form": form, "order": None}
    status = 200
    if form.is_bound:
        status = FORM_INVALID
        if form.is_valid():
            try:
                rate_limit(request, scope="order_tracking", rate=_tracking_rate())
                order = order_for_tracking(
                    number=form.cleaned_data["number"], email=form.cleaned_data["email"]
                )
            except NotFound:
                # A wrong pair is a form error: it confirms nothing about either half.
                form.add_error(None, WRONG_PAIR)
            except DomainError as exc:
                status = add_domain_error(form, exc)
            else:
                status = 200
                context.update(
                    order=order,
                    shipments=shipments_for_order(order),
                    estimated_delivery=order_estimated_delivery(order),
                )
    return render(request, "storefront/pages/track.html", context, status=status)
