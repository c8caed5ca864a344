"""The seller workspace at /seller/ (issue 9): the signed-in seller's own store."""

from django.urls import path

from .views.seller import dashboard, orders, payouts, products, reports

app_name = "seller"

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    # Products, variants, stock and pictures
    path("products/", products.product_list, name="products"),
    path("products/new/", products.product_create, name="product_create"),
    path("products/<int:product_id>/", products.product_edit, name="product_edit"),
    path(
        "products/<int:product_id>/variants/new/",
        products.variant_create,
        name="variant_create",
    ),
    path("products/<int:product_id>/images/", products.image_add, name="image_add"),
    path(
        "products/<int:product_id>/images/<int:image_id>/delete/",
        products.image_delete,
        name="image_delete",
    ),
    path("variants/<int:variant_id>/", products.variant_edit, name="variant_edit"),
    path("variants/<int:variant_id>/stock/", products.variant_stock, name="variant_stock"),
    # Orders
    path("orders/", orders.order_items, name="orders"),
    path("orders/<int:item_id>/", orders.order_item_detail, name="order_item"),
    path("orders/<int:item_id>/ship/", orders.shipment_create, name="shipment_create"),
    # Sales and payouts
    path("sales/", reports.sales_report, name="sales"),
    path("sales.csv", reports.sales_csv, name="sales_csv"),
    path("payouts/", payouts.payout_list, name="payouts"),
    path("payouts/<int:payout_id>/", payouts.payout_detail, name="payout"),
]
