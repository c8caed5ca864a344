"""The address book. Every id is looked up through the accounts selectors and
services, which answer NotFound (here 404) for someone else's address."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from boutique.accounts import selectors, services
from boutique.core.errors import DomainError

from ..forms.addressbook import AddressForm
from ..helpers import FORM_INVALID, add_domain_error, not_found_as_404, redirect_to


@login_required
def addresses(request):
    context = {"addresses": selectors.address_list_for(user=request.user)}
    return render(request, "storefront/pages/addresses.html", context)


@login_required
def address_create(request):
    form = AddressForm(request.POST if request.method == "POST" else None)
    status = 200
    if form.is_bound:
        status = FORM_INVALID
        if form.is_valid():
            try:
                services.address_create(user=request.user, **form.cleaned_data)
            except DomainError as exc:
                status = add_domain_error(form, exc)
            else:
                messages.success(request, gettext("Address saved."))
                return redirect_to(request, "storefront:addresses")
    return _render_form(request, form, status=status)


@login_required
@not_found_as_404
def address_update(request, address_id: int):
    if request.method != "POST":
        address = selectors.address_get_for(user=request.user, address_id=address_id)
        return _render_form(request, AddressForm(instance=address), address_id=address_id)
    form = AddressForm(request.POST)
    status = FORM_INVALID
    if form.is_valid():
        try:
            services.address_update(user=request.user, address_id=address_id, **form.cleaned_data)
        except DomainError as exc:
            status = add_domain_error(form, exc)
        else:
            messages.success(request, gettext("Address updated."))
            return redirect_to(request, "storefront:addresses")
    return _render_form(request, form, address_id=address_id, status=status)


def _render_form(request, form, *, address_id=None, status=200):
    context = {"form": form, "address_id": address_id}
    return render(request, "storefront/pages/address_form.html", context, status=status)


@login_required
@require_POST
@not_found_as_404
def address_delete(request, address_id: int):
    services.address_delete(user=request.user, address_id=address_id)
    messages.success(request, gettext("Address deleted."))
    return _list_changed(request)


@login_required
@require_POST
@not_found_as_404
def address_make_default(request, address_id: int):
    address = services.address_update(user=request.user, address_id=address_id, is_default=True)
    messages.success(
        request,
        gettext("Your default %(type)s address is set.")
        % {"type": address.get_type_display().lower()},
    )
    return _list_changed(request)


def _list_changed(request):
    """HTMX gets the refreshed list (deleting or choosing a default can move the
    default badge to another row) and the message; a plain form post is redirected."""
    if not request.htmx:
        return redirect_to(request, "storefront:addresses")
    context = {"addresses": selectors.address_list_for(user=request.user), "oob_messages": True}
    return render(request, "storefront/partials/_address_list.html", context)
