"""The seller workspace at /seller/ (issue 9): pages for the signed-in seller's
own store. Every view goes through `seller_view`: anonymous visitors are sent to
sign in, signed-in users without an approved store (customers, staff) get a 403
page, and another seller's product, variant, order item or payout is a 404
(the marketplace selectors and services answer NotFound)."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from boutique.core.errors import NotFound
from boutique.marketplace.errors import NotASeller
from boutique.marketplace.selectors import seller_for_workspace

PER_PAGE = 20


def seller_view(view):
    """Run `view(request, seller, ...)` for the signed-in user's approved store."""

    @login_required
    @never_cache
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            seller = seller_for_workspace(request.user)
        except NotASeller as exc:
            context = {"detail": exc.detail}
            return render(request, "storefront/seller/not_a_seller.html", context, status=403)
        try:
            return view(request, seller, *args, **kwargs)
        except NotFound as exc:
            raise Http404(exc.detail) from exc

    return wrapper
