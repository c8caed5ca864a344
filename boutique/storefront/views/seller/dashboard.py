"""The workspace's front page: sales, orders to fulfil, low stock, store status."""

from django.shortcuts import render

from boutique.marketplace import selectors

from . import seller_view

LIST_LIMIT = 10


@seller_view
def dashboard(request, seller):
    to_fulfil = selectors.seller_order_items(seller, to_fulfil=True)
    context = {
        "seller": seller,
        "sales": selectors.seller_sales_summary(seller),
        "to_fulfil_count": to_fulfil.count(),
        "to_fulfil": list(to_fulfil[:LIST_LIMIT]),
        "low_stock": list(selectors.seller_low_stock(seller)[:LIST_LIMIT]),
    }
    return render(request, "storefront/seller/dashboard.html", context)
