"""The seller's order items (never another seller's or the shop's), one order's
items of theirs with the address to ship to, and shipping them."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from boutique.core.errors import DomainError
from boutique.marketplace import selectors
from boutique.marketplace.selectors import TO_FULFIL
from boutique.marketplace.services import workspace
from boutique.orders.models import AddressKind

from ...forms.seller_workspace import ShipmentForm
from ...helpers import FORM_INVALID, add_domain_error, redirect_to
from . import PER_PAGE, seller_view


@seller_view
def order_items(request, seller):
    show_all = request.GET.get("show") == "all"
    items = selectors.seller_order_items(seller, to_fulfil=not show_all)
    page = Paginator(items, PER_PAGE).get_page(request.GET.get("page"))
    context = {"seller": seller, "page": page, "show_all": show_all}
    return render(request, "storefront/seller/orders.html", context)


def _order_context(seller, item_id):
    """The item, the seller's items of the same order, and where to ship them.
    The customer's email, other sellers' items and totals are not shown."""
    item = selectors.seller_order_item_get(seller, item_id)
    order = item.order
    items = list(selectors.seller_order_items(seller).filter(order=order).order_by("pk"))
    address = next(
        (a for a in order.addresses.all() if a.kind == AddressKind.SHIPPING),
        None,
    )
    to_ship = [i for i in items if i.quantity > i.shipped_quantity]
    can_ship = seller.is_active and order.status in TO_FULFIL and bool(to_ship)
    return {
        "seller": seller,
        "item": item,
        "order": order,
        "items": items,
        "address": address,
        "to_ship": to_ship,
        "shipments": list(selectors.seller_order_shipments(seller, order)),
        "can_ship": can_ship,
    }


@seller_view
def order_item_detail(request, seller, item_id: int):
    context = _order_context(seller, item_id)
    context["form"] = ShipmentForm(items=context["to_ship"])
    return render(request, "storefront/seller/order_item.html", context)


@seller_view
@require_POST
def shipment_create(request, seller, item_id: int):
    context = _order_context(seller, item_id)
    form = ShipmentForm(request.POST, items=context["to_ship"])
    status = FORM_INVALID
    if form.is_valid():
        data = form.cleaned_data
        try:
            shipment = workspace.seller_shipment_create(
                seller=seller,
                items=form.pairs(),
                provider_id=data["provider"].pk,
                tracking_number=data["tracking_number"],
                estimated_delivery=data["estimated_delivery"],
                actor=request.user,
            )
        except DomainError as exc:
            status = add_domain_error(form, exc, field_map={"provider_id": "provider"})
        else:
            messages.success(
                request,
                gettext("Parcel %(parcel)s created.")
                % {"parcel": shipment.tracking_number or shipment.pk},
            )
            return redirect_to(request, "storefront:seller:order_item", item_id)
    context["form"] = form
    return render(request, "storefront/seller/order_item.html", context, status=status)
