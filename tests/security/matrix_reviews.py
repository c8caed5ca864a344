"""Authorisation rows for issue 10's reviews pages and API. Imported by matrix.py.

Everyone reads a product's approved reviews. Writing needs a signed-in customer
whose order with the product was delivered: in the world that is customer A for
S1's product (world_reviews.py); every other signed-in actor is refused 403
(`not_verified_buyer`) and nothing changes. A guest is sent to sign in (pages)
or gets 401 (API)."""

from .matrix import (
    ALLOWED,
    ANONYMOUS,
    CUSTOMER,
    FORBIDDEN,
    OK,
    SIGNIN,
    UNAUTHORIZED,
    Entry,
    everyone,
)

FORM = {"rating": "4", "title": "Refused", "text": "This review must not be saved."}
BODY = {"rating": 4, "title": "Refused", "text": "This review must not be saved."}


def _buyer_only(*, anonymous) -> dict:
    return {**everyone(FORBIDDEN), ANONYMOUS: anonymous, CUSTOMER: ALLOWED}


REVIEWS_PAGES: list = [
    Entry("p/<slug:slug>/reviews/", "GET", everyone(OK)),
    Entry("p/<slug:slug>/review/", "POST", _buyer_only(anonymous=SIGNIN), body=FORM),
]
REVIEWS_API: list = [
    Entry("/api/v1/products/{slug}/reviews", "GET", everyone(OK)),
    Entry(
        "/api/v1/products/{slug}/reviews",
        "POST",
        _buyer_only(anonymous=UNAUTHORIZED),
        body=BODY,
    ),
]
