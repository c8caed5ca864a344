"""The authorisation matrix: for every page route and API operation, what each
actor gets. Keys are (route pattern as the URL conf spells it, method) for pages
and (OpenAPI path, method) for the API; the Django admin's entries are made by
rule in admin_rules.py.

Actors: anonymous, customer (A), other_customer (B), seller (S1), other_seller
(S2), staff. URL arguments name A's objects (S1's for seller-owned ones), so
"other_*" actors ask for someone else's object: the project's rule is 404, never
a 403 that confirms the object exists.

`ALLOWED` marks an unsafe call the actor may make: it is not executed (it would
change the world the next rows rely on). Every other unsafe call is a refusal
and is executed with a minimal valid body; the database must be unchanged."""

from collections.abc import Callable
from dataclasses import dataclass, field

ANONYMOUS = "anonymous"
CUSTOMER = "customer"
OTHER_CUSTOMER = "other_customer"
SELLER = "seller"
OTHER_SELLER = "other_seller"
STAFF = "staff"
ACTORS = (ANONYMOUS, CUSTOMER, OTHER_CUSTOMER, SELLER, OTHER_SELLER, STAFF)
SIGNED_IN = ACTORS[1:]
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


@dataclass(frozen=True)
class Expect:
    status: int | None
    redirect: str | None = None  # "signin", "admin_login", or a path the Location starts with
    run: bool = True

    def __str__(self):
        if not self.run:
            return "allowed (not executed)"
        return f"{self.status} → {self.redirect}" if self.redirect else str(self.status)


OK = Expect(200)
UNAUTHORIZED = Expect(401)
FORBIDDEN = Expect(403)
NOT_FOUND = Expect(404)
BAD_REQUEST = Expect(400)
SIGNIN = Expect(302, "signin")
ADMIN_LOGIN = Expect(302, "admin_login")
ALLOWED = Expect(None, run=False)


def redirect(to: str) -> Expect:
    return Expect(302, to)


@dataclass(frozen=True)
class Entry:
    route: str
    method: str
    expect: dict  # actor -> Expect
    kwargs: Callable | None = None  # world -> URL kwargs (defaults: see DEFAULT_KWARGS)
    # A minimal valid body for the refused unsafe calls (or world -> body, to name its objects).
    body: dict | Callable | None = None
    query: str | Callable = ""
    headers: dict = field(default_factory=dict)


def everyone(expect: Expect) -> dict:
    return dict.fromkeys(ACTORS, expect)


def signed_in(expect: Expect, *, anonymous: Expect = SIGNIN) -> dict:
    return {ANONYMOUS: anonymous, **dict.fromkeys(SIGNED_IN, expect)}


def customer_a(owner: Expect, *, anonymous: Expect = SIGNIN, others: Expect = NOT_FOUND) -> dict:
    """Customer A's object: A gets `owner`; everyone else, staff included (staff
    use the back office), gets `others`."""
    return {**dict.fromkeys(ACTORS, others), ANONYMOUS: anonymous, CUSTOMER: owner}


def seller_s1(owner: Expect, *, anonymous: Expect = SIGNIN, others: Expect = NOT_FOUND) -> dict:
    """Seller S1's object (the seller workspace of issue 9 fits here)."""
    return {**dict.fromkeys(ACTORS, others), ANONYMOUS: anonymous, SELLER: owner}


def staff_only(*, anonymous: Expect = UNAUTHORIZED, others: Expect = FORBIDDEN) -> dict:
    return {**dict.fromkeys(ACTORS, others), ANONYMOUS: anonymous, STAFF: ALLOWED}


DEFAULT_KWARGS = {
    "number": lambda w: w.a.order.number,
    "address_id": lambda w: w.a.address.pk,
    "child_id": lambda w: w.a.child.pk,
    "payment_id": lambda w: w.a.payment.pk,
    "product_id": lambda w: w.s1.product.pk,
    "slug": lambda w: w.s1.product.slug,
    "token": lambda w: w.extra["email_token"],
    "uidb64": lambda w: w.a.uidb64,
    "provider": lambda w: "test",
    "provider_id": lambda w: w.provider.pk,
}


def _cart_item(w):
    return {"item_id": w.a.cart_item.pk}


def _wish_item(w):
    return {"item_id": w.a.wishlist_item.pk}


def _open_order(w):
    return {"number": w.a.open_order.number}


CARD = {"number": "4242424242424242", "exp_month": "12", "exp_year": "2030", "cvc": "123"}
HOME = "/"
ADDRESS_BODY = {"full_name": "Changed", "line1": "x", "city": "y", "country": "LB"}
PROFILE = "/account/profile/"

PAGES = [
    Entry("healthz", "GET", everyone(OK)),
    Entry("readyz", "GET", everyone(OK)),
    # Prometheus metrics: only for METRICS_ALLOWED_IPS or a bearer METRICS_TOKEN,
    # neither of which is set here, so no actor can read them.
    Entry("metrics", "GET", everyone(NOT_FOUND)),
    Entry("api/openapi.json", "GET", everyone(OK)),
    Entry("api/docs", "GET", everyone(OK)),
    Entry("api/", "GET", everyone(NOT_FOUND)),  # the API has no root document
    Entry("", "GET", everyone(OK)),
    Entry("shop/", "GET", everyone(OK)),
    Entry("shop/c/<slug:slug>/", "GET", everyone(OK), kwargs=lambda w: {"slug": w.category.slug}),
    Entry("search/", "GET", everyone(OK), query="q=cardigan"),
    Entry("p/<slug:slug>/", "GET", everyone(OK)),
    Entry(
        "p/<slug:slug>/variant/",
        "GET",
        everyone(OK),
        query=lambda w: f"variant={w.s1.product.variants.get().pk}",
        headers={"HX-Request": "true"},
    ),
    Entry("sitemap.xml", "GET", everyone(OK)),
    Entry("currency/", "POST", everyone(ALLOWED)),
    Entry("language/", "POST", everyone(ALLOWED)),
    # Cart: everyone has their own (a guest's by session); A's lines are A's.
    Entry("cart/", "GET", everyone(OK)),
    Entry("cart/drawer/", "GET", everyone(redirect("/cart/"))),
    Entry("cart/add/", "POST", everyone(ALLOWED)),
    Entry(
        "cart/items/<int:item_id>/",
        "POST",
        customer_a(ALLOWED, anonymous=NOT_FOUND),
        kwargs=_cart_item,
        body={"quantity": "3"},
    ),
    Entry(
        "cart/items/<int:item_id>/remove/",
        "POST",
        customer_a(ALLOWED, anonymous=NOT_FOUND),
        kwargs=_cart_item,
    ),
    Entry("cart/accept-prices/", "POST", everyone(ALLOWED)),
    # Checkout and orders
    Entry("checkout/start/", "POST", everyone(ALLOWED)),
    # Checkout opens on one's own cart; without one (sellers and staff here) it
    # sends the visitor back to the cart page.
    Entry(
        "checkout/",
        "GET",
        {**everyone(redirect("/cart/")), CUSTOMER: OK, OTHER_CUSTOMER: OK},
    ),
    Entry("orders/lookup/", "GET", everyone(OK)),
    Entry("track/", "GET", everyone(OK)),
    Entry("orders/<str:number>/", "GET", customer_a(OK, anonymous=NOT_FOUND)),
    Entry(
        "orders/<str:number>/pay/",
        "POST",
        customer_a(ALLOWED, anonymous=NOT_FOUND),
        kwargs=_open_order,
        body={**CARD, "key": "authz-pay"},
    ),
    Entry(
        "payments/<int:payment_id>/test-authorise/",
        "GET",
        customer_a(OK, anonymous=NOT_FOUND),
    ),
    Entry(
        "payments/<int:payment_id>/test-authorise/",
        "POST",
        customer_a(ALLOWED, anonymous=NOT_FOUND),
        body={"decision": "approve"},
    ),
    Entry(
        "orders/<str:number>/receipt/",
        "POST",
        customer_a(ALLOWED, anonymous=NOT_FOUND),
        kwargs=_open_order,
    ),
    Entry(
        "orders/<str:number>/cod/send/",
        "POST",
        customer_a(ALLOWED, anonymous=NOT_FOUND),
        kwargs=_open_order,
        body={"phone": "+9613123456"},
    ),
    Entry(
        "orders/<str:number>/cod/confirm/",
        "POST",
        customer_a(ALLOWED, anonymous=NOT_FOUND),
        kwargs=_open_order,
        body={"code": "123456"},
    ),
    Entry("account/orders/", "GET", signed_in(OK)),
    Entry("account/orders/<str:number>/", "GET", customer_a(OK)),
    Entry("account/orders/<str:number>/cancel/", "POST", customer_a(ALLOWED), kwargs=_open_order),
    # Wishlist
    Entry("account/wishlist/", "GET", signed_in(OK)),
    Entry("wishlist/toggle/<int:product_id>/", "POST", signed_in(ALLOWED)),
    Entry("account/wishlist/<int:item_id>/remove/", "POST", customer_a(ALLOWED), kwargs=_wish_item),
    Entry(
        "account/wishlist/<int:item_id>/move-to-cart/",
        "POST",
        customer_a(ALLOWED),
        kwargs=_wish_item,
    ),
    # Signing in and out: a signed-in visitor is sent on.
    Entry("account/register/", "GET", signed_in(redirect(PROFILE), anonymous=OK)),
    Entry("account/signin/", "GET", signed_in(redirect(HOME), anonymous=OK)),
    Entry("account/signin/code/", "GET", signed_in(redirect(HOME), anonymous=OK)),
    Entry("account/signout/", "POST", everyone(ALLOWED)),
    Entry("account/verify-email/resend/", "POST", signed_in(ALLOWED)),
    # The signed link is the proof: GET only shows a button, for anyone holding it.
    Entry("account/verify-email/<str:token>/", "GET", everyone(OK)),
    # Nobody in the world has a phone number to verify: back to the profile.
    Entry("account/verify-phone/", "GET", signed_in(redirect(PROFILE))),
    Entry("account/profile/", "GET", signed_in(OK)),
    Entry("account/password/", "GET", signed_in(OK)),
    Entry("account/data.json", "GET", signed_in(OK)),
    Entry("account/delete/", "GET", signed_in(OK)),
    Entry("account/password-reset/", "GET", everyone(OK)),
    Entry("account/password-reset/sent/", "GET", everyone(OK)),
    Entry("account/password-reset/complete/", "GET", everyone(OK)),
    # A's real reset link: the token is the capability (Django moves it into the
    # session and redirects to the set-password form, whoever follows it).
    Entry(
        "account/password-reset/<uidb64>/<token>/",
        "GET",
        everyone(redirect("/account/password-reset/")),
        kwargs=lambda w: {"token": w.a.password_reset_token()},
    ),
    # Address book and children: A's rows.
    Entry("account/addresses/", "GET", signed_in(OK)),
    Entry("account/addresses/new/", "GET", signed_in(OK)),
    Entry("account/addresses/<int:address_id>/edit/", "GET", customer_a(OK)),
    Entry(
        "account/addresses/<int:address_id>/edit/",
        "POST",
        customer_a(ALLOWED),
        body={"type": "shipping", **ADDRESS_BODY},
    ),
    Entry("account/addresses/<int:address_id>/delete/", "POST", customer_a(ALLOWED)),
    Entry("account/addresses/<int:address_id>/default/", "POST", customer_a(ALLOWED)),
    Entry("account/children/", "GET", signed_in(OK)),
    Entry("account/children/new/", "GET", signed_in(OK)),
    Entry("account/children/<int:child_id>/edit/", "GET", customer_a(OK)),
    Entry(
        "account/children/<int:child_id>/edit/",
        "POST",
        customer_a(ALLOWED),
        body={"name": "Changed", "birth_date": "2024-01-01"},
    ),
    Entry("account/children/<int:child_id>/delete/", "POST", customer_a(ALLOWED)),
]

CHILD_BODY = {"name": "Changed", "birth_date": "2024-01-01"}


def _api_customer_a(owner=OK):
    return customer_a(owner, anonymous=UNAUTHORIZED)


API = [
    Entry("/api/v1/auth/register", "POST", everyone(ALLOWED)),
    Entry("/api/v1/auth/token", "POST", everyone(ALLOWED)),
    Entry("/api/v1/auth/otp/request", "POST", everyone(ALLOWED)),
    Entry("/api/v1/auth/otp/verify", "POST", everyone(ALLOWED)),
    Entry("/api/v1/auth/email/confirm", "POST", everyone(ALLOWED)),
    Entry("/api/v1/auth/logout", "POST", signed_in(ALLOWED, anonymous=UNAUTHORIZED)),
    Entry("/api/v1/me", "GET", signed_in(OK, anonymous=UNAUTHORIZED)),
    Entry(
        "/api/v1/me",
        "PATCH",
        signed_in(ALLOWED, anonymous=UNAUTHORIZED),
        body={"first_name": "Changed"},
    ),
    Entry(
        "/api/v1/me",
        "DELETE",
        signed_in(ALLOWED, anonymous=UNAUTHORIZED),
        body={"password": "Tulip-Garden-42"},
    ),
    Entry("/api/v1/me/export", "GET", signed_in(OK, anonymous=UNAUTHORIZED)),
    Entry("/api/v1/me/addresses", "GET", signed_in(OK, anonymous=UNAUTHORIZED)),
    Entry(
        "/api/v1/me/addresses",
        "POST",
        signed_in(ALLOWED, anonymous=UNAUTHORIZED),
        body=ADDRESS_BODY,
    ),
    Entry("/api/v1/me/addresses/{address_id}", "GET", _api_customer_a()),
    Entry(
        "/api/v1/me/addresses/{address_id}",
        "PATCH",
        _api_customer_a(ALLOWED),
        body={"city": "Changed"},
    ),
    Entry("/api/v1/me/addresses/{address_id}", "DELETE", _api_customer_a(ALLOWED)),
    Entry("/api/v1/me/children", "GET", signed_in(OK, anonymous=UNAUTHORIZED)),
    Entry(
        "/api/v1/me/children", "POST", signed_in(ALLOWED, anonymous=UNAUTHORIZED), body=CHILD_BODY
    ),
    Entry("/api/v1/me/children/{child_id}", "GET", _api_customer_a()),
    Entry("/api/v1/me/children/{child_id}", "PATCH", _api_customer_a(ALLOWED), body={"name": "X"}),
    Entry("/api/v1/me/children/{child_id}", "DELETE", _api_customer_a(ALLOWED)),
    Entry("/api/v1/categories", "GET", everyone(OK)),
    Entry("/api/v1/products", "GET", everyone(OK)),
    Entry("/api/v1/products/{slug}", "GET", everyone(OK)),
    Entry("/api/v1/brands", "GET", everyone(OK)),
    Entry("/api/v1/tags", "GET", everyone(OK)),
    # The cart: a guest without a cart has no line to name (404, not 401).
    Entry("/api/v1/cart", "GET", everyone(OK)),
    Entry("/api/v1/cart/items", "POST", everyone(ALLOWED)),
    Entry(
        "/api/v1/cart/items/{item_id}",
        "PATCH",
        customer_a(ALLOWED, anonymous=NOT_FOUND),
        kwargs=_cart_item,
        body={"quantity": 3},
    ),
    Entry(
        "/api/v1/cart/items/{item_id}",
        "DELETE",
        customer_a(ALLOWED, anonymous=NOT_FOUND),
        kwargs=_cart_item,
    ),
    Entry("/api/v1/wishlist", "GET", signed_in(OK, anonymous=UNAUTHORIZED)),
    Entry("/api/v1/wishlist", "POST", signed_in(ALLOWED, anonymous=UNAUTHORIZED)),
    Entry("/api/v1/wishlist/{item_id}", "DELETE", _api_customer_a(ALLOWED), kwargs=_wish_item),
    Entry(
        "/api/v1/wishlist/{item_id}/move-to-cart",
        "POST",
        _api_customer_a(ALLOWED),
        kwargs=_wish_item,
    ),
    Entry("/api/v1/shipping-methods", "GET", everyone(OK)),
    Entry("/api/v1/checkout/quote", "POST", everyone(ALLOWED)),
    Entry("/api/v1/orders", "POST", everyone(ALLOWED)),
    Entry("/api/v1/orders", "GET", signed_in(OK, anonymous=UNAUTHORIZED)),
    # Guests name an order by number and email; without the email it is 404.
    Entry("/api/v1/orders/{number}", "GET", customer_a(OK, anonymous=NOT_FOUND)),
    Entry(
        "/api/v1/orders/{number}/cancel",
        "POST",
        customer_a(ALLOWED, anonymous=NOT_FOUND),
        kwargs=_open_order,
    ),
    Entry(
        "/api/v1/orders/{number}/payments",
        "POST",
        customer_a(ALLOWED, anonymous=NOT_FOUND),
        kwargs=_open_order,
        body={"method": "card", "card": {**CARD, "exp_month": 12, "exp_year": 2030}},
        headers={"Idempotency-Key": "authz-pay"},
    ),
    Entry("/api/v1/orders/{number}/payments", "GET", customer_a(OK, anonymous=NOT_FOUND)),
    Entry(
        "/api/v1/staff/orders/{number}/confirm-payment",
        "POST",
        staff_only(),
        kwargs=_open_order,
        body={"method": "cash_usd"},
    ),
    Entry(
        "/api/v1/staff/orders/{number}/refunds",
        "POST",
        staff_only(),
        body={"amount": "1.00", "reason": "authz"},
    ),
    # Webhooks carry no user: an unsigned one is refused whoever sends it.
    Entry("/api/v1/webhooks/{provider}", "POST", everyone(BAD_REQUEST), body={"id": "evt_1"}),
    Entry(
        "/api/v1/webhooks/carriers/{provider_id}",
        "POST",
        everyone(UNAUTHORIZED),  # no signature: the carrier is not authenticated
        body={"tracking_number": "TRK-alice", "status": "delivered"},
    ),
]

# Issue 9's seller workspace and seller API keep their rows beside this table.
from .matrix_seller_api import SELLER_API  # noqa: E402
from .matrix_seller_onboarding import SELLER_ONBOARDING_PAGES  # noqa: E402
from .matrix_seller_pages import SELLER_PAGES  # noqa: E402

PAGES += SELLER_PAGES + SELLER_ONBOARDING_PAGES
API += SELLER_API

# Issue 10: reviews and support conversations.
from .matrix_reviews import REVIEWS_API, REVIEWS_PAGES  # noqa: E402
from .matrix_support import SUPPORT_API, SUPPORT_PAGES  # noqa: E402

PAGES += REVIEWS_PAGES + SUPPORT_PAGES
API += REVIEWS_API + SUPPORT_API

# Issue 13: gift registries.
from .matrix_registry import REGISTRY_API, REGISTRY_PAGES  # noqa: E402

PAGES += REGISTRY_PAGES
API += REGISTRY_API

# Issue 13: back-in-stock alerts (recalls and safety data are back-office only).
from .matrix_safety import SAFETY_API, SAFETY_PAGES  # noqa: E402

PAGES += SAFETY_PAGES
API += SAFETY_API
