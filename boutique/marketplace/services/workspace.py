"""What a seller does in their workspace, each through the owning app's
service after checking the object is theirs and their store is open.
Someone else's product, variant or order item is NotFound (404), never a
hint that it exists."""

from boutique.catalog import services as catalog
from boutique.catalog.models import Product, ProductImage, Variant
from boutique.core.errors import NotFound, ValidationFailed
from boutique.inventory import services as inventory
from boutique.orders.models import OrderItem
from boutique.shipping.models import ShippingProvider
from boutique.shipping.services import shipment_create

from ..errors import SellerNotActive
from ..models import Seller, SellerStatus

# What a seller may set on their products: never the seller, featuring or slug.
SELLER_PRODUCT_FIELDS = (
    "name",
    "description",
    "status",
    "category",
    "brand",
    "age_min_months",
    "age_max_months",
    "is_one_of_a_kind",
)
SELLER_VARIANT_FIELDS = (
    "sku",
    "size",
    "color",
    "price",
    "compare_at_price",
    "weight_grams",
    "position",
    "is_active",
)


def _open(seller: Seller) -> None:
    if seller.status != SellerStatus.ACTIVE:
        raise SellerNotActive(
            f"Your store is {seller.get_status_display().lower()}: it cannot change products "
            "or ship orders."
        )


def _fields(fields: dict, allowed) -> dict:
    unknown = sorted(set(fields) - set(allowed))
    if unknown:
        raise ValidationFailed(
            "Some fields cannot be set by a seller.",
            field_errors={name: ["Not editable."] for name in unknown},
        )
    return fields


def seller_product(seller: Seller, product_id) -> Product:
    product = Product.objects.filter(pk=product_id, seller=seller).first()
    if product is None:
        raise NotFound("No such product in your store.")
    return product


def seller_variant(seller: Seller, variant_id) -> Variant:
    variant = (
        Variant.objects.select_related("product").filter(pk=variant_id, product__seller=seller)
    ).first()
    if variant is None:
        raise NotFound("No such variant in your store.")
    return variant


def seller_product_create(*, seller: Seller, actor, variants: list[dict], tags=(), **fields):
    """A product of the seller's store, with its variants and initial stock
    (received as ledger movements)."""
    _open(seller)
    _fields(fields, SELLER_PRODUCT_FIELDS)
    for variant in variants:
        _fields({k: v for k, v in variant.items() if k != "stock"}, SELLER_VARIANT_FIELDS)
    return catalog.product_create(
        seller=seller, actor=actor, variants=variants, tags=tags, **fields
    )


def seller_product_update(*, seller: Seller, product_id, actor, tags=None, **fields):
    _open(seller)
    product = seller_product(seller, product_id)
    return catalog.product_update(
        product=product, actor=actor, tags=tags, **_fields(fields, SELLER_PRODUCT_FIELDS)
    )


def seller_variant_create(*, seller: Seller, product_id, actor, **data) -> Variant:
    _open(seller)
    product = seller_product(seller, product_id)
    _fields({k: v for k, v in data.items() if k != "stock"}, SELLER_VARIANT_FIELDS)
    return catalog.variant_create(product=product, actor=actor, **data)


def seller_variant_update(*, seller: Seller, variant_id, actor, **data) -> Variant:
    _open(seller)
    variant = seller_variant(seller, variant_id)
    return catalog.variant_update(
        variant=variant, actor=actor, **_fields(data, SELLER_VARIANT_FIELDS)
    )


def seller_image_add(*, seller: Seller, product_id, file, actor, alt_text="", is_primary=False):
    _open(seller)
    product = seller_product(seller, product_id)
    return catalog.image_add(
        product=product, file=file, alt_text=alt_text, is_primary=is_primary, actor=actor
    )


def seller_image_delete(*, seller: Seller, image_id, actor) -> None:
    _open(seller)
    image = ProductImage.objects.filter(pk=image_id, product__seller=seller).first()
    if image is None:
        raise NotFound("No such picture in your store.")
    catalog.image_delete(image=image, actor=actor)


def seller_stock_receive(*, seller: Seller, variant_id, quantity: int, actor, note=""):
    _open(seller)
    variant = seller_variant(seller, variant_id)
    return inventory.stock_receive(
        variant=variant, quantity=quantity, actor=actor, note=note or "received by the seller"
    )


def seller_stock_adjust(*, seller: Seller, variant_id, quantity: int, reason: str, actor):
    _open(seller)
    variant = seller_variant(seller, variant_id)
    return inventory.stock_adjust(variant=variant, quantity=quantity, reason=reason, actor=actor)


def seller_shipment_create(
    *, seller: Seller, items, provider_id, tracking_number="", estimated_delivery=None, actor
):
    """Ship some of the seller's own items of one order: `items` are (order item
    id, quantity) pairs. Another seller's or the shop's item is NotFound; items
    of several orders are refused. The shipping service takes the order lock
    and never ships more than is left."""
    _open(seller)
    pairs = [(int(item_id), int(quantity)) for item_id, quantity in items]
    if not pairs:
        raise ValidationFailed("Choose what to ship.", field_errors={"items": ["Required."]})
    ids = {item_id for item_id, _ in pairs}
    owned = OrderItem.objects.filter(pk__in=ids, seller=seller).select_related("order")
    found = {item.pk: item for item in owned}
    missing = sorted(ids - set(found))
    if missing:
        raise NotFound(f"No order item {missing[0]} of yours.")
    orders = {item.order_id for item in found.values()}
    if len(orders) > 1:
        raise ValidationFailed(
            "One parcel is for one order.", field_errors={"items": ["Several orders."]}
        )
    provider = ShippingProvider.objects.filter(pk=provider_id, is_active=True).first()
    if provider is None:
        raise ValidationFailed(
            "Choose an active carrier.", field_errors={"provider_id": ["Unknown carrier."]}
        )
    order = next(iter(found.values())).order
    return shipment_create(
        order=order,
        items=pairs,
        provider=provider,
        tracking_number=tracking_number,
        estimated_delivery=estimated_delivery,
        actor=actor,
    )
