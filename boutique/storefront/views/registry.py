"""Gift registry pages (issue 13).

The registrant's pages live under /account/registries/ (someone else's
registry is 404); friends open /registry/<token>/ (a closed registry or a stale
link is 404), see what is still needed and "Buy as a gift", which puts the item
in their cart as a gift line. Public registries are listed by /registry/?q=.
Every change calls a registry service; a refusal shows on the page with its
status (422 for bad input, 409 for a rule)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from boutique.accounts import selectors as accounts_selectors
from boutique.core.errors import DomainError
from boutique.registry import selectors, services

from ..forms.registry import AddToRegistryForm, GiftForm, RegistryForm, WantedForm
from ..helpers import (
    CART_SESSION_KEY,
    FORM_INVALID,
    add_domain_error,
    not_found_as_404,
    redirect_to,
    safe_next,
)

SEARCH_PAGE_SIZE = 20


def _share_url(request, registry) -> str:
    return request.build_absolute_uri(
        reverse("storefront:registry_public", kwargs={"token": registry.share_token})
    )


# --- The registrant's pages ------------------------------------------------------------
@login_required
@require_GET
def registry_list(request):
    registries = selectors.registry_list_for_owner(user=request.user)
    return render(request, "storefront/registry/list.html", {"registries": registries})


def _form(request, data=None, initial=None) -> RegistryForm:
    addresses = list(accounts_selectors.address_list_for(user=request.user))
    return RegistryForm(data, initial=initial, addresses=addresses)


def _render_form(request, form, *, registry=None, status=200):
    context = {"form": form, "registry": registry}
    return render(request, "storefront/registry/form.html", context, status=status)


@login_required
def registry_create(request):
    if request.method != "POST":
        form = _form(request, initial={"visibility": "link_only", "reveal_buyers": "after_event"})
        return _render_form(request, form)
    form = _form(request, request.POST)
    status = FORM_INVALID
    if form.is_valid():
        try:
            registry = services.registry_create(user=request.user, **form.cleaned_data)
        except DomainError as exc:
            status = add_domain_error(form, exc)
        else:
            messages.success(request, _("Your registry is ready: share its link with friends."))
            return redirect_to(request, "storefront:registry_manage", registry.pk)
    return _render_form(request, form, status=status)


@login_required
@not_found_as_404
def registry_edit(request, registry_id: int):
    registry = selectors.registry_get_for_owner(user=request.user, registry_id=registry_id)
    if request.method != "POST":
        initial = {
            "title": registry.title,
            "event_date": registry.event_date,
            "message": registry.message,
            "visibility": registry.visibility,
            "reveal_buyers": registry.reveal_buyers,
            "address_id": str(registry.address_id or ""),
        }
        return _render_form(request, _form(request, initial=initial), registry=registry)
    form = _form(request, request.POST)
    status = FORM_INVALID
    if form.is_valid():
        changes = dict(form.cleaned_data)
        if changes["address_id"] == str(registry.address_id):
            changes.pop("address_id")  # the same address: keep the snapshot as it is
        try:
            services.registry_update(registry=registry, actor=request.user, **changes)
        except DomainError as exc:
            status = add_domain_error(form, exc)
        else:
            messages.success(request, _("The registry is saved."))
            return redirect_to(request, "storefront:registry_manage", registry.pk)
    return _render_form(request, form, registry=registry, status=status)


@login_required
@require_GET
@not_found_as_404
def registry_manage(request, registry_id: int):
    registry = selectors.registry_get_for_owner(user=request.user, registry_id=registry_id)
    visible = selectors.registry_buyers_visible(registry)
    purchases = list(selectors.registry_purchases_for_owner(registry=registry)) if visible else []
    context = {
        "registry": registry,
        "items": list(registry.items.all()),
        "share_url": _share_url(request, registry),
        "buyers_visible": visible,
        "purchases": purchases,
    }
    return render(request, "storefront/registry/manage.html", context)


@login_required
@require_POST
@not_found_as_404
def registry_close(request, registry_id: int):
    registry = selectors.registry_get_for_owner(user=request.user, registry_id=registry_id)
    services.registry_close(registry=registry, actor=request.user)
    messages.success(request, _("The registry is closed; its link no longer works."))
    return redirect_to(request, "storefront:registry_manage", registry.pk)


@login_required
@require_POST
@not_found_as_404
def registry_share_rotate(request, registry_id: int):
    registry = selectors.registry_get_for_owner(user=request.user, registry_id=registry_id)
    try:
        services.registry_share_token_rotate(registry=registry, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("A new share link is ready; the old one no longer works."))
    return redirect_to(request, "storefront:registry_manage", registry.pk)


def _item_row(request, registry, item, *, error="", status=200):
    context = {"registry": registry, "item": item, "error": error}
    return render(request, "storefront/registry/_item_row.html", context, status=status)


@login_required
@require_POST
@not_found_as_404
def registry_item_update(request, registry_id: int, item_id: int):
    """Change the wanted quantity; with HTMX the row swaps itself."""
    item = selectors.registry_item_get_for_owner(
        user=request.user, registry_id=registry_id, item_id=item_id
    )
    form = WantedForm(request.POST)
    error, status = "", 200
    if not form.is_valid():
        error, status = form.errors["wanted_quantity"][0], FORM_INVALID
    else:
        try:
            item = services.registry_item_update(
                item=item, actor=request.user, wanted_quantity=form.cleaned_data["wanted_quantity"]
            )
        except DomainError as exc:
            error, status = exc.detail, exc.status
    if request.htmx:
        item = selectors.registry_item_get_for_owner(
            user=request.user, registry_id=registry_id, item_id=item_id
        )
        return _item_row(request, item.registry, item, error=error, status=status)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("The wanted quantity is saved."))
    return redirect_to(request, "storefront:registry_manage", registry_id)


@login_required
@require_POST
@not_found_as_404
def registry_item_remove(request, registry_id: int, item_id: int):
    item = selectors.registry_item_get_for_owner(
        user=request.user, registry_id=registry_id, item_id=item_id
    )
    try:
        services.registry_item_remove(item=item, actor=request.user)
    except DomainError as exc:
        if request.htmx:
            return _item_row(request, item.registry, item, error=exc.detail, status=exc.status)
        messages.error(request, exc.detail)
        return redirect_to(request, "storefront:registry_manage", registry_id)
    if request.htmx:
        return HttpResponse("")
    messages.success(request, _("The item is off the registry."))
    return redirect_to(request, "storefront:registry_manage", registry_id)


@login_required
@require_POST
@not_found_as_404
def registry_item_add(request):
    """The product page's "Add to registry"; with HTMX the control swaps itself
    with its feedback, otherwise back to the product page with a message."""
    form = AddToRegistryForm(request.POST)
    feedback, failed, status = "", False, 200
    registry = None
    if not form.is_valid():
        feedback, failed, status = _("Choose a registry and an option."), True, 400
    else:
        data = form.cleaned_data
        registry = selectors.registry_get_for_owner(
            user=request.user, registry_id=data["registry_id"]
        )
        try:
            item = services.registry_item_add(
                registry=registry,
                actor=request.user,
                variant_id=data["variant_id"],
                quantity=data["quantity"] or 1,
            )
        except DomainError as exc:
            feedback, failed, status = exc.detail, True, exc.status
        else:
            feedback = _("On “%(title)s”: %(n)d wanted.") % {
                "title": registry.title,
                "n": item.wanted_quantity,
            }
    if request.htmx:
        context = {
            "variant": {"pk": form.cleaned_data.get("variant_id") if form.is_valid() else ""},
            "registries": selectors.registry_active_for_owner(user=request.user),
            "feedback": feedback,
            "failed": failed,
        }
        return render(request, "storefront/registry/_add_control.html", context, status=status)
    (messages.error if failed else messages.success)(request, feedback)
    next_url = safe_next(request)
    if next_url:
        return redirect_to(request, next_url)
    if registry is not None:
        return redirect_to(request, "storefront:registry_manage", registry.pk)
    return redirect_to(request, "storefront:registry_list")


# --- Friends' pages ----------------------------------------------------------------------
@require_GET
def registry_find(request):
    query = request.GET.get("q", "")[:100]
    registries = selectors.registry_search_public(query=query) if query.strip() else []
    page = Paginator(registries, SEARCH_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"query": query, "page": page}
    return render(request, "storefront/registry/find.html", context)


def _render_public(request, registry, *, form_errors=None, status=200):
    context = {
        "registry": registry,
        "owner_name": selectors.registry_owner_label(registry),
        "items": list(registry.items.all()),
        "form_errors": form_errors or {},
    }
    return render(request, "storefront/registry/public.html", context, status=status)


@require_GET
@not_found_as_404
def registry_public(request, token: str):
    return _render_public(request, selectors.registry_get_by_token(token=token))


@require_POST
@not_found_as_404
def registry_gift_buy(request, token: str, item_id: int):
    """ "Buy as a gift": the item goes into the visitor's cart as a gift line."""
    registry = selectors.registry_get_by_token(token=token)
    form = GiftForm(request.POST)
    if not form.is_valid():
        errors = {item_id: _("Choose how many, from 1.")}
        return _render_public(request, registry, form_errors=errors, status=FORM_INVALID)
    try:
        line = services.registry_gift_add_to_cart(
            token=token,
            item_id=item_id,
            quantity=form.cleaned_data["quantity"] or 1,
            user=request.user if request.user.is_authenticated else None,
            cart_token=request.session.get(CART_SESSION_KEY),
        )
    except DomainError as exc:
        if exc.status == 404:
            raise
        return _render_public(
            request, registry, form_errors={item_id: exc.detail}, status=exc.status
        )
    cart = line.cart
    if cart.user_id is None and request.session.get(CART_SESSION_KEY) != str(cart.token):
        request.session[CART_SESSION_KEY] = str(cart.token)
    messages.success(
        request,
        _("The gift is in your cart. At checkout, choose to ship it to %(name)s.")
        % {"name": selectors.registry_owner_label(registry)},
    )
    return redirect_to(request, "storefront:cart")
