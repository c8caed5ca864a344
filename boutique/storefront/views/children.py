"""Children profiles (name, birthday, sizes), so the shop can suggest what fits.
Someone else's child is a 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from boutique.accounts import selectors, services
from boutique.core.errors import DomainError
from boutique.kids import selectors as kids_selectors

from ..forms.addressbook import ChildForm
from ..helpers import FORM_INVALID, add_domain_error, not_found_as_404, redirect_to


@login_required
def children(request):
    context = {"children": kids_selectors.child_profiles_for(user=request.user)}
    return render(request, "storefront/pages/children.html", context)


@login_required
def child_create(request):
    form = ChildForm(request.POST if request.method == "POST" else None)
    status = 200
    if form.is_bound:
        status = FORM_INVALID
        if form.is_valid():
            try:
                child = services.child_create(user=request.user, **form.cleaned_data)
            except DomainError as exc:
                status = add_domain_error(form, exc)
            else:
                messages.success(request, gettext("%(name)s is added.") % {"name": child.name})
                return redirect_to(request, "storefront:children")
    return _render_form(request, form, status=status)


@login_required
@not_found_as_404
def child_update(request, child_id: int):
    if request.method != "POST":
        child = selectors.child_get_for(user=request.user, child_id=child_id)
        return _render_form(request, ChildForm(instance=child), child_id=child_id)
    form = ChildForm(request.POST)
    status = FORM_INVALID
    if form.is_valid():
        try:
            child = services.child_update(user=request.user, child_id=child_id, **form.cleaned_data)
        except DomainError as exc:
            status = add_domain_error(form, exc)
        else:
            messages.success(
                request, gettext("%(name)s's details are saved.") % {"name": child.name}
            )
            return redirect_to(request, "storefront:children")
    return _render_form(request, form, child_id=child_id, status=status)


def _render_form(request, form, *, child_id=None, status=200):
    context = {"form": form, "child_id": child_id}
    return render(request, "storefront/pages/child_form.html", context, status=status)


@login_required
@require_POST
@not_found_as_404
def child_delete(request, child_id: int):
    services.child_delete(user=request.user, child_id=child_id)
    messages.success(request, gettext("The child profile is deleted."))
    if request.htmx:
        # The row swaps itself out for this empty body; the message goes out of band.
        return render(request, "storefront/partials/_messages.html", {"oob": True})
    return redirect_to(request, "storefront:children")
