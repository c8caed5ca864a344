"""Authorisation rows for issue 9's seller API: the seller workspace is S1's
(URL arguments name S1's objects), so S2 gets 404 for S1's objects and
customers get 403 or a sign-in redirect. Imported by matrix.py.

Over the API: anonymous is 401; a signed-in user without an approved store
(customers A and B, staff) is 403 `not_a_seller` before anything is looked up;
each seller reads and lists their own store (200 for S1 and S2 alike), and S2
naming S1's product or order item is 404. The refused writes are executed and
must change nothing."""

from .matrix import (
    ACTORS,
    ALLOWED,
    ANONYMOUS,
    FORBIDDEN,
    NOT_FOUND,
    OK,
    OTHER_SELLER,
    SELLER,
    UNAUTHORIZED,
    Entry,
)


def _sellers(owner, *, other_seller=None) -> dict:
    """S1 gets `owner`, S2 `other_seller` (the same by default: their own store);
    anonymous 401, everyone else 403."""
    return {
        **dict.fromkeys(ACTORS, FORBIDDEN),
        ANONYMOUS: UNAUTHORIZED,
        SELLER: owner,
        OTHER_SELLER: owner if other_seller is None else other_seller,
    }


PRODUCT_BODY = {
    "name": "Authz booties",
    "category": "knitwear",
    "status": "active",
    "variants": [{"sku": "AUTHZ-BOOT-1", "price": "18.00", "stock": 3}],
}


def _ship_s1_item(w) -> dict:
    """One unit of S1's paid, unshipped order item."""
    return {
        "items": [{"order_item_id": w.s1.order_item.pk, "quantity": 1}],
        "provider_id": w.provider.pk,
        "tracking_number": "AUTHZ-1",
    }


SELLER_API: list = [
    Entry("/api/v1/seller", "GET", _sellers(OK)),
    Entry("/api/v1/seller/carriers", "GET", _sellers(OK)),
    Entry("/api/v1/seller/products", "GET", _sellers(OK)),
    Entry("/api/v1/seller/products", "POST", _sellers(ALLOWED), body=PRODUCT_BODY),
    Entry(
        "/api/v1/seller/products/{product_id}",
        "PATCH",
        _sellers(ALLOWED, other_seller=NOT_FOUND),
        body={"name": "Changed", "status": "archived"},
    ),
    Entry("/api/v1/seller/order-items", "GET", _sellers(OK), query="to_fulfil=true"),
    Entry(
        "/api/v1/seller/shipments",
        "POST",
        _sellers(ALLOWED, other_seller=NOT_FOUND),
        body=_ship_s1_item,
    ),
    Entry("/api/v1/seller/payouts", "GET", _sellers(OK)),
]
