"""The seller's payouts: history, and one payout's items and refunds."""

from django.core.paginator import Paginator
from django.shortcuts import render

from boutique.marketplace import selectors

from . import PER_PAGE, seller_view


@seller_view
def payout_list(request, seller):
    page = Paginator(selectors.seller_payouts(seller), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "storefront/seller/payouts.html", {"seller": seller, "page": page})


@seller_view
def payout_detail(request, seller, payout_id: int):
    payout = selectors.seller_payout_get(seller, payout_id)
    context = {
        "seller": seller,
        "payout": payout,
        "items": payout.items.select_related("order_item__order"),
        "refunds": payout.refunds.select_related("order_item__order", "refund"),
    }
    return render(request, "storefront/seller/payout.html", context)
