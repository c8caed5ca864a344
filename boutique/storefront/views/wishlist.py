"""The wishlist page and the hearts on product cards and pages. Signed-in
customers only: a guest's heart leads to the sign-in page and back."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import redirect, render, resolve_url
from django.utils.cache import patch_vary_headers
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from boutique.cart import selectors, services
from boutique.catalog.selectors import product_find_visible
from boutique.core.errors import DomainError, NotFound

from ..helpers import safe_next


@require_GET
@login_required
def wishlist(request):
    entries = selectors.wishlist_entries(user=request.user)
    return render(request, "storefront/pages/wishlist.html", {"entries": entries})


@require_POST
def wishlist_toggle(request, product_id: int):
    back = safe_next(request)
    if not request.user.is_authenticated:
        if request.htmx:
            return HttpResponseClientRedirect(_signin_url(request, back))
        return redirect_to_login(back or "/")
    product = product_find_visible(product_id=product_id)
    if product is None:
        raise Http404("No such product.")
    try:
        now_in = services.wishlist_toggle(user=request.user, product_id=product_id)
    except DomainError as exc:
        messages.error(request, exc.detail)
        now_in = product_id in selectors.wishlist_product_ids(user=request.user)
    if request.htmx:
        response = render(
            request,
            "storefront/partials/_heart.html",
            {"product": product, "in_wishlist": now_in, "next": back},
        )
        patch_vary_headers(response, ["HX-Request"])
        return response
    messages.success(
        request,
        (
            gettext("Saved %(product)s to your wishlist.")
            if now_in
            else gettext("Removed %(product)s from your wishlist.")
        )
        % {"product": product.name},
    )
    return redirect(back or "storefront:wishlist")


@require_POST
@login_required
def wishlist_remove(request, item_id: int):
    try:
        services.wishlist_remove(user=request.user, item_id=item_id)
    except NotFound as exc:
        raise Http404(exc.detail) from exc
    messages.success(request, gettext("Removed from your wishlist."))
    return redirect("storefront:wishlist")


@require_POST
@login_required
def wishlist_move_to_cart(request, item_id: int):
    try:
        line = services.wishlist_move_to_cart(user=request.user, item_id=item_id)
    except NotFound as exc:
        raise Http404(exc.detail) from exc
    except DomainError as exc:
        messages.error(request, exc.detail)
        return redirect("storefront:wishlist")
    messages.success(
        request, gettext("Moved %(variant)s to your cart.") % {"variant": line.variant}
    )
    return redirect("storefront:wishlist")


def _signin_url(request, back: str) -> str:
    return f"{resolve_url(settings.LOGIN_URL)}?{urlencode({'next': back or '/'})}"
