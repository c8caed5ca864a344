from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from .sitemaps import SITEMAPS
from .views import (
    account,
    addressbook,
    auth,
    cart,
    catalog,
    checkout,
    children,
    currency,
    home,
    language,
    orders,
    payments,
    product,
    reviews,
    seller_onboarding,
    tracking,
    verification,
    wishlist,
)

app_name = "storefront"

urlpatterns = [
    # The seller workspace (issue 9): boutique/storefront/urls_seller.py
    path("seller/", include("boutique.storefront.urls_seller")),
    # Support conversations (issue 10): boutique/storefront/urls_support.py
    path("support/", include("boutique.storefront.urls_support")),
    # Gift registries (issue 13): boutique/storefront/urls_registry.py
    path("", include("boutique.storefront.urls_registry")),
    # Back-in-stock alerts (issue 13): boutique/storefront/urls_safety.py
    path("", include("boutique.storefront.urls_safety")),
    path("", home.home, name="home"),
    # Browsing
    path("shop/", catalog.product_list, name="product_list"),
    path("shop/c/<slug:slug>/", catalog.category, name="category"),
    path("search/", catalog.search, name="search"),
    path("p/<slug:slug>/", product.product, name="product"),
    path("p/<slug:slug>/variant/", product.product_variant, name="product_variant"),
    # Reviews (issue 10): boutique/storefront/views/reviews.py
    path("p/<slug:slug>/reviews/", reviews.review_list, name="product_reviews"),
    path("p/<slug:slug>/review/", reviews.review_write, name="review_write"),
    # Marketplace (issue 9): applying to sell, one's store, public store pages
    path("sell/", seller_onboarding.seller_apply, name="seller_apply"),
    path("sell/status/", seller_onboarding.seller_status, name="seller_status"),
    path("sell/profile/", seller_onboarding.seller_profile, name="seller_profile"),
    path("sell/close/", seller_onboarding.seller_close, name="seller_close"),
    path("s/<slug:slug>/", seller_onboarding.store_page, name="store"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("currency/", currency.currency_choose, name="currency_choose"),
    path("language/", language.language_choose, name="language_choose"),
    # Cart
    path("cart/", cart.cart_page, name="cart"),
    path("cart/drawer/", cart.cart_drawer, name="cart_drawer"),
    path("cart/add/", cart.cart_add, name="cart_add"),
    path("cart/items/<int:item_id>/", cart.cart_item_update, name="cart_item_update"),
    path("cart/items/<int:item_id>/remove/", cart.cart_item_remove, name="cart_item_remove"),
    path("cart/accept-prices/", cart.cart_accept_prices, name="cart_accept_prices"),
    # Checkout and orders
    path("checkout/start/", checkout.checkout_start, name="checkout_start"),
    path("checkout/", checkout.checkout, name="checkout"),
    path("orders/lookup/", orders.order_lookup, name="order_lookup"),
    path("track/", tracking.track, name="track"),
    path("orders/<str:number>/", orders.order_detail, name="order_detail"),
    path("orders/<str:number>/pay/", payments.order_pay, name="order_pay"),
    path(
        "payments/<int:payment_id>/test-authorise/",
        payments.payment_test_authorise,
        name="payment_test_authorise",
    ),
    path("orders/<str:number>/receipt/", payments.order_receipt_upload, name="order_receipt"),
    path("orders/<str:number>/cod/send/", payments.order_cod_send, name="order_cod_send"),
    path("orders/<str:number>/cod/confirm/", payments.order_cod_verify, name="order_cod_verify"),
    path("account/orders/", orders.order_history, name="orders"),
    path(
        "account/orders/<str:number>/",
        orders.account_order_detail,
        name="account_order_detail",
    ),
    path(
        "account/orders/<str:number>/cancel/",
        orders.account_order_cancel,
        name="account_order_cancel",
    ),
    # Wishlist
    path("account/wishlist/", wishlist.wishlist, name="wishlist"),
    path("wishlist/toggle/<int:product_id>/", wishlist.wishlist_toggle, name="wishlist_toggle"),
    path(
        "account/wishlist/<int:item_id>/remove/", wishlist.wishlist_remove, name="wishlist_remove"
    ),
    path(
        "account/wishlist/<int:item_id>/move-to-cart/",
        wishlist.wishlist_move_to_cart,
        name="wishlist_move_to_cart",
    ),
    # Signing in and out
    path("account/register/", auth.register, name="register"),
    path("account/signin/", auth.signin, name="signin"),
    path("account/signin/code/", auth.signin_code, name="signin_code"),
    path("account/signout/", auth.signout, name="signout"),
    # Verification
    path(
        "account/verify-email/resend/",
        verification.verify_email_resend,
        name="verify_email_resend",
    ),
    path("account/verify-email/<str:token>/", verification.verify_email, name="verify_email"),
    path("account/verify-phone/", verification.verify_phone, name="verify_phone"),
    # Profile and password
    path("account/profile/", account.profile, name="profile"),
    path("account/password/", account.password_change, name="password_change"),
    path("account/data.json", account.data_export, name="data_export"),
    path("account/delete/", account.account_delete, name="account_delete"),
    path(
        "account/password-reset/",
        account.PasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "account/password-reset/sent/",
        account.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "account/password-reset/complete/",
        account.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path(
        "account/password-reset/<uidb64>/<token>/",
        account.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    # Address book
    path("account/addresses/", addressbook.addresses, name="addresses"),
    path("account/addresses/new/", addressbook.address_create, name="address_create"),
    path(
        "account/addresses/<int:address_id>/edit/",
        addressbook.address_update,
        name="address_update",
    ),
    path(
        "account/addresses/<int:address_id>/delete/",
        addressbook.address_delete,
        name="address_delete",
    ),
    path(
        "account/addresses/<int:address_id>/default/",
        addressbook.address_make_default,
        name="address_make_default",
    ),
    # Children
    path("account/children/", children.children, name="children"),
    path("account/children/new/", children.child_create, name="child_create"),
    path("account/children/<int:child_id>/edit/", children.child_update, name="child_update"),
    path("account/children/<int:child_id>/delete/", children.child_delete, name="child_delete"),
]
