"""Authorisation rows for issue 9's seller pages: the seller workspace is S1's
(URL arguments name S1's objects), so S2 gets 404 for S1's objects and
customers get 403 or a sign-in redirect. Imported by matrix.py.

Staff are not sellers: the workspace answers them 403 like a customer (they
manage stores in the back office). S1's own writes are not executed here (the
workspace tests run them); everyone else's are, with a valid body, and must
change nothing. The workspace checks who asks before it reads the form, so
the bodies need no ids of the world (a category, a carrier)."""

from .matrix import (
    ALLOWED,
    ANONYMOUS,
    CUSTOMER,
    FORBIDDEN,
    NOT_FOUND,
    OK,
    OTHER_CUSTOMER,
    OTHER_SELLER,
    SELLER,
    SIGNIN,
    STAFF,
    Entry,
)


def _workspace(owner, *, other_seller) -> dict:
    """Customers and staff have no store (403); S2 has one, but not S1's objects."""
    return {
        ANONYMOUS: SIGNIN,
        CUSTOMER: FORBIDDEN,
        OTHER_CUSTOMER: FORBIDDEN,
        STAFF: FORBIDDEN,
        SELLER: owner,
        OTHER_SELLER: other_seller,
    }


def own_page(owner=OK) -> dict:
    """A page of one's own store (S2 sees their own: same answer as S1)."""
    return _workspace(owner, other_seller=owner)


def s1_object(owner=OK) -> dict:
    """A page naming S1's object: S2 gets 404."""
    return _workspace(owner, other_seller=NOT_FOUND)


def _variant(w):
    return {"variant_id": w.s1.product.variants.get().pk}


def _item(w):
    return {"item_id": w.s1.order_item.pk}


def _payout(w):
    return {"payout_id": w.s1.payout.pk}


def _image(w):
    """A picture row of S1's product (the world has none). Made when the URL is,
    before the snapshot; bulk_create skips the thumbnail generation, which would
    need a real file."""
    from boutique.catalog.models import ProductImage

    image = ProductImage.objects.filter(product=w.s1.product).first()
    if image is None:
        row = ProductImage(product=w.s1.product, image="products/authz.jpg", is_primary=True)
        (image,) = ProductImage.objects.bulk_create([row])
    return {"image_id": image.pk}


PRODUCT_BODY = {
    "name": "Authz bonnet",
    "description": "x",
    "status": "active",
    "sku": "AUTHZ-1",
    "price": "10.00",
    "stock": "3",
}
VARIANT_BODY = {"sku": "AUTHZ-2", "size": "M", "price": "12.00", "is_active": "on", "stock": "2"}
STOCK_BODY = {"action": "receive", "quantity": "5", "reason": "authz"}
SALES = "start=2020-01-01&end=2020-01-31"

SELLER_PAGES = [
    Entry("seller/", "GET", own_page()),
    Entry("seller/products/", "GET", own_page()),
    Entry("seller/products/new/", "GET", own_page()),
    Entry("seller/products/new/", "POST", own_page(ALLOWED), body=PRODUCT_BODY),
    Entry("seller/products/<int:product_id>/", "GET", s1_object()),
    Entry(
        "seller/products/<int:product_id>/",
        "POST",
        s1_object(ALLOWED),
        body={"name": "Changed", "description": "x", "status": "draft"},
    ),
    Entry(
        "seller/products/<int:product_id>/variants/new/",
        "POST",
        s1_object(ALLOWED),
        body=VARIANT_BODY,
    ),
    Entry("seller/products/<int:product_id>/images/", "POST", s1_object(ALLOWED)),
    Entry(
        "seller/products/<int:product_id>/images/<int:image_id>/delete/",
        "POST",
        s1_object(ALLOWED),
        kwargs=_image,
    ),
    Entry("seller/variants/<int:variant_id>/", "GET", s1_object(), kwargs=_variant),
    Entry(
        "seller/variants/<int:variant_id>/",
        "POST",
        s1_object(ALLOWED),
        kwargs=_variant,
        body={"sku": "CHANGED-1", "price": "1.00"},
    ),
    Entry(
        "seller/variants/<int:variant_id>/stock/",
        "POST",
        s1_object(ALLOWED),
        kwargs=_variant,
        body=STOCK_BODY,
    ),
    Entry("seller/orders/", "GET", own_page()),
    Entry("seller/orders/<int:item_id>/", "GET", s1_object(), kwargs=_item),
    Entry(
        "seller/orders/<int:item_id>/ship/",
        "POST",
        s1_object(ALLOWED),
        kwargs=_item,
        body={"tracking_number": "AUTHZ-TRK"},
    ),
    Entry("seller/sales/", "GET", own_page()),
    Entry("seller/sales.csv", "GET", own_page(), query=SALES),
    Entry("seller/payouts/", "GET", own_page()),
    Entry("seller/payouts/<int:payout_id>/", "GET", s1_object(), kwargs=_payout),
]
