"""The seller API: an approved seller's own store, products, order items,
shipments and payouts (bearer token or session, as the rest of the API).

Who: anonymous callers get 401; a signed-in user without an approved store
(customers, staff, a pending or rejected applicant) gets 403 `not_a_seller`.
A suspended or closed store still reads its products, orders and payouts, but
every write is 403 `seller_not_active` and changes nothing. Another seller's
product or order item is 404, as an unknown id is.

Lists are paginated as /orders is (`page`, `page_size` up to 100; 400 for a
bad value) and take a fixed number of queries whatever the page size. Writes go
through the marketplace's seller-scoped services, which go on to the catalog,
inventory and shipping services."""

from ninja import Query, Router, Status
from pydantic import Field

from boutique.catalog.selectors import brand_list, category_tree, tag_list
from boutique.core.errors import ValidationFailed
from boutique.core.pagination import PageQuery, QueryInvalid, page_of
from boutique.core.schemas import problems
from boutique.inventory.selectors import available_map
from boutique.shipping.selectors import shipments_for_order
from boutique.shipping.selectors_backoffice import provider_list_active

from . import selectors, services
from .schemas import (
    CarrierOut,
    PayoutPageOut,
    SellerOrderItemPageOut,
    SellerOut,
    SellerProductCreateIn,
    SellerProductOut,
    SellerProductPageOut,
    SellerProductUpdateIn,
    SellerShipmentCreateIn,
    SellerShipmentOut,
)

seller_router = Router(tags=["seller"])


class OrderItemQuery(PageQuery):
    to_fulfil: str = Field(
        "",
        description="true: only items of paid orders with units left to ship.",
        json_schema_extra={"enum": ["true", "false", ""]},
    )


def _seller(request):
    return selectors.seller_for_workspace(request.auth)


# --- The store ------------------------------------------------------------------------------
@seller_router.get("/seller", response={200: SellerOut, **problems(401, 403)})
def seller_detail(request):
    """The caller's store: its status (and why, when suspended or closed) and
    commission rate."""
    return _seller(request)


@seller_router.get("/seller/carriers", response={200: list[CarrierOut], **problems(401, 403)})
def seller_carriers(request):
    """The active carriers a shipment can go with (`provider_id`)."""
    _seller(request)
    return list(provider_list_active())


# --- Products -------------------------------------------------------------------------------
def _products_qs(seller):
    return selectors.seller_products(seller).select_related("brand").prefetch_related("tags")


def _with_available(products) -> list:
    """The products, each variant given `available_units` (two queries for all)."""
    products = list(products)
    variants = [variant for product in products for variant in product.variants.all()]
    units = available_map([variant.pk for variant in variants])
    for variant in variants:
        variant.available_units = units.get(variant.pk, 0)
    return products


def _refs(data: dict) -> dict:
    """Category, brand and tag slugs → the catalog's rows; an unknown slug is 422."""
    errors: dict[str, list[str]] = {}
    if data.get("category") is not None:
        node = category_tree().by_slug.get(data["category"])
        if node is None:
            errors["category"] = ["Unknown category."]
        else:
            data["category"] = node.category
    if data.get("brand"):
        data["brand"] = brand_list().filter(slug=data["brand"]).first()
        if data["brand"] is None:
            errors["brand"] = ["Unknown brand."]
    elif "brand" in data:
        data["brand"] = None  # "" or null: no brand
    if data.get("tags") is not None:
        slugs = list(dict.fromkeys(data["tags"]))
        data["tags"] = list(tag_list().filter(slug__in=slugs))
        unknown = sorted(set(slugs) - {tag.slug for tag in data["tags"]})
        if unknown:
            errors["tags"] = [f"Unknown: {', '.join(unknown)}."]
    if errors:
        raise ValidationFailed("Some fields are not valid.", field_errors=errors)
    return data


def _product_out(seller, product_id):
    return _with_available(_products_qs(seller).filter(pk=product_id))[0]


@seller_router.get(
    "/seller/products", response={200: SellerProductPageOut, **problems(400, 401, 403)}
)
def seller_product_list(request, query: Query[PageQuery]):
    """The store's products (any status), newest first, with their variants, units
    on hand and units available."""
    return page_of(_products_qs(_seller(request)), query, prepare=_with_available)


@seller_router.post(
    "/seller/products", response={201: SellerProductOut, **problems(401, 403, 409, 422)}
)
def seller_product_create(request, payload: SellerProductCreateIn):
    """A product with its variants (at least one) and each variant's initial
    stock. 409: a SKU already used; 422: a field not valid or an unknown
    category, brand or tag slug. 403 `seller_not_active` for a suspended store."""
    seller = _seller(request)
    data = _refs(payload.dict())
    variants = data.pop("variants")
    product = services.seller_product_create(
        seller=seller, actor=request.auth, variants=variants, **data
    )
    return Status(201, _product_out(seller, product.pk))


@seller_router.patch(
    "/seller/products/{int:product_id}",
    response={200: SellerProductOut, **problems(401, 403, 404, 409, 422)},
)
def seller_product_update(request, product_id: int, payload: SellerProductUpdateIn):
    """Change the fields sent (name, description, status, category, brand, tags,
    age range, one of a kind). Another seller's product is 404."""
    seller = _seller(request)
    data = payload.dict(exclude_unset=True)
    for name in ("name", "description", "status", "category", "is_one_of_a_kind"):
        if name in data and data[name] is None:
            raise ValidationFailed("Some fields are not valid.", field_errors={name: ["Required."]})
    data = _refs(data)
    services.seller_product_update(seller=seller, product_id=product_id, actor=request.auth, **data)
    return _product_out(seller, product_id)


# --- Order items and shipments --------------------------------------------------------------
@seller_router.get(
    "/seller/order-items", response={200: SellerOrderItemPageOut, **problems(400, 401, 403)}
)
def seller_order_item_list(request, query: Query[OrderItemQuery]):
    """The store's items of paid (and later) orders, newest order first, each with
    its order's number, status and shipping address and the units shipped.
    `to_fulfil=true`: only those with units left to ship."""
    to_fulfil = (query.to_fulfil or "").strip().lower()
    if to_fulfil not in ("", "true", "false"):
        raise QueryInvalid(
            "to_fulfil is true or false.", field_errors={"to_fulfil": ["true or false."]}
        )
    qs = selectors.seller_order_items(_seller(request), to_fulfil=to_fulfil == "true")
    return page_of(qs, query)


@seller_router.post(
    "/seller/shipments", response={201: SellerShipmentOut, **problems(401, 403, 404, 409, 422)}
)
def seller_shipment_create(request, payload: SellerShipmentCreateIn):
    """Ship units of the store's items of one order in one parcel. 404: an item
    that is not the store's; 409: more than is left to ship, or an order that
    cannot ship now; 422: items of several orders, an unknown carrier."""
    shipment = services.seller_shipment_create(
        seller=_seller(request),
        items=[(line.order_item_id, line.quantity) for line in payload.items],
        provider_id=payload.provider_id,
        tracking_number=payload.tracking_number,
        estimated_delivery=payload.estimated_delivery,
        actor=request.auth,
    )
    return Status(201, next(s for s in shipments_for_order(shipment.order) if s.pk == shipment.pk))


# --- Payouts --------------------------------------------------------------------------------
@seller_router.get("/seller/payouts", response={200: PayoutPageOut, **problems(400, 401, 403)})
def seller_payout_list(request, query: Query[PageQuery]):
    """The store's payouts, latest period first: gross, commission, refunds and
    net in the base currency, and whether and when it was paid (with reference)."""
    return page_of(selectors.seller_payouts(_seller(request)), query)
