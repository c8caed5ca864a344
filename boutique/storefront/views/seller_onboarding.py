"""Applying to sell, the application's status, the seller's store profile and
closing the store (issue 9), and the public store page /s/<slug>/. Thin views:
the marketplace services write, its selectors read; a refusal is a form error."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from boutique.catalog import selectors as catalog_selectors
from boutique.catalog.errors import UnknownFilterValue
from boutique.catalog.filters import parse_filters
from boutique.core.errors import DomainError, NotFound
from boutique.marketplace import selectors
from boutique.marketplace.errors import NotASeller
from boutique.marketplace.models import SellerStatus
from boutique.marketplace.services import onboarding

from ..forms.seller_onboarding import SellerApplyForm, SellerCloseForm, SellerProfileForm
from ..helpers import FORM_INVALID, add_domain_error, redirect_to

APPLY_TEMPLATE = "storefront/sell/apply.html"


def _uploaded_logo(request, form):
    return form.cleaned_data.get("logo") if request.FILES.get("logo") else None


@login_required
def seller_apply(request):
    """The application form; someone with a store (not rejected) sees its status."""
    seller = selectors.seller_for_user(request.user)
    if seller is not None and seller.status != SellerStatus.REJECTED:
        return redirect_to(request, "storefront:seller_status")
    if request.method != "POST":
        form = SellerApplyForm(instance=seller)
        return render(request, APPLY_TEMPLATE, {"form": form, "seller": seller})
    form = SellerApplyForm(request.POST, request.FILES, instance=seller)
    status = FORM_INVALID
    if form.is_valid():
        try:
            onboarding.seller_apply(
                user=request.user, logo=_uploaded_logo(request, form), **form.service_fields()
            )
        except DomainError as exc:
            status = add_domain_error(form, exc)
        else:
            messages.success(
                request, gettext("Thank you! We will review your application shortly.")
            )
            return redirect_to(request, "storefront:seller_status")
    return render(request, APPLY_TEMPLATE, {"form": form, "seller": seller}, status=status)


@login_required
def seller_status(request):
    """Pending, rejected (the reason and the form to apply again) or approved."""
    seller = selectors.seller_for_user(request.user)
    if seller is None:
        return redirect_to(request, "storefront:seller_apply")
    context = {"seller": seller}
    if seller.status == SellerStatus.REJECTED:
        context["form"] = SellerApplyForm(instance=seller)
    return render(request, "storefront/sell/status.html", context)


def _own_store(request):
    try:
        return selectors.seller_for_workspace(request.user)
    except NotASeller as exc:
        raise PermissionDenied(exc.detail) from exc


@login_required
def seller_profile(request):
    seller = _own_store(request)
    if request.method != "POST":
        form = SellerProfileForm(instance=seller)
        return _render_profile(request, seller, form)
    form = SellerProfileForm(request.POST, request.FILES, instance=seller)
    status = FORM_INVALID
    if form.is_valid():
        try:
            onboarding.seller_profile_update(
                seller=seller,
                actor=request.user,
                logo=_uploaded_logo(request, form),
                **form.service_fields(),
            )
        except DomainError as exc:
            status = add_domain_error(form, exc)
        else:
            messages.success(request, gettext("Your store is updated."))
            return redirect_to(request, "storefront:seller_profile")
    return _render_profile(request, seller, form, status=status)


def _render_profile(request, seller, form, *, close_form=None, status=200):
    context = {"seller": seller, "form": form, "close_form": close_form or SellerCloseForm()}
    return render(request, "storefront/sell/profile.html", context, status=status)


@login_required
@require_POST
def seller_close(request):
    seller = _own_store(request)
    close_form = SellerCloseForm(request.POST)
    status = FORM_INVALID
    if close_form.is_valid():
        try:
            onboarding.seller_close(
                seller=seller, actor=request.user, reason=close_form.cleaned_data["reason"]
            )
        except DomainError as exc:
            status = add_domain_error(close_form, exc)
        else:
            messages.success(
                request, gettext("Your store is closed. Thank you for selling with us.")
            )
            return redirect_to(request, "storefront:seller_status")
    form = SellerProfileForm(instance=seller)
    return _render_profile(request, seller, form, close_form=close_form, status=status)


def store_page(request, slug: str):
    """An active seller's public page: logo, description and their products,
    paginated like the catalogue. Any other store is 404."""
    try:
        seller = selectors.seller_public_get(slug=slug)
    except NotFound as exc:
        raise Http404(exc.detail) from exc
    params = {"seller": [seller.slug], "page": request.GET.getlist("page")[-1:]}
    try:
        listing = catalog_selectors.product_list_page_for_storefront(parse_filters(params))
    except UnknownFilterValue as exc:
        raise Http404(exc.detail) from exc
    context = {
        "seller": seller,
        "page": listing.page,
        "all_products_url": reverse("storefront:product_list")
        + "?"
        + urlencode({"seller": seller.slug}),
    }
    return render(request, "storefront/store/page.html", context)
